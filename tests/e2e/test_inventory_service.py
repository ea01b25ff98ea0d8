"""Stock positions through gRPC: receipts, adjustments, counts, safety stock, listings."""

from __future__ import annotations

import grpc
import pytest

from protos.omo.v1 import inventory_pb2
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, position, receipt, refused, store


@pytest.fixture
def stores(client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
    return client


def test_a_receipt_lands_every_line(stores):
    answer = stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5, "LIPSTICK-01": 3}))
    assert {(p.sku, p.on_hand, p.available) for p in answer.positions} == {("SERUM-02", 5, 5), ("LIPSTICK-01", 3, 3)}
    assert position(stores, "S1", "SERUM-02").on_hand == 5


def test_a_resent_receipt_is_a_duplicate_and_is_not_counted_twice(stores):
    stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}, movement_id="GRN-1"))
    again = stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}, movement_id="GRN-1"))
    assert again.duplicate
    assert position(stores, "S1", "SERUM-02").on_hand == 5
    # the same delivery note number at another store is another delivery
    assert not stores.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 5}, movement_id="GRN-1")).duplicate


def test_a_different_receipt_under_a_used_movement_id_is_refused(stores):
    stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}, movement_id="GRN-1"))
    error = refused(stores.inventory.ReceiveStock, receipt("S1", {"SERUM-02": 6}, movement_id="GRN-1"))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert position(stores, "S1", "SERUM-02").on_hand == 5


def test_a_receipt_with_one_bad_line_lands_nothing(stores):
    error = refused(stores.inventory.ReceiveStock, receipt("S1", {"SERUM-02": 5, "LIPSTICK-01": 0}))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "lines[1].quantity" in error.details()
    error = refused(stores.inventory.GetStockPosition, inventory_pb2.GetStockPositionRequest(store_id="S1", sku="SERUM-02"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_stock_for_an_unknown_store_is_not_found(stores):
    error = refused(stores.inventory.ReceiveStock, receipt("S404", {"SERUM-02": 5}))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "S404" in error.details()


def test_adjustments_move_on_hand_but_never_below_zero(stores):
    stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))
    damaged = stores.inventory.AdjustStock(inventory_pb2.AdjustStockRequest(store_id="S1", sku="SERUM-02", delta=-2, reason="damaged"))
    assert damaged.position.on_hand == 3
    error = refused(stores.inventory.AdjustStock, inventory_pb2.AdjustStockRequest(store_id="S1", sku="SERUM-02", delta=-4, reason="lost"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "count" in error.details()
    error = refused(stores.inventory.AdjustStock, inventory_pb2.AdjustStockRequest(store_id="S1", sku="SERUM-02", delta=1))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "reason" in error.details()
    assert position(stores, "S1", "SERUM-02").on_hand == 3


def test_a_count_sets_on_hand_and_safety_stock_is_kept_back_from_online(stores):
    stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))
    counted = stores.inventory.RecordCount(inventory_pb2.RecordCountRequest(store_id="S1", sku="SERUM-02", counted_quantity=8, movement_id="CNT-1"))
    assert counted.position.on_hand == 8
    resent = stores.inventory.RecordCount(inventory_pb2.RecordCountRequest(store_id="S1", sku="SERUM-02", counted_quantity=8, movement_id="CNT-1"))
    assert resent.duplicate
    kept = stores.inventory.SetSafetyStock(inventory_pb2.SetSafetyStockRequest(store_id="S1", sku="SERUM-02", quantity=3))
    assert (kept.position.on_hand, kept.position.safety_stock, kept.position.available) == (8, 3, 5)
    floored = stores.inventory.SetSafetyStock(inventory_pb2.SetSafetyStockRequest(store_id="S1", sku="SERUM-02", quantity=20))
    assert floored.position.available == 0


def test_one_sku_listed_across_stores_a_page_at_a_time(stores):
    stores.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))
    stores.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 7, "LIPSTICK-01": 1}))
    first = stores.inventory.ListStockPositions(inventory_pb2.ListStockPositionsRequest(sku="SERUM-02", page_size=1))
    assert [(p.store_id, p.on_hand) for p in first.positions] == [("S1", 5)]
    second = stores.inventory.ListStockPositions(
        inventory_pb2.ListStockPositionsRequest(sku="SERUM-02", page_size=1, page_token=first.next_page_token)
    )
    assert [(p.store_id, p.on_hand) for p in second.positions] == [("S2", 7)]
    assert second.next_page_token == ""
    error = refused(stores.inventory.ListStockPositions, inventory_pb2.ListStockPositionsRequest(sku="NOPE"))
    assert error.code() == grpc.StatusCode.NOT_FOUND
