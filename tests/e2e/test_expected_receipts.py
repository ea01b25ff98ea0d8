"""Receipts announced before the goods arrive, through the real gRPC server on SQLite and
PostgreSQL: ops announces what a store expects (ExpectReceipt), changes or cancels it by its
reference, ReceiveStock naming the reference fulfils it in parts, and the store's position and
the national stock show it as incoming beside what is in transit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import inventory_pb2, stock_query_pb2 as pb, stock_query_pb2_grpc, transfers_pb2
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, receipt, refused, store
from tests.integration.test_national_stock import new_runner

SERUM, MASK = "SERUM-02", "MASK-01"
UP_TO_DATE = pb.Consistency(up_to_date=True)


TOMORROW = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)


def tomorrow() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(TOMORROW)
    return stamp


def expect(client, reference: str, quantity: int, sku: str = SERUM, store_id: str = "S1") -> inventory_pb2.ExpectReceiptResponse:
    return client.inventory.ExpectReceipt(inventory_pb2.ExpectReceiptRequest(
        store_id=store_id, sku=sku, quantity=quantity, expected_at=tomorrow(), reference=reference,
    ))


def incoming(client, store_id: str = "S1", sku: str = SERUM) -> tuple[int, int, int, int]:
    """(on hand, in transit, expected, incoming)"""
    p = client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=store_id, sku=sku)).position
    return p.on_hand, p.in_transit, p.expected, p.incoming


@pytest.fixture
def stores(client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 4}))
    client.inventory.ReceiveStock(receipt("S2", {SERUM: 10}))
    return client


@pytest.fixture
def runner(app) -> Iterator:
    r = new_runner(app)
    yield r
    r.shutdown()


def test_an_expected_receipt_is_incoming_until_received_in_parts(app, stores):
    client = stores
    answer = expect(client, "PO-1", 12)
    assert answer.changed and (answer.position.expected, answer.position.incoming) == (12, 12)
    head = app.recorder.max_notification_id()
    assert not expect(client, "PO-1", 12).changed  # announced again exactly so: nothing recorded
    assert app.recorder.max_notification_id() == head
    assert incoming(client) == (4, 0, 12, 12)

    first = client.inventory.ReceiveStock(receipt("S1", {SERUM: 5}, movement_id="DN-1", reference="PO-1"))
    assert [(p.on_hand, p.expected) for p in first.positions] == [(9, 7)]
    # the live index the listing reads from counts it too
    listed = client.inventory.ListStockPositions(inventory_pb2.ListStockPositionsRequest(sku=SERUM, page_size=10)).positions
    assert [(p.store_id, p.expected, p.incoming) for p in listed] == [("S1", 7, 7), ("S2", 0, 0)]
    # a resent delivery note changes nothing, the expected receipt included
    again = client.inventory.ReceiveStock(receipt("S1", {SERUM: 5}, movement_id="DN-1", reference="PO-1"))
    assert again.duplicate and [(p.on_hand, p.expected) for p in again.positions] == [(9, 7)]
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 7}, movement_id="DN-2", reference="PO-1"))
    assert incoming(client) == (16, 0, 0, 0)
    # all of it arrived: the reference expects nothing more
    gone = refused(client.inventory.ReceiveStock, receipt("S1", {SERUM: 1}, movement_id="DN-3", reference="PO-1"))
    assert gone.code() == grpc.StatusCode.NOT_FOUND and "'PO-1'" in gone.details()


def test_a_receipt_is_changed_or_cancelled_by_its_reference(stores):
    client = stores
    expect(client, "PO-1", 12)
    assert expect(client, "PO-1", 20).position.expected == 20
    expect(client, "PO-2", 3)
    assert incoming(client) == (4, 0, 23, 23)
    listed = client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id="S1", sku=SERUM)).position.expected_receipts
    assert [(r.reference, r.quantity, r.expected_at.ToDatetime(tzinfo=timezone.utc)) for r in listed] == [
        ("PO-1", 20, TOMORROW), ("PO-2", 3, TOMORROW),
    ]
    assert expect(client, "PO-1", 0).position.expected == 3  # cancelled
    unknown = refused(client.inventory.ExpectReceipt, inventory_pb2.ExpectReceiptRequest(
        store_id="S1", sku=SERUM, quantity=0, reference="PO-1",
    ))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND and "'PO-1'" in unknown.details()


def test_receiving_more_than_is_expected_or_under_an_unknown_reference_is_refused_and_changes_nothing(app, stores):
    client = stores
    expect(client, "PO-1", 5)
    head = app.recorder.max_notification_id()
    for request, code, says in [
        (receipt("S1", {SERUM: 6}, reference="PO-1"), grpc.StatusCode.INVALID_ARGUMENT, "5 of sku 'SERUM-02' still to come"),
        (receipt("S1", {SERUM: 1}, reference="PO-9"), grpc.StatusCode.NOT_FOUND, "'PO-9'"),
        # the whole request is refused: the good line with the bad one
        (receipt("S1", {SERUM: 1, MASK: 1}, reference="PO-1"), grpc.StatusCode.NOT_FOUND, "sku 'MASK-01'"),
    ]:
        error = refused(client.inventory.ReceiveStock, request)
        assert error.code() == code and says in error.details()
    assert app.recorder.max_notification_id() == head
    assert incoming(client) == (4, 0, 5, 5)


@pytest.mark.parametrize("field, request_", [
    ("quantity", inventory_pb2.ExpectReceiptRequest(store_id="S1", sku=SERUM, quantity=-1, reference="PO-1")),
    ("expected_at", inventory_pb2.ExpectReceiptRequest(store_id="S1", sku=SERUM, quantity=3, reference="PO-1")),
    ("reference", inventory_pb2.ExpectReceiptRequest(store_id="S1", sku=SERUM, quantity=3, reference="")),
])
def test_bad_announcements_are_invalid_argument_naming_the_field(app, stores, field, request_):
    if request_.quantity > 0 and field != "expected_at":
        request_.expected_at.CopyFrom(tomorrow())
    head = app.recorder.max_notification_id()
    error = refused(stores.inventory.ExpectReceipt, request_)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and field in error.details()
    assert app.recorder.max_notification_id() == head


def test_the_national_stock_shows_expected_and_in_transit_as_incoming(stores, runner):
    client = stores
    expect(client, "PO-1", 12)
    transfer = client.transfers.RequestTransfer(transfers_pb2.RequestTransferRequest(
        transfer_id="T1", from_store_id="S2", to_store_id="S1", lines=[transfers_pb2.RequestedLine(sku=SERUM, quantity=3)],
    )).transfer
    client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id=transfer.transfer_id))
    assert incoming(client) == (4, 3, 12, 15)
    runner.start()
    stock = stock_query_pb2_grpc.StockQueryServiceStub(client.channel)
    answer = stock.GetNationalStock(pb.GetNationalStockRequest(sku=SERUM, breakdown=[pb.BY_STORE], consistency=UP_TO_DATE))
    assert (answer.national.on_hand, answer.national.in_transit, answer.national.expected, answer.national.incoming) == (11, 3, 12, 15)
    assert [(a.area.store_id, a.figures.expected, a.figures.incoming) for a in answer.by_store] == [("S1", 12, 15), ("S2", 0, 0)]
