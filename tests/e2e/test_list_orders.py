"""OrderService.ListOrders over gRPC: each filter and their combinations, newest first;
paging through every order exactly once; a page token only continues its own query; clear
refusals of bad input; freshness and read-your-writes; who may list what, refusals telling
nothing of other stores."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import grpc
import pytest

from protos.omo.v1 import orders_pb2 as pb
from protos.omo.v1 import common_pb2, stock_query_pb2
from services.client.client import OmoClient
from services.use_cases.ordering.fulfilment import accept_order, confirm_payment
from services.use_cases.ordering.orders import cancel_order, get_order
from domain.values import Money
from tests.builders import refused, register_dealers_in
from tests.order_list_builders import network, order_list_runner, place, place_promised

UP_TO_DATE = stock_query_pb2.Consistency(up_to_date=True)


@pytest.fixture
def runner(app) -> Iterator:
    r = order_list_runner(app)
    yield r
    r.shutdown()


@pytest.fixture
def shop(app, runner) -> dict[str, str]:
    """S1 (dealer D1) in Shanghai, S2 (dealer D2), S3 (HQ); orders of C1 and C2, one paid and
    accepted, one cancelled, one split over S1 and S2 with a promise; all applied."""
    register_dealers_in(app, "D1", "D2")
    network(app, dealers={"S1": "D1", "S2": "D2"})
    orders = {
        "a": place(app, "a", customer="C1"),
        "b": place(app, "b", customer="C2"),
        "c": place(app, "c", customer="C1"),
        "split": place_promised(app, "split", [("S1", 1, "2026-12-02T20:35:00+08:00"), ("S2", 1, "2026-12-02T20:30:00+08:00")], customer="C2"),
    }
    confirm_payment(app, orders["a"].order_id, "pay-a", Money(orders["a"].total_cents, "CNY"))
    accept_order(app, orders["a"].order_id, "S1")
    cancel_order(app, orders["b"].order_id, "changed mind")
    runner.catch_up()
    return {name: o.order_id for name, o in orders.items()}


def list_orders(client, **fields) -> pb.ListOrdersResponse:
    return client.orders.ListOrders(pb.ListOrdersRequest(**fields))


def ids(response) -> list[str]:
    return [o.order_id for o in response.orders]


def newest_first(app, *order_ids: str) -> list[str]:
    return sorted(order_ids, key=lambda i: (get_order(app, i).created_on, i), reverse=True)


def test_each_filter_and_their_combinations(app, shop, client):
    a, b, c, split = shop["a"], shop["b"], shop["c"], shop["split"]
    assert ids(list_orders(client, customer_id="C1")) == newest_first(app, a, c)
    assert ids(list_orders(client, store_id="S1")) == newest_first(app, a, b, c, split)
    assert ids(list_orders(client, store_id="S2")) == [split]
    assert ids(list_orders(client, status=pb.CANCELLED)) == [b]
    assert ids(list_orders(client, customer_id="C1", status=pb.ACCEPTED)) == [a]
    assert ids(list_orders(client, customer_id="C2", status=pb.ALLOCATED)) == [split]
    day = get_order(app, a).created_on.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert a in ids(list_orders(client, store_id="S1", date=day, status=pb.ACCEPTED))
    assert ids(list_orders(client, store_id="S1", date="2001-01-01")) == []
    assert len(ids(list_orders(client))) == 4  # ops: everything

    listed = {o.order_id: o for o in list_orders(client, customer_id="C2").orders}
    s = listed[split]
    assert (s.customer_id, s.status, s.fulfilment_mode, list(s.store_ids), s.total.cents, s.total.currency, s.paid, s.promised_by) == (
        "C2", pb.ALLOCATED, common_pb2.DELIVERY, ["S1", "S2"], 2 * 1990, "CNY", False,
        "2026-12-02T20:30:00+08:00",
    )
    assert s.placed_at == get_order(app, split).created_on.isoformat()
    assert listed[b].status == pb.CANCELLED and listed[b].promised_by == ""
    paid = list_orders(client, customer_id="C1", status=pb.ACCEPTED).orders[0]
    assert paid.paid


def test_paging_visits_every_order_exactly_once_newest_first(app, shop, client, runner):
    more = [place(app, f"p{i}", customer="C1").order_id for i in range(6)]
    runner.catch_up()
    expected = newest_first(app, shop["a"], shop["c"], *more)
    seen, token, pages = [], "", 0
    while True:
        page = list_orders(client, customer_id="C1", page_size=3, page_token=token)
        assert len(page.orders) <= 3
        seen += ids(page)
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert seen == expected and pages == 3


def test_a_page_token_continues_only_its_own_query(shop, client):
    token = list_orders(client, store_id="S1", page_size=1).next_page_token
    assert token
    for other in ({"store_id": "S2"}, {"store_id": "S1", "status": pb.ALLOCATED}, {"customer_id": "C1"}, {"store_id": "S1", "date": "2026-12-02"}):
        error = refused(client.orders.ListOrders, pb.ListOrdersRequest(page_token=token, page_size=1, **other))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "another query" in error.details() and "start again without page_token" in error.details()
    assert list_orders(client, store_id="S1", page_size=1, page_token=token).orders  # its own query goes on
    for made_up in ("not-a-token", "W10", token[:-4]):
        error = refused(client.orders.ListOrders, pb.ListOrdersRequest(store_id="S1", page_token=made_up))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "start again without" in error.details()


@pytest.mark.parametrize("fields, code, words", [
    ({"store_id": "S9"}, grpc.StatusCode.NOT_FOUND, "store 'S9' does not exist"),
    ({"store_id": "S1", "date": "2026-13-01"}, grpc.StatusCode.INVALID_ARGUMENT, "date: must be a calendar date 'YYYY-MM-DD'"),
    ({"store_id": "S1", "date": "20261201"}, grpc.StatusCode.INVALID_ARGUMENT, "date: must be a calendar date"),
    ({"store_id": "S1", "date": "yesterday"}, grpc.StatusCode.INVALID_ARGUMENT, "date: must be a calendar date"),
    ({"date": "2026-12-01"}, grpc.StatusCode.INVALID_ARGUMENT, "date: needs store_id"),
    ({"status": 99}, grpc.StatusCode.INVALID_ARGUMENT, "status: must be one of PLACED, ALLOCATED"),
    ({"customer_id": "C 1"}, grpc.StatusCode.INVALID_ARGUMENT, "customer_id: may contain only"),
    ({"store_id": "S1", "page_size": 501}, grpc.StatusCode.INVALID_ARGUMENT, "page_size"),
])
def test_bad_input_is_refused_with_what_to_do(shop, client, fields, code, words):
    error = refused(client.orders.ListOrders, pb.ListOrdersRequest(**fields))
    assert error.code() == code
    assert words in error.details()


def test_an_answer_says_how_fresh_it_is_and_can_wait_for_a_write(app, shop, client, runner):
    list_orders(client, customer_id="C1")  # the client's token is issued: an event
    runner.catch_up()
    head = app.recorder.max_notification_id()
    fresh = list_orders(client, customer_id="C1").freshness
    assert (fresh.position, fresh.head, fresh.lag_events, fresh.lag_ms) == (head, head, 0, 0)
    late = place(app, "late", customer="C1").order_id  # not applied: the runner is not running
    stale = list_orders(client, customer_id="C1")
    assert late not in ids(stale)
    # the order's events, not yet in the list (ids may have gaps: PostgreSQL's sequence)
    assert 0 < stale.freshness.lag_events <= stale.freshness.head - stale.freshness.position
    assert stale.freshness.position == head
    runner.start()
    waited = list_orders(client, customer_id="C1", consistency=UP_TO_DATE)
    assert ids(waited)[0] == late and waited.freshness.lag_events == 0


def test_a_read_your_writes_wait_that_runs_out_says_so(app, shop, client):
    place(app, "unapplied", customer="C1")
    error = refused(client.orders.ListOrders, pb.ListOrdersRequest(
        customer_id="C1", consistency=stock_query_pb2.Consistency(up_to_date=True, wait_timeout_ms=50),
    ))
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED and "the order list reached position" in error.details()


def test_who_may_list_what(app, shop, server, cast):
    def as_caller(token: str, **fields):
        with OmoClient(f"127.0.0.1:{server.port}", token=token) as c:
            return c.orders.ListOrders(pb.ListOrdersRequest(**fields))

    def refusal(token: str, **fields) -> grpc.RpcError:
        with OmoClient(f"127.0.0.1:{server.port}", token=token) as c:
            return refused(c.orders.ListOrders, pb.ListOrdersRequest(**fields))

    checkout, pos_s1, pos_s2 = cast.token("checkout"), cast.token("pos", store_id="S1"), cast.token("pos", store_id="S2")
    d1, d2 = cast.token("dealer", dealer_id="D1"), cast.token("dealer", dealer_id="D2")
    assert set(ids(as_caller(checkout, customer_id="C1"))) == {shop["a"], shop["c"]}
    assert ids(as_caller(pos_s2, store_id="S2")) == [shop["split"]]
    assert len(ids(as_caller(d1, store_id="S1", customer_id="C1"))) == 2
    assert len(ids(as_caller(cast.token("ops")))) == 4

    for token, fields in (
        (checkout, {}), (checkout, {"store_id": "S1"}), (pos_s1, {}), (pos_s1, {"customer_id": "C1"}), (d1, {"status": pb.ALLOCATED}),
    ):
        error = refusal(token, **fields)
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED, fields
        assert ("customer_id" if token == checkout else "store_id") in error.details()
    # another store's orders and a store that does not exist are refused in the same words
    for token, own in ((pos_s2, "store S2"), (d2, "dealer D2")):
        with_orders, no_store = refusal(token, store_id="S1"), refusal(token, store_id="S9")
        assert with_orders.code() == no_store.code() == grpc.StatusCode.PERMISSION_DENIED
        assert with_orders.details().replace("S1", "S9") == no_store.details()
        assert own in with_orders.details()
    assert refusal(d1, store_id="S2").code() == grpc.StatusCode.PERMISSION_DENIED
