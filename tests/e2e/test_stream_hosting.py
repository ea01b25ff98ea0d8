"""Held streams beside unary calls through the real gRPC server: WatchStock and SyncStock
streams held open, more of them than the server has unary workers, do not keep a unary call
from its answer; the server holds at most its maximum of streams, refuses one more with
RESOURCE_EXHAUSTED and takes one again when a held stream ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2

from protos.omo.v1 import pos_pb2, stock_query_pb2, stores_pb2
from services.api.server import RunningServer, start_server
from services.api.stream_limits import StreamLimits
from services.client.cast import Cast
from services.client.client import OmoClient
from tests.builders import PEOPLES_SQUARE, receipt, store
from tests.unit.test_deadlines import wait_until

WORKERS = 4


class HeldStreams:
    """Streams opened and kept open until the test ends. Their first answers are awaited on
    threads of the test's own, so a stream the server does not serve fails the test instead
    of blocking it."""

    def __init__(self, client: OmoClient):
        self.client = client
        self.release = threading.Event()
        self.calls: list[grpc.Future] = []
        self.readers = futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="test-first-answer")
        self.first_answers: list[futures.Future] = []

    def watch(self) -> futures.Future:
        return self._held(self.client.stock.WatchStock(stock_query_pb2.WatchStockRequest(), timeout=120))

    def sync(self, number: int) -> futures.Future:
        release = self.release

        def one_batch_then_quiet() -> Iterator[pos_pb2.SyncStockRequest]:
            yield pos_pb2.SyncStockRequest(store_id="S1", movements=[pos_pb2.StockMovement(
                movement_id=f"held-{number}", kind=pos_pb2.SALE, sku="SERUM", quantity=1,
                occurred_at=Timestamp(seconds=1_790_000_000 + number),
            )])
            release.wait(120)

        return self._held(self.client.pos.SyncStock(one_batch_then_quiet(), timeout=120))

    def _held(self, call: grpc.Future) -> futures.Future:
        self.calls.append(call)
        first = self.readers.submit(next, call)
        self.first_answers.append(first)
        return first

    def all_served(self, seconds: float) -> bool:
        done, _ = futures.wait(self.first_answers, timeout=seconds)
        return len(done) == len(self.first_answers) and all(f.exception() is None for f in done)

    def end(self) -> None:
        self.release.set()
        for call in self.calls:
            call.cancel()
        self.readers.shutdown(wait=False, cancel_futures=True)


def serving(app, **options) -> Iterator[tuple[OmoClient, HeldStreams, RunningServer]]:
    running = start_server(app, port=0, workers=WORKERS, **options)
    with OmoClient(f"127.0.0.1:{running.port}", tokens=Cast(app, label="hosting-tests")) as client:
        client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
        client.inventory.ReceiveStock(receipt("S1", {"SERUM": 100}))
        held = HeldStreams(client)
        try:
            yield client, held, running
        finally:
            held.end()
    running.stop(grace=1)


@pytest.fixture
def few_workers(app):
    yield from serving(app)


@pytest.fixture
def two_streams(app):
    """At most two streams at once; a watch lasts 1 s."""
    yield from serving(app, stream_limits=StreamLimits(max_streams=2, watch_max_seconds=1))


def test_held_streams_beyond_the_unary_workers_leave_unary_calls_answered(few_workers):
    client, held, running = few_workers
    for number in range(WORKERS + 2):
        held.watch()
        held.sync(number)
    served = held.all_served(seconds=10)
    started = time.monotonic()
    for _ in range(5):
        stores = client.stores.ListStores(stores_pb2.ListStoresRequest(), timeout=5)
        assert [s.store_id for s in stores.stores] == ["S1"]
    assert time.monotonic() - started < 2.5
    assert served
    # one more stream of each kind is served beside them
    assert held.watch().result(timeout=10).freshness.head > 0
    assert held.sync(99).result(timeout=10).applied == 1
    assert running.streams.held == 2 * (WORKERS + 3)
    # a waiting watch holds no database connection: the last one may still be handing its
    # connection back just after its first answer went out, so wait for that, not longer
    deadline = time.monotonic() + 5
    while running.stock.queries.engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert running.stock.queries.engine.pool.checkedout() == 0


def refusal(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        next(call)
    return caught.value


def test_a_server_holding_its_maximum_of_streams_refuses_one_more_until_one_ends(two_streams):
    client, held, running = two_streams
    held.sync(1)
    held.sync(2)
    assert held.all_served(seconds=10)
    for call in (
        client.stock.WatchStock(stock_query_pb2.WatchStockRequest(), timeout=10),
        client.pos.SyncStock(iter([pos_pb2.SyncStockRequest(store_id="S1")]), timeout=10),
    ):
        refused = refusal(call)
        assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert refused.details() == "this server holds its maximum of 2 streams; retry later or on another server"
    assert client.stores.ListStores(stores_pb2.ListStoresRequest(), timeout=5).stores
    # the health Watch answers through callbacks, holding no thread: it is neither hosted nor counted
    health = client.health.Watch(health_pb2.HealthCheckRequest(), timeout=10)
    assert next(health).status == health_pb2.HealthCheckResponse.SERVING
    health.cancel()
    assert running.streams.held == 2

    held.calls[0].cancel()  # the POS ends its stream: the slot is free at once
    assert wait_until(lambda: running.streams.held == 1)
    assert held.watch().result(timeout=10).freshness.head > 0
    assert running.streams.held == 2

    # the server ends the watch at its maximum duration: that frees a slot too
    assert refusal(held.calls[-1]).code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert wait_until(lambda: running.streams.held == 1)
    assert held.sync(3).result(timeout=10).applied == 1
