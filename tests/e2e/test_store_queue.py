"""The store's queue over gRPC: ListShipments (ordered by promise, filtered, paged, with its
freshness, clear refusals) and WatchShipments (replay from a position, live changes to their
own store only, reconnecting without a gap, a slow client told to reconnect)."""

from __future__ import annotations

import queue
import threading
import time

import grpc
import pytest

from protos.omo.v1 import fulfilment_pb2 as pb
from protos.omo.v1 import stock_query_pb2
from services.adapters import shipment_feed
from services.client.client import OmoClient
from services.use_cases.network.stores import upsert_store
from tests.builders import PEOPLES_SQUARE, JINGAN_TEMPLE, line, order, receipt, refused, store
from tests.integration.test_national_stock import profile
from tests.store_work_builders import change, pay, place, runner as new_runner, step

UP_TO_DATE = stock_query_pb2.Consistency(up_to_date=True)
LATE, SOON, LATER = "2020-01-01T10:00:00+08:00", "2099-12-02T20:35:00+08:00", "2099-12-02T21:00:00+08:00"


@pytest.fixture
def stores(app):
    for store_id in ("S1", "S2"):
        upsert_store(app, profile(store_id, dealer=""))
    return app


@pytest.fixture
def runner(app):
    r = new_runner(app)
    yield r
    r.shutdown()


def listed(client, **fields) -> pb.ListShipmentsResponse:
    return client.fulfilment.ListShipments(pb.ListShipmentsRequest(consistency=UP_TO_DATE, **fields), timeout=20)


class Watch:
    """A WatchShipments stream read on a thread of its own (so a test can wait with a timeout)."""

    def __init__(self, client: OmoClient, store_id: str, after: int = 0):
        self.call = client.fulfilment.WatchShipments(pb.WatchShipmentsRequest(store_id=store_id, after_position=after), timeout=60)
        self.inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for message in self.call:
                self.inbox.put(message)
        except grpc.RpcError as error:
            self.inbox.put(error)

    def next(self, timeout: float = 10.0):
        item = self.inbox.get(timeout=timeout)
        if isinstance(item, grpc.RpcError):
            raise item
        return item

    def history(self) -> list[pb.ShipmentChange]:
        """The changes replayed, up to the heartbeat that says the stream is live."""
        changes = []
        while (message := self.next()).HasField("change"):
            changes.append(message.change)
        return changes

    def changes(self, count: int) -> list[pb.ShipmentChange]:
        found = []
        while len(found) < count:
            message = self.next()
            if message.HasField("change"):
                found.append(message.change)
        return found

    def close(self) -> None:
        self.call.cancel()


# --- ListShipments ------------------------------------------------------------------------------

def test_the_queue_is_ordered_by_promise_then_order_id_with_no_promise_last(stores, runner, client):
    later = place(stores, {"S1": {"SERUM": 1}}, LATER)
    none = place(stores, {"S1": {"SERUM": 1}})
    soon = [place(stores, {"S1": {"SERUM": 1}}, SOON) for _ in range(2)]
    place(stores, {"S2": {"SERUM": 1}}, SOON)  # another store's
    runner.start()
    answer = listed(client, store_id="S1")
    expected = sorted(o.order_id for o in soon) + [later.order_id, none.order_id]
    assert [s.order_id for s in answer.shipments] == expected
    first = answer.shipments[0]
    assert (first.store_id, first.status, first.paid, first.promised_by, first.fulfilment_mode) == ("S1", pb.STORE_ALLOCATED, False, SOON, 1)
    assert [(l.sku, l.quantity) for l in first.lines] == [("SERUM", 1)] and first.HasField("allocated_at") and not first.HasField("accepted_at")
    head = stores.recorder.max_notification_id()
    assert (answer.freshness.position, answer.freshness.head, answer.freshness.lag_events) == (head, head, 0)
    assert not answer.next_page_token


def test_filters_by_status_due_time_and_overdue(stores, runner, client):
    late = place(stores, {"S1": {"SERUM": 1}}, LATE)
    soon = place(stores, {"S1": {"SERUM": 1}}, SOON)
    done_late = place(stores, {"S1": {"SERUM": 1}}, LATE)
    cancelled = place(stores, {"S1": {"SERUM": 1}}, SOON)
    for o in (soon, done_late):
        pay(stores, o)
        step(stores, o, "S1", "ACCEPTED")
    for to in ("PICKED", "HANDED_OVER", "DELIVERED"):
        step(stores, done_late, "S1", to)
    change(stores, cancelled.id, lambda o: o.cancel("changed mind"))
    runner.start()
    ids = lambda answer: [s.order_id for s in answer.shipments]  # noqa: E731
    assert ids(listed(client, store_id="S1")) == [late.order_id, soon.order_id]  # still to do
    assert ids(listed(client, store_id="S1", statuses=[pb.STORE_ACCEPTED])) == [soon.order_id]
    assert ids(listed(client, store_id="S1", statuses=[pb.STORE_DELIVERED, pb.STORE_CANCELLED])) == [done_late.order_id, cancelled.order_id]  # by promise
    due = listed(client, store_id="S1", statuses=[pb.STORE_ALLOCATED, pb.STORE_DELIVERED], due_before={"seconds": 1893456000})  # 2030
    assert ids(due) == sorted([late.order_id, done_late.order_id])  # the same promise: by order id
    overdue = listed(client, store_id="S1", overdue_only=True, statuses=[pb.STORE_ALLOCATED, pb.STORE_ACCEPTED, pb.STORE_DELIVERED])
    assert ids(overdue) == [late.order_id]
    delivered = listed(client, store_id="S1", statuses=[pb.STORE_DELIVERED]).shipments[0]
    assert all(delivered.HasField(f"{s}_at") for s in ("allocated", "accepted", "picked", "handed_over", "delivered"))


def test_pages_follow_each_other_and_a_token_is_bound_to_its_query(stores, runner, client):
    placed = [place(stores, {"S1": {"SERUM": 1}}, SOON if i % 2 else "") for i in range(5)]
    runner.start()
    seen, token = [], ""
    while True:
        page = listed(client, store_id="S1", page_size=2, page_token=token)
        assert len(page.shipments) <= 2
        seen += [s.order_id for s in page.shipments]
        if not (token := page.next_page_token):
            break
    assert seen == [s.order_id for s in listed(client, store_id="S1").shipments] and sorted(seen) == sorted(o.order_id for o in placed)
    token = listed(client, store_id="S1", page_size=2).next_page_token
    for other in ({"store_id": "S2"}, {"store_id": "S1", "overdue_only": True}, {"store_id": "S1", "statuses": [pb.STORE_PICKED]}):
        error = refused(client.fulfilment.ListShipments, pb.ListShipmentsRequest(page_size=2, page_token=token, **other))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "belongs to another query" in error.details()
    error = refused(client.fulfilment.ListShipments, pb.ListShipmentsRequest(store_id="S1", page_token="bm90LWEtdG9rZW4"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "start again without one" in error.details()


def test_an_unknown_store_and_bad_input_are_refused(stores, runner, client):
    error = refused(client.fulfilment.ListShipments, pb.ListShipmentsRequest(store_id="S404"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "S404" in error.details()
    error = refused(client.fulfilment.ListShipments, pb.ListShipmentsRequest(store_id="S1", statuses=[99]))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "statuses[0]" in error.details()
    for request, code in (
        (pb.WatchShipmentsRequest(store_id="S404"), grpc.StatusCode.NOT_FOUND),
        (pb.WatchShipmentsRequest(store_id="S1", after_position=-1), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.WatchShipmentsRequest(store_id="S1", after_position=10**9), grpc.StatusCode.FAILED_PRECONDITION),
    ):
        with pytest.raises(grpc.RpcError) as error:
            next(client.fulfilment.WatchShipments(request, timeout=10))
        assert error.value.code() == code, error.value.details()


def test_an_answer_says_how_far_behind_the_projection_is(stores, runner, client):
    place(stores, {"S1": {"SERUM": 1}}, SOON)
    runner.catch_up()
    place(stores, {"S1": {"SERUM": 1}}, SOON)  # not applied: the runner is not running
    answer = client.fulfilment.ListShipments(pb.ListShipmentsRequest(store_id="S1"))
    assert len(answer.shipments) == 1
    assert answer.freshness.lag_events == answer.freshness.head - answer.freshness.position > 0


# --- WatchShipments -----------------------------------------------------------------------------

def test_the_history_is_replayed_from_a_position(stores, runner, client):
    first = place(stores, {"S1": {"SERUM": 1}}, SOON)
    pay(stores, first)
    second = place(stores, {"S1": {"SERUM": 1}, "S2": {"CREAM": 1}})
    runner.catch_up()
    watch = Watch(client, "S1")
    try:
        history = watch.history()
    finally:
        watch.close()
    assert [(c.shipment.order_id, c.kind) for c in history] == [
        (first.order_id, pb.CHANGE_ALLOCATED), (first.order_id, pb.CHANGE_PAID), (second.order_id, pb.CHANGE_ALLOCATED),
    ]
    assert [c.position for c in history] == sorted(c.position for c in history) and history[1].shipment.paid
    assert history[2].shipment.status == pb.STORE_ALLOCATED and [(l.sku, l.quantity) for l in history[2].shipment.lines] == [("SERUM", 1)]
    watch = Watch(client, "S1", after=history[0].position)
    try:
        assert [c.position for c in watch.history()] == [c.position for c in history[1:]]
    finally:
        watch.close()


def test_a_new_order_reaches_its_own_store_live_and_no_other(app, runner, client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM": 5}))
    runner.start()
    at_s1, at_s2 = Watch(client, "S1"), Watch(client, "S2")
    try:
        assert at_s1.history() == [] and at_s2.history() == []
        placed = client.orders.PlaceOrder(order("live-1", PEOPLES_SQUARE, line("SERUM", 1))).order
        (live,) = at_s1.changes(1)
        assert (live.kind, live.shipment.order_id, live.shipment.store_id) == (pb.CHANGE_ALLOCATED, placed.order_id, "S1")
        with pytest.raises(queue.Empty):
            at_s2.next(timeout=1.0)
    finally:
        at_s1.close()
        at_s2.close()


def test_reconnecting_with_the_last_position_misses_nothing(stores, runner, client):
    runner.start()
    watch = Watch(client, "S1")
    watch.history()
    orders = [place(stores, {"S1": {"SERUM": 1}}, SOON) for _ in range(3)]
    seen = watch.changes(3)
    watch.close()
    for o in orders[:2]:
        pay(stores, o)  # while disconnected
    orders.append(place(stores, {"S1": {"SERUM": 1}}))
    again = Watch(client, "S1", after=seen[-1].position)
    try:
        replayed = again.history()
        kinds = [(c.shipment.order_id, c.kind) for c in replayed]
        while len(kinds) < 3:  # what the projection had not applied yet arrives live
            kinds += [(c.shipment.order_id, c.kind) for c in again.changes(1)]
    finally:
        again.close()
    assert [(c.shipment.order_id, c.kind) for c in seen] == [(o.order_id, pb.CHANGE_ALLOCATED) for o in orders[:3]]
    assert kinds == [(orders[0].order_id, pb.CHANGE_PAID), (orders[1].order_id, pb.CHANGE_PAID), (orders[3].order_id, pb.CHANGE_ALLOCATED)]


@pytest.fixture
def small_queues(monkeypatch):
    monkeypatch.setattr(shipment_feed, "QUEUE_SIZE", 4)


def test_a_slow_client_is_told_to_reconnect_and_then_misses_nothing(small_queues, stores, runner, server, cast):
    runner.start()
    # a client whose transport reads little ahead, so the server's sends wait for it
    options = [("grpc.http2.lookahead_bytes", 1024), ("grpc.http2.bdp_probe", 0)]
    with OmoClient(f"127.0.0.1:{server.port}", tokens=cast, options=options) as slow:
        call = slow.fulfilment.WatchShipments(pb.WatchShipmentsRequest(store_id="S1"), timeout=60)
        assert not next(call).HasField("change")  # live
        placed = []
        for _ in range(4):
            batch = [place_unsaved(stores) for _ in range(250)]
            stores.save(*batch)
            placed += batch
        time.sleep(1.0)  # the feed hands them out while the client reads nothing
        received = []
        with pytest.raises(grpc.RpcError) as ended:
            for message in call:
                if message.HasField("change"):
                    received.append(message.change)
        assert ended.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        last = received[-1].position if received else 0
        assert f"reconnect with after_position={last}" in ended.value.details()
        assert len(received) < len(placed)
        rest = slow.fulfilment.WatchShipments(pb.WatchShipmentsRequest(store_id="S1", after_position=last), timeout=60)
        for message in rest:
            if not message.HasField("change"):
                break
            received.append(message.change)
        rest.cancel()
    assert sorted(c.shipment.order_id for c in received) == sorted(o.order_id for o in placed)


def place_unsaved(app):
    """An order like `place` makes, left for the caller to save with others in one write."""
    saved = app.save
    app.save = lambda *objs: None
    try:
        return place(app, {"S1": {"SERUM": 1}}, SOON)
    finally:
        app.save = saved
