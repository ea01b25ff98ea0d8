"""Split orders and regional warehouses through the real gRPC server, on SQLite and PostgreSQL:
what the checkout sees, what is reserved where, and what cancelling gives back."""

from __future__ import annotations

import grpc
import pytest

from protos.omo.v1 import common_pb2, orders_pb2, stores_pb2
from tests.builders import BEIJING, JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, line, order, position, receipt, refused, store


def warehouse(store_id: str, at: tuple[float, float], **fields) -> stores_pb2.UpsertStoreRequest:
    request = store(store_id, at, radius_km=0.0, **fields)
    request.kind = stores_pb2.WAREHOUSE
    return request


def express(key: str, at: tuple[float, float], *lines: orders_pb2.OrderLine) -> orders_pb2.PlaceOrderRequest:
    request = order(key, at, *lines)
    request.fulfilment_mode = common_pb2.EXPRESS
    return request


def shipped(placed: orders_pb2.Order) -> dict[str, dict[str, int]]:
    return {s.store_id: {l.sku: l.quantity for l in s.lines} for s in placed.shipments}


@pytest.fixture
def shanghai(client):
    """Two stores around People's Square with 5 and 10 serums; a third, Lujiazui, with none."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.stores.UpsertStore(store("S3", LUJIAZUI, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 10}))
    client.inventory.ReceiveStock(receipt("S3", {"LIPSTICK-01": 10}))
    return client


def test_an_order_no_store_can_take_alone_is_split_and_reserved_at_each_store(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 11))).order
    assert placed.fulfilment == orders_pb2.FULFILMENT_SPLIT
    assert shipped(placed) == {"S1": {"SERUM-02": 5}, "S2": {"SERUM-02": 6}}  # the nearest gives all it has
    assert [s.store_id for s in placed.shipments] == ["S1", "S2"]  # nearest first
    assert not placed.HasField("allocation")  # no single store has it all
    assert position(shanghai, "S1", "SERUM-02").reserved == 5
    assert position(shanghai, "S2", "SERUM-02").reserved == 6

    explained = shanghai.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=placed.order_id))
    assert explained.fulfilment == orders_pb2.FULFILMENT_SPLIT
    assert list(explained.shipments) == list(placed.shipments)
    assert {p.store_id: p.reason_code for p in explained.passed_over}["S1"] == "OUT_OF_STOCK"


def test_cancelling_a_split_order_releases_every_store_s_part(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 11))).order
    shanghai.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order_id, reason="changed mind"))
    assert position(shanghai, "S1", "SERUM-02").reserved == 0
    assert position(shanghai, "S2", "SERUM-02").reserved == 0
    # and the units are offered again
    again = shanghai.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 11))).order
    assert shipped(again) == {"S1": {"SERUM-02": 5}, "S2": {"SERUM-02": 6}}


def test_a_split_takes_a_pick_slot_at_every_store_it_uses(client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, daily_order_capacity=1))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5, "LIPSTICK-01": 5}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 10}))
    split = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 12))).order  # 5 + 10
    assert set(shipped(split)) == {"S1", "S2"}
    # S1 has lipstick and is nearest, but its one slot today is gone
    error = refused(client.orders.PlaceOrder, order("k2", PEOPLES_SQUARE, line("LIPSTICK-01", 1)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "at capacity: 1 of 1 orders" in error.details()


def test_when_no_store_nor_split_can_serve_a_regional_warehouse_ships_it_express(shanghai):
    shanghai.stores.UpsertStore(warehouse("W-NORTH", BEIJING))
    shanghai.inventory.ReceiveStock(receipt("W-NORTH", {"SERUM-02": 100}))
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 20))).order  # 15 in reach
    assert placed.fulfilment == orders_pb2.FULFILMENT_EXPRESS
    assert placed.allocation.store_id == "W-NORTH" and placed.allocation.distance_m > 1_000_000
    assert shipped(placed) == {"W-NORTH": {"SERUM-02": 20}}
    assert position(shanghai, "W-NORTH", "SERUM-02").reserved == 20
    assert position(shanghai, "S1", "SERUM-02").reserved == 0
    explained = shanghai.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=placed.order_id))
    assert explained.search_note == "no store nor split of stores could serve it"


def test_a_warehouse_is_never_chosen_while_a_store_can_deliver(shanghai):
    shanghai.stores.UpsertStore(warehouse("W-EAST", PEOPLES_SQUARE))  # right next to the customer
    shanghai.inventory.ReceiveStock(receipt("W-EAST", {"SERUM-02": 100}))
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 2))).order
    assert placed.fulfilment == orders_pb2.FULFILMENT_ONE_STORE and placed.allocation.store_id == "S1"


def test_express_asked_for_goes_straight_to_the_nearest_warehouse_holding_it_all(shanghai):
    shanghai.stores.UpsertStore(warehouse("W-EAST", LUJIAZUI))
    shanghai.stores.UpsertStore(warehouse("W-NORTH", BEIJING))
    shanghai.inventory.ReceiveStock(receipt("W-EAST", {"SERUM-02": 1}))
    shanghai.inventory.ReceiveStock(receipt("W-NORTH", {"SERUM-02": 100}))
    placed = shanghai.orders.PlaceOrder(express("k1", PEOPLES_SQUARE, line("SERUM-02", 2))).order
    assert placed.fulfilment_mode == common_pb2.EXPRESS
    assert placed.allocation.store_id == "W-NORTH"  # W-EAST is nearer but short; S1 is a store
    explained = shanghai.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=placed.order_id))
    assert [(p.store_id, p.reason_code) for p in explained.passed_over] == [("W-EAST", "OUT_OF_STOCK")]


def test_express_with_no_warehouse_is_refused_and_changes_nothing(shanghai):
    error = refused(shanghai.orders.PlaceOrder, express("k1", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no regional warehouse ships EXPRESS" in error.details()
    assert position(shanghai, "S1", "SERUM-02").reserved == 0


def test_a_warehouse_is_not_a_pickup_point(shanghai):
    shanghai.stores.UpsertStore(warehouse("W-NORTH", BEIJING))
    shanghai.inventory.ReceiveStock(receipt("W-NORTH", {"SERUM-02": 100}))
    error = refused(shanghai.orders.PlaceOrder, order("k1", PEOPLES_SQUARE, line("SERUM-02", 1), pickup_store="W-NORTH"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "regional warehouse" in error.details()


def test_a_warehouse_with_a_delivery_radius_is_refused_and_not_stored(client):
    request = warehouse("W-NORTH", BEIJING)
    request.delivery_radius_km = 30
    error = refused(client.stores.UpsertStore, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "delivery_radius_km" in error.details()
    assert refused(client.stores.GetStore, stores_pb2.GetStoreRequest(store_id="W-NORTH")).code() == grpc.StatusCode.NOT_FOUND


def test_a_warehouse_reads_back_as_a_warehouse_and_a_store_as_a_store(shanghai):
    shanghai.stores.UpsertStore(warehouse("W-NORTH", BEIJING))
    assert shanghai.stores.GetStore(stores_pb2.GetStoreRequest(store_id="W-NORTH")).store.kind == stores_pb2.WAREHOUSE
    assert shanghai.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1")).store.kind == stores_pb2.STORE


def test_express_naming_a_pickup_store_is_invalid(shanghai):
    request = express("k1", PEOPLES_SQUARE, line("SERUM-02", 1))
    request.pickup_store_id = "S1"
    error = refused(shanghai.orders.PlaceOrder, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "pickup_store_id" in error.details() and "EXPRESS" in error.details()
