"""A property of the store's queue, on SQLite and PostgreSQL: for any sequence of order
operations (placing, paying, the store's steps, rerouting, losing stock, cancelling the order
or some of its lines), a store's
change log replayed from any position onto what a client held at that position, folded, is
exactly what the store's orders (the aggregates, loaded) say it has; and ListShipments, paged,
lists the same."""

from __future__ import annotations

from itertools import count

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from projections.runtime.event_log import EventLog
from projections.store_work.projection import TOPICS
from services.use_cases.reads.store_work import STATUSES, ShipmentQuery, StoreWork
from tests.store_work_builders import change, fold, pay, place, reroute, runner, step

STORES = ("A", "B", "C")
PROMISES = ("", "2026-12-02T20:35:00+08:00", "2026-12-02T21:05:00+08:00", "2026-12-02T12:05:00Z")
examples = count()

operation = st.one_of(
    st.tuples(st.just("place"), st.sets(st.sampled_from(STORES), min_size=1, max_size=2), st.sampled_from(PROMISES), st.sampled_from(("DELIVERY", "PICKUP"))),
    st.tuples(st.just("pay"), st.integers(0, 2)),
    st.tuples(st.just("step"), st.integers(0, 2), st.sampled_from(STORES), st.sampled_from(("ACCEPTED", "PICKED", "HANDED_OVER", "DELIVERED"))),
    st.tuples(st.just("reroute"), st.integers(0, 2), st.sampled_from(STORES), st.sampled_from(STORES), st.sampled_from(PROMISES)),
    st.tuples(st.just("flag"), st.integers(0, 2), st.sampled_from(STORES)),
    st.tuples(st.just("cancel"), st.integers(0, 2)),
    st.tuples(st.just("cancel_lines"), st.integers(0, 2), st.sampled_from(STORES)),
)


def run(app, ops, prefix: str) -> list:
    """Applies the operations the orders allow (an order refuses the others, recording nothing)."""
    orders = []
    for op in ops:
        kind, *args = op
        try:
            if kind == "place":
                stores, promise, mode = args
                orders.append(place(app, {f"{prefix}{s}": {f"SKU-{s}": 1} for s in sorted(stores)}, promise, mode))
                continue
            if not orders:
                continue
            order = orders[args[0] % len(orders)]
            if kind == "pay":
                pay(app, order)
            elif kind == "step":
                step(app, order, f"{prefix}{args[1]}", args[2])
            elif kind == "reroute":
                moving = app.repository.get(order.id).shipment_from(f"{prefix}{args[1]}")
                reroute(app, order, f"{prefix}{args[1]}", {f"{prefix}{args[2]}": moving["lines"]}, args[3])
            elif kind == "flag":
                change(app, order.id, lambda o: o.flag_unfulfillable(f"{prefix}{args[1]}", "STOCK_LOST", "counted 0"))
            elif kind == "cancel":
                change(app, order.id, lambda o: o.cancel("changed mind"))
            elif kind == "cancel_lines":  # the store's unit of the order: refused when it is the last
                change(app, order.id, lambda o: o.cancel_lines(f"cl-{len(orders)}-{op}", {f"SKU-{args[1]}": 1}, "one fewer"))
        except DomainError:
            pass
    return orders


def said_by_orders(app, orders, store_id: str) -> dict[str, tuple]:
    """What the orders, loaded, say the store has: order id -> (status, paid, lines, promise)."""
    said = {}
    for placed in orders:
        o = app.repository.get(placed.id)
        # a shipment no longer the order's stands as it left: the events say how, in order
        for e in app.events.get(o.id):
            if type(e).__name__ == "OrderRerouted" and e.from_store_id == store_id:
                said[o.order_id] = ("REROUTED_AWAY",)
            elif type(e).__name__ == "OrderLinesCancelled" and any(r["store_id"] == store_id and r["emptied"] for r in e.shipments):
                before = app.repository.get(o.id, version=e.originator_version - 1)
                promise = before.shipment_from(store_id).get("promised_by") or ""
                said[o.order_id] = ("CANCELLED", before.paid, (), promise)
        for s in o.shipments:
            if s["store_id"] == store_id:
                status = "CANCELLED" if o.cancelled else s["status"]
                said[o.order_id] = (status, o.paid, tuple(s["lines"].items()), s.get("promised_by") or "")
    return said


def as_said(shipments) -> dict[str, tuple]:
    return {
        s.order_id: (s.status,) if s.status == "REROUTED_AWAY" else (s.status, s.paid, s.lines, s.promised_by)
        for s in shipments
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=14), cut=st.floats(0, 1))
# a paid shipment moved on, then the order cancelled: the new store's shipment is paid, the old one's moved away
@example(ops=[("place", {"A", "B"}, PROMISES[1], "DELIVERY"), ("pay", 0), ("reroute", 0, "A", "C", PROMISES[2]), ("cancel", 0)], cut=0.5)
@example(ops=[("place", {"A"}, "", "PICKUP"), ("pay", 0), *[("step", 0, "A", s) for s in ("ACCEPTED", "PICKED", "DELIVERED")]], cut=0.3)
def test_a_store_replayed_from_any_position_is_what_its_orders_say(app, ops, cut):
    prefix = f"x{next(examples)}-"
    orders = run(app, ops, prefix)
    r = runner(app)
    work = StoreWork(app.database_url, EventLog(app, TOPICS), lambda store_id: True, app.now_us)
    try:
        r.catch_up()
        for store in STORES:
            store_id = f"{prefix}{store}"
            log = work.store_changes(store_id, 0, 10_000)
            assert [c.position for c in log] == sorted({c.position for c in log})
            # a client that saw the log up to a position, disconnected, and reconnected from it
            position = log[int(cut * (len(log) - 1))].position if log else 0
            held = fold([c for c in log if c.position <= position])
            resumed = fold(work.store_changes(store_id, position, 10_000), held)
            expected = said_by_orders(app, orders, store_id)
            assert as_said(resumed.values()) == expected
            listed, token = [], ""
            while True:
                page = work.list_shipments(ShipmentQuery(store_id, STATUSES), 2, token, app.now_us())
                listed += page.shipments
                if not (token := page.next_page_token):
                    break
            assert as_said(listed) == expected and len(listed) == len(expected)
    finally:
        work.close()
        r.release()
        r.close()
