"""The gate in front of every RPC, through the real server on SQLite and PostgreSQL: who is
calling, may it, and does a refusal change nothing."""

from __future__ import annotations

from datetime import datetime, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from protos.omo.v1 import dealers_pb2, inventory_pb2, pos_pb2, stores_pb2
from services.client.client import OmoClient
from services.use_cases.network.tokens import revoke_token
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, receipt, register_dealers, store


@pytest.fixture
def two_stores(client):
    register_dealers(client, "D1", "D2")
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, dealer_id="D1"))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, dealer_id="D2"))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM": 5}))
    return client


def as_caller(server, token: str | None) -> OmoClient:
    return OmoClient(f"127.0.0.1:{server.port}", token=token)


def on_hand(client, store_id: str, sku: str = "SERUM") -> int:
    return client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=store_id, sku=sku)).position.on_hand


def test_health_and_reflection_need_no_token_and_everything_else_does(server, two_stores):
    with as_caller(server, None) as nobody:
        assert nobody.health.Check(health_pb2.HealthCheckRequest()).status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(nobody.channel)
        listed = next(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
        assert any(s.name == "omo.v1.OrderService" for s in listed.list_services_response.service)
        with pytest.raises(grpc.RpcError) as refusal:
            nobody.stores.ListStores(stores_pb2.ListStoresRequest())
        assert refusal.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "omo tokens issue" in refusal.value.details()


def test_a_revoked_token_is_refused_on_its_next_call(app, server, two_stores, cast):
    token = cast.token("pos", "S1")
    with as_caller(server, token) as pos:
        pos.inventory.ReceiveStock(receipt("S1", {"SERUM": 1}, movement_id="m1"))
        revoke_token(app, token.split("_")[1], "terminal stolen")
        with pytest.raises(grpc.RpcError) as refusal:
            pos.inventory.ReceiveStock(receipt("S1", {"SERUM": 1}, movement_id="m2"))
    assert refusal.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "revoked" in refusal.value.details()
    assert on_hand(two_stores, "S1") == 6


def test_a_pos_stream_naming_another_store_is_cut_at_that_message_and_applies_nothing_of_it(app, server, two_stores, cast):
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(timezone.utc))

    def batch(store_id: str, movement_id: str) -> pos_pb2.SyncStockRequest:
        return pos_pb2.SyncStockRequest(store_id=store_id, movements=[
            pos_pb2.StockMovement(movement_id=movement_id, kind=pos_pb2.SALE, sku="SERUM", quantity=1, occurred_at=stamp),
        ])

    with as_caller(server, cast.token("pos", "S1")) as pos:
        answers = pos.pos.SyncStock(iter([batch("S1", "sale-1"), batch("S2", "sale-2")]))
        assert [a.outcome for a in next(answers).acks] == [pos_pb2.APPLIED]
        with pytest.raises(grpc.RpcError) as refusal:
            next(answers)
    assert refusal.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "store S1 only" in refusal.value.details()
    head = app.recorder.max_notification_id()
    assert on_hand(two_stores, "S1") == 4 and app.recorder.max_notification_id() == head
    with pytest.raises(grpc.RpcError):
        on_hand(two_stores, "S2")  # S2 never had a stock position: nothing was recorded there


def test_a_dealer_reads_a_store_only_while_it_owns_it(server, two_stores, cast):
    with as_caller(server, cast.token("dealer", dealer_id="D1")) as dealer:
        assert dealer.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1")).store.dealer_id == "D1"
        two_stores.dealers.ChangeStoreOwner(dealers_pb2.ChangeStoreOwnerRequest(store_id="S1", dealer_id="D2"))
        with pytest.raises(grpc.RpcError) as refusal:
            dealer.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1"))
    assert refusal.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_dealer_reads_its_own_statement_and_not_another_dealers(server, two_stores, cast):
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    with as_caller(server, cast.token("dealer", dealer_id="D1")) as dealer:
        dealer.dealers.GetStatement(dealers_pb2.GetStatementRequest(dealer_id="D1", month=month))
        for other in ("D2", "HQ"):
            with pytest.raises(grpc.RpcError) as refusal:
                dealer.dealers.GetStatement(dealers_pb2.GetStatementRequest(dealer_id=other, month=month))
            assert refusal.value.code() == grpc.StatusCode.PERMISSION_DENIED, other
            assert "dealer D1 only" in refusal.value.details()
