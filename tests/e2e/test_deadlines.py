"""Server-side deadlines through the real gRPC server: a POS stream that goes quiet, or lasts
too long, and a watch that lasts too long, end with DEADLINE_EXCEEDED saying why; the thread
reading a stream ends with it (the stream reader alone: tests/unit/test_deadlines.py; the
database's timeouts: tests/integration/test_deadlines.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import pos_pb2, stock_query_pb2
from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.server import start_server
from services.api.stream_limits import StreamLimits
from tests.builders import PEOPLES_SQUARE, position, receipt, store
from tests.unit.test_deadlines import readers, wait_until


@pytest.fixture
def hurried(app) -> Iterator[OmoClient]:
    """Watches last 0.5 s; POS streams 0.3 s without a message, 1.5 s in all."""
    running = start_server(app, port=0, stream_limits=StreamLimits(watch_max_seconds=0.5, sync_idle_seconds=0.3, sync_max_seconds=1.5))
    with OmoClient(f"127.0.0.1:{running.port}", tokens=Cast(app, label="deadline-tests")) as client:
        client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
        client.inventory.ReceiveStock(receipt("S1", {"SERUM": 10}))
        yield client
    running.stop(grace=1)


def sale(i: int) -> pos_pb2.SyncStockRequest:
    return pos_pb2.SyncStockRequest(store_id="S1", movements=[
        pos_pb2.StockMovement(movement_id=f"m{i}", kind=pos_pb2.SALE, sku="SERUM", quantity=1, occurred_at=Timestamp(seconds=1_790_000_000 + i)),
    ])


def test_a_pos_stream_that_goes_quiet_is_ended_with_deadline_exceeded(hurried):
    release = threading.Event()

    def one_then_quiet():
        yield sale(1)
        release.wait(10)

    try:
        call = hurried.pos.SyncStock(one_then_quiet(), timeout=10)
        assert next(call).applied == 1
        with pytest.raises(grpc.RpcError) as caught:
            next(call)
    finally:
        release.set()
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "nothing was sent for 0.3 s" in caught.value.details()
    assert position(hurried, "S1", "SERUM").on_hand == 9  # what was acknowledged stays applied
    assert wait_until(lambda: not readers())


def test_a_pos_stream_that_lasts_too_long_is_ended(hurried):
    def steady():
        for i in range(100):
            time.sleep(0.1)
            yield sale(i)

    started = time.monotonic()
    acked = 0
    with pytest.raises(grpc.RpcError) as caught:
        for response in hurried.pos.SyncStock(steady(), timeout=10):
            acked += response.applied
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "at most 1.5 s" in caught.value.details()
    assert 1.5 <= time.monotonic() - started < 5
    assert position(hurried, "S1", "SERUM").on_hand == 10 - acked


def test_a_watch_ends_after_its_maximum_duration(hurried):
    started = time.monotonic()
    stream = hurried.stock.WatchStock(stock_query_pb2.WatchStockRequest(), timeout=10)
    with pytest.raises(grpc.RpcError) as caught:
        for _ in stream:
            pass
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "a watch lasts at most 0.5 s" in caught.value.details()
    assert 0.5 <= time.monotonic() - started < 5
