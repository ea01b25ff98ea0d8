"""Per-caller rate limits through the real gRPC server: a caller over its budget is refused
with RESOURCE_EXHAUSTED and a retry hint while another caller is served, and the refused call
changes nothing (the token bucket itself: tests/unit/test_rate_limits.py)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from domain.callers import OPS, POS
from protos.omo.v1 import inventory_pb2, pos_pb2
from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.gate.rate_limits import RateLimiter, RoleRate
from services.api.server import start_server
from tests.builders import PEOPLES_SQUARE, JINGAN_TEMPLE, FakeClock, receipt, refused, store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()  # frozen unless a test moves it: no refill between calls


@pytest.fixture
def limited(app, clock) -> Iterator[tuple[str, Cast]]:
    """A server whose POS callers may make 2 calls at once, then 4 a second."""
    running = start_server(app, port=0, admissions=(RateLimiter({POS: RoleRate.of(4, 2)}, clock=clock),))
    target = f"127.0.0.1:{running.port}"
    cast = Cast(app, label="rate-limit-tests")
    with OmoClient(target, tokens=cast) as ops:
        ops.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
        ops.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
        ops.inventory.ReceiveStock(receipt("S1", {"SERUM": 10}))
        ops.inventory.ReceiveStock(receipt("S2", {"SERUM": 10}))
    yield target, cast
    running.stop(grace=1)


def on_hand(client: OmoClient, store_id: str) -> int:
    return client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=store_id, sku="SERUM")).position.on_hand


def adjust(store_id: str, delta: int) -> inventory_pb2.AdjustStockRequest:
    return inventory_pb2.AdjustStockRequest(store_id=store_id, sku="SERUM", delta=delta, reason="recount")


def test_a_caller_over_its_budget_is_refused_with_a_retry_hint_while_another_is_served(limited, clock):
    target, cast = limited
    with (
        OmoClient(target, token=cast.token(POS, store_id="S1")) as s1,
        OmoClient(target, token=cast.token(POS, store_id="S2")) as s2,
        OmoClient(target, token=cast.token(OPS)) as ops,
    ):
        s1.inventory.AdjustStock(adjust("S1", -1))
        s1.inventory.AdjustStock(adjust("S1", -1))
        error = refused(s1.inventory.AdjustStock, adjust("S1", -1))
        assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "retry after 0.25 s" in error.details()
        assert ("retry-after-ms", "250") in tuple(error.trailing_metadata())
        assert on_hand(ops, "S1") == 8  # the refused call changed nothing

        s2.inventory.AdjustStock(adjust("S2", -1))  # another caller, its own budget
        assert on_hand(ops, "S2") == 9

        clock.advance(250)
        s1.inventory.AdjustStock(adjust("S1", -1))
        assert on_hand(ops, "S1") == 7


def test_each_message_of_a_pos_stream_is_paid_for_and_the_one_over_budget_is_not_applied(limited, clock):
    """The stream itself takes one call's budget, each message one more: with a burst of 2
    the first batch is applied and the second refused, with the hint in the trailers."""
    target, cast = limited
    batches = [
        pos_pb2.SyncStockRequest(store_id="S1", movements=[
            pos_pb2.StockMovement(movement_id=f"m{i}", kind=pos_pb2.SALE, sku="SERUM", quantity=1, occurred_at=Timestamp(seconds=1_790_000_000 + i)),
        ])
        for i in range(2)
    ]
    with OmoClient(target, token=cast.token(POS, store_id="S1")) as s1, OmoClient(target, token=cast.token(OPS)) as ops:
        call = s1.pos.SyncStock(iter(batches))
        first = next(call)
        assert first.applied == 1
        with pytest.raises(grpc.RpcError) as caught:
            next(call)
        assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert ("retry-after-ms", "250") in tuple(caught.value.trailing_metadata())
        assert on_hand(ops, "S1") == 9
