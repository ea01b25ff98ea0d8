"""A property of the store's queue, on SQLite and PostgreSQL: for any sequence of order
operations (placing, some shipments backordered, paying, incoming stock serving a backorder in
part or whole, the store's steps, rerouting, losing stock, cancelling the order or some of its
lines), a store's change log replayed from any position onto what a client held at that
position, folded, is exactly what the store's orders (the aggregates, loaded) say it has (a
backorder is the store's only once nothing is awaited, and one that never was leaves no trace
there); and ListShipments, paged, lists the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, IllegalTransition, InvalidInput, OrderNotAllocatable, OrderNotCancellable, ShipmentNotFound
from projections.runtime.event_log import EventLog
from projections.store_work.projection import TOPICS
from projections.store_work.verify import verify
from services.use_cases.reads.store_work import STATUSES, ShipmentQuery, StoreWork
from tests.store_work_builders import change, fold, pay, place, reroute, runner, step

STORES = ("A", "B", "C")
PROMISES = ("", "2026-12-02T20:35:00+08:00", "2026-12-02T21:05:00+08:00", "2026-12-02T12:05:00Z")
examples = count()

placing = st.tuples(
    st.just("place"), st.sets(st.sampled_from(STORES), min_size=1, max_size=2), st.sampled_from(PROMISES), st.sampled_from(("DELIVERY", "PICKUP")),
    st.sets(st.sampled_from(STORES), max_size=2), st.integers(1, 2),  # backordered there, awaiting 1 or 2 of 2 units
    st.booleans(),  # paid at once
)
OPERATIONS = {
    "place": placing,
    "serve": st.tuples(st.just("serve"), st.integers(0, 2), st.sampled_from(STORES), st.booleans()),  # all it awaits, or one unit
    "pay": st.tuples(st.just("pay"), st.integers(0, 2)),
    # "next" (two times in three): the step one of the order's shipments is due to take next
    "step": st.tuples(st.just("step"), st.integers(0, 2), st.sampled_from(STORES), st.sampled_from(("ACCEPTED", "PICKED", "HANDED_OVER", "DELIVERED", *["next"] * 8))),
    "reroute": st.tuples(st.just("reroute"), st.integers(0, 2), st.sampled_from(STORES), st.sampled_from(STORES), st.sampled_from(PROMISES)),
    "flag": st.tuples(st.just("flag"), st.integers(0, 2), st.sampled_from(STORES)),
    "cancel": st.tuples(st.just("cancel"), st.integers(0, 2)),
    "cancel_lines": st.tuples(st.just("cancel_lines"), st.integers(0, 2), st.sampled_from(STORES)),
}
# a shipment takes four steps to its customer, after its order is paid: steps and payments are
# drawn more often than the rest, so that shipments get there instead of mostly being refused
operation = st.sampled_from([*OPERATIONS, "pay", "step", "step", "step"]).flatmap(OPERATIONS.get)


HOLDING = ("BACKORDERED", "ALLOCATED", "ACCEPTED")  # a shipment that still holds its units
STEPS = {"ACCEPTED": "ALLOCATED", "PICKED": "ACCEPTED", "HANDED_OVER": "PICKED", "DELIVERED": "HANDED_OVER"}  # to: from


@dataclass
class ShipmentModel:
    lines: dict[str, int]
    status: str
    awaiting: dict[str, int] = field(default_factory=dict)


@dataclass
class OrderModel:
    """What the order allows, by the rules the stores work by: `refusal` says which refusal an
    operation is due (None: it must take effect), `apply` what it does."""

    mode: str
    shipments: dict[str, ShipmentModel]  # by store, in the order's order
    paid: bool = False
    cancelled: bool = False
    cancellations: set[str] = field(default_factory=set)

    def quantities(self) -> dict[str, int]:
        units: dict[str, int] = {}
        for shipment in self.shipments.values():
            for sku, n in shipment.lines.items():
                units[sku] = units.get(sku, 0) + n
        return units

    def status(self, store: str) -> str:
        return "CANCELLED" if self.cancelled else self.shipments[store].status

    def next_step(self, store: str) -> str | None:
        """The step the shipment is due to take next; None when it can take none now."""
        if store not in self.shipments or self.cancelled or (self.shipments[store].status == "ALLOCATED" and not self.paid):
            return None
        if self.shipments[store].status == "PICKED" and self.mode == "PICKUP":
            return "DELIVERED"
        return {before: to for to, before in STEPS.items()}.get(self.shipments[store].status)

    def free_store(self, store: str, prefix: str) -> str:
        """The next store in turn after `store` (a letter) the order has no shipment from, to
        reroute to; `store` itself when it has one from every store."""
        turn = STORES.index(store)
        others = [STORES[(turn + n) % len(STORES)] for n in (1, 2)]
        return next((other for other in others if f"{prefix}{other}" not in self.shipments), store)

    def refusal(self, kind: str, args: list) -> type[DomainError] | None:
        store = args[1] if len(args) > 1 else ""
        if kind == "pay":
            return IllegalTransition if self.cancelled and not self.paid else None
        if kind == "cancel":
            gone = any(s.status in ("PICKED", "HANDED_OVER", "DELIVERED") for s in self.shipments.values())
            return OrderNotCancellable if self.cancelled or gone else None
        if kind == "cancel_lines":
            return self.lines_refusal(args)
        if kind == "step" and args[2] == "HANDED_OVER" and self.mode == "PICKUP":
            return IllegalTransition  # never to a courier: handed to the customer, it is DELIVERED
        if store not in self.shipments:
            return ShipmentNotFound
        if kind == "step":
            to = args[2]
            if to == "ACCEPTED" and not self.paid and self.status(store) == "ALLOCATED":
                return IllegalTransition  # awaiting payment
            before = "PICKED" if to == "DELIVERED" and self.mode == "PICKUP" else STEPS[to]
            return None if self.status(store) in (to, before) else IllegalTransition
        if kind in ("reroute", "flag") and self.status(store) not in HOLDING:
            return IllegalTransition
        if kind == "reroute" and args[2] in self.shipments:
            return OrderNotAllocatable
        return None  # serve: a shipment not waiting records nothing

    def lines_refusal(self, args: list) -> type[DomainError] | None:
        key, sku = args[-1], f"SKU-{args[1]}"
        if key in self.cancellations:
            return None  # a retry
        if self.cancelled:
            return OrderNotCancellable
        if sku not in self.quantities():
            return InvalidInput
        if self.quantities() == {sku: 1}:
            return OrderNotCancellable  # every unit: cancel the order instead
        if not any(sku in s.lines and s.status in ("BACKORDERED", "ALLOCATED", "ACCEPTED", "UNFULFILLABLE") for s in self.shipments.values()):
            return IllegalTransition  # picked already
        return None

    def apply(self, kind: str, args: list) -> None:
        store = args[1] if len(args) > 1 else ""
        if kind == "pay":
            self.paid = True
        elif kind == "cancel":
            self.cancelled = True
        elif kind == "step":
            self.shipments[store].status = args[2]
        elif kind == "flag":
            self.shipments[store].status = "UNFULFILLABLE"
        elif kind == "reroute":
            moved = ShipmentModel(self.shipments[store].lines, "ALLOCATED")
            self.shipments = {args[2] if at == store else at: moved if at == store else s for at, s in self.shipments.items()}
        elif kind == "serve":
            shipment = self.shipments[store]
            if not self.cancelled and shipment.status == "BACKORDERED":
                awaiting = {} if args[2] else dict(shipment.awaiting)
                if awaiting:
                    awaiting[next(iter(awaiting))] -= 1
                shipment.awaiting = {sku: n for sku, n in awaiting.items() if n > 0}
                shipment.status = "ALLOCATED" if not shipment.awaiting else "BACKORDERED"
        elif kind == "cancel_lines" and args[-1] not in self.cancellations:
            self.cancellations.add(args[-1])
            sku = f"SKU-{args[1]}"
            # off the last shipment holding the SKU that is not picked yet
            store = next(at for at, s in reversed(self.shipments.items()) if sku in s.lines and s.status in ("BACKORDERED", "ALLOCATED", "ACCEPTED", "UNFULFILLABLE"))
            shipment = self.shipments[store]
            shipment.lines = {k: n - (k == sku) for k, n in shipment.lines.items() if n - (k == sku) > 0}
            shipment.awaiting = {k: n - (k == sku) for k, n in shipment.awaiting.items() if n - (k == sku) > 0}
            if not shipment.lines:
                del self.shipments[store]  # gone from its store
            for s in self.shipments.values():  # a backorder left waiting for nothing goes ahead
                if s.status == "BACKORDERED" and not s.awaiting:
                    s.status = "ALLOCATED"


def aims_at(model: OrderModel, kind: str, args: tuple) -> bool:
    """Whether the operation names a store (for cancel_lines, a SKU) the order still has; for a
    step to the next, whether one of the order's shipments can take one."""
    if kind == "cancel_lines":
        return f"SKU-{args[1]}" in model.quantities()
    if kind == "step" and args[2] == "next":
        return any(model.next_step(store) for store in model.shipments)
    return kind in ("step", "reroute", "serve", "flag") and any(store.endswith(f"-{args[1]}") for store in model.shipments)


def run(app, ops, prefix: str) -> tuple[list, dict[str, list[int]]]:
    """Applies the operations; each is refused exactly when the orders' model says a refusal
    is due, with that refusal, recording nothing. Returns the orders and, per kind of
    operation, [taken effect, refused]."""
    orders, models = [], []
    tally: dict[str, list[int]] = {}
    for op in ops:
        kind, *args = op
        if kind == "place":
            stores, promise, mode, backordered, awaited, paid = args
            lines = {f"{prefix}{s}": {f"SKU-{s}": 2 if s in backordered else 1} for s in sorted(stores)}
            awaiting = {f"{prefix}{s}": {f"SKU-{s}": awaited} for s in sorted(stores & backordered)}
            orders.append(place(app, lines, promise, mode, awaiting=awaiting))
            if paid:
                pay(app, orders[-1])
            models.append(OrderModel(mode, {
                store: ShipmentModel(dict(units), "BACKORDERED" if store in awaiting else "ALLOCATED", dict(awaiting.get(store, {})))
                for store, units in lines.items()
            }, paid=paid))
            continue
        if not orders:
            continue
        # an operation at a store goes to an order with a shipment there, when one has (else to
        # any, which has none: refused), so that most of them take effect
        aimed = [n for n, m in enumerate(models) if aims_at(m, kind, args)] or range(len(orders))
        which = aimed[args[0] % len(aimed)]
        order, model = orders[which], models[which]
        if kind == "step" and args[2] == "next":  # the named store's shipment, or another of the order's that can move
            movable = [store for store in model.shipments if model.next_step(store)] or [f"{prefix}{args[1]}"]
            store = next((at for at in movable if at.endswith(f"-{args[1]}")), movable[0])
            args = [args[0], store[len(prefix):], model.next_step(store) or "ACCEPTED"]
        if kind == "reroute" and args[1] == args[2]:  # to where it is: to another store instead
            args = [args[0], args[1], model.free_store(args[1], prefix), args[3]]
        cancellation_id = f"cl-{len(orders)}-{op}"
        # the model's arguments: the stores by their ids; a line cancellation's SKU letter and key
        about = [args[0], args[1], cancellation_id] if kind == "cancel_lines" else [args[0], *(f"{prefix}{a}" if a in STORES else a for a in args[1:])]
        due = model.refusal(kind, about)
        version = app.repository.get(order.id).version
        try:
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
                change(app, order.id, lambda o: o.cancel_lines(cancellation_id, {f"SKU-{args[1]}": 1}, "one fewer"))
        except DomainError as refusal:
            assert type(refusal) is due, f"{(kind, *args)} was refused: {refusal!r}"
            assert app.repository.get(order.id).version == version  # recorded nothing
            tally.setdefault(kind, [0, 0])[1] += 1
            continue
        assert due is None, f"{(kind, *args)} took effect; {due.__name__} was due"
        tally.setdefault(kind, [0, 0])[0] += 1
        model.apply(kind, about)
    return orders, tally


def served(shipment: dict, whole: bool) -> dict[str, int]:
    """What is reserved for the shipment once incoming stock brought all it awaits, or one unit."""
    awaiting = {} if whole else dict(shipment.get("awaiting") or {})
    if awaiting:
        awaiting[next(iter(awaiting))] -= 1
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
@given(ops=st.tuples(placing, st.lists(operation, max_size=13)).map(lambda first_and_rest: [first_and_rest[0], *first_and_rest[1]]), cut=st.floats(0, 1), batch_size=st.sampled_from((1, 3, 1000)))
# a paid shipment moved on, then the order cancelled: the new store's shipment is paid, the old one's moved away
@example(ops=[("place", {"A", "B"}, PROMISES[1], "DELIVERY", set(), 1, False), ("pay", 0), ("reroute", 0, "A", "C", PROMISES[2]), ("cancel", 0)], cut=0.5, batch_size=1)
@example(ops=[("place", {"A"}, "", "PICKUP", set(), 1, False), ("pay", 0), *[("step", 0, "A", s) for s in ("ACCEPTED", "PICKED", "DELIVERED")]], cut=0.3, batch_size=1000)
# a backorder paid while it waits, served in two arrivals, then worked: its store sees it paid from the start
@example(ops=[("place", {"A", "B"}, PROMISES[1], "DELIVERY", {"A"}, 2, False), ("pay", 0), ("serve", 0, "A", False), ("serve", 0, "A", True), ("step", 0, "A", "ACCEPTED")], cut=0.5, batch_size=1)
# shipments a store accepted and then could not fulfil: one moved to another store, one flagged
@example(ops=[
    ("place", {"A", "B"}, PROMISES[1], "DELIVERY", set(), 1, True), ("step", 0, "A", "ACCEPTED"), ("reroute", 0, "A", "C", PROMISES[2]),
    ("step", 0, "B", "next"), ("flag", 0, "B"),
], cut=0.5, batch_size=3)
# backorders that never reach their store: moved, flagged then cancelled, emptied by a line cancellation
@example(ops=[
    ("place", {"A"}, PROMISES[1], "DELIVERY", {"A"}, 2, False), ("reroute", 0, "A", "B", PROMISES[2]),
    ("place", {"A", "C"}, PROMISES[2], "DELIVERY", {"A", "C"}, 1, False), ("flag", 1, "A"), ("cancel_lines", 1, "C"), ("cancel", 1),
], cut=0.5, batch_size=1)
def test_a_store_replayed_from_any_position_is_what_its_orders_say(app, ops, cut, batch_size):
    prefix = f"x{next(examples)}-"
    orders, tally = run(app, ops, prefix)
    for kind, (took_effect, refused) in tally.items():  # for --hypothesis-show-statistics
        for outcome, happened in (("took effect", took_effect), ("refused", refused)):
            if happened:
                event(f"{kind} {outcome}")
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
