"""Orders for the store work tests, recorded straight through the Order aggregate (with the
promises the lead's promise work will give them), the store work runner, and what a client of
WatchShipments does with the changes it receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from aggregates.order import Order, TO_COURIER, TO_CUSTOMER, shipment_record
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from projections.definitions import STORE_WORK
from projections.runtime.runner import ProjectionRunner
from projections.store_work.reads import Change, Shipment

PRICE = 1990


def place(
    app, stores: dict[str, dict[str, int]], promised_by: str | dict[str, str] = "", mode: str = "DELIVERY", key: str = "",
    awaiting: dict[str, dict[str, int]] | None = None,
) -> Order:
    """An order allocated to `stores` (store -> sku -> units), each shipment promised by
    `promised_by` (one for all, or per store; "" none), recorded in one save. `awaiting`:
    store -> sku -> units of its shipment awaited of incoming stock (backordered there)."""
    units: dict[str, int] = {}
    for lines in stores.values():
        for sku, n in lines.items():
            units[sku] = units.get(sku, 0) + n
    key = key or f"sw-{uuid4().hex[:12]}"
    order = Order.place(
        idempotency_key=key, request_fingerprint=key, customer_id="C1", customer_location=GeoPoint(31.23, 121.47),
        lines=tuple(OrderLine(sku, n, Money(PRICE, "CNY")) for sku, n in units.items()),
        fulfilment_mode=FulfilmentMode(mode), pickup_store_id=next(iter(stores)) if mode == "PICKUP" else "",
        total=Money(PRICE * sum(units.values()), "CNY"), pickup_code="1234",
    )
    promise = (lambda s: promised_by.get(s, "")) if isinstance(promised_by, dict) else (lambda s: promised_by)
    waits = awaiting or {}
    order.allocate(
        [
            shipment_record(s, 100, "2026-12-02", lines, promised_by=promise(s), awaiting=waits.get(s), not_after="2026-12-09T00:00:00+08:00")
            for s, lines in stores.items()
        ],
        "SPLIT" if len(stores) > 1 else "ONE_STORE",
    )
    app.save(order)
    return order


def change(app, order_id, act) -> Order:
    """Loads the order, lets `act` change it, saves it."""
    order = app.repository.get(order_id)
    act(order)
    app.save(order)
    return order


def pay(app, order: Order) -> Order:
    return change(app, order.id, lambda o: o.confirm_payment(f"pay-{o.order_id[:8]}", o.total_cents))


def step(app, order: Order, store_id: str, to: str) -> Order:
    """Takes the shipment at `store_id` one step: ACCEPTED, PICKED, HANDED_OVER or DELIVERED."""
    def act(o: Order) -> None:
        if to == "ACCEPTED":
            o.accept(store_id)
        elif to == "PICKED":
            o.mark_picked(store_id)
        elif to == "HANDED_OVER":
            o.hand_over(store_id, TO_COURIER)
        elif to == "DELIVERED" and o.fulfilment_mode == "PICKUP":
            o.hand_over(store_id, TO_CUSTOMER, o.pickup_code)
        else:
            o.mark_delivered(store_id)
    return change(app, order.id, act)


def serve(app, order: Order, store_id: str, still_awaiting: dict[str, int] | None = None) -> Order:
    """Incoming stock arrived for the backordered shipment at `store_id`: all it awaited, or
    all but `still_awaiting`."""
    def act(o: Order) -> None:
        lines = o.shipment_from(store_id)["lines"]
        left = still_awaiting or {}
        assert o.backorder_served(store_id, {sku: units - left.get(sku, 0) for sku, units in lines.items()})
    return change(app, order.id, act)


def reroute(app, order: Order, from_store: str, to: dict[str, dict[str, int]], promised_by: str = "") -> Order:
    records = [shipment_record(s, 200, "2026-12-02", lines, promised_by=promised_by) for s, lines in to.items()]
    return change(app, order.id, lambda o: o.reroute(from_store, "REJECTED", "freezer broken", records, "ONE_STORE", {}))


def runner(app) -> ProjectionRunner:
    r = ProjectionRunner(app.database_url, STORE_WORK.event_log(app), STORE_WORK, poll_interval=0.01)
    assert r.try_lead()
    return r


@contextmanager
def running_store_work(app) -> Iterator[ProjectionRunner]:
    """The store_work projection following the log while the block runs."""
    r = runner(app)
    r.start()
    try:
        yield r
    finally:
        r.shutdown()


def in_queue(client, store_id: str) -> list[str]:
    """The orders in the store's work (ListShipments, read up to date)."""
    from protos.omo.v1 import fulfilment_pb2, stock_query_pb2

    request = fulfilment_pb2.ListShipmentsRequest(store_id=store_id, consistency=stock_query_pb2.Consistency(up_to_date=True))
    return [s.order_id for s in client.fulfilment.ListShipments(request, timeout=20).shipments]


def fold(changes: list[Change], state: dict[str, Shipment] | None = None) -> dict[str, Shipment]:
    """What a store's app holds after these changes: each order's shipment as its last change left it."""
    state = dict(state or {})
    for c in changes:
        state[c.shipment.order_id] = c.shipment
    return state
