"""A store's POS streaming its movements through the real gRPC server, on SQLite and
PostgreSQL: acknowledgements, resends, counts, refused batches, and online orders moved off
units the counter sold."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import orders_pb2, pos_pb2
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, line, order, position, receipt, store

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def at(minutes: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(T0 + timedelta(minutes=minutes))
    return stamp


def movement(movement_id: str, kind: str, sku: str, quantity: int, minute: float, **fields) -> pos_pb2.StockMovement:
    return pos_pb2.StockMovement(
        movement_id=movement_id, kind=pos_pb2.MovementKind.Value(kind), sku=sku, quantity=quantity, occurred_at=at(minute), **fields
    )


def sync(client, store_id: str, *batches: list[pos_pb2.StockMovement]) -> list[pos_pb2.SyncStockResponse]:
    """Streams the batches on one stream; returns one response per batch."""
    requests = (pos_pb2.SyncStockRequest(store_id=store_id, movements=batch) for batch in batches)
    return list(client.pos.SyncStock(requests))


def outcomes(response: pos_pb2.SyncStockResponse) -> list[str]:
    return [pos_pb2.MovementOutcome.Name(a.outcome) for a in response.acks]


@pytest.fixture
def shanghai(client):
    """S1 at People's Square (nearest to its customers), S2 at Jing'an Temple, both delivering 5 km."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    return client


def test_each_movement_is_acknowledged_and_applied_in_the_pos_order(shanghai):
    [response] = sync(shanghai, "S1", [
        movement("m1", "RECEIPT", "SERUM-02", 10, 1),
        movement("m2", "SALE", "SERUM-02", 3, 2),
        movement("m3", "DAMAGE", "SERUM-02", 1, 3),
        movement("m4", "RETURN", "SERUM-02", 2, 4),
    ])
    assert outcomes(response) == ["APPLIED"] * 4
    assert [a.movement_id for a in response.acks] == ["m1", "m2", "m3", "m4"]
    assert all(a.on_hand == 8 for a in response.acks)
    assert (response.applied, response.duplicates) == (4, 0)
    assert position(shanghai, "S1", "SERUM-02").on_hand == 8


def test_a_resent_stream_is_acknowledged_as_duplicates_and_changes_nothing(shanghai):
    batch = [movement("m1", "RECEIPT", "SERUM-02", 10, 1), movement("m2", "SALE", "SERUM-02", 3, 2)]
    sync(shanghai, "S1", batch)
    [again, overlapping] = sync(shanghai, "S1", batch, [movement("m2", "SALE", "SERUM-02", 3, 2), movement("m3", "SALE", "SERUM-02", 1, 5)])
    assert outcomes(again) == ["DUPLICATE", "DUPLICATE"] and again.duplicates == 2
    assert outcomes(overlapping) == ["DUPLICATE", "APPLIED"]
    assert position(shanghai, "S1", "SERUM-02").on_hand == 6


def test_a_count_holds_every_movement_that_happened_before_it(shanghai):
    sync(shanghai, "S1", [movement("m1", "RECEIPT", "SERUM-02", 10, 1)])
    # the shelf held 7 at minute 10; a sale at minute 5 reaches the server only afterwards
    [response] = sync(shanghai, "S1", [
        movement("c1", "COUNT", "SERUM-02", 7, 10),
        movement("late", "SALE", "SERUM-02", 2, 5),
        movement("after", "SALE", "SERUM-02", 1, 11),
    ])
    assert outcomes(response) == ["APPLIED", "SUPERSEDED", "APPLIED"]
    assert position(shanghai, "S1", "SERUM-02").on_hand == 6


def test_a_count_received_after_later_movements_keeps_them(shanghai):
    sync(shanghai, "S1", [movement("m1", "RECEIPT", "SERUM-02", 10, 1), movement("m2", "SALE", "SERUM-02", 1, 20)])
    [response] = sync(shanghai, "S1", [movement("c1", "COUNT", "SERUM-02", 7, 10)])
    assert outcomes(response) == ["APPLIED"]
    assert position(shanghai, "S1", "SERUM-02").on_hand == 6  # 7 counted at minute 10, less the sale at minute 20


def test_a_batch_with_one_bad_movement_is_refused_whole_and_earlier_batches_stand(shanghai):
    with pytest.raises(grpc.RpcError) as refused:
        sync(shanghai, "S1",
             [movement("m1", "RECEIPT", "SERUM-02", 10, 1)],
             [movement("m2", "SALE", "SERUM-02", 1, 2), movement("m3", "SALE", "SERUM-02", 0, 3)])
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "movements[1].quantity" in refused.value.details()
    assert position(shanghai, "S1", "SERUM-02").on_hand == 10  # the first batch only
    [retry] = sync(shanghai, "S1", [movement("m2", "SALE", "SERUM-02", 1, 2)])
    assert outcomes(retry) == ["APPLIED"]  # m2 was never recorded


def test_a_movement_id_reused_for_a_different_movement_is_already_exists(shanghai):
    sync(shanghai, "S1", [movement("m1", "RECEIPT", "SERUM-02", 10, 1)])
    with pytest.raises(grpc.RpcError) as refused:
        sync(shanghai, "S1", [movement("m1", "RECEIPT", "SERUM-02", 11, 1)])
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert position(shanghai, "S1", "SERUM-02").on_hand == 10


@pytest.mark.parametrize(
    "bad, field",
    [
        (pos_pb2.StockMovement(movement_id="m1", sku="SERUM-02", quantity=1, occurred_at=at(1)), "movements[0].kind"),
        (pos_pb2.StockMovement(movement_id="m1", kind=pos_pb2.SALE, sku="SERUM-02", quantity=1), "movements[0].occurred_at"),
        (pos_pb2.StockMovement(kind=pos_pb2.SALE, sku="SERUM-02", quantity=1, occurred_at=at(1)), "movements[0].movement_id"),
        (pos_pb2.StockMovement(movement_id="m1", kind=pos_pb2.TRANSFER_OUT, sku="SERUM-02", quantity=1, occurred_at=at(1)), "movements[0].transfer_id"),
        (pos_pb2.StockMovement(movement_id="m1", kind=pos_pb2.COUNT, sku="SERUM-02", quantity=-1, occurred_at=at(1)), "movements[0].quantity"),
    ],
)
def test_malformed_movements_are_invalid_argument_naming_the_field(shanghai, bad, field):
    with pytest.raises(grpc.RpcError) as refused:
        sync(shanghai, "S1", [bad])
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in refused.value.details()


def test_an_unknown_store_is_not_found(shanghai):
    with pytest.raises(grpc.RpcError) as refused:
        sync(shanghai, "NOPE", [movement("m1", "RECEIPT", "SERUM-02", 1, 1)])
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


# --- the counter selling units reserved online ------------------------------------------------


def test_a_walk_in_sale_of_reserved_units_moves_the_order_to_the_next_nearest_store(shanghai):
    shanghai.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 2}))
    shanghai.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 5}))
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 2))).order
    assert placed.allocation.store_id == "S1"

    [response] = sync(shanghai, "S1", [movement("walk-in-1", "SALE", "SERUM-02", 1, 1)])

    assert [(m.order_id, list(m.to_store_ids), m.flagged) for m in response.moved_orders] == [(placed.order_id, ["S2"], False)]
    moved = shanghai.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order
    assert moved.allocation.store_id == "S2"
    assert moved.status == orders_pb2.ALLOCATED
    [reroute] = moved.reroutes
    assert (reroute.from_store_id, reroute.cause, list(reroute.to_store_ids)) == ("S1", "STOCK_LOST", ["S2"])
    assert "SALE" in reroute.reason
    assert (position(shanghai, "S1", "SERUM-02").on_hand, position(shanghai, "S1", "SERUM-02").reserved) == (1, 0)
    assert position(shanghai, "S2", "SERUM-02").reserved == 2


def test_the_newest_reservations_are_the_ones_that_move(shanghai):
    shanghai.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 3}))
    shanghai.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 5}))
    first = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    second = shanghai.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    third = shanghai.orders.PlaceOrder(order("k3", PEOPLES_SQUARE, line("SERUM-02", 1))).order

    [response] = sync(shanghai, "S1", [movement("walk-in-1", "SALE", "SERUM-02", 2, 1)])

    assert sorted(m.order_id for m in response.moved_orders) == sorted([second.order_id, third.order_id])
    assert shanghai.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=first.order_id)).order.allocation.store_id == "S1"
    assert position(shanghai, "S1", "SERUM-02").reserved == 1
    assert position(shanghai, "S2", "SERUM-02").reserved == 2


def test_an_order_with_nowhere_else_to_go_is_flagged_for_customer_service(shanghai):
    shanghai.stores.UpsertStore(store("S3", LUJIAZUI, radius_km=5))
    shanghai.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 1}))
    shanghai.inventory.ReceiveStock(receipt("S3", {"LIPSTICK-01": 1}))
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order

    [response] = sync(shanghai, "S1", [movement("walk-in-1", "SALE", "SERUM-02", 1, 1)])

    [moved] = response.moved_orders
    assert moved.flagged and not moved.to_store_ids
    flagged = shanghai.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order
    assert flagged.status == orders_pb2.NEEDS_ATTENTION
    assert flagged.shipments[0].status == orders_pb2.SHIPMENT_UNFULFILLABLE
    assert "no other location can take it" in flagged.reroutes[0].reason
    assert position(shanghai, "S1", "SERUM-02").reserved == 0
    # customer service can still cancel it
    cancelled = shanghai.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order_id, reason="sold out")).order
    assert cancelled.status == orders_pb2.CANCELLED
