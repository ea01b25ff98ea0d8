"""The on-time projection and its query, on SQLite and PostgreSQL: per store and store-local
day, shipments due, done on time and late, and open past their promise; cancelled and
rerouted shipments leave their store's figures, also after they were counted; a backorder is
due at its store only once its stock is all there; applied batch by batch or event by event,
the tables are the same and verify finds no difference."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.errors import DealerNotFound, InvalidInput, StoreNotFound
from domain.values import FulfilmentMode
from projections.definitions import ON_TIME
from projections.on_time.reader import OnTimeReader
from projections.on_time.tables import days, shipments
from projections.on_time.verify import verify
from projections.runtime.runner import ProjectionRunner
from services.use_cases.network.dealers import change_store_owner
from services.use_cases.reads.store_performance import Figures, NoStoresInRegion, Scope, StorePerformanceQueries
from tests.on_time_builders import DELIVERED_STEPS, in_hours, open_stores, place, project, reroute, steps
from tests.store_work_builders import change, place as place_split, reroute as reroute_split, serve

PICKUP = FulfilmentMode.PICKUP
STORES = {
    "S1": ("Shanghai", "Shanghai", "D1"),
    "S2": ("Shanghai", "Shanghai", ""),
    "S3": ("Zhejiang", "Hangzhou", "D1"),
    "S4": ("Zhejiang", "Ningbo", "D2"),
}


@pytest.fixture
def queries(app):
    reader = OnTimeReader.for_application(app)
    yield StorePerformanceQueries(reader)
    reader.close()


@pytest.fixture
def world(app):
    open_stores(app, STORES, dealers=("D1", "D2"))


def around_today(promises: list[str]) -> tuple[str, str]:
    """A range of local days holding every promise."""
    found = sorted(p[:10] for p in promises)
    return found[0], found[-1]


def performance(app, queries, scope: Scope, first: str, last: str):
    return queries.performance(scope, first, last, app.now_us())


def by_day(result, store_id: str) -> dict[str, Figures]:
    found = {s.store_id: s for s in result.stores}[store_id]
    return {d.local_day: d.figures for d in found.days}


def test_due_on_time_late_overdue_and_what_does_not_count(app, world, queries):
    ahead, behind = in_hours(2), in_hours(-2)
    on_time = place(app, "on-time", "S1", ahead)
    steps(app, on_time, "S1", *DELIVERED_STEPS)
    late = place(app, "late", "S1", behind)
    steps(app, late, "S1", *DELIVERED_STEPS)
    # a pickup is done when picked (ready at the counter), not when the customer collects it
    ready = place(app, "pickup-ready", "S1", ahead, PICKUP)
    steps(app, ready, "S1", "pay", "accept", "pick")
    ready_late = place(app, "pickup-late", "S1", behind, PICKUP)
    steps(app, ready_late, "S1", "pay", "accept", "pick", "customer")
    # picked is not done for a delivery
    picked = place(app, "picked-delivery", "S1", ahead)
    steps(app, picked, "S1", "pay", "accept", "pick")
    overdue = place(app, "overdue", "S1", behind)
    steps(app, overdue, "S1", "pay", "accept")
    unpromised = place(app, "no-promise", "S1", "")
    steps(app, unpromised, "S1", *DELIVERED_STEPS)
    project(app)

    first, last = around_today([ahead, behind])
    result = performance(app, queries, Scope(store_id="S1"), first, last)
    total = result.total
    assert (total.due, total.on_time, total.late, total.open, total.overdue) == (6, 2, 2, 2, 1)
    # on time / (on time + late + overdue): 2 / 5
    assert total.on_time_per_mille == 400
    assert result.stores[0].total == total and result.store_count == 1
    expected: dict[str, list[int]] = {}
    for promised, counts in ((ahead, (1, 1, 0, 0)), (behind, (1, 0, 1, 0)), (ahead, (1, 1, 0, 0)), (behind, (1, 0, 1, 0)),
                             (ahead, (1, 0, 0, 0)), (behind, (1, 0, 0, 1))):
        row = expected.setdefault(promised[:10], [0, 0, 0, 0])
        for i, value in enumerate(counts):
            row[i] += value
    assert {day: [f.due, f.on_time, f.late, f.overdue] for day, f in by_day(result, "S1").items()} == expected
    assert result.freshness.position == result.freshness.head and result.freshness.lag_events == 0
    assert not verify(queries.reader.engine, ON_TIME.event_log(app)).differences


def test_cancelled_and_rerouted_shipments_leave_their_store_after_being_counted(app, world, queries):
    behind, later, ahead = in_hours(-3), in_hours(-1), in_hours(3)
    cancelled = place(app, "cancelled", "S1", ahead)
    moved = place(app, "moved", "S1", behind)
    steps(app, moved, "S1", "pay", "accept")
    project(app)
    first, last = around_today([behind, later, ahead])
    counted = performance(app, queries, Scope(store_id="S1"), first, last).total
    assert (counted.due, counted.overdue) == (2, 1)

    steps(app, cancelled, "S1", "cancel")
    # the store rejected it: the new store's shipment counts there with its own promise,
    # which it misses
    reroute(app, moved, "S1", "S2", later)
    steps(app, moved, "S2", "accept", "pick", "courier", "deliver")
    project(app)

    s1 = performance(app, queries, Scope(store_id="S1"), first, last)
    assert s1.total == Figures() and s1.stores[0].days == [] and s1.total.on_time_per_mille is None
    s2 = performance(app, queries, Scope(store_id="S2"), first, last)
    assert (s2.total.due, s2.total.on_time, s2.total.late, s2.total.overdue) == (1, 0, 1, 0)
    assert list(by_day(s2, "S2")) == [later[:10]]
    assert s2.total.on_time_per_mille == 0
    assert not verify(queries.reader.engine, ON_TIME.event_log(app)).differences


def test_a_promise_counts_on_the_stores_local_day_not_the_utc_one(app, world, queries):
    # 00:30 on the 2nd in Shanghai is still the 1st in UTC; 23:30 on the 1st at -05:00 is
    # already the 2nd in UTC
    after_midnight = place(app, "after-midnight", "S2", "2030-01-02T00:30:00+08:00")
    before_midnight = place(app, "before-midnight", "S3", "2030-01-01T23:30:00-05:00")
    steps(app, after_midnight, "S2", *DELIVERED_STEPS)
    project(app)

    shanghai = performance(app, queries, Scope(province="Shanghai"), "2030-01-01", "2030-01-02")
    assert by_day(shanghai, "S2") == {"2030-01-02": Figures(1, 1, 0, 0)}
    assert by_day(shanghai, "S1") == {}
    assert [s.store_id for s in shanghai.stores] == ["S1", "S2"]
    zhejiang = performance(app, queries, Scope(province="Zhejiang", city="Hangzhou"), "2030-01-01", "2030-01-01")
    assert by_day(zhejiang, "S3") == {"2030-01-01": Figures(1, 0, 0, 0)}  # open, and not yet overdue
    assert performance(app, queries, Scope(store_id="S3"), "2030-01-02", "2030-01-31").total == Figures()
    assert before_midnight


def test_a_dealer_scope_is_the_stores_it_owns_now(app, world, queries):
    ahead = in_hours(1)
    for store_id in ("S1", "S3", "S4"):
        place(app, f"order-{store_id}", store_id, ahead)
    from datetime import datetime, timezone

    change_store_owner(app, "S1", "D2", datetime.now(timezone.utc))
    project(app)
    d1 = performance(app, queries, Scope(dealer_id="D1"), ahead[:10], ahead[:10])
    assert [s.store_id for s in d1.stores] == ["S3"] and d1.total.due == 1
    d2 = performance(app, queries, Scope(dealer_id="D2"), ahead[:10], ahead[:10])
    assert [s.store_id for s in d2.stores] == ["S1", "S4"] and d2.total.due == 2


def test_event_by_event_or_in_batches_the_tables_are_the_same(app, world):
    ahead, behind = in_hours(2), in_hours(-2)
    a = place(app, "a", "S1", ahead)
    steps(app, a, "S1", *DELIVERED_STEPS)
    b = place(app, "b", "S1", behind)
    reroute(app, b, "S1", "S2", ahead)
    steps(app, b, "S2", "pay", "accept", "pick")
    c = place(app, "c", "S3", behind, PICKUP)
    steps(app, c, "S3", "pay", "cancel")
    project(app)

    assert_rebuilt_event_by_event_alike(app)


def test_bad_scopes_and_ranges_are_refused(app, world, queries):
    project(app)
    today = date.today()
    with pytest.raises(InvalidInput, match="at most 31 days"):
        performance(app, queries, Scope(store_id="S1"), str(today), str(today + timedelta(days=31)))
    performance(app, queries, Scope(store_id="S1"), str(today), str(today + timedelta(days=30)))
    with pytest.raises(InvalidInput, match="before from_date"):
        performance(app, queries, Scope(store_id="S1"), str(today), str(today - timedelta(days=1)))
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        performance(app, queries, Scope(store_id="S1"), "20301201", "2030-12-02")
    with pytest.raises(InvalidInput, match="exactly one"):
        performance(app, queries, Scope(store_id="S1", dealer_id="D1"), str(today), str(today))
    with pytest.raises(StoreNotFound):
        performance(app, queries, Scope(store_id="S9"), str(today), str(today))
    with pytest.raises(DealerNotFound):
        performance(app, queries, Scope(dealer_id="D9"), str(today), str(today))
    with pytest.raises(NoStoresInRegion):
        performance(app, queries, Scope(province="Shanghai", city="Hangzhou"), str(today), str(today))


def test_a_shipment_whose_lines_were_all_cancelled_is_no_longer_due_at_its_store(app, world, queries):
    ahead = in_hours(3)
    order = place_split(app, {"S1": {"SERUM": 1}, "S2": {"SERUM": 2}}, ahead)
    project(app)
    first, last = around_today([ahead])
    assert performance(app, queries, Scope(store_id="S2"), first, last).total.due == 1

    change(app, order.id, lambda o: o.cancel_lines("c1", {"SERUM": 2}, "two fewer"))  # all of S2's
    project(app)

    assert performance(app, queries, Scope(store_id="S2"), first, last).total.due == 0
    assert performance(app, queries, Scope(store_id="S1"), first, last).total.due == 1
    assert not verify(queries.reader.engine, ON_TIME.event_log(app)).differences


def test_a_backorder_is_due_at_its_store_only_once_its_stock_is_all_there(app, world, queries):
    behind, ahead = in_hours(-2), in_hours(2)
    first, last = around_today([behind, ahead])
    # promised for two hours ago, counted from an arrival that came late: overdue once the store has it
    waiting = place_split(app, {"S1": {"SERUM": 2}}, behind, awaiting={"S1": {"SERUM": 2}})
    moved = place_split(app, {"S1": {"SERUM": 1}}, behind, awaiting={"S1": {"SERUM": 1}})
    reroute_split(app, moved, "S1", {"S2": {"SERUM": 1}}, promised_by=ahead)
    flagged = place_split(app, {"S3": {"SERUM": 1}}, behind, awaiting={"S3": {"SERUM": 1}})
    change(app, flagged.id, lambda o: o.flag_unfulfillable("S3", "INCOMING_SHORT", "nothing elsewhere"))
    serve(app, waiting, "S1", still_awaiting={"SERUM": 1})
    project(app)
    # nothing the stores could not yet start is due, and so none of it overdue
    assert performance(app, queries, Scope(store_id="S1"), first, last).total == Figures()
    assert performance(app, queries, Scope(store_id="S3"), first, last).total == Figures()
    s2 = performance(app, queries, Scope(store_id="S2"), first, last).total
    assert (s2.due, s2.open, s2.overdue) == (1, 1, 0)

    serve(app, waiting, "S1")
    project(app)
    s1 = performance(app, queries, Scope(store_id="S1"), first, last)
    assert (s1.total.due, s1.total.open, s1.total.overdue) == (1, 1, 1)
    assert list(by_day(s1, "S1")) == [behind[:10]]  # the day of the promise its record holds
    steps(app, waiting.order_id, "S1", *DELIVERED_STEPS)
    project(app)
    s1 = performance(app, queries, Scope(store_id="S1"), first, last).total
    assert (s1.due, s1.on_time, s1.late, s1.overdue) == (1, 0, 1, 0)
    assert not verify(queries.reader.engine, ON_TIME.event_log(app)).differences

    assert_rebuilt_event_by_event_alike(app)


def assert_rebuilt_event_by_event_alike(app) -> None:
    """Rebuilt one event per batch, the tables are those the batches made; verify agrees."""

    def tables(engine):
        with engine.connect() as connection:
            return [sorted(tuple(r)[:-1] for r in connection.execute(table.select())) for table in (shipments, days)]

    runner = ProjectionRunner(app.database_url, ON_TIME.event_log(app), ON_TIME, batch_size=1)
    try:
        batched = tables(runner.reader)
        assert runner.try_lead()
        runner.rebuild()
        assert tables(runner.reader) == batched
        assert not verify(runner.reader, ON_TIME.event_log(app)).differences
    finally:
        runner.release()
        runner.close()
