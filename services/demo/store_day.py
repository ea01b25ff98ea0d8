"""The second half of `omo demo`: the stores' day after the orders are placed. The checkout
confirms payment for most orders, the stores ship and receive the transfers paid pickup orders
await, a few customers backorder a new arrival due at a warehouse
(allocated when it is received), some stores sell reserved units over the counter (their
POS streams the sales, and the orders affected move to other stores), the stores find their
work in their queues and take what is paid through to delivery, except a few slow stores that
do not get to theirs before the evening ends; then the on-time figures for the day, and a few
customers return goods."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TextIO

from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import common_pb2, fulfilment_pb2, inventory_pb2, orders_pb2, pos_pb2, stock_query_pb2, transfers_pb2
from services.client.client import OmoClient
from services.demo import store_queue
from services.demo.promises import OnTime, on_time_figures
from services.demo.store_queue import QueueWork, workable

PAID_SHARE = 0.9  # the rest stay unpaid, for the payment timeout to release
COUNTER_SALES = 30  # (store, sku) shelves a walk-in customer empties
WATCHED = 3  # the busiest locations keep their app's stream open rather than list their work
SLOW_SHARE = 0.1  # of the stores with paid work, those that do not get to it tonight
RETURNS = 10
LINE_CANCELLATIONS = 10  # paid orders of which the customer cancels one unit before it is picked
BACKORDERS = 5  # customers who order a new arrival no location holds yet, due at a warehouse tomorrow
NEW_ARRIVAL = "NEW-ARRIVAL-01"
NEW_ARRIVAL_RECEIPT = "PO-DEMO-NEW-ARRIVAL"
SHANGHAI = (31.2304, 121.4737)

# Given the latest promise the slow stores hold (None: none), ends the evening past it and past
# the payment timeout; returns the store-local days the day's promises fall on (first, last).
EndEvening = Callable[[datetime | None], tuple[str, str]]


@dataclass
class StoreDay:
    paid: int = 0
    counter_sales: int = 0
    moved: int = 0
    flagged: int = 0
    listed_stores: int = 0
    watched_stores: int = 0
    waiting: int = 0  # paid shipments the stores found waiting in their queues
    slow_stores: list[str] = field(default_factory=list)
    left_at_slow: int = 0  # paid shipments the slow stores left undone
    overdue_at_slow: int = 0  # what their queues list as overdue when the evening ends
    returned_units: int = 0
    refunded_cents: int = 0
    lines_cancelled: int = 0  # orders with one unit cancelled (CancelOrderLines)
    cancelled_refund_cents: int = 0
    backordered: int = 0  # orders placed against a warehouse's expected receipt (allow_backorder)
    backorders_allocated: int = 0  # of those, allocated when the receipt arrived
    backorder_ids: list[str] = field(default_factory=list)  # their order ids
    transfers_received: int = 0  # transfers the stores shipped and received for paid pickup orders
    by_transfer_allocated: int = 0  # pickup orders allocated once their transfers arrived
    queue: QueueWork = field(default_factory=lambda: QueueWork({}))
    on_time: OnTime | None = None

    @property
    def delivered(self) -> int:
        return len(self.queue.delivered)

    @property
    def worked(self) -> list[str]:
        """Ids of the orders a store handed over a shipment of."""
        return sorted(self.queue.worked)


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(timezone.utc))
    return stamp


def _pay(client: OmoClient, order: orders_pb2.Order) -> orders_pb2.Order:
    request = orders_pb2.ConfirmPaymentRequest(order_id=order.order_id, payment_id=f"PAY-{order.order_id[:8]}", amount=order.total)
    return client.orders.ConfirmPayment(request).order


def _empty_shelves(client: OmoClient, orders: list[orders_pb2.Order], rng: random.Random, day: StoreDay) -> None:
    """Walk-in customers buy every unit of a reserved SKU at some stores."""
    shelves = sorted({(s.store_id, l.sku) for o in orders for s in o.shipments for l in s.lines})
    for n, (store_id, sku) in enumerate(rng.sample(shelves, min(COUNTER_SALES, len(shelves)))):
        on_hand = client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=store_id, sku=sku)).position.on_hand
        if on_hand <= 0:
            continue
        sale = pos_pb2.StockMovement(
            movement_id=f"demo-walk-in-{n}", kind=pos_pb2.SALE, sku=sku, quantity=on_hand, occurred_at=_now(), reason="walk-in"
        )
        for response in client.pos.SyncStock(iter([pos_pb2.SyncStockRequest(store_id=store_id, movements=[sale])])):
            day.counter_sales += 1
            day.moved += sum(not m.flagged for m in response.moved_orders)
            day.flagged += sum(m.flagged for m in response.moved_orders)


def _work_the_queues(
    stores: OmoClient, day: StoreDay, rng: random.Random, store_ids: list[str], warehouse_ids: list[str], busiest: list[str], workers: int,
) -> dict[str, list[fulfilment_pb2.StoreShipment]]:
    """The busiest locations watch their queue; every other one lists its work, and all but
    the slow stores work it. Returns what the slow stores left."""
    watched = busiest[:WATCHED]
    position = store_queue.caught_up_position(stores, (watched or store_ids)[0])
    join_watchers = store_queue.watch_all(stores, watched, day.queue)
    try:
        listing = [s for s in (*store_ids, *warehouse_ids) if s not in watched]
        found = store_queue.list_all(stores, listing, position, day.queue, workers)
    finally:
        join_watchers()
    day.listed_stores, day.watched_stores = len(found), len(watched)
    busy = sorted(s for s in store_ids if s in found and any(workable(w) for w in found[s]))
    day.slow_stores = sorted(rng.sample(busy, round(SLOW_SHARE * len(busy))))
    left = {s: found.pop(s) for s in day.slow_stores}
    day.waiting = sum(workable(w) for shipments in found.values() for w in shipments)
    day.left_at_slow = sum(workable(w) for shipments in left.values() for w in shipments)
    store_queue.work_stores(stores, found, day.queue, workers)
    day.waiting += day.queue.streamed_waiting
    return left


def _overdue_at(stores: OmoClient, store_ids: list[str]) -> int:
    """What the stores' queues list as overdue now (read-your-writes: everything recorded so far)."""
    consistency = stock_query_pb2.Consistency(up_to_date=True, wait_timeout_ms=store_queue.WAIT_MS)
    overdue = 0
    for store_id in store_ids:
        request = fulfilment_pb2.ListShipmentsRequest(store_id=store_id, overdue_only=True, page_size=500, consistency=consistency)
        overdue += len(stores.fulfilment.ListShipments(request).shipments)
    return overdue


def _cancel_a_unit(client: OmoClient, paid: list[orders_pb2.Order], day: StoreDay, rng: random.Random) -> None:
    """Some customers drop one unit of an order of several before the store picks it."""
    several = sorted((o for o in paid if sum(l.quantity for l in o.lines) > 1), key=lambda o: o.idempotency_key)
    for n, order in enumerate(rng.sample(several, min(LINE_CANCELLATIONS, len(several)))):
        request = orders_pb2.CancelOrderLinesRequest(
            order_id=order.order_id, idempotency_key=f"demo-cancel-{n}", reason="the customer wants one fewer",
            lines=[orders_pb2.ShipmentLine(sku=order.lines[0].sku, quantity=1)],
        )
        day.cancelled_refund_cents += client.orders.CancelOrderLines(request).refund.cents
        day.lines_cancelled += 1


def _backorder_a_new_arrival(client: OmoClient, warehouse_id: str, day: StoreDay) -> None:
    """A new arrival no location holds yet is due at a warehouse tomorrow: customers who accept
    waiting order it (BACKORDERED, claiming the receipt), pay, and when the warehouse receives it
    their orders are allocated and join its queue."""
    tomorrow, in_three_days = Timestamp(), Timestamp()
    now = datetime.now(timezone.utc)
    run = uuid.uuid4().hex[:8]  # a demo re-run on a shared database announces, orders and receives anew
    receipt = f"{NEW_ARRIVAL_RECEIPT}-{run}"
    tomorrow.FromDatetime(now + timedelta(days=1))
    in_three_days.FromDatetime(now + timedelta(days=3))
    client.inventory.ExpectReceipt(inventory_pb2.ExpectReceiptRequest(
        store_id=warehouse_id, sku=NEW_ARRIVAL, quantity=BACKORDERS, expected_at=tomorrow, reference=receipt,
    ))
    waiting = []
    for n in range(BACKORDERS):
        request = orders_pb2.PlaceOrderRequest(
            idempotency_key=f"demo-backorder-{run}-{n}", customer_id=f"C-NEW-{n}",
            customer_location=common_pb2.LatLng(latitude=SHANGHAI[0], longitude=SHANGHAI[1]),
            lines=[orders_pb2.OrderLine(sku=NEW_ARRIVAL, quantity=1, unit_price=common_pb2.Money(cents=29900, currency="CNY"))],
            fulfilment_mode=common_pb2.EXPRESS, allow_backorder=True, not_after=in_three_days,
        )
        order = client.orders.PlaceOrder(request).order
        day.backordered += order.status == orders_pb2.BACKORDERED
        day.backorder_ids.append(order.order_id)
        waiting.append(_pay(client, order))
    client.inventory.ReceiveStock(inventory_pb2.ReceiveStockRequest(
        store_id=warehouse_id, movement_id=f"demo-grn-new-arrival-{run}", reference=receipt,
        lines=[inventory_pb2.StockLine(sku=NEW_ARRIVAL, quantity=BACKORDERS)],
    ))
    for order in waiting:
        now_order = client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id)).order
        day.backorders_allocated += now_order.status == orders_pb2.ALLOCATED


def _bring_transfers(client: OmoClient, paid: list[orders_pb2.Order], day: StoreDay) -> None:
    """The sources ship what paid pickup orders await, the pickup stores receive it, and the
    orders join their stores' queues."""
    for order in paid:
        transfer_ids = [t.transfer_id for s in order.shipments for t in s.transfers]
        for transfer_id in transfer_ids:
            client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id=transfer_id))
            client.transfers.ReceiveTransfer(transfers_pb2.ReceiveTransferRequest(transfer_id=transfer_id))
            day.transfers_received += 1
        if transfer_ids:
            now = client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id)).order
            day.by_transfer_allocated += now.status == orders_pb2.ALLOCATED


def _returns(client: OmoClient, day: StoreDay, rng: random.Random) -> None:
    # in the order they were placed (order ids differ from run to run; their keys' numbers do not)
    delivered = sorted(day.queue.delivered.values(), key=lambda order: order.idempotency_key)
    for n, order in enumerate(rng.sample(delivered, min(RETURNS, len(delivered)))):
        first = order.lines[0]
        request = orders_pb2.ReturnOrderRequest(
            order_id=order.order_id, return_id=f"demo-return-{n}", store_id=order.shipments[-1].store_id,
            lines=[orders_pb2.ShipmentLine(sku=first.sku, quantity=1)],
        )
        returned = client.orders.ReturnOrder(request).order
        day.returned_units += 1
        day.refunded_cents += returned.refunded.cents


def run_store_day(
    client: OmoClient, stores: OmoClient, placed: list[orders_pb2.Order], rng: random.Random, *,
    store_ids: list[str], warehouse_ids: list[str], busiest: list[str], provinces: set[str], workers: int, end_evening: EndEvening,
) -> StoreDay:
    """`client` plays the checkout and the walk-in customers; `stores` the stores' own apps."""
    day = StoreDay(queue=QueueWork({order.order_id: order.pickup_code for order in placed if order.pickup_code}))
    paid = [_pay(client, order) for order in placed if rng.random() < PAID_SHARE]
    day.paid = len(paid)
    if warehouse_ids:
        _backorder_a_new_arrival(client, warehouse_ids[0], day)
    _bring_transfers(client, paid, day)
    _cancel_a_unit(client, paid, day, rng)
    _empty_shelves(client, paid, rng, day)
    left = _work_the_queues(stores, day, rng, store_ids, warehouse_ids, busiest, workers)
    promises = [datetime.fromisoformat(w.promised_by) for shipments in left.values() for w in shipments if workable(w) and w.promised_by]
    first_day, last_day = end_evening(max(promises, default=None))
    day.overdue_at_slow = _overdue_at(stores, day.slow_stores)
    day.on_time = on_time_figures(client, provinces, first_day, last_day)
    _returns(client, day, rng)
    return day


def print_store_day(day: StoreDay, unpaid: int, out: TextIO) -> None:
    print("\n  the stores' day", file=out)
    queue = day.queue
    rows = [
        ("orders paid (the rest wait for the payment timeout)", day.paid),
        ("  unpaid", unpaid),
        ("paid orders with one unit cancelled (CancelOrderLines)", day.lines_cancelled),
        ("  refunds owed for those units (cents)", day.cancelled_refund_cents),
        ("transfers shipped and received for paid pickup orders", day.transfers_received),
        ("  pickup orders allocated once their units arrived", day.by_transfer_allocated),
        ("backorders of a new arrival due at a warehouse (paid)", day.backordered),
        ("  allocated when the warehouse received it", day.backorders_allocated),
        ("shelves emptied by walk-in customers (POS SyncStock)", day.counter_sales),
        ("  orders moved to another location as a result", day.moved),
        ("  orders flagged for customer service (nowhere to go)", day.flagged),
        ("locations that listed their work (ListShipments)", day.listed_stores),
        ("the busiest, watching their queue (WatchShipments)", day.watched_stores),
        ("  changes their streams brought", queue.streamed_changes),
        ("paid shipments the stores found waiting", day.waiting),
        ("shipments delivered (accepted, picked, handed over)", queue.shipments_delivered),
        ("orders delivered (every shipment with the customer)", day.delivered),
        ("slow stores tonight (do not get to their paid work)", len(day.slow_stores)),
        ("  their paid shipments, left undone", day.left_at_slow),
        ("  listed overdue by their queues as the evening ends", day.overdue_at_slow),
        ("units returned at a store", day.returned_units),
    ]
    for label, value in rows:
        print(f"  {label:<56}{value:>8}", file=out)
    print(f"  {'refunded (cents)':<56}{day.refunded_cents:>8}", file=out)
    for code, count in queue.refused.most_common():
        print(f"  {'refused step, ' + code:<56}{count:>8}", file=out)
    if day.on_time is not None:
        print_on_time(day.on_time, out)


def print_on_time(figures: OnTime, out: TextIO) -> None:
    days = figures.from_date if figures.from_date == figures.to_date else f"{figures.from_date}..{figures.to_date}"
    print(f"\n  on time, shipments promised for {days} (GetStorePerformance, every province summed)", file=out)
    share = "-" if figures.per_mille is None else f"{figures.per_mille / 10:.1f}%"
    print(f"  {'on-time share (on time / (on time + late + overdue))':<56}{share:>8}", file=out)
    for label, value in (("due", figures.due), ("on time", figures.on_time), ("late", figures.late),
                         ("open", figures.open), ("  of which overdue", figures.overdue)):
        print(f"  {label:<56}{value:>8}", file=out)
