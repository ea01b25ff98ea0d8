"""A property of the store's queue, on SQLite and PostgreSQL: for any sequence of order
operations (placing, some shipments backordered, paying, incoming stock serving a backorder in
part or whole, the store's steps, rerouting, losing stock, cancelling the order or some of its
lines), a store's change log replayed from any position onto what a client held at that
position, folded, is exactly what the store's orders (the aggregates, loaded) say it has (a
backorder is the store's only once nothing is awaited, and one that never was leaves no trace
there); and ListShipments, paged, lists the same."""

from __future__ import annotations

from itertools import count

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from projections.runtime.event_log import EventLog
from projections.store_work.projection import TOPICS
from projections.store_work.verify import verify
from services.use_cases.reads.store_work import STATUSES, ShipmentQuery, StoreWork
from tests.store_work_builders import change, fold, pay, place, reroute, runner, step

STORES = ("A", "B", "C")
PROMISES = ("", "2026-12-02T20:35:00+08:00", "2026-12-02T21:05:00+08:00", "2026-12-02T12:05:00Z")
examples = count()

operation = st.one_of(
    st.tuples(
        st.just("place"), st.sets(st.sampled_from(STORES), min_size=1, max_size=2), st.sampled_from(PROMISES), st.sampled_from(("DELIVERY", "PICKUP")),
        st.sets(st.sampled_from(STORES), max_size=2), st.integers(1, 2),  # backordered there, awaiting 1 or 2 of 2 units
    ),
    st.tuples(st.just("serve"), st.integers(0, 2), st.sampled_from(STORES), st.booleans()),  # all it awaits, or one unit
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
                stores, promise, mode, backordered, awaited = args
                lines = {f"{prefix}{s}": {f"SKU-{s}": 2 if s in backordered else 1} for s in sorted(stores)}
                awaiting = {f"{prefix}{s}": {f"SKU-{s}": awaited} for s in sorted(stores & backordered)}
                orders.append(place(app, lines, promise, mode, awaiting=awaiting))
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
            elif kind == "serve":
                change(app, order.id, lambda o: o.backorder_served(f"{prefix}{args[1]}", served(o.shipment_from(f"{prefix}{args[1]}"), args[2])))
            elif kind == "flag":
                change(app, order.id, lambda o: o.flag_unfulfillable(f"{prefix}{args[1]}", "STOCK_LOST", "counted 0"))
            elif kind == "cancel":
                change(app, order.id, lambda o: o.cancel("changed mind"))
            elif kind == "cancel_lines":  # the store's unit of the order: refused when it is the last
                change(app, order.id, lambda o: o.cancel_lines(f"cl-{len(orders)}-{op}", {f"SKU-{args[1]}": 1}, "one fewer"))
        except DomainError:
            pass
    return orders


def served(shipment: dict, whole: bool) -> dict[str, int]:
    """What is reserved for the shipment once incoming stock brought all it awaits, or one unit."""
    awaiting = dict(shipment.get("awaiting") or {})
    if not whole and awaiting:
        sku = next(iter(awaiting))
        awaiting[sku] -= 1
    return {sku: units - awaiting.get(sku, 0) for sku, units in shipment["lines"].items()}


def said_by_orders(app, orders, store_id: str) -> dict[str, tuple]:
    """What the orders, loaded, say the store has: order id -> (status, paid, lines, promise)."""
    said = {}
    for placed in orders:
        o = app.repository.get(placed.id)
        unseen = False  # backordered here, not (yet) the store's
        # a shipment no longer the order's stands as it left: the events say how, in order
        for e in app.events.get(o.id):
            name = type(e).__name__
            if name in ("OrderAllocated", "OrderRerouted") and any(r["store_id"] == store_id and r["status"] == "BACKORDERED" for r in e.shipments):
                unseen = True
            elif name == "BackorderServed" and e.store_id == store_id and not e.awaiting:
                unseen = False
            elif name == "OrderRerouted" and e.from_store_id == store_id:
                if not unseen:
                    said[o.order_id] = ("REROUTED_AWAY",)
                unseen = False
            elif name == "OrderLinesCancelled" and any(r["store_id"] == store_id and r["emptied"] for r in e.shipments):
                if not unseen:
                    before = app.repository.get(o.id, version=e.originator_version - 1)
                    promise = before.shipment_from(store_id).get("promised_by") or ""
                    said[o.order_id] = ("CANCELLED", before.paid, (), promise)
                unseen = False
        for s in o.shipments:
            if s["store_id"] == store_id and not unseen:
                status = "CANCELLED" if o.cancelled else s["status"]
                said[o.order_id] = (status, o.paid, tuple(s["lines"].items()), s.get("promised_by") or "")
    return said


def as_said(shipments) -> dict[str, tuple]:
    return {
        s.order_id: (s.status,) if s.status == "REROUTED_AWAY" else (s.status, s.paid, s.lines, s.promised_by)
        for s in shipments
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=14), cut=st.floats(0, 1), batch_size=st.sampled_from((1, 3, 1000)))
# a paid shipment moved on, then the order cancelled: the new store's shipment is paid, the old one's moved away
@example(ops=[("place", {"A", "B"}, PROMISES[1], "DELIVERY", set(), 1), ("pay", 0), ("reroute", 0, "A", "C", PROMISES[2]), ("cancel", 0)], cut=0.5, batch_size=1)
@example(ops=[("place", {"A"}, "", "PICKUP", set(), 1), ("pay", 0), *[("step", 0, "A", s) for s in ("ACCEPTED", "PICKED", "DELIVERED")]], cut=0.3, batch_size=1000)
# a backorder paid while it waits, served in two arrivals, then worked: its store sees it paid from the start
@example(ops=[("place", {"A", "B"}, PROMISES[1], "DELIVERY", {"A"}, 2), ("pay", 0), ("serve", 0, "A", False), ("serve", 0, "A", True), ("step", 0, "A", "ACCEPTED")], cut=0.5, batch_size=1)
# backorders that never reach their store: moved, flagged then cancelled, emptied by a line cancellation
@example(ops=[
    ("place", {"A"}, PROMISES[1], "DELIVERY", {"A"}, 2), ("reroute", 0, "A", "B", PROMISES[2]),
    ("place", {"A", "C"}, PROMISES[2], "DELIVERY", {"A", "C"}, 1), ("flag", 1, "A"), ("cancel_lines", 1, "C"), ("cancel", 1),
], cut=0.5, batch_size=1)
def test_a_store_replayed_from_any_position_is_what_its_orders_say(app, ops, cut, batch_size):
    prefix = f"x{next(examples)}-"
    orders = run(app, ops, prefix)
    r = runner(app)
    r.batch_size = batch_size  # an order's rows carried between batches, or folded in one
    work = StoreWork(app.database_url, EventLog(app, TOPICS), lambda store_id: True, app.now_us)
    try:
        r.catch_up()
        # the check an operator runs agrees with what the stores' clients hold
        assert verify(r.reader, EventLog(app, TOPICS)).differences == []
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
