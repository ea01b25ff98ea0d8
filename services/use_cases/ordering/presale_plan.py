"""Use case: planning a pre-sale, the distribution of its units from the warehouse to the
locations that will hand them over.

Each pre-order goes, earliest first, to the location routing would choose for it if every
location had the goods: the nearest store that may serve it (assortment, its dealer's terms,
radius, paused; its PICKUP store), otherwise the nearest regional warehouse, which ships it
EXPRESS. Stock and capacity do not count: the units are not anywhere yet. The plan announces
at each location a receipt of its pre-orders' units under the pre-sale's reference, expected
at the pre-sale's ships_from, and each pre-order claims its units of that receipt, in
placement order: a backorder. As the goods are received there, the earliest claims are served
first and those pre-orders become reserved orders in the store's queue (the backorders use
cases). Planning again plans only pre-orders placed since; it is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from uuid import UUID

from aggregates.order import PRE_ORDERED, Order
from aggregates.pre_sale import PreSale
from aggregates.stock_position import StockPosition
from domain.errors import NoStoreCanFulfil, RuleViolation
from domain.presales import PreSaleTerms
from domain.values import FulfilmentMode, GeoPoint, identifier
from routing.decision import Decision
from routing.sites import no_orders_yet
from services.use_cases.application import OmoApplication, RetryDecision, epoch_us
from services.use_cases.ordering.backorder_routing import FARTHEST_BOUND, transit_arrival, waiting_record
from services.use_cases.ordering.orders import explanation_record, shipment_record_of
from services.use_cases.ordering.presales import load_pre_sale
from services.use_cases.ordering.selling import routing_request, sold_by

PLAN_BATCH = 200  # pre-orders planned in one atomic save
# a store closed when the goods arrive may start on them once it opens within this
START_WITHIN = timedelta(days=7)
PLANNED_NOTE = "pre-order planned at the location routing would choose were the goods everywhere; it waits for the pre-sale's receipt there"
ANY_NUMBER = 10**12  # the units any location is taken to have: where the goods will be does not depend on stock


@dataclass
class PlanOutcome:
    """What one planning run did: pre-orders planned per location (this run), and those no
    location can take, with why (they stay PRE_ORDERED: customer service decides)."""

    planned: dict[str, int] = field(default_factory=dict)
    unplanned: dict[str, str] = field(default_factory=dict)

    @property
    def planned_orders(self) -> int:
        return sum(self.planned.values())


def plan_pre_sale(
    app: OmoApplication, sku: str, by: str = "", progress: Callable[[int, int], None] | None = None, batch: int = PLAN_BATCH,
) -> PlanOutcome:
    """Plans every pre-order of the SKU's pre-sale not planned yet, a batch at a time, each
    batch in one atomic save (a crash between batches loses nothing: the next run plans the
    rest). `progress(done, total)` after each batch."""
    app.catch_up()
    todo = load_pre_sale(app, identifier("sku", sku)).unplanned()
    outcome = PlanOutcome()
    for start in range(0, len(todo), batch):
        _plan_batch(app, sku, todo[start:start + batch], by, outcome)
        if progress is not None:
            progress(min(start + batch, len(todo)), len(todo))
    return outcome


@dataclass(frozen=True)
class _Place:
    record: dict  # the shipment record, BACKORDERED on the pre-sale's receipt
    fulfilment: str
    explanation: dict


def _plan_batch(app: OmoApplication, sku: str, order_ids: list[str], by: str, outcome: PlanOutcome) -> None:
    pre_sale_id = PreSale.create_id(sku)

    def plan() -> tuple[list[UUID], dict[str, _Place]]:
        terms = load_pre_sale(app, sku).terms
        places = {}
        for order_id in order_ids:
            order = app.find(UUID(order_id))
            if not isinstance(order, Order) or order.status != PRE_ORDERED:
                continue
            try:
                places[order_id] = _place(app, order, terms)
            except (NoStoreCanFulfil, RuleViolation) as refusal:
                outcome.unplanned[order_id] = str(refusal)
        locations = sorted({place.record["store_id"] for place in places.values()})
        positions = [StockPosition.create_id(location, sku) for location in locations]
        return [pre_sale_id, *(UUID(o) for o in places), *positions], places

    def decide(places: dict[str, _Place]) -> tuple[list, dict[str, str]]:
        pre_sale = load_pre_sale(app, sku)
        terms = pre_sale.terms
        orders = {o: app.find(UUID(o)) for o in places}
        if any(order.status != PRE_ORDERED for order in orders.values()):
            raise RetryDecision  # cancelled or planned meanwhile
        at: dict[str, list[str]] = {}
        for order_id in pre_sale.unplanned():  # placement order: the earliest claims first at each location
            if order_id in places:
                at.setdefault(places[order_id].record["store_id"], []).append(order_id)
        positions = []
        not_after_us = epoch_us(terms.ships_from + FARTHEST_BOUND)
        transit_us = transit_arrival(app, app.clock())
        for location, planned in at.items():
            position = app.position_or_new(location, sku)
            still_to_come = position.expected.get(terms.reference, {}).get("quantity", 0)
            position.expect_receipt(terms.reference, still_to_come + sum(pre_sale.ordered[o] for o in planned), epoch_us(terms.ships_from))
            for order_id in planned:
                position.claim(order_id, pre_sale.ordered[order_id], not_after_us, transit_us)
                place = places[order_id]
                orders[order_id].allocate([place.record], place.fulfilment, place.explanation, by=by)
            positions.append(position)
        planned = {o: location for location, planned in at.items() for o in planned}
        pre_sale.plan(planned.items())
        return [pre_sale, *(orders[o] for o in planned), *positions], planned

    for order_id, location in app.decide_planned(plan, decide).items():
        outcome.planned[location] = outcome.planned.get(location, 0) + 1
        outcome.unplanned.pop(order_id, None)


def _place(app: OmoApplication, order: Order, terms: PreSaleTerms) -> _Place:
    """Where the pre-order goes, as a shipment waiting for the pre-sale's receipt there."""
    arrival = max(terms.ships_from, app.clock())
    mode = FulfilmentMode(order.fulfilment_mode)
    request = replace(
        routing_request(app, GeoPoint(*order.customer_location), order.quantities(), mode, order.pickup_store_id, arrival, sold_by(order.sale)),
        start_within=START_WITHIN,
    )
    decision: Decision = app.routing.choose(request, app.index.directory(), lambda store_id, sku: ANY_NUMBER, no_orders_yet)
    shipment = decision.shipments[0]  # every location has it all: never a split
    record = waiting_record(
        app, shipment_record_of(app, shipment, arrival), dict(shipment.quantities), arrival, terms.ships_from + FARTHEST_BOUND, mode,
    )
    return _Place(record, decision.fulfilment, explanation_record(decision, PLANNED_NOTE))
