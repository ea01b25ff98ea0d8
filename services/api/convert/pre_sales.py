"""Pre-sales between their messages and the domain's values: terms, progress, a plan's outcome."""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.presales import PreSaleTerms
from domain.values import epoch_us
from protos.omo.v1 import common_pb2, launches_pb2
from services.api.convert.common import money
from services.api.convert.dealers import moment, timestamp
from services.use_cases.ordering.presale_plan import PlanOutcome
from services.use_cases.ordering.presales import PreSaleView

_REQUIRED_MOMENTS = {
    "orders_from": "pre-orders are taken from then",
    "orders_until": "pre-orders are taken until then",
    "ships_from": "every pre-order is promised from then",
}


def pre_sale_terms(request: launches_pb2.SetPreSaleRequest) -> PreSaleTerms:
    if not request.HasField("pre_sale"):
        raise InvalidInput("pre_sale", "is required")
    given = request.pre_sale
    for field, why in _REQUIRED_MOMENTS.items():
        if not given.HasField(field):
            raise InvalidInput(f"pre_sale.{field}", f"is required: {why}")
    try:
        return PreSaleTerms.create(
            sku=given.sku,
            units=given.units,
            price=money("price", given.price, given.HasField("price")),
            orders_from=moment("orders_from", given.orders_from, True, None),
            orders_until=moment("orders_until", given.orders_until, True, None),
            ships_from=moment("ships_from", given.ships_from, True, None),
            per_customer_limit=given.per_customer_limit,
        )
    except InvalidInput as error:  # named as in the request, inside `pre_sale`
        raise InvalidInput(f"pre_sale.{error.field}", str(error).split(": ", 1)[1]) from None


def pre_sale_message(terms: PreSaleTerms) -> launches_pb2.PreSale:
    return launches_pb2.PreSale(
        sku=terms.sku,
        units=terms.units,
        price=common_pb2.Money(cents=terms.price.cents, currency=terms.price.currency),
        orders_from=timestamp(epoch_us(terms.orders_from)),
        orders_until=timestamp(epoch_us(terms.orders_until)),
        ships_from=timestamp(epoch_us(terms.ships_from)),
        per_customer_limit=terms.per_customer_limit,
    )


def progress_message(view: PreSaleView) -> launches_pb2.GetPreSaleResponse:
    return launches_pb2.GetPreSaleResponse(
        pre_sale=pre_sale_message(view.terms),
        ordered_orders=view.ordered_orders,
        ordered_units=view.ordered_units,
        units_left=view.units_left,
        unplanned_orders=view.unplanned_orders,
        unplanned_units=view.unplanned_units,
        locations=[
            launches_pb2.PreSaleLocation(
                store_id=location.location_id, planned_orders=location.planned_orders, planned_units=location.planned_units,
                announced_units=location.announced_units, received_units=location.received_units,
                allocated_units=location.allocated_units, waiting_units=location.waiting_units,
            )
            for location in view.locations
        ],
        allocated_units=view.allocated_units,
        waiting_units=view.waiting_units,
    )


def plan_message(outcome: PlanOutcome, progress: PreSaleView) -> launches_pb2.PlanPreSaleResponse:
    return launches_pb2.PlanPreSaleResponse(
        planned=[launches_pb2.PlannedAt(store_id=location, orders=orders) for location, orders in sorted(outcome.planned.items())],
        unplanned=[
            launches_pb2.UnplannedPreOrder(order_id=order_id, reason=reason) for order_id, reason in sorted(outcome.unplanned.items())
        ],
        progress=progress_message(progress),
    )
