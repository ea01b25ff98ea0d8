"""The demo's pre-sale: a new phone sold before any location holds a unit of it, end to end
through gRPC. HQ operations open the pre-sale (SetPreSale); a few customers pre-order it in
their cloud shops and pay at once, and one tries beyond the per-customer limit; as the window
closes the pre-orders are planned onto the locations nearest them (PlanPreSale); the goods
arrive there under the pre-sale's reference in two deliveries, the first only enough for each
location's earliest pre-order, so that the demo sees them served earliest first. The allocated
pre-orders then go through the stores' day like any other order. Every step is checked, and a
check that fails raises."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import common_pb2, inventory_pb2, launches_pb2, orders_pb2
from services.client.client import OmoClient
from services.demo import seeding
from services.demo.clock import DemoClock
from services.demo.store_day import StoreDay
from services.demo.terms import Terms, check_terms

UNITS = 10
PER_CUSTOMER = 2
PRICE = common_pb2.Money(cents=599_900, currency="CNY")
# units each customer pre-orders, in the order they place them; the first SAME_SPOT customers
# stand at one spot, so that one location has several pre-orders to serve earliest first
PRE_ORDERS = (2, 1, 1, 1, 2, 1)
SAME_SPOT = 3
WINDOW = timedelta(minutes=10)  # the demo's pre-sale is short: the rest of the evening waits on it

PlaceOrder = Callable[[orders_pb2.PlaceOrderRequest], orders_pb2.PlaceOrderResponse]


class PreSaleCheckFailed(AssertionError):
    pass


@dataclass
class PreSaleRound:
    sku: str
    order_ids: list[str] = field(default_factory=list)  # the pre-orders, earliest first
    ordered_units: int = 0
    refused_over_limit: int = 0
    location_of: dict[str, str] = field(default_factory=dict)  # pre-order -> the location planned
    served_first: int = 0  # pre-orders allocated by the first delivery, each its location's earliest
    allocated: int = 0  # pre-orders allocated once every unit had arrived
    delivered: int = 0  # in the stores' day
    left_at_slow: int = 0  # planned at a slow store, which did not get to them (count_delivered)


def _check(condition: bool, message: str) -> None:
    if not condition:  # not `assert`: the demo's checks hold under `python -O` too
        raise PreSaleCheckFailed(f"pre-sale: {message}")


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def run_pre_sale(
    client: OmoClient, world: seeding.World, terms: Terms, clock: DemoClock, place: PlaceOrder, tag: str, seed: int,
) -> PreSaleRound:
    """`place`: how the demo's customers place an order (through their cloud shop); `tag`: the
    run's own, so that a demo run again on a shared database opens a pre-sale of its own."""
    pre_sale = PreSaleRound(sku=f"PRESALE-{tag.upper()}")
    opens = clock() - timedelta(minutes=1)
    client.launches.SetPreSale(launches_pb2.SetPreSaleRequest(pre_sale=launches_pb2.PreSale(
        sku=pre_sale.sku, units=UNITS, price=PRICE, orders_from=_stamp(opens), orders_until=_stamp(opens + WINDOW),
        # the goods reach the locations as the window closes: the demo's evening cannot wait weeks
        ships_from=_stamp(opens + WINDOW), per_customer_limit=PER_CUSTOMER,
    )))
    _pre_order(client, world, pre_sale, place, random.Random(f"presale:{seed}"), tag)
    clock.advance_to(opens + WINDOW)  # the window closes
    _plan(client, pre_sale, terms)
    _receive(client, pre_sale)
    return pre_sale


def _request(pre_sale: PreSaleRound, key: str, customer: str, at: common_pb2.LatLng, units: int) -> orders_pb2.PlaceOrderRequest:
    return orders_pb2.PlaceOrderRequest(
        idempotency_key=key, customer_id=customer, customer_location=at, fulfilment_mode=common_pb2.DELIVERY,
        lines=[orders_pb2.OrderLine(sku=pre_sale.sku, quantity=units, unit_price=PRICE)],
    )


def _pre_order(client: OmoClient, world: seeding.World, pre_sale: PreSaleRound, place: PlaceOrder, rng: random.Random, tag: str) -> None:
    spots = [store.location for store in rng.sample(world.stores, min(len(world.stores), len(PRE_ORDERS) - SAME_SPOT + 1))]
    for n, units in enumerate(PRE_ORDERS):
        at = spots[max(0, n - SAME_SPOT + 1) % len(spots)]
        order = place(_request(pre_sale, f"{tag}-presale-{n}", f"C-PRE-{tag}-{n}", at, units)).order
        _check(order.status == orders_pb2.PRE_ORDERED and order.pre_order.sku == pre_sale.sku,
               f"order {order.order_id} is {orders_pb2.OrderStatus.Name(order.status)}, not a pre-order of {pre_sale.sku}")
        # the customer pays as they pre-order: unpaid, the payment timeout would release it
        client.orders.ConfirmPayment(orders_pb2.ConfirmPaymentRequest(
            order_id=order.order_id, payment_id=f"PAY-{order.order_id[:8]}", amount=order.total,
        ))
        pre_sale.order_ids.append(order.order_id)
        pre_sale.ordered_units += units
    # the first customer, who has pre-ordered as many as one may, tries for one more
    try:
        place(_request(pre_sale, f"{tag}-presale-more", f"C-PRE-{tag}-0", spots[0], 1))
        _check(False, f"a customer got more than {PER_CUSTOMER} units")
    except grpc.RpcError as refused:
        _check(refused.code() == grpc.StatusCode.FAILED_PRECONDITION and "limit" in (refused.details() or ""),
               f"the pre-order beyond the limit was refused {refused.code().name}: {refused.details()}")
        pre_sale.refused_over_limit += 1
    progress = _progress(client, pre_sale)
    _check(progress.ordered_units == pre_sale.ordered_units and progress.units_left == UNITS - pre_sale.ordered_units,
           f"GetPreSale has {progress.ordered_units} units ordered, {progress.units_left} left")


def _plan(client: OmoClient, pre_sale: PreSaleRound, terms: Terms) -> None:
    planned = client.launches.PlanPreSale(launches_pb2.PlanPreSaleRequest(sku=pre_sale.sku))
    _check(not planned.unplanned, f"{len(planned.unplanned)} pre-orders found no location: {planned.unplanned[0].reason if planned.unplanned else ''}")
    orders = [_order(client, order_id) for order_id in pre_sale.order_ids]
    for order in orders:
        _check(order.status == orders_pb2.BACKORDERED and len(order.shipments) == 1,
               f"planned pre-order {order.order_id} is {orders_pb2.OrderStatus.Name(order.status)}")
        pre_sale.location_of[order.order_id] = order.shipments[0].store_id
    _check(sum(at.orders for at in planned.planned) == len(orders), "PlanPreSale did not count every pre-order it planned")
    check_terms(terms, orders)  # the plan keeps the dealers' terms and assortments as routing does


def _receive(client: OmoClient, pre_sale: PreSaleRound) -> None:
    """Each location receives first the units of its earliest pre-order, then the rest."""
    reference = f"presale:{pre_sale.sku}"
    at: dict[str, list[str]] = {}
    for order_id in pre_sale.order_ids:
        at.setdefault(pre_sale.location_of[order_id], []).append(order_id)
    units = dict(zip(pre_sale.order_ids, PRE_ORDERS))
    announced = {loc.store_id: loc.announced_units for loc in _progress(client, pre_sale).locations}
    first = {location: units[queue[0]] for location, queue in at.items()}
    for delivery, quantities in enumerate((first, {location: announced[location] - first[location] for location in at}), start=1):
        for location, quantity in quantities.items():
            if quantity:
                client.inventory.ReceiveStock(inventory_pb2.ReceiveStockRequest(
                    store_id=location, movement_id=f"{pre_sale.sku}-{location}-{delivery}", reference=reference,
                    lines=[inventory_pb2.StockLine(sku=pre_sale.sku, quantity=quantity)],
                ))
        statuses = {order_id: _order(client, order_id).status for order_id in pre_sale.order_ids}
        if delivery == 1:  # each location's earliest pre-order is served; the later ones still wait
            for location, queue in at.items():
                _check(statuses[queue[0]] == orders_pb2.ALLOCATED and all(statuses[o] == orders_pb2.BACKORDERED for o in queue[1:]),
                       f"the first units at {location} did not go to its earliest pre-order")
            pre_sale.served_first = len(at)
    pre_sale.allocated = sum(status == orders_pb2.ALLOCATED for status in statuses.values())
    progress = _progress(client, pre_sale)
    _check(pre_sale.allocated == len(pre_sale.order_ids) and progress.allocated_units == pre_sale.ordered_units
           and progress.waiting_units == 0, f"{progress.waiting_units} units still wait after every unit arrived")


def count_delivered(pre_sale: PreSaleRound, day: StoreDay) -> None:
    """What the stores' day did with the pre-orders, as with any paid order: delivered, or left
    by a slow store, or (a step refused, a queue that did not show them) neither. Counted, not
    checked: the stores' day reports on its orders rather than failing on them."""
    for order_id, location in pre_sale.location_of.items():
        if order_id in day.queue.delivered:
            pre_sale.delivered += 1
        elif location in day.slow_stores:
            pre_sale.left_at_slow += 1


def print_pre_sale(pre_sale: PreSaleRound, out: TextIO) -> None:
    undelivered = len(pre_sale.order_ids) - pre_sale.delivered - pre_sale.left_at_slow
    print(
        f"\n  pre-sale of {pre_sale.sku}: {pre_sale.ordered_units} of {UNITS} units pre-ordered in {len(pre_sale.order_ids)} "
        f"pre-orders, {pre_sale.refused_over_limit} refused over the limit of {PER_CUSTOMER}; planned at "
        f"{len(set(pre_sale.location_of.values()))} locations, {pre_sale.allocated} allocated earliest first; "
        f"{pre_sale.delivered} delivered, {pre_sale.left_at_slow} at slow stores" + (f", {undelivered} not delivered" if undelivered else ""),
        file=out,
    )


def _order(client: OmoClient, order_id: str) -> orders_pb2.Order:
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order


def _progress(client: OmoClient, pre_sale: PreSaleRound) -> launches_pb2.GetPreSaleResponse:
    return client.launches.GetPreSale(launches_pb2.GetPreSaleRequest(sku=pre_sale.sku))
