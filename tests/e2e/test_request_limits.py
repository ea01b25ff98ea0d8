"""Request limits through the real gRPC server: an over-limit request gets INVALID_ARGUMENT
and changes nothing; a POS stream carrying too many movements in all is ended with
RESOURCE_EXHAUSTED; the message size is configurable (the limits of every request, found by
walking the descriptors: tests/unit/test_request_limits.py)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import inventory_pb2, pos_pb2, stores_pb2
from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.server import start_server
from services.api.stream_limits import StreamLimits
from tests.builders import PEOPLES_SQUARE, line, order, position, receipt, refused, store


@pytest.fixture
def shanghai(client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM": 10}))
    return client


def movement(i: int, sku: str = "SERUM", reason: str = "") -> pos_pb2.StockMovement:
    return pos_pb2.StockMovement(
        movement_id=f"m{i}", kind=pos_pb2.SALE, sku=sku, quantity=1, reason=reason, occurred_at=Timestamp(seconds=1_790_000_000 + i),
    )


def test_over_limit_requests_are_invalid_arguments_that_change_nothing(shanghai):
    before = position(shanghai, "S1", "SERUM")
    cases = [
        (shanghai.orders.PlaceOrder, order("k1", PEOPLES_SQUARE, *[line(f"SKU-{i}", 1) for i in range(101)]), "lines", "at most 100"),
        (shanghai.inventory.ReceiveStock, receipt("S1", {"SERUM": 1, "X" * 200: 1}), "lines[1].sku", "at most 128"),
        (shanghai.inventory.AdjustStock, inventory_pb2.AdjustStockRequest(store_id="S1", sku="SERUM", delta=-1, reason="r" * 1001), "reason", "at most 1000"),
        (shanghai.stores.UpsertStore, store("S9", PEOPLES_SQUARE, name="n" * 1001), "name", "at most 1000"),
    ]
    for call, request, field, limit in cases:
        error = refused(call, request)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error.details().startswith(f"{field}: ") and limit in error.details(), error.details()
    batch = pos_pb2.SyncStockRequest(store_id="S1", movements=[movement(i) for i in range(1001)])
    with pytest.raises(grpc.RpcError) as caught:
        list(shanghai.pos.SyncStock(iter([batch])))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details() == "movements: has 1001 entries; at most 1000 allowed"
    assert position(shanghai, "S1", "SERUM") == before
    assert refused(shanghai.stores.GetStore, stores_pb2.GetStoreRequest(store_id="S9")).code() == grpc.StatusCode.NOT_FOUND


@pytest.fixture
def small_server(app) -> Iterator[OmoClient]:
    """Streams may carry 5 movements in all; messages may be 2 KiB."""
    running = start_server(app, port=0, stream_limits=StreamLimits(sync_max_movements=5), max_message_bytes=2048)
    with OmoClient(f"127.0.0.1:{running.port}", tokens=Cast(app, label="limit-tests")) as client:
        client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
        client.inventory.ReceiveStock(receipt("S1", {"SERUM": 10}))
        yield client
    running.stop(grace=1)


def test_a_pos_stream_over_its_movements_in_all_is_resource_exhausted_and_the_rest_not_applied(small_server):
    batches = [pos_pb2.SyncStockRequest(store_id="S1", movements=[movement(3 * b + i) for i in range(3)]) for b in range(2)]
    call = small_server.pos.SyncStock(iter(batches))
    assert next(call).applied == 3
    with pytest.raises(grpc.RpcError) as caught:
        next(call)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "at most 5" in caught.value.details() and "new stream" in caught.value.details()
    assert position(small_server, "S1", "SERUM").on_hand == 7
    # a new stream carries on
    assert [r.applied for r in small_server.pos.SyncStock(iter(batches[1:]))] == [3]
    assert position(small_server, "S1", "SERUM").on_hand == 4


def test_the_largest_message_is_configurable(small_server):
    error = refused(small_server.inventory.ReceiveStock, receipt("S1", {f"SKU-{i:04d}": 1 for i in range(200)}))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert position(small_server, "S1", "SERUM").on_hand == 10
