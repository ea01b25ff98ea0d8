"""GetStorePerformance over gRPC, on SQLite and PostgreSQL: each scope (store, dealer,
province, city), paging, read-your-writes, the range limit and bad dates, and who may ask
about what (a refusal tells nothing of other callers' stores and dealers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import grpc
import pytest

from projections.definitions import ON_TIME
from projections.runtime.runner import ProjectionRunner
from protos.omo.v1 import stock_query_pb2, stores_pb2
from services.client.client import OmoClient
from tests.builders import refused
from tests.on_time_builders import DELIVERED_STEPS, in_hours, open_stores, place, project, steps

STORES = {
    "S1": ("Shanghai", "Shanghai", "D1"),
    "S2": ("Shanghai", "Shanghai", ""),
    "S3": ("Zhejiang", "Hangzhou", "D1"),
    "S4": ("Zhejiang", "Ningbo", "D2"),
}
UP_TO_DATE = stock_query_pb2.Consistency(up_to_date=True)


@pytest.fixture
def promised(app) -> tuple[str, str]:
    """Per store: S1 one on time and one late, S2 one overdue, S3 one on time, S4 one open."""
    open_stores(app, STORES, dealers=("D1", "D2"))
    ahead, behind = in_hours(3), in_hours(-3)
    for key, store_id, promise, done in (
        ("s1-on-time", "S1", ahead, True), ("s1-late", "S1", behind, True), ("s2-overdue", "S2", behind, False),
        ("s3-on-time", "S3", ahead, True), ("s4-open", "S4", ahead, False),
    ):
        order_id = place(app, key, store_id, promise)
        if done:
            steps(app, order_id, store_id, *DELIVERED_STEPS)
    found = sorted(p[:10] for p in (ahead, behind))
    return found[0], found[-1]


@pytest.fixture
def runner(app) -> Iterator[ProjectionRunner]:
    r = ProjectionRunner(app.database_url, ON_TIME.event_log(app), ON_TIME, poll_interval=0.01)
    r.start()
    yield r
    r.shutdown(10)


def ask(client, dates: tuple[str, str], **scope) -> stores_pb2.GetStorePerformanceResponse:
    return client.stores.GetStorePerformance(stores_pb2.GetStorePerformanceRequest(
        from_date=dates[0], to_date=dates[1], consistency=UP_TO_DATE, **scope,
    ))


def counts(f: stores_pb2.PerformanceFigures) -> tuple[int, ...]:
    return (f.due, f.on_time, f.late, f.open, f.overdue)


def test_each_scope_answers_its_stores_with_totals_and_freshness(client, promised, runner):
    store = ask(client, promised, store_id="S1")
    assert [s.store_id for s in store.stores] == ["S1"] and store.store_count == 1
    assert counts(store.total) == (2, 1, 1, 0, 0) and store.total.on_time_per_mille == 500
    assert sum(d.figures.due for d in store.stores[0].days) == 2
    assert store.freshness.position == store.freshness.head and store.freshness.lag_events == 0
    assert store.as_of.seconds > 0

    dealer = ask(client, promised, dealer_id="D1")
    assert [(s.store_id, counts(s.total)) for s in dealer.stores] == [("S1", (2, 1, 1, 0, 0)), ("S3", (1, 1, 0, 0, 0))]
    assert counts(dealer.total) == (3, 2, 1, 0, 0) and dealer.total.on_time_per_mille == 667

    province = ask(client, promised, region=stores_pb2.PerformanceRegion(province="Shanghai"))
    assert [s.store_id for s in province.stores] == ["S1", "S2"]
    assert counts(province.total) == (3, 1, 1, 1, 1) and province.total.on_time_per_mille == 333

    city = ask(client, promised, region=stores_pb2.PerformanceRegion(province="Zhejiang", city="Ningbo"))
    assert [(s.store_id, counts(s.total)) for s in city.stores] == [("S4", (1, 0, 0, 1, 0))]
    assert not city.total.HasField("on_time_per_mille")  # nothing settled yet


@pytest.fixture
def projected(app, promised) -> tuple[str, str]:
    project(app)
    return promised


def test_pages_of_stores_keep_the_totals_and_refuse_another_querys_token(client, projected):
    region = stores_pb2.PerformanceRegion(province="Zhejiang")
    first = client.stores.GetStorePerformance(stores_pb2.GetStorePerformanceRequest(
        region=region, from_date=projected[0], to_date=projected[1], page_size=1,
    ))
    assert [s.store_id for s in first.stores] == ["S3"] and first.next_page_token and first.store_count == 2
    second = client.stores.GetStorePerformance(stores_pb2.GetStorePerformanceRequest(
        region=region, from_date=projected[0], to_date=projected[1], page_size=1, page_token=first.next_page_token,
    ))
    assert [s.store_id for s in second.stores] == ["S4"] and not second.next_page_token
    assert counts(first.total) == counts(second.total) == (2, 1, 0, 1, 0)
    error = refused(client.stores.GetStorePerformance, stores_pb2.GetStorePerformanceRequest(
        region=stores_pb2.PerformanceRegion(province="Shanghai"), from_date=projected[0], to_date=projected[1],
        page_token=first.next_page_token,
    ))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "another query" in error.details()


def test_bad_ranges_and_scopes_are_refused_with_what_to_do(client, projected):
    today = date.today()

    def refusal(**fields) -> grpc.RpcError:
        return refused(client.stores.GetStorePerformance, stores_pb2.GetStorePerformanceRequest(**fields))

    too_long = refusal(store_id="S1", from_date=str(today), to_date=str(today + timedelta(days=31)))
    assert too_long.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "32 days; at most 31 days" in too_long.details() and "to_date" in too_long.details()
    backwards = refusal(store_id="S1", from_date=str(today), to_date=str(today - timedelta(days=1)))
    assert backwards.code() == grpc.StatusCode.INVALID_ARGUMENT and "before from_date" in backwards.details()
    for bad in ("2026-13-01", "1.12.2026", "", "2026-12-1"):
        error = refusal(store_id="S1", from_date=bad, to_date=str(today))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "from_date" in error.details(), bad
    no_scope = refusal(from_date=str(today), to_date=str(today))
    assert no_scope.code() == grpc.StatusCode.INVALID_ARGUMENT and "exactly one of store_id, dealer_id or region" in no_scope.details()
    city_alone = refusal(region=stores_pb2.PerformanceRegion(city="Ningbo"), from_date=str(today), to_date=str(today))
    assert city_alone.code() == grpc.StatusCode.INVALID_ARGUMENT and "region.province" in city_alone.details()
    for scope, named in (({"store_id": "S9"}, "store 'S9'"), ({"dealer_id": "D9"}, "dealer 'D9'"),
                         ({"region": stores_pb2.PerformanceRegion(province="Tibet")}, "province 'Tibet'")):
        error = refusal(**scope, from_date=str(today), to_date=str(today))
        assert error.code() == grpc.StatusCode.NOT_FOUND and named in error.details()
    # a whole 31 days is fine
    assert client.stores.GetStorePerformance(stores_pb2.GetStorePerformanceRequest(
        store_id="S1", from_date=str(today), to_date=str(today + timedelta(days=30)),
    )).store_count == 1


def test_a_pos_its_store_a_dealer_its_stores_ops_any(server, cast, projected):
    def as_caller(token: str, **scope):
        with OmoClient(f"127.0.0.1:{server.port}", token=token) as caller:
            return caller.stores.GetStorePerformance(stores_pb2.GetStorePerformanceRequest(
                from_date=projected[0], to_date=projected[1], **scope,
            ))

    def refused_to(token: str, **scope) -> grpc.RpcError:
        with pytest.raises(grpc.RpcError) as caught:
            as_caller(token, **scope)
        return caught.value

    pos, dealer, ops = cast.token("pos", store_id="S1"), cast.token("dealer", dealer_id="D1"), cast.token("ops")
    checkout = cast.token("checkout")
    assert counts(as_caller(pos, store_id="S1").total) == (2, 1, 1, 0, 0)
    assert [s.store_id for s in as_caller(dealer, dealer_id="D1").stores] == ["S1", "S3"]
    assert as_caller(dealer, store_id="S3").store_count == 1
    assert as_caller(ops, dealer_id="D2").store_count == 1
    # another store or dealer, and any region: refused
    for token, scope in (
        (pos, {"store_id": "S2"}), (pos, {"store_id": "S9"}), (pos, {"dealer_id": "D1"}),
        (pos, {"region": stores_pb2.PerformanceRegion(province="Shanghai")}),
        (dealer, {"dealer_id": "D2"}), (dealer, {"dealer_id": "D9"}), (dealer, {"store_id": "S4"}), (dealer, {"store_id": "S9"}),
        (dealer, {"region": stores_pb2.PerformanceRegion(province="Zhejiang")}),
        (checkout, {"store_id": "S1"}),
    ):
        error = refused_to(token, **scope)
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED, (scope, error.details())
    # one that exists is refused in the same words as one that does not: nothing told
    for token, field, existing, missing in ((pos, "store_id", "S2", "S9"), (dealer, "dealer_id", "D2", "D9"), (dealer, "store_id", "S4", "S9")):
        told = refused_to(token, **{field: existing}).details().replace(existing, "?")
        assert told == refused_to(token, **{field: missing}).details().replace(missing, "?")
