"""What every reader of stock relies on (the national stock tables, the live index, `omo
projections verify` and the oversell audit) equals an independent reference folded from the
events (tests/stock_reference.py), after random workloads through the use cases: PICKUP orders
placed (reserving at the store, or backed by transfers from the others), paid, accepted,
picked, handed over, returned, cancelled whole or in part; transfers requested, shipped and
received; receipts; a POS's sales and counts dated before and after what is already recorded
(so counts arrive out of order, and some are superseded); counts at the server's moment;
safety stock. Every kind of step must succeed a minimum number of times over the run, and a
refusal must be one the reference says was due, so the property cannot pass by refusing
everything. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from aggregates.order import ACCEPTED, ALLOCATED, DELIVERED, HANDED_OVER, LINES_CANCELLABLE, PICKED, TO_CUSTOMER, Order
from aggregates.stock_position import SALE, TRANSFER_IN, StockPosition
from aggregates.transfer import IN_TRANSIT, REQUESTED, Transfer
from domain.errors import NoStoreCanFulfil
from domain.movements import COUNT, Movement
from domain.values import FulfilmentMode, Money, OrderLine
from projections.definitions import NATIONAL_STOCK
from projections.national_stock.audit import oversold_units
from projections.national_stock.tables import FIGURES, NATIONAL, by_store
from projections.national_stock.verify import recompute, verify
from projections.runtime.runner import ProjectionRunner
from services.adapters.projection_runners import stock_event_log
from services.bootstrap import build_application
from services.use_cases.application import OmoApplication
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering import fulfilment
from services.use_cases.ordering.line_cancellation import cancel_order_lines
from services.use_cases.ordering.orders import PlaceOrder, cancel_order, place_order
from services.use_cases.stock.inventory import receive_stock, record_count, set_safety_stock
from services.use_cases.stock.pos_sync import SUPERSEDED, sync_batch
from services.use_cases.stock.returns import return_order
from services.use_cases.stock.transfers import receive_transfer, request_transfer, ship_transfer
from tests.order_list_builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, profile
from tests.stock_reference import StockReference, differing, reference_stock

STORES = {"S1": PEOPLES_SQUARE, "S2": JINGAN_TEMPLE, "S3": LUJIAZUI}
SKUS = ("A", "B")
STARTING_UNITS = 6
PRICE = Money(1_000, "CNY")
MINUTE_US = 60_000_000


class SteppingClock:
    """The application's clock: it moves a minute a step, so what the server dates (receipts,
    picks, returns, transfers, counts) falls between what a POS dates around it."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def step(self) -> None:
        self.now += timedelta(minutes=1)


class FollowedLog:
    """Every event recorded so far, read as the workload goes, and the reference folded from them."""

    def __init__(self, app: OmoApplication) -> None:
        self.app = app
        self.position = 0
        self.events: list = []
        self.reference = StockReference()

    def follow(self) -> StockReference:
        while notifications := self.app.recorder.select_notifications(start=self.position, limit=1000, inclusive_of_start=False):
            for notification in notifications:
                e = self.app.mapper.to_domain_event(notification)
                self.events.append(e)
                self.reference.apply(e)
            self.position = notifications[-1].id
        return self.reference


# --- the reference itself, on cases worked by hand ---------------------------------------


# each case is worked out by hand; the aggregate, which decides, must agree


def figures_of(position: StockPosition) -> tuple[int, ...]:
    return (position.on_hand, position.reserved, position.safety_stock, position.available, position.in_transit_units, position.expected_units)


def test_the_reference_takes_counts_as_of_their_moment_whatever_order_they_arrive_in():
    position = StockPosition("S1", "A")
    position.receive(10, occurred_at_us=100)
    position.move(SALE, -2, 300)  # after the count below, which arrives late: on top of it
    position.move(SALE, -1, 200)  # at that count's very moment: inside it
    position.count(6, occurred_at_us=200)
    position.move(SALE, -1, 150)  # before that count: inside it
    position.count(9, occurred_at_us=50)  # before that count too: superseded
    position.receive(3, occurred_at_us=400)
    figures = reference_stock(position.collect_events()).figures()[("S1", "A")]
    assert (figures.on_hand, figures.available) == (6 - 2 + 3, 7)
    assert figures_of(position) == figures.as_stored()


def test_the_reference_takes_picks_off_counts_that_held_their_units():
    position = StockPosition("S1", "A")
    position.receive(10, occurred_at_us=100)
    position.reserve("o1", 4)
    position.reserve("o2", 3)
    position.pick("o1", 300)
    position.count(8, occurred_at_us=200)  # before the pick: the pick comes off it
    position.count(7, occurred_at_us=400)  # after the pick: holds it
    position.pick("o2", 350)  # dated before that count, which still held o2's units: comes off it
    position.reserve("o3", 3)
    position.release("o3", "one line cancelled", quantity=2)
    position.set_safety_stock(2)
    figures = reference_stock(position.collect_events()).figures()[("S1", "A")]
    assert (figures.on_hand, figures.reserved, figures.safety_stock, figures.available) == (7 - 3, 1, 2, 1)
    assert figures_of(position) == figures.as_stored()


def test_the_reference_follows_transfers_receipts_and_reservations_beyond_stock():
    position = StockPosition("S1", "A")
    position.expect_transfer("T1", 5)
    position.move(TRANSFER_IN, 3, 100, transfer_id="T1")
    position.expect_receipt("PO-1", 6, 1_000)
    position.receive(2, occurred_at_us=200)
    position.receipt_arrived("PO-1", 2)
    position.expect_receipt("PO-2", 4, 1_000)
    position.receive(1, occurred_at_us=300)
    position.receipt_arrived("PO-2", 1, final=True)  # the other 3 will not come
    position._stock_reserved(order_id="o1", quantity=8)  # as a buggy writer would: 2 beyond the 6 on hand
    reference = reference_stock(position.collect_events())
    figures = reference.figures()[("S1", "A")]
    assert (figures.on_hand, figures.reserved, figures.in_transit, figures.expected, figures.available) == (6, 8, 2, 4, 0)
    assert figures_of(position) == figures.as_stored()
    assert reference.units_reserved_beyond_stock() == 2


# --- the workload -------------------------------------------------------------------------

stores = st.sampled_from(sorted(STORES))
skus = st.sampled_from(SKUS)
which = st.integers(0, 50)  # which of the orders or transfers a step may take applies it


def lifecycle():
    """One of an order's steps, taken by the chosen order of those it applies to."""
    return st.one_of(
        st.tuples(st.just("pay"), which),
        st.tuples(st.just("accept"), which),
        st.tuples(st.just("pick"), which),
        st.tuples(st.just("hand_over"), which),
    )


operations = st.lists(
    st.one_of(
        # True: as many units as asked, even beyond the store's (backed by transfers, or refused)
        *(st.tuples(st.just("order"), stores, skus, st.integers(1, 5), st.booleans()) for _ in range(2)),
        lifecycle(),
        # an order's next step, whichever it is: an order goes through four before it can be returned
        *(st.tuples(st.just("advance"), which) for _ in range(3)),
        st.tuples(st.just("return"), which, stores, st.integers(1, 3)),
        st.tuples(st.just("cancel"), which),
        st.tuples(st.just("cancel_lines"), which, st.integers(1, 4)),
        st.tuples(st.just("transfer"), stores, stores, skus, st.integers(1, 4)),
        st.tuples(st.just("ship"), which),
        st.tuples(st.just("receive_transfer"), which),
        st.tuples(st.just("receipt"), stores, skus, st.integers(1, 6)),
        st.tuples(st.just("sale"), stores, skus, st.integers(1, 3), st.integers(0, 8)),  # minutes before now
        # minutes from the latest moment the position recorded: before it, the count arrives out of order
        st.tuples(st.just("count"), stores, skus, st.integers(0, 12), st.integers(-6, 3)),
        st.tuples(st.just("record_count"), stores, skus, st.integers(0, 12)),  # at the server's now
        st.tuples(st.just("safety"), stores, skus, st.integers(0, 2)),
    ),
    min_size=10, max_size=30,
)

# every kind of step taking effect: an order through to its return, one cancelled whole and one
# in part, one backed by a transfer shipped and received, a plain transfer, counts dated before
# what is recorded and after it (a sale and a server count then superseded), a pick after a
# count the POS dated later; -1 takes the latest order or transfer a step applies to
EVERY_KIND = [
    ("order", "S1", "A", 3, False), ("pay", -1), ("accept", -1), ("sale", "S1", "A", 1, 5), ("pick", -1),
    ("count", "S1", "A", 9, -3), ("hand_over", -1), ("return", -1, "S2", 2),
    ("order", "S2", "A", 4, False), ("cancel_lines", -1, 2), ("pay", -1), ("cancel", -1),
    ("order", "S3", "B", 14, True), ("ship", -1), ("ship", -1), ("receive_transfer", -1), ("receive_transfer", -1),
    ("transfer", "S2", "S1", "A", 2), ("receive_transfer", -1),
    ("count", "S2", "B", 4, 10), ("sale", "S2", "B", 1, 1), ("record_count", "S2", "B", 5), ("receipt", "S2", "B", 3),
    ("order", "S1", "A", 2, False), ("pay", -1), ("count", "S1", "A", 7, 10), ("accept", -1), ("pick", -1),
    ("safety", "S3", "A", 2), ("order", "S3", "A", 20, True),
]

# the least each kind must have succeeded over a run (the examples above reach them alone)
AT_LEAST = {
    "order": 8, "order_backed_by_transfer": 2, "pay": 6, "accept": 4, "pick": 4, "hand_over": 2, "return": 2,
    "cancel": 2, "cancel_lines": 2, "transfer": 2, "ship": 2, "receive_transfer": 4, "receipt": 2, "sale": 4,
    "count": 6, "count_out_of_order": 2, "superseded": 2, "record_count": 2, "record_count_superseded": 2,
    "pick_after_later_count": 2, "safety": 2, "order_refused": 2,
}


class Workload:
    """One example's stores and steps; `tally` counts what each kind of step did."""

    def __init__(self, app: OmoApplication, clock: SteppingClock, log: FollowedLog, tally: Counter) -> None:
        self.app, self.clock, self.log, self.tally = app, clock, log, tally
        self.prefix = uuid.uuid4().hex[:6]  # examples share the database: their stores must not
        self.orders: list[str] = []  # idempotency keys of the orders placed
        self.transfers: list[str] = []  # every transfer, requested by hand or for an order

    def store(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def sku(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def open_stores(self) -> None:
        for name, at in STORES.items():
            upsert_store(self.app, profile(self.store(name), at))
            receive_stock(self.app, self.store(name), [(self.sku(sku), STARTING_UNITS) for sku in SKUS])

    def run(self, plan: list[tuple]) -> None:
        self.open_stores()
        for n, (kind, *args) in enumerate(plan):
            self.clock.step()
            self.log.follow()
            before = sum(self.tally.values())
            getattr(self, f"_{kind}")(n, *args)
            if sum(self.tally.values()) == before:
                self.tally[f"{kind}: nothing to do"] += 1

    def figures(self, store: str, sku: str):
        return self.log.follow().figures()[(self.store(store), self.sku(sku))]

    def order(self, key: str) -> Order:
        return self.app.find_afresh(Order.create_id(key))

    def orders_where(self, chosen: int, wanted) -> Order | None:
        """The `chosen`th (cycling) of the orders `wanted` says a step applies to, or None."""
        eligible = [order for key in self.orders if wanted(order := self.order(key))]
        return eligible[chosen % len(eligible)] if eligible else None

    # --- orders ---------------------------------------------------------------------------

    def _order(self, n: int, store: str, sku: str, units: int, beyond_the_store: bool) -> None:
        here = self.figures(store, sku).available
        if not beyond_the_store and here:
            units = min(units, here)
        everywhere = sum(self.figures(name, sku).available for name in STORES)
        key = f"{self.prefix}-k{n}"
        command = PlaceOrder(
            idempotency_key=key, customer_id=f"C{n}", customer_location=STORES[store],
            lines=(OrderLine(self.sku(sku), units, PRICE),), mode=FulfilmentMode.PICKUP, pickup_store_id=self.store(store),
        )
        try:
            place_order(self.app, command)
        except NoStoreCanFulfil:
            # the pickup store takes what it has and the other two stores send the rest
            assert everywhere < units, f"refused {units} x {sku} at {store} with {everywhere} available in reach"
            self.tally["order_refused"] += 1
            return
        assert everywhere >= units, f"placed {units} x {sku} at {store} with {everywhere} available in reach"
        self.orders.append(key)
        self.tally["order"] += 1
        placed = self.order(key)
        backing = [t["transfer_id"] for s in placed.shipments for t in s.get("transfers", ())]
        assert bool(backing) == (units > here), f"{units} wanted, {here} at the store, transfers {backing}"
        if backing:
            self.transfers += backing
            self.tally["order_backed_by_transfer"] += 1

    # each step of an order's way: `_pay` and the like take the chosen order of those the step
    # applies to, `pay` and the like the order given

    def _pay(self, n: int, chosen: int) -> None:
        if order := self.orders_where(chosen, lambda o: next_step(o) == "pay"):
            self.pay(n, order)

    def pay(self, n: int, order: Order) -> None:
        fulfilment.confirm_payment(self.app, order.order_id, f"pay-{n}", Money(order.total_cents, PRICE.currency))
        self.tally["pay"] += 1

    def _accept(self, n: int, chosen: int) -> None:
        if order := self.orders_where(chosen, lambda o: o.paid and at_status(o, ALLOCATED)):
            self.accept(n, order)

    def accept(self, n: int, order: Order) -> None:
        fulfilment.accept_order(self.app, order.order_id, at_status(order, ALLOCATED))
        self.tally["accept"] += 1

    def _pick(self, n: int, chosen: int) -> None:
        if order := self.orders_where(chosen, lambda o: at_status(o, ACCEPTED)):
            self.pick(n, order)

    def pick(self, n: int, order: Order) -> None:
        store_id = at_status(order, ACCEPTED)
        sku = next(iter(order.shipment_from(store_id)["lines"]))
        counted_at = self.log.reference.latest_count_moment(store_id, sku)
        fulfilment.mark_picked(self.app, order.order_id, store_id)
        self.tally["pick"] += 1
        if counted_at is not None and counted_at >= self.app.now_us():
            self.tally["pick_after_later_count"] += 1

    def _hand_over(self, n: int, chosen: int) -> None:
        if order := self.orders_where(chosen, lambda o: at_status(o, PICKED)):
            self.hand_over(n, order)

    def hand_over(self, n: int, order: Order) -> None:
        fulfilment.hand_over(self.app, order.order_id, at_status(order, PICKED), TO_CUSTOMER, order.pickup_code)
        self.tally["hand_over"] += 1

    def _return(self, n: int, chosen: int, store: str, units: int) -> None:
        if order := self.orders_where(chosen, returnable):
            self.give_back(n, order, store, units)

    def give_back(self, n: int, order: Order, store: str, units: int) -> None:
        sku, bought = next(iter(order.quantities().items()))
        left = bought - order.returned_units().get(sku, 0)
        return_order(self.app, order.order_id, f"r{n}", self.store(store), [(sku, min(units, left))])
        self.tally["return"] += 1

    def _advance(self, n: int, chosen: int) -> None:
        """The next step of an order furthest on its way, whichever it is: so that orders get
        through to their return among everything else a workload does to their stores."""
        furthest = next((step for step in reversed(WAY) if self.orders_where(0, lambda o: next_step(o) == step)), None)
        if order := self.orders_where(chosen, lambda o: furthest is not None and next_step(o) == furthest):
            step = next_step(order)
            if step == "return":
                self.give_back(n, order, sorted(STORES)[chosen % len(STORES)], 1 + chosen % 2)
            else:
                getattr(self, step)(n, order)

    def _cancel(self, n: int, chosen: int) -> None:
        gone = (PICKED, HANDED_OVER, DELIVERED)
        if order := self.orders_where(chosen, lambda o: not o.cancelled and not any(s["status"] in gone for s in o.shipments)):
            cancel_order(self.app, order.order_id, "changed mind")
            self.tally["cancel"] += 1

    def _cancel_lines(self, n: int, chosen: int, units: int) -> None:
        def in_part(order: Order) -> bool:
            return (
                not order.cancelled and sum(order.quantities().values()) > 1
                and all(s["status"] in LINES_CANCELLABLE for s in order.shipments)
            )

        if order := self.orders_where(chosen, in_part):
            sku, quantity = next(iter(order.quantities().items()))
            cancel_order_lines(self.app, order.order_id, f"c{n}", [(sku, 1 + units % (quantity - 1))], "one fewer")
            self.tally["cancel_lines"] += 1

    # --- transfers ------------------------------------------------------------------------

    def transfer_where(self, chosen: int, status: str) -> Transfer | None:
        eligible = [t for transfer_id in self.transfers if (t := self.app.find_afresh(Transfer.create_id(transfer_id))).status == status]
        return eligible[chosen % len(eligible)] if eligible else None

    def _transfer(self, n: int, source: str, destination: str, sku: str, units: int) -> None:
        spare = self.figures(source, sku).available
        if source == destination or not spare:
            return
        transfer, _ = request_transfer(
            self.app, f"t{n}", self.store(source), self.store(destination), [(self.sku(sku), min(units, spare))],
        )
        ship_transfer(self.app, transfer.transfer_id)
        self.transfers.append(transfer.transfer_id)
        self.tally["transfer"] += 1

    def _ship(self, n: int, chosen: int) -> None:
        if transfer := self.transfer_where(chosen, REQUESTED):
            ship_transfer(self.app, transfer.transfer_id)
            self.tally["ship"] += 1

    def _receive_transfer(self, n: int, chosen: int) -> None:
        if transfer := self.transfer_where(chosen, IN_TRANSIT):
            receive_transfer(self.app, transfer.transfer_id)
            self.tally["receive_transfer"] += 1

    # --- the shelf ------------------------------------------------------------------------

    def _receipt(self, n: int, store: str, sku: str, units: int) -> None:
        receive_stock(self.app, self.store(store), [(self.sku(sku), units)])
        self.tally["receipt"] += 1

    def _pos(self, n: int, store: str, sku: str, kind: str, units: int, at_us: int) -> None:
        result = sync_batch(self.app, self.store(store), [Movement(f"m{n}", kind, self.sku(sku), units, at_us)])
        self.tally["superseded"] += sum(ack.outcome == SUPERSEDED for ack in result.acks)

    def _sale(self, n: int, store: str, sku: str, units: int, minutes_before: int) -> None:
        self._pos(n, store, sku, SALE, units, self.app.now_us() - minutes_before * MINUTE_US)
        self.tally["sale"] += 1

    def _count(self, n: int, store: str, sku: str, counted: int, minutes_from_latest: int) -> None:
        latest = self.log.reference.latest_moment(self.store(store), self.sku(sku)) or self.app.now_us()
        at_us = latest + minutes_from_latest * MINUTE_US
        if minutes_from_latest < 0:
            self.tally["count_out_of_order"] += 1
        self._pos(n, store, sku, COUNT, counted, at_us)
        self.tally["count"] += 1

    def _record_count(self, n: int, store: str, sku: str, counted: int) -> None:
        counted_at = self.log.reference.latest_count_moment(self.store(store), self.sku(sku))
        record_count(self.app, self.store(store), self.sku(sku), counted)
        self.tally["record_count"] += 1
        if counted_at is not None and counted_at > self.app.now_us():
            self.tally["record_count_superseded"] += 1

    def _safety(self, n: int, store: str, sku: str, units: int) -> None:
        set_safety_stock(self.app, self.store(store), self.sku(sku), units)
        self.tally["safety"] += 1


def at_status(order: Order, status: str) -> str | None:
    """The store whose shipment of the order is at `status`, if any (not once cancelled)."""
    if order.cancelled:
        return None
    return next((s["store_id"] for s in order.shipments if s["status"] == status), None)


def returnable(order: Order) -> bool:
    return order.status == DELIVERED and sum(order.quantities().values()) > sum(order.returned_units().values())


WAY = ("pay", "accept", "pick", "hand_over", "return")


def next_step(order: Order) -> str | None:
    """The order's next step on its way to being returned; None when it has none left."""
    if order.cancelled:
        return None
    if not order.paid:
        return "pay"
    for status, step in ((ALLOCATED, "accept"), (ACCEPTED, "pick"), (PICKED, "hand_over")):
        if at_status(order, status):
            return step
    return "return" if returnable(order) else None


# --- the checks ---------------------------------------------------------------------------


def readers_disagreeing(app: OmoApplication, runner: ProjectionRunner, log: FollowedLog, workload: Workload) -> dict[str, str]:
    """Every reader of stock whose figures differ from the reference's, and how; each is
    checked whatever the others say, so a failure names all that disagree."""
    reference = log.follow()
    runner.catch_up()
    assert runner.position == log.position
    figures = reference.figures()
    by_id = {position_id: f.as_stored() for position_id, f in reference.figures_by_id().items()}
    disagreeing = {}
    with runner.reader.connect() as connection:
        stored = {row.position_id: tuple(row._mapping[f] for f in FIGURES) for row in connection.execute(select(by_store))}
        national = {
            row.sku: (row.positions, *(row._mapping[f] for f in FIGURES)) for row in connection.execute(select(NATIONAL.table))
        }
    disagreeing["stock_by_store"] = differing(by_id, stored)
    disagreeing["stock_national"] = differing(reference.national(), national)

    disagreeing["verify"] = "; ".join(str(d) for d in verify(runner.reader, runner.event_log).differences[:3])
    recomputed = recompute(runner.event_log, runner.position)
    disagreeing["verify's recomputation"] = differing(by_id, {key[1]: values[1:] for key, values in recomputed.items() if key[0] == "stock_by_store"})

    app.catch_up()
    indexed = {key: (f.on_hand, f.reserved, f.safety_stock, f.available, f.in_transit, f.expected) for key, f in app.index.stock.items()}
    disagreeing["live index"] = differing({key: f.as_stored() for key, f in figures.items()}, indexed)

    own = {}
    for key in ((workload.store(store), workload.sku(sku)) for store in STORES for sku in SKUS):
        own[key] = figures_of(app.find_afresh(StockPosition.create_id(*key)))
    disagreeing["the aggregates"] = differing({key: figures[key].as_stored() for key in own}, own)

    if beyond := reference.units_reserved_beyond_stock():
        disagreeing["the reference: units reserved beyond stock"] = str(beyond)
    if oversold := oversold_units(log.events):
        disagreeing["the oversell audit"] = f"{oversold} units oversold"
    return {reader: how for reader, how in disagreeing.items() if how}


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def stepped_app(database_url, clock):
    application = build_application(database_url, clock=clock)
    yield application
    application.close()


def test_every_reader_of_stock_equals_the_reference_after_any_workload(stepped_app, clock):
    app = stepped_app
    log = FollowedLog(app)
    tally: Counter = Counter()
    runner = ProjectionRunner(app.database_url, stock_event_log(app), NATIONAL_STOCK, poll_interval=0.01)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @example(plan=EVERY_KIND, batch_size=1)
    @example(plan=EVERY_KIND, batch_size=500)
    @given(plan=operations, batch_size=st.integers(1, 50))
    def the_readers_agree(plan, batch_size):
        workload = Workload(app, clock, log, tally)
        workload.run(plan)
        runner.batch_size = batch_size
        disagreeing = readers_disagreeing(app, runner, log, workload)
        assert not disagreeing, "\n".join(f"{what} disagrees with the reference: {how}" for what, how in disagreeing.items())

    try:
        the_readers_agree()
    finally:
        runner.release()
        runner.close()
    short = {kind: (tally[kind], least) for kind, least in AT_LEAST.items() if tally[kind] < least}
    assert not short, f"kinds of step that took effect too seldom (done, at least): {short}; all: {dict(tally)}"
