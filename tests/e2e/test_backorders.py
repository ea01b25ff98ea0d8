"""Backorders through the real gRPC server on SQLite and PostgreSQL: PlaceOrder with
allow_backorder takes what no location has now against a location's incoming stock (receipts
expected by not_after, transfers in transit), never more than is expected, first come first
served; the arriving units make the earliest claims reservations and those orders go ahead;
a receipt closed short moves or flags the claims it no longer covers; a cancelled backorder
gives its claim back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import inventory_pb2, orders_pb2, transfers_pb2
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, XUJIAHUI, line, order, position, receipt, refused, store
from tests.store_work_builders import in_queue

SERUM, MASK = "SERUM-02", "MASK-01"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def expect(client, reference: str, quantity: int, sku: str = SERUM, store_id: str = "S1", days: float = 1) -> None:
    client.inventory.ExpectReceipt(inventory_pb2.ExpectReceiptRequest(
        store_id=store_id, sku=sku, quantity=quantity, expected_at=stamp(NOW + timedelta(days=days)), reference=reference,
    ))


def backorder(key: str, *lines, days: float = 3, at=PEOPLES_SQUARE, pickup_store: str = "", customer: str = "C1") -> orders_pb2.PlaceOrderRequest:
    request = order(key, at, *lines, customer=customer, pickup_store=pickup_store)
    request.allow_backorder = True
    request.not_after.CopyFrom(stamp(NOW + timedelta(days=days)))
    return request


def shipment(answer) -> orders_pb2.Shipment:
    [only] = answer.order.shipments
    return only



def get(client, order_id: str) -> orders_pb2.Order:
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order


@pytest.fixture
def stores(client):
    """S1 holds one serum, S2 (3 km away, outside S1's customers' reach: 2 km radius) none."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=2))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=2))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 1, MASK: 5}))
    client.inventory.ReceiveStock(receipt("S2", {MASK: 5}))
    return client




def test_a_backorder_waits_for_the_expected_receipt_and_goes_ahead_when_it_arrives(stores, store_work):
    client = stores
    expect(client, "PO-1", 3)
    placed = client.orders.PlaceOrder(backorder("B1", line(SERUM, 3)))
    assert placed.order.status == orders_pb2.BACKORDERED
    waiting = shipment(placed)
    # the unit on the shelf is reserved now, the other two are claimed of the receipt
    assert waiting.status == orders_pb2.SHIPMENT_BACKORDERED and waiting.store_id == "S1"
    assert [(l.sku, l.quantity) for l in waiting.awaiting] == [(SERUM, 2)] and not waiting.slot
    promised = datetime.fromisoformat(waiting.promised_by)
    assert NOW + timedelta(days=1) <= promised < NOW + timedelta(days=1, hours=1)  # from the receipt's arrival
    assert datetime.fromisoformat(waiting.not_after) == NOW + timedelta(days=3)
    held = position(client, "S1", SERUM)
    assert (held.reserved, held.claimed, held.available, held.expected) == (1, 2, 0, 3)
    explained = client.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=placed.order.order_id))
    assert "backordered, counting incoming stock expected by" in explained.search_note
    # a retry is the first result
    again = client.orders.PlaceOrder(backorder("B1", line(SERUM, 3)))
    assert again.replayed and again.order.order_id == placed.order.order_id
    # not in the store's work while it waits
    assert placed.order.order_id not in in_queue(client, "S1")

    client.inventory.ReceiveStock(receipt("S1", {SERUM: 3}, movement_id="DN-1", reference="PO-1"))
    ready = get(client, placed.order.order_id)
    assert ready.status == orders_pb2.ALLOCATED and ready.shipments[0].status == orders_pb2.SHIPMENT_ALLOCATED
    assert not ready.shipments[0].awaiting
    after = position(client, "S1", SERUM)
    # 4 on hand, 3 reserved for the order, the extra unit free, nothing claimed or expected
    assert (after.on_hand, after.reserved, after.claimed, after.expected, after.available) == (4, 3, 0, 0, 1)
    assert placed.order.order_id in in_queue(client, "S1")
    entries = client.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=placed.order.order_id)).entries
    kinds = [e.step for e in entries]
    assert "BACKORDER_SERVED" in kinds and kinds.index("BACKORDER_SERVED") > kinds.index("ALLOCATED")


def test_claims_never_exceed_what_is_expected_and_are_served_first_come_first_served(stores):
    client = stores
    client.inventory.AdjustStock(inventory_pb2.AdjustStockRequest(store_id="S1", sku=SERUM, delta=-1, reason="broken"))
    expect(client, "PO-1", 3)
    first = client.orders.PlaceOrder(backorder("B1", line(SERUM, 2)))
    second = client.orders.PlaceOrder(backorder("B2", line(SERUM, 1), customer="C2"))
    too_many = refused(client.orders.PlaceOrder, backorder("B3", line(SERUM, 1), customer="C3"))
    assert too_many.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert position(client, "S1", SERUM).claimed == 3
    # two units arrive: the first claim is served whole, the second waits
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 2}, movement_id="DN-1", reference="PO-1"))
    assert get(client, first.order.order_id).status == orders_pb2.ALLOCATED
    assert get(client, second.order.order_id).status == orders_pb2.BACKORDERED
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 1}, movement_id="DN-2", reference="PO-1"))
    assert get(client, second.order.order_id).status == orders_pb2.ALLOCATED
    assert (position(client, "S1", SERUM).reserved, position(client, "S1", SERUM).claimed) == (3, 0)


def test_without_allow_backorder_or_in_time_stock_the_order_is_refused_as_before(stores):
    client = stores
    expect(client, "PO-LATE", 5, days=10)
    plain = refused(client.orders.PlaceOrder, order("P1", PEOPLES_SQUARE, line(SERUM, 2)))
    assert plain.code() == grpc.StatusCode.FAILED_PRECONDITION
    late = refused(client.orders.PlaceOrder, backorder("P2", line(SERUM, 2), days=3))  # arrives after the bound
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert position(client, "S1", SERUM).claimed == 0
    placed = client.orders.PlaceOrder(backorder("P3", line(SERUM, 2), days=11))
    assert placed.order.status == orders_pb2.BACKORDERED


@pytest.mark.parametrize("change, field", [
    (lambda r: r.not_after.CopyFrom(stamp(NOW - timedelta(hours=1))), "not_after"),
    (lambda r: r.ClearField("not_after"), "not_after"),
    (lambda r: setattr(r, "allow_backorder", False), "not_after"),
    (lambda r: r.not_after.CopyFrom(stamp(NOW + timedelta(days=400))), "not_after"),
])
def test_a_bad_bound_is_invalid_argument_and_changes_nothing(app, stores, change, field):
    client = stores
    expect(client, "PO-1", 3)
    request = backorder("BAD", line(SERUM, 3))
    change(request)
    refused(client.orders.PlaceOrder, request)  # the checkout caller's token is issued on its first call
    head = app.recorder.max_notification_id()
    error = refused(client.orders.PlaceOrder, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field)
    assert app.recorder.max_notification_id() == head


def test_a_short_receipt_serves_the_earliest_claims_and_moves_or_flags_the_rest(stores):
    client = stores
    client.stores.UpsertStore(store("S3", XUJIAHUI, radius_km=8))  # reaches the customer, holds nothing yet
    expect(client, "PO-1", 4)
    first = client.orders.PlaceOrder(backorder("B1", line(SERUM, 3)))  # 1 reserved now + 2 claimed
    second = client.orders.PlaceOrder(backorder("B2", line(SERUM, 2), customer="C2"))
    # S3 now holds serums, so the claim left uncovered moves there
    client.inventory.ReceiveStock(receipt("S3", {SERUM: 5}))
    final = receipt("S1", {SERUM: 2}, movement_id="DN-1", reference="PO-1")
    final.final = True
    answer = client.inventory.ReceiveStock(final)
    assert [(p.expected, p.claimed) for p in answer.positions] == [(0, 0)]
    assert get(client, first.order.order_id).status == orders_pb2.ALLOCATED
    moved = get(client, second.order.order_id)
    assert moved.status == orders_pb2.ALLOCATED and [s.store_id for s in moved.shipments] == ["S3"]
    assert [(r.from_store_id, r.cause) for r in moved.reroutes] == [("S1", "INCOMING_SHORT")]
    assert position(client, "S1", SERUM).reserved == 3


def test_a_backorder_nothing_can_take_over_is_flagged_and_a_cancelled_one_gives_its_claim_back(stores):
    client = stores
    expect(client, "PO-1", 2)
    kept = client.orders.PlaceOrder(backorder("B1", line(SERUM, 2), pickup_store="S1"))
    assert kept.order.status == orders_pb2.BACKORDERED
    client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=kept.order.order_id, reason="changed mind"))
    assert (position(client, "S1", SERUM).claimed, position(client, "S1", SERUM).reserved) == (0, 0)
    flagged = client.orders.PlaceOrder(backorder("B2", line(SERUM, 3), pickup_store="S1", customer="C2"))
    client.inventory.ExpectReceipt(inventory_pb2.ExpectReceiptRequest(store_id="S1", sku=SERUM, quantity=0, reference="PO-1"))
    now = get(client, flagged.order.order_id)
    assert now.status == orders_pb2.NEEDS_ATTENTION
    assert [(r.cause, list(r.to_store_ids)) for r in now.reroutes] == [("INCOMING_SHORT", [])]
    assert (position(client, "S1", SERUM).claimed, position(client, "S1", SERUM).reserved) == (0, 0)


def test_units_in_transit_count_as_incoming_and_serve_the_backorder_on_arrival(stores):
    client = stores
    client.inventory.ReceiveStock(receipt("S2", {SERUM: 4}))
    client.transfers.RequestTransfer(transfers_pb2.RequestTransferRequest(
        transfer_id="T1", from_store_id="S2", to_store_id="S1", lines=[transfers_pb2.RequestedLine(sku=SERUM, quantity=4)],
    ))
    client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id="S1/T1"))
    # a transfer takes a day to arrive: a bound within it does not count it
    soon = refused(client.orders.PlaceOrder, backorder("B0", line(SERUM, 3), days=0.5))
    assert soon.code() == grpc.StatusCode.FAILED_PRECONDITION
    placed = client.orders.PlaceOrder(backorder("B1", line(SERUM, 3)))
    assert placed.order.status == orders_pb2.BACKORDERED and position(client, "S1", SERUM).claimed == 2
    client.transfers.ReceiveTransfer(transfers_pb2.ReceiveTransferRequest(transfer_id="S1/T1"))
    assert get(client, placed.order.order_id).status == orders_pb2.ALLOCATED
    assert (position(client, "S1", SERUM).reserved, position(client, "S1", SERUM).claimed) == (3, 0)
