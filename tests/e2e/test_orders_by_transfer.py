"""Orders backed by transfers, through the real gRPC server on SQLite and PostgreSQL: a PICKUP
store lacking units that stores within 30 km hold takes the order; the sources reserve them and
the system records a transfer from each, naming the order; the shipment is AWAITING_TRANSFER
until the units arrive, then ALLOCATED and in the store's queue. Cancelling releases the sources
and cancels unshipped transfers; goods already in transit become ordinary stock; a source that
loses the units flags the order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import orders_pb2, pos_pb2, transfers_pb2
from tests.builders import BEIJING, JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, XUJIAHUI, line, order, position, receipt, refused, store
from tests.store_work_builders import in_queue

SERUM = "SERUM-02"


def get(client, order_id: str) -> orders_pb2.Order:
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order


def transfer(client, transfer_id: str) -> transfers_pb2.Transfer:
    return client.transfers.GetTransfer(transfers_pb2.GetTransferRequest(transfer_id=transfer_id)).transfer


def ship(client, transfer_id: str):
    return client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id=transfer_id))


def receive(client, transfer_id: str):
    return client.transfers.ReceiveTransfer(transfers_pb2.ReceiveTransferRequest(transfer_id=transfer_id))


def reserved(client, store_id: str) -> int:
    return position(client, store_id, SERUM).reserved


def pickup(key: str, units: int, store_id: str = "S1", customer: str = "C1") -> orders_pb2.PlaceOrderRequest:
    return order(key, PEOPLES_SQUARE, line(SERUM, units), pickup_store=store_id, customer=customer)


@pytest.fixture
def stores(client):
    """S1 (the pickup store) holds one serum; S2 (3 km) two, S3 (4 km) five; S9 in Beijing ten."""
    for store_id, at, units in (("S1", PEOPLES_SQUARE, 1), ("S2", JINGAN_TEMPLE, 2), ("S3", LUJIAZUI, 5), ("S9", BEIJING, 10)):
        client.stores.UpsertStore(store(store_id, at, radius_km=2))
        client.inventory.ReceiveStock(receipt(store_id, {SERUM: units}))
    return client


def test_a_pickup_store_lacking_units_takes_the_order_and_the_nearest_sources_send_them(stores, store_work):
    client = stores
    placed = client.orders.PlaceOrder(pickup("P1", 4))
    assert placed.order.status == orders_pb2.AWAITING_TRANSFER
    [shipment] = placed.order.shipments
    assert (shipment.store_id, shipment.status) == ("S1", orders_pb2.SHIPMENT_AWAITING_TRANSFER)
    assert [(l.sku, l.quantity) for l in shipment.awaiting] == [(SERUM, 3)] and not shipment.slot
    # nearest first: S2 gives both its units, S3 the third; Beijing is beyond 30 km
    sent = [(t.from_store_id, [(l.sku, l.quantity) for l in t.lines]) for t in shipment.transfers]
    assert sent == [("S2", [(SERUM, 2)]), ("S3", [(SERUM, 1)])]
    assert (reserved(client, "S1"), reserved(client, "S2"), reserved(client, "S3"), reserved(client, "S9")) == (1, 2, 1, 0)
    promised = datetime.fromisoformat(shipment.promised_by)
    assert promised >= datetime.now(timezone.utc) + timedelta(hours=23)  # after the transfers' lead time
    ids = [t.transfer_id for t in shipment.transfers]
    for transfer_id, source in zip(ids, ("S2", "S3")):
        made = transfer(client, transfer_id)
        assert (made.from_store_id, made.to_store_id, made.order_id, made.status) == (source, "S1", placed.order.order_id, transfers_pb2.REQUESTED)
    explained = client.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=placed.order.order_id))
    assert [(s.store_id, s.reason_code) for s in explained.transfer_sources] == [("S2", "SOURCE"), ("S3", "SOURCE")]
    assert placed.order.order_id not in in_queue(client, "S1")

    # shipping moves the sources' reservations with the goods: earmarked, no backorder may claim them
    for transfer_id in ids:
        ship(client, transfer_id)
    assert (reserved(client, "S2"), position(client, "S2", SERUM).on_hand, reserved(client, "S3")) == (0, 0, 0)
    assert position(client, "S1", SERUM).in_transit == 3
    # another order for the store is not served from them: S3 sends its unit by a transfer of its own
    other = client.orders.PlaceOrder(pickup("P2", 1, customer="C2")).order
    assert [t.from_store_id for t in other.shipments[0].transfers] == ["S3"]
    client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=other.order_id, reason="not needed"))

    receive(client, ids[0])
    assert get(client, placed.order.order_id).status == orders_pb2.AWAITING_TRANSFER  # one transfer still to come
    receive(client, ids[1])
    ready = get(client, placed.order.order_id)
    assert ready.status == orders_pb2.ALLOCATED and not ready.shipments[0].awaiting
    assert (position(client, "S1", SERUM).on_hand, reserved(client, "S1")) == (4, 4)
    assert placed.order.order_id in in_queue(client, "S1")
    history = client.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=placed.order.order_id)).entries
    assert "sent by transfer " + ids[0] in history[1].summary
    assert [e.step for e in history].count("BACKORDER_SERVED") == 2


def test_cancelling_releases_the_sources_and_cancels_what_is_not_shipped(stores):
    client = stores
    placed = client.orders.PlaceOrder(pickup("P1", 4))
    first, second = [t.transfer_id for t in placed.order.shipments[0].transfers]
    ship(client, first)  # S2's two units are on their way
    client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order.order_id, reason="changed mind"))
    assert (reserved(client, "S1"), reserved(client, "S2"), reserved(client, "S3")) == (0, 0, 0)
    assert transfer(client, second).status == transfers_pb2.TRANSFER_CANCELLED
    error = refused(client.transfers.ShipTransfer, transfers_pb2.ShipTransferRequest(transfer_id=second))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "CANCELLED" in error.details()
    # the goods in transit arrive as ordinary stock
    receive(client, first)
    assert (position(client, "S1", SERUM).on_hand, reserved(client, "S1"), position(client, "S1", SERUM).available) == (3, 0, 3)
    assert get(client, placed.order.order_id).status == orders_pb2.CANCELLED


def test_a_source_that_loses_the_units_flags_the_pickup_order(stores):
    client = stores
    placed = client.orders.PlaceOrder(pickup("P1", 2))
    [sent] = placed.order.shipments[0].transfers
    assert sent.from_store_id == "S2"
    sale = pos_pb2.StockMovement(
        movement_id="walk-in-1", kind=pos_pb2.SALE, sku=SERUM, quantity=2,
        occurred_at=Timestamp(seconds=int(datetime.now(timezone.utc).timestamp())),
    )
    [response] = list(client.pos.SyncStock(iter([pos_pb2.SyncStockRequest(store_id="S2", movements=[sale])])))
    assert [(m.order_id, m.flagged) for m in response.moved_orders] == [(placed.order.order_id, True)]
    flagged = get(client, placed.order.order_id)
    assert flagged.status == orders_pb2.NEEDS_ATTENTION and flagged.reroutes[0].cause == "STOCK_LOST"
    assert (reserved(client, "S1"), reserved(client, "S2")) == (0, 0)
    assert transfer(client, sent.transfer_id).status == transfers_pb2.TRANSFER_CANCELLED


def test_what_no_store_within_the_radius_holds_is_refused_as_before(stores):
    client = stores
    error = refused(client.orders.PlaceOrder, pickup("P1", 9))  # 8 within 30 km, Beijing's ten too far
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "within 30 km" in error.details()
    assert (reserved(client, "S1"), reserved(client, "S2"), reserved(client, "S3")) == (0, 0, 0)
    client.stores.UpsertStore(store("S4", XUJIAHUI, radius_km=2))
    client.inventory.ReceiveStock(receipt("S4", {SERUM: 1}))
    assert client.orders.PlaceOrder(pickup("P2", 9)).order.status == orders_pb2.AWAITING_TRANSFER
