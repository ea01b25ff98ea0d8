"""Orders with a promise for the on-time tests (tests/integration/test_on_time.py,
tests/e2e/test_store_performance.py, the report's CLI test): stores and dealers registered
through the use cases, orders placed with `promised_by` set and driven through their steps on
the Order aggregate itself (the projection reads only the order's events; stock plays no
part), and a runner bringing the projection to the head.

Promises are set relative to now, since the events' moments are the moments they are saved:
a promise an hour ahead is kept by a delivery now, one an hour ago is missed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

from aggregates.order import TO_COURIER, TO_CUSTOMER, Order, shipment_record
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_total
from projections.definitions import ON_TIME
from projections.runtime.runner import ProjectionRunner
from services.use_cases.ports import Placement
from services.use_cases.network.stores import upsert_store
from tests.builders import register_dealers_in

SHANGHAI = timezone(timedelta(hours=8))
SERUM = "SERUM"
AT = GeoPoint(31.2304, 121.4737)


def open_stores(app, stores: dict[str, tuple[str, str, str]], dealers: tuple[str, ...] = ()) -> None:
    """store id -> (province, city, dealer id or "")."""
    if dealers:
        register_dealers_in(app, *dealers)
    for store_id, (province, city, dealer_id) in stores.items():
        upsert_store(app, StoreProfile(
            store_id=store_id, name=f"Store {store_id}", location=AT, province=province, city=city, dealer_id=dealer_id,
            opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=10.0, daily_order_capacity=1000, active=True,
        ))


def promise(moment: datetime, offset_hours: int = 8) -> str:
    """RFC 3339 in the store's local offset, as the order records it."""
    return moment.astimezone(timezone(timedelta(hours=offset_hours))).isoformat(timespec="seconds")


def in_hours(hours: float, offset_hours: int = 8) -> str:
    return promise(datetime.now(timezone.utc) + timedelta(hours=hours), offset_hours)


def _store_day(promised_by: str) -> str:
    return promised_by[:10] or datetime.now(SHANGHAI).date().isoformat()


def place(app, key: str, store_id: str, promised_by: str, mode: FulfilmentMode = FulfilmentMode.DELIVERY) -> str:
    """An order of one unit from `store_id`, placed and allocated with `promised_by`."""
    lines = (OrderLine(SERUM, 1, Money(1990, "CNY")),)
    placement = Placement(
        order_id=Order.create_id(key), idempotency_key=key, fingerprint=f"fp-{key}", customer_id=f"C-{key}",
        customer_location=AT, lines=lines, mode=mode, pickup_store_id=store_id if mode == FulfilmentMode.PICKUP else "",
        total=order_total(lines), placed_at_us=1, pickup_code="1234", sale={},
        shipments=[shipment_record(store_id, 100, _store_day(promised_by), {SERUM: 1}, promised_by=promised_by)],
        fulfilment="ONE_STORE", wanted={(store_id, SERUM): 1},
    )
    order = placement.new_order()
    app.save(order)
    return order.order_id


def _order(app, order_id: str) -> Order:
    return app.find_afresh(UUID(order_id))


def steps(app, order_id: str, store_id: str, *names: str) -> None:
    """pay, accept, pick, courier, customer (the pickup counter), deliver, cancel: each saved."""
    for name in names:
        order = _order(app, order_id)
        if name == "pay":
            order.confirm_payment(f"pay-{order_id}", order.total_cents)
        elif name == "accept":
            order.accept(store_id)
        elif name == "pick":
            order.mark_picked(store_id)
        elif name == "courier":
            order.hand_over(store_id, TO_COURIER)
        elif name == "customer":
            order.hand_over(store_id, TO_CUSTOMER, order.pickup_code)
        elif name == "deliver":
            order.mark_delivered(store_id)
        elif name == "cancel":
            order.cancel("changed mind")
        else:
            raise ValueError(name)
        app.save(order)


DELIVERED_STEPS = ("pay", "accept", "pick", "courier", "deliver")


def reroute(app, order_id: str, from_store: str, to_store: str, promised_by: str) -> None:
    order = _order(app, order_id)
    moving = order.shipment_from(from_store)
    order.reroute(
        from_store, "REJECTED", "freezer broken",
        [shipment_record(to_store, 200, _store_day(promised_by), moving["lines"], promised_by=promised_by)], "ONE_STORE", {},
    )
    app.save(order)


def project(app, batch_size: int = 2000) -> int:
    """Brings the on-time projection to the head; its position."""
    runner = ProjectionRunner(app.database_url, ON_TIME.event_log(app), ON_TIME, batch_size=batch_size)
    try:
        assert runner.try_lead()
        position = runner.catch_up()
        runner.release()
        return position
    finally:
        runner.close()
