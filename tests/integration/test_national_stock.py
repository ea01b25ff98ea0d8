"""The national stock projection: its figures, by store and every breakdown, equal what the
aggregates hold and what a recomputation from the events gives, after any workload (backorders
claiming incoming stock and served as it arrives, receipts closed short among it), in any
batching; a rebuild gives the same tables. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from aggregates.stock_position import SALE, TRANSFER_IN, StockPosition
from aggregates.store import Store
from domain.errors import DomainError
from domain.stores import StoreProfile
from domain.values import GeoPoint
from projections.definitions import NATIONAL_STOCK
from projections.runtime.runner import ProjectionRunner
from projections.national_stock.audit import oversold_units
from projections.national_stock.verify import stored_rows, verify
from services.use_cases.application import OmoApplication
from services.adapters.projection_runners import stock_event_log

PROVINCES = {"Shanghai": ("Shanghai",), "Zhejiang": ("Hangzhou", "Ningbo"), "Jiangsu": ("Suzhou",)}
DEALERS = ("", "D1", "D2")


def profile(store_id: str, province: str = "Shanghai", city: str = "Shanghai", dealer: str = "D1", kind: str = "STORE") -> StoreProfile:
    return StoreProfile(
        store_id=store_id, name=f"Store {store_id}", location=GeoPoint(31.23, 121.47), province=province, city=city,
        dealer_id=dealer, opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=0.0 if kind == "WAREHOUSE" else 5.0,
        daily_order_capacity=100, active=True, kind=kind,
    )


def all_events(app: OmoApplication) -> list:
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=1_000_000)]


def new_runner(app: OmoApplication, **options) -> ProjectionRunner:
    options.setdefault("poll_interval", 0.01)
    return ProjectionRunner(app.database_url, stock_event_log(app), NATIONAL_STOCK, **options)


@pytest.fixture
def runner(app) -> Iterator[ProjectionRunner]:
    r = new_runner(app)
    yield r
    r.release()
    r.close()


def table(runner: ProjectionRunner, name: str, order: str) -> list[tuple]:
    with runner.reader.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {name} ORDER BY {order}"))]


def national(runner: ProjectionRunner, sku: str) -> dict:
    with runner.reader.connect() as connection:
        row = connection.execute(text("SELECT * FROM stock_national WHERE sku = :sku"), {"sku": sku}).mappings().first()
    return dict(row) if row else {}


def figures_of(position: StockPosition) -> tuple[int, ...]:
    """As the tables hold them: on hand, reserved, safety stock, available, in transit, expected."""
    return (position.on_hand, position.reserved, position.safety_stock, position.available, position.in_transit_units, position.expected_units)


def assert_matches_aggregates(app: OmoApplication, runner: ProjectionRunner) -> None:
    """Every by-store row equals its aggregate's state; every breakdown sums to national."""
    rows = table(runner, "stock_by_store", "position_id")
    for position_id, store_id, sku, *figures, _updated in rows:
        aggregate = app.repository.get(uuid.UUID(position_id))
        assert (aggregate.store_id, aggregate.sku) == (store_id, sku)
        assert tuple(figures) == figures_of(aggregate), f"{store_id}/{sku}"
    with runner.reader.connect() as connection:
        national_rows = {r.sku: tuple(r)[1:8] for r in connection.execute(text("SELECT * FROM stock_national"))}
        for breakdown in ("stock_by_province", "stock_by_city", "stock_by_dealer"):
            sums = connection.execute(text(
                f"SELECT sku, sum(positions), sum(on_hand), sum(reserved), sum(safety_stock), sum(available), sum(in_transit), sum(expected) "
                f"FROM {breakdown} GROUP BY sku"
            ))
            assert {r[0]: tuple(int(v) for v in r[1:]) for r in sums} == national_rows, breakdown


# --- examples -----------------------------------------------------------------------------


def test_figures_by_store_province_city_dealer_and_the_country(app, runner):
    app.save(Store.register(profile("S1", "Shanghai", "Shanghai", "D1")), Store.register(profile("S2", "Zhejiang", "Hangzhou", "")))
    a1, a2, b1 = StockPosition("S1", "A"), StockPosition("S2", "A"), StockPosition("S1", "B")
    a1.receive(10)
    a1.reserve("o1", 3)
    a1.set_safety_stock(2)
    a2.receive(4)
    a2.set_safety_stock(6)  # more kept back than held: available 0, not -2
    a2.expect_transfer("T1", 5)
    a1.expect_receipt("PO-1", 12, 1)
    a1.receive(4)
    a1.receipt_arrived("PO-1", 4)  # 8 still to come
    b1.move(SALE, -2, 0)  # the POS sold what the books did not hold: on hand -2
    app.save(a1, a2, b1)
    runner.catch_up()

    assert national(runner, "A") == {
        "sku": "A", "positions": 2, "on_hand": 18, "reserved": 3, "safety_stock": 8, "available": 9, "in_transit": 5,
        "expected": 8, "updated_position": runner.position,
    }
    # available sums the positions' own available; B's negative on hand lends nothing
    assert national(runner, "B")["on_hand"] == -2 and national(runner, "B")["available"] == 0
    assert [r[:7] for r in table(runner, "stock_by_province", "province, sku")] == [
        ("Shanghai", "A", 1, 14, 3, 2, 9), ("Shanghai", "B", 1, -2, 0, 0, 0), ("Zhejiang", "A", 1, 4, 0, 6, 0),
    ]
    assert [r[:4] for r in table(runner, "stock_by_city", "province, city, sku")] == [
        ("Shanghai", "Shanghai", "A", 1), ("Shanghai", "Shanghai", "B", 1), ("Zhejiang", "Hangzhou", "A", 1),
    ]
    # an empty dealer id is HQ-owned
    assert [r[:2] for r in table(runner, "stock_by_dealer", "dealer, sku")] == [("D1", "A"), ("D1", "B"), ("HQ", "A")]
    assert_matches_aggregates(app, runner)


def test_a_store_that_moves_takes_its_figures_to_its_new_province_city_and_dealer(app, runner):
    store = Store.register(profile("S1", "Shanghai", "Shanghai", "D1"))
    position = StockPosition("S1", "A")
    position.receive(7)
    app.save(store, position)
    runner.catch_up()
    store.update(profile("S1", "Zhejiang", "Ningbo", "D2"), app.now_us())
    position.reserve("o1", 2)
    app.save(store, position)
    runner.catch_up()

    provinces = [r[:7] for r in table(runner, "stock_by_province", "province")]
    # the old row stays, emptied, so a watcher sees it go to zero
    assert provinces == [("Shanghai", "A", 0, 0, 0, 0, 0), ("Zhejiang", "A", 1, 7, 2, 0, 5)]
    assert [r[:3] for r in table(runner, "stock_by_dealer", "dealer")] == [("D1", "A", 0), ("D2", "A", 1)]
    assert verify(runner.reader, runner.event_log).differences == []


def test_a_position_seen_before_its_store_is_unregistered_until_the_store_is(app, runner):
    position = StockPosition("S9", "A")
    position.receive(3)
    app.save(position)
    runner.catch_up()
    assert [r[:3] for r in table(runner, "stock_by_province", "province")] == [("(unregistered)", "A", 1)]
    app.save(Store.register(profile("S9", "Jiangsu", "Suzhou", "")))
    runner.catch_up()
    assert [r[:3] for r in table(runner, "stock_by_province", "province")] == [("(unregistered)", "A", 0), ("Jiangsu", "A", 1)]
    assert verify(runner.reader, runner.event_log).differences == []


def test_events_of_orders_and_other_aggregates_move_the_position_but_no_figure(app, runner):
    from aggregates.movement import StockMovement

    app.save(Store.register(profile("S1")))
    runner.catch_up()
    before = table(runner, "stock_national", "sku")
    app.save(StockMovement(store_id="S1", movement_id="M1", kind="RECEIPT", lines=[], fingerprint="x"))
    runner.catch_up()
    assert runner.position == app.recorder.max_notification_id()
    assert table(runner, "stock_national", "sku") == before


def test_verify_lists_a_corrupted_figure(app, runner):
    app.save(Store.register(profile("S1")))
    position = StockPosition("S1", "A")
    position.receive(5)
    app.save(position)
    runner.catch_up()
    with runner.writer.begin() as connection:
        connection.execute(text("UPDATE stock_by_city SET on_hand = on_hand + 1"))
    differences = verify(runner.reader, runner.event_log).differences
    assert [(d.table, d.key) for d in differences] == [("stock_by_city", ("Shanghai", "Shanghai", "A"))]
    assert "on_hand 5" in str(differences[0]) and "on_hand 6" in str(differences[0])


def test_claims_served_are_reserved_and_a_receipt_closed_short_is_expected_no_more(app, runner):
    app.save(Store.register(profile("S1")))
    position = StockPosition("S1", "A")
    position.expect_receipt("PO-1", 5, 1)
    position.expect_transfer("T1", 2)
    position.claim("o1", 3, 2, 1)
    position.claim("o2", 3, 2, 1)
    position.receive(2)
    position.receipt_arrived("PO-1", 2, final=True)  # 3 will not come: o2 no longer covered
    position.move(TRANSFER_IN, 2, 0, transfer_id="T1")  # o1's last unit, then one of o2's
    app.save(position)
    runner.catch_up()
    assert (position.reserved, position.expected_units, position.claims) == (4, 0, {"o2": 2})
    row = national(runner, "A")
    assert (row["on_hand"], row["reserved"], row["available"], row["in_transit"], row["expected"]) == (4, 4, 0, 0, 0)
    assert verify(runner.reader, runner.event_log).differences == []
    assert_matches_aggregates(app, runner)


# --- the property: any workload, any batching ---------------------------------------------

store_moves = st.tuples(st.sampled_from(sorted(PROVINCES)), st.integers(0, 1), st.sampled_from(DEALERS), st.sampled_from(["STORE", "WAREHOUSE"]))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("register_or_move"), st.integers(0, 3), store_moves),
        st.tuples(st.just("receive"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 20)),
        st.tuples(st.just("sale"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 20)),  # may go negative
        st.tuples(st.just("count"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 15)),
        st.tuples(st.just("safety"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 8)),
        st.tuples(st.just("reserve"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 6)),
        st.tuples(st.just("release"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 5)),
        st.tuples(st.just("pick"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 5)),
        st.tuples(st.just("transfer"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 9)),
        st.tuples(st.just("arrive"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 5)),
        st.tuples(st.just("release_part"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 4)),
        st.tuples(st.just("expect"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(0, 9)),  # 0 cancels
        st.tuples(st.just("expected_arrive"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 6)),
        # announced and then partly received at once, so both facts come up in most workloads
        st.tuples(st.just("receipt_in_parts"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 6)),
        # a backorder claims incoming units: arrivals (expected_arrive, arrive, receipt_in_parts) serve it
        st.tuples(st.just("claim"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 6)),
        # some of a receipt arrives and the rest will not: it is cancelled
        st.tuples(st.just("close_short"), st.integers(0, 3), st.sampled_from("ABC"), st.integers(1, 6)),
    ),
    min_size=1, max_size=40,
)


def run_workload(app: OmoApplication, prefix: str, steps, save_every: int) -> None:
    stores: dict[int, Store] = {}
    positions: dict[tuple[int, str], StockPosition] = {}
    pending: list = []
    clock = 0
    for n, (kind, store, *args) in enumerate(steps):
        clock += 1_000
        store_id = f"{prefix}-S{store}"
        if kind == "register_or_move":
            province, city, dealer, store_kind = args[0]
            details = profile(store_id, province, PROVINCES[province][city % len(PROVINCES[province])], dealer, store_kind)
            if store in stores:
                stores[store].update(details, clock)
            else:
                stores[store] = Store.register(details)
            pending.append(stores[store])
        else:
            sku, amount = args
            position = positions.setdefault((store, sku), StockPosition(store_id, sku))
            held = list(position.reservations) + [o for o in position.claims if o not in position.reservations]
            try:
                if kind == "receive":
                    position.receive(amount, occurred_at_us=clock)
                elif kind == "sale":
                    position.move(SALE, -amount, clock)
                elif kind == "count":
                    position.count(amount, occurred_at_us=clock)
                elif kind == "safety":
                    position.set_safety_stock(amount)
                elif kind == "reserve":
                    position.reserve(f"o{n}", amount)
                elif kind == "release" and held:
                    position.release(held[amount % len(held)], "cancelled")
                elif kind == "pick" and position.reservations:
                    position.pick(list(position.reservations)[amount % len(position.reservations)], clock)
                elif kind == "transfer":
                    position.expect_transfer(f"T{n}", amount)
                elif kind == "arrive" and position.in_transit:
                    transfer, units = sorted(position.in_transit.items())[amount % len(position.in_transit)]
                    position.move(TRANSFER_IN, units, clock, transfer_id=transfer)
                elif kind == "release_part" and held:
                    position.release(held[amount % len(held)], "lines cancelled", quantity=amount)
                elif kind == "expect":
                    position.expect_receipt(f"R{n % 3}", amount, clock + 86_400_000_000)
                elif kind == "expected_arrive" and position.expected:
                    reference, receipt = sorted(position.expected.items())[amount % len(position.expected)]
                    units = min(amount, receipt["quantity"])
                    position.receive(units, occurred_at_us=clock)
                    position.receipt_arrived(reference, units)
                elif kind == "receipt_in_parts":
                    position.expect_receipt(f"P{n}", amount + 2, clock + 86_400_000_000)
                    position.receive(amount, occurred_at_us=clock)
                    position.receipt_arrived(f"P{n}", amount)
                elif kind == "claim":
                    not_after, transit_arrives = clock + 2 * 86_400_000_000, clock + 86_400_000_000
                    if not position.claimable(not_after, transit_arrives):  # something to wait for
                        position.expect_receipt(f"B{n}", amount, clock + 86_400_000_000)
                    position.claim(f"o{n}", min(amount, position.claimable(not_after, transit_arrives)), not_after, transit_arrives)
                elif kind == "close_short" and position.expected:
                    reference, receipt = sorted(position.expected.items())[amount % len(position.expected)]
                    units = max(min(amount, receipt["quantity"] - 1), 1)  # short when more than one was to come
                    position.receive(units, occurred_at_us=clock)
                    position.receipt_arrived(reference, units, final=True)
            except DomainError:
                pass  # refused: recorded nothing
            pending.append(position)
        if len(pending) >= save_every:
            app.save(*{id(a): a for a in pending}.values())
            pending.clear()
    if pending:
        app.save(*{id(a): a for a in pending}.values())


# backorders' whole way, in each half of the workload: claims on a receipt and a transfer,
# served in part and whole, the receipt closed short, a claim left uncovered, then released
BACKORDERS = [
    ("register_or_move", 0, ("Shanghai", 0, "D1", "STORE")), ("expect", 0, "A", 5), ("claim", 0, "A", 3),
    ("transfer", 0, "A", 2), ("claim", 0, "A", 4), ("receive", 0, "A", 2), ("reserve", 0, "A", 1),
    ("expected_arrive", 0, "A", 2), ("close_short", 0, "A", 1), ("arrive", 0, "A", 0), ("release", 0, "A", 2),
    ("release_part", 0, "A", 1),
]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=operations, save_every=st.integers(1, 8), batch_size=st.integers(1, 40), catch_up_midway=st.booleans())
@example(steps=BACKORDERS * 2, save_every=1, batch_size=1, catch_up_midway=True)
@example(steps=BACKORDERS * 2, save_every=8, batch_size=40, catch_up_midway=False)
def test_the_projection_equals_a_recomputation_from_the_events_after_any_workload(app, steps, save_every, batch_size, catch_up_midway):
    runner = new_runner(app, batch_size=batch_size)
    try:
        prefix = uuid.uuid4().hex[:6]  # examples share the database: their stores must not
        half = len(steps) // 2
        run_workload(app, prefix, steps[:half], save_every)
        if catch_up_midway:
            runner.catch_up()
        run_workload(app, prefix + "b", steps[half:], save_every)
        runner.catch_up()
        assert runner.position == app.recorder.max_notification_id()
        assert verify(runner.reader, runner.event_log).differences == []
        assert_matches_aggregates(app, runner)
        # served claims are reservations the audit must not mistake for an oversell
        assert oversold_units(all_events(app)) == 0
        # a rebuild, in other batches, gives exactly the same tables
        incremental = stored_rows(runner.reader)
        runner.batch_size = 1000
        runner.rebuild()
        assert stored_rows(runner.reader) == incremental
    finally:
        runner.release()
        runner.close()
