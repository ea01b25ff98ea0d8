"""Goods moving between stores, and customers bringing delivered goods back, through the real
gRPC server on SQLite and PostgreSQL: transfers requested, shipped and received (through
TransferService and through the POS's TRANSFER_OUT / TRANSFER_IN), returns refunded per line."""

from __future__ import annotations

import grpc
import pytest

from protos.omo.v1 import orders_pb2, transfers_pb2
from services.client.client import OmoClient
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, line, order, position, receipt, refused, store
from tests.e2e.test_order_lifecycle_service import figures
from tests.e2e.test_pos_sync_service import movement, outcomes, sync
from tests.order_steps import accept, deliver, get, pay, pick, to_courier

SERUM, LIPSTICK = "SERUM-02", "LIPSTICK-01"


def request(transfer_id: str, lines: dict[str, int], from_store: str = "S1", to_store: str = "S2") -> transfers_pb2.RequestTransferRequest:
    return transfers_pb2.RequestTransferRequest(
        transfer_id=transfer_id, from_store_id=from_store, to_store_id=to_store,
        lines=[transfers_pb2.RequestedLine(sku=sku, quantity=q) for sku, q in lines.items()],
    )


def get_transfer(client, transfer_id: str) -> transfers_pb2.Transfer:
    return client.transfers.GetTransfer(transfers_pb2.GetTransferRequest(transfer_id=transfer_id)).transfer


def transfer_status(t: transfers_pb2.Transfer) -> str:
    return transfers_pb2.TransferStatus.Name(t.status)


def lines_of(t: transfers_pb2.Transfer) -> dict[str, tuple[int, int, int, int]]:
    """sku -> (requested, shipped, received, in transit)"""
    return {l.sku: (l.requested, l.shipped, l.received, l.in_transit) for l in t.lines}


def shelf(client, store_id: str, sku: str) -> tuple[int, int]:
    """(on hand, in transit towards the store)"""
    p = position(client, store_id, sku)
    return p.on_hand, p.in_transit


@pytest.fixture
def two_stores(client):
    """S1 with 10 serums and 4 lipsticks; S2 with 1 serum."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 10, LIPSTICK: 4}))
    client.inventory.ReceiveStock(receipt("S2", {SERUM: 1}))
    return client


# --- TransferService ------------------------------------------------------------------------------


def test_requesting_the_same_transfer_again_returns_it_and_a_different_request_under_its_id_is_already_exists(two_stores):
    client = two_stores
    first = client.transfers.RequestTransfer(request("T1", {SERUM: 3, LIPSTICK: 2}))
    assert first.created and transfer_status(first.transfer) == "REQUESTED"
    assert lines_of(first.transfer) == {SERUM: (3, 0, 0, 0), LIPSTICK: (2, 0, 0, 0)}

    again = client.transfers.RequestTransfer(request("T1", {SERUM: 3, LIPSTICK: 2}))
    assert not again.created and again.transfer == first.transfer

    assert first.transfer.transfer_id == "S2/T1"  # the destination's name for it, under the destination
    for different in (request("T1", {SERUM: 4, LIPSTICK: 2}), request("T1", {SERUM: 3})):
        error = refused(client.transfers.RequestTransfer, different)
        assert error.code() == grpc.StatusCode.ALREADY_EXISTS
        assert "'T1'" in error.details()
    assert get_transfer(client, "S2/T1") == first.transfer
    assert shelf(client, "S1", SERUM) == (10, 0)  # a request moves nothing


def test_two_stores_may_name_their_transfers_alike_and_neither_learns_of_the_other_s(server, cast, two_stores):
    two_stores.stores.UpsertStore(store("S3", LUJIAZUI, radius_km=5))

    def as_pos(store_id: str) -> OmoClient:
        return OmoClient(f"127.0.0.1:{server.port}", token=cast.token("pos", store_id))

    with as_pos("S2") as s2, as_pos("S3") as s3:
        ours = s2.transfers.RequestTransfer(request("T1", {SERUM: 3}, "S1", "S2"))
        theirs = s3.transfers.RequestTransfer(request("T1", {SERUM: 2}, "S1", "S3"))  # the same name: its own transfer
        assert ours.created and theirs.created
        assert (ours.transfer.transfer_id, theirs.transfer.transfer_id) == ("S2/T1", "S3/T1")
        assert s3.transfers.GetTransfer(transfers_pb2.GetTransferRequest(transfer_id="S3/T1")).transfer == theirs.transfer
        # S2's is as unknown to S3 as a name never used
        hidden = refused(s3.transfers.GetTransfer, transfers_pb2.GetTransferRequest(transfer_id="S2/T1"))
        never = refused(s3.transfers.GetTransfer, transfers_pb2.GetTransferRequest(transfer_id="S2/T9"))
        assert hidden.code() == never.code() == grpc.StatusCode.NOT_FOUND
        assert hidden.details() == never.details().replace("T9", "T1")
    # the source ships each by its own id
    two_stores.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id="S3/T1"))
    assert shelf(two_stores, "S3", SERUM) == (0, 2) and shelf(two_stores, "S2", SERUM) == (1, 0)


@pytest.mark.parametrize(
    "bad, code, named",
    [
        (request("T1", {SERUM: 1}, "S1", "NOPE"), grpc.StatusCode.NOT_FOUND, "'NOPE'"),
        (request("T1", {SERUM: 1}, "NOPE", "S2"), grpc.StatusCode.NOT_FOUND, "'NOPE'"),
        (request("T1", {SERUM: 1}, "S1", "S1"), grpc.StatusCode.INVALID_ARGUMENT, "to_store_id"),
    ],
    ids=["unknown destination", "unknown source", "same store at both ends"],
)
def test_a_transfer_between_unknown_or_identical_stores_is_refused(two_stores, bad, code, named):
    error = refused(two_stores.transfers.RequestTransfer, bad)
    assert error.code() == code
    assert named in error.details()
    assert refused(two_stores.transfers.GetTransfer, transfers_pb2.GetTransferRequest(transfer_id="S2/T1")).code() == grpc.StatusCode.NOT_FOUND


def test_shipping_puts_the_units_in_transit_and_receiving_puts_them_on_the_destination_s_shelf(two_stores):
    client = two_stores
    client.transfers.RequestTransfer(request("T1", {SERUM: 3, LIPSTICK: 2}))

    shipped = client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id="S2/T1")).transfer

    assert transfer_status(shipped) == "IN_TRANSIT"
    assert lines_of(shipped) == {SERUM: (3, 3, 0, 3), LIPSTICK: (2, 2, 0, 2)}
    assert shelf(client, "S1", SERUM) == (7, 0) and shelf(client, "S1", LIPSTICK) == (2, 0)
    assert shelf(client, "S2", SERUM) == (1, 3) and shelf(client, "S2", LIPSTICK) == (0, 2)
    # the units in transit cannot be sold at the destination yet
    assert position(client, "S2", SERUM).available == 1
    # shipping again ships nothing more
    assert client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id="S2/T1")).transfer == shipped
    assert shelf(client, "S1", SERUM) == (7, 0) and shelf(client, "S2", SERUM) == (1, 3)

    received = client.transfers.ReceiveTransfer(transfers_pb2.ReceiveTransferRequest(transfer_id="S2/T1")).transfer

    assert transfer_status(received) == "RECEIVED"
    assert lines_of(received) == {SERUM: (3, 3, 3, 0), LIPSTICK: (2, 2, 2, 0)}
    assert shelf(client, "S2", SERUM) == (4, 0) and shelf(client, "S2", LIPSTICK) == (2, 0)
    assert position(client, "S2", SERUM).available == 4
    assert shelf(client, "S1", SERUM) == (7, 0)
    # receiving again receives nothing more
    assert client.transfers.ReceiveTransfer(transfers_pb2.ReceiveTransferRequest(transfer_id="S2/T1")).transfer == received
    assert shelf(client, "S2", SERUM) == (4, 0)


def test_receiving_a_transfer_nothing_of_which_was_shipped_changes_nothing(two_stores):
    client = two_stores
    requested = client.transfers.RequestTransfer(request("T1", {SERUM: 3})).transfer
    assert client.transfers.ReceiveTransfer(transfers_pb2.ReceiveTransferRequest(transfer_id="S2/T1")).transfer == requested
    assert shelf(client, "S2", SERUM) == (1, 0)
    error = refused(client.transfers.ShipTransfer, transfers_pb2.ShipTransferRequest(transfer_id="NOPE"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


# --- the same through the POS, in parts -----------------------------------------------------------


def test_the_pos_ships_and_receives_a_transfer_line_by_line_in_parts(two_stores):
    client = two_stores
    client.transfers.RequestTransfer(request("T1", {SERUM: 5, LIPSTICK: 2}))

    [out1] = sync(client, "S1", [movement("o1", "TRANSFER_OUT", SERUM, 2, 1, transfer_id="S2/T1")])
    assert outcomes(out1) == ["APPLIED"] and out1.acks[0].on_hand == 8
    t = get_transfer(client, "S2/T1")
    assert transfer_status(t) == "IN_TRANSIT" and lines_of(t) == {SERUM: (5, 2, 0, 2), LIPSTICK: (2, 0, 0, 0)}
    assert shelf(client, "S2", SERUM) == (1, 2)

    [in1] = sync(client, "S2", [movement("i1", "TRANSFER_IN", SERUM, 2, 2, transfer_id="S2/T1")])
    assert outcomes(in1) == ["APPLIED"] and in1.acks[0].on_hand == 3
    assert shelf(client, "S2", SERUM) == (3, 0)
    assert transfer_status(get_transfer(client, "S2/T1")) == "IN_TRANSIT"  # 3 serums and the lipsticks still to come

    [out2] = sync(client, "S1", [
        movement("o2", "TRANSFER_OUT", SERUM, 3, 3, transfer_id="S2/T1"),
        movement("o3", "TRANSFER_OUT", LIPSTICK, 2, 3, transfer_id="S2/T1"),
    ])
    assert outcomes(out2) == ["APPLIED", "APPLIED"]
    assert shelf(client, "S1", SERUM) == (5, 0) and shelf(client, "S1", LIPSTICK) == (2, 0)
    assert shelf(client, "S2", SERUM) == (3, 3) and shelf(client, "S2", LIPSTICK) == (0, 2)

    [in2] = sync(client, "S2", [movement("i2", "TRANSFER_IN", SERUM, 1, 4, transfer_id="S2/T1")])
    assert outcomes(in2) == ["APPLIED"] and shelf(client, "S2", SERUM) == (4, 2)
    assert lines_of(get_transfer(client, "S2/T1"))[SERUM] == (5, 5, 3, 2)

    [in3] = sync(client, "S2", [
        movement("i3", "TRANSFER_IN", SERUM, 2, 5, transfer_id="S2/T1"),
        movement("i4", "TRANSFER_IN", LIPSTICK, 2, 5, transfer_id="S2/T1"),
    ])
    assert outcomes(in3) == ["APPLIED", "APPLIED"]
    t = get_transfer(client, "S2/T1")
    assert transfer_status(t) == "RECEIVED" and lines_of(t) == {SERUM: (5, 5, 5, 0), LIPSTICK: (2, 2, 2, 0)}
    assert shelf(client, "S2", SERUM) == (6, 0) and shelf(client, "S2", LIPSTICK) == (2, 0)

    # a resent stream ships and receives nothing again
    [again] = sync(client, "S1", [movement("o1", "TRANSFER_OUT", SERUM, 2, 1, transfer_id="S2/T1")])
    assert outcomes(again) == ["DUPLICATE"]
    assert get_transfer(client, "S2/T1") == t and shelf(client, "S1", SERUM) == (5, 0) and shelf(client, "S2", SERUM) == (6, 0)


def transfer_state(client) -> tuple:
    return get_transfer(client, "S2/T1"), shelf(client, "S1", SERUM), shelf(client, "S2", SERUM), shelf(client, "S3", SERUM)


def test_shipping_or_receiving_more_than_is_left_is_refused_and_changes_nothing(two_stores):
    client = two_stores
    client.stores.UpsertStore(store("S3", LUJIAZUI, radius_km=5))
    client.inventory.ReceiveStock(receipt("S3", {SERUM: 1}))
    client.transfers.RequestTransfer(request("T1", {SERUM: 5}))
    sync(client, "S1", [movement("o1", "TRANSFER_OUT", SERUM, 3, 1, transfer_id="S2/T1")])
    before = transfer_state(client)

    for store_id, too_much in [
        ("S1", movement("o2", "TRANSFER_OUT", SERUM, 3, 2, transfer_id="S2/T1")),  # 2 left to ship
        ("S2", movement("i1", "TRANSFER_IN", SERUM, 4, 2, transfer_id="S2/T1")),  # 3 in transit
    ]:
        with pytest.raises(grpc.RpcError) as caught:
            # the good movement before it in the same batch is refused with it
            sync(client, store_id, [movement(f"ok-{store_id}", "RECEIPT", SERUM, 1, 2), too_much])
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "'S2/T1'" in caught.value.details()
        assert transfer_state(client) == before

    for store_id, wrong_end in [
        ("S2", movement("o2", "TRANSFER_OUT", SERUM, 1, 2, transfer_id="S2/T1")),  # S2 is the destination
        ("S1", movement("i1", "TRANSFER_IN", SERUM, 1, 2, transfer_id="S2/T1")),  # S1 is the source
    ]:
        with pytest.raises(grpc.RpcError) as caught:
            sync(client, store_id, [wrong_end])
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "movements[0]" in caught.value.details() and f"store '{store_id}' cannot report" in caught.value.details()
        assert transfer_state(client) == before

    with pytest.raises(grpc.RpcError) as unknown:
        sync(client, "S1", [movement("o2", "TRANSFER_OUT", SERUM, 1, 2, transfer_id="S2/T-NOPE")])
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    assert transfer_state(client) == before

    # a store at neither end hears what an unknown id gets: nothing of where T1 goes, or that it exists
    with pytest.raises(grpc.RpcError) as elsewhere:
        sync(client, "S3", [movement("i1", "TRANSFER_IN", SERUM, 1, 2, transfer_id="S2/T1")])
    assert elsewhere.value.code() == grpc.StatusCode.NOT_FOUND
    assert elsewhere.value.details() == unknown.value.details().replace("T-NOPE", "T1")
    assert "S1" not in elsewhere.value.details()  # the source; the destination is in the id it gave
    assert transfer_state(client) == before

    # what is left still ships and arrives
    sync(client, "S1", [movement("o2", "TRANSFER_OUT", SERUM, 2, 3, transfer_id="S2/T1")])
    sync(client, "S2", [movement("i1", "TRANSFER_IN", SERUM, 5, 4, transfer_id="S2/T1")])
    assert transfer_status(get_transfer(client, "S2/T1")) == "RECEIVED"
    assert shelf(client, "S1", SERUM) == (5, 0) and shelf(client, "S2", SERUM) == (6, 0)


# --- returns --------------------------------------------------------------------------------------

SERUM_CENTS, LIPSTICK_CENTS = 1990, 12900


def return_request(order_id: str, return_id: str, lines: dict[str, int], store_id: str = "S2") -> orders_pb2.ReturnOrderRequest:
    return orders_pb2.ReturnOrderRequest(
        order_id=order_id, return_id=return_id, store_id=store_id,
        lines=[orders_pb2.ShipmentLine(sku=sku, quantity=q) for sku, q in lines.items()],
    )


def returned(client, order_id: str, return_id: str, lines: dict[str, int], store_id: str = "S2") -> orders_pb2.Order:
    return client.orders.ReturnOrder(return_request(order_id, return_id, lines, store_id)).order


def refunds(o: orders_pb2.Order) -> dict[str, list[tuple[str, int, int]]]:
    return {r.return_id: [(l.sku, l.quantity, l.refund.cents) for l in r.lines] for r in o.returns}


@pytest.fixture
def delivered(two_stores):
    """An order of 3 serums at 19.90 and 2 lipsticks at 129.00, delivered by S1."""
    client = two_stores
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 3, SERUM_CENTS), line(LIPSTICK, 2, LIPSTICK_CENTS))).order
    assert placed.allocation.store_id == "S1"
    pay(client, placed)
    accept(client, placed.order_id)
    pick(client, placed.order_id)
    to_courier(client, placed.order_id)
    deliver(client, placed.order_id)
    assert figures(client, "S1", SERUM)[0] == 7 and figures(client, "S1", LIPSTICK)[0] == 2
    return client, placed.order_id


def return_state(app, client, order_id):
    return get(client, order_id), shelf(client, "S1", SERUM), shelf(client, "S2", SERUM), app.recorder.max_notification_id()


def test_a_delivered_order_returned_in_parts_at_another_store_is_refunded_line_by_line(app, delivered):
    client, oid = delivered

    first = returned(client, oid, "r1", {SERUM: 1}, "S2")

    assert refunds(first) == {"r1": [(SERUM, 1, SERUM_CENTS)]}
    assert first.returns[0].store_id == "S2"
    assert (first.refunded.cents, first.refunded.currency) == (SERUM_CENTS, "CNY")
    assert shelf(client, "S2", SERUM) == (2, 0)  # back on the shelf where it was brought
    assert figures(client, "S1", SERUM)[0] == 7  # not where it was delivered from
    assert orders_pb2.OrderStatus.Name(first.status) == "DELIVERED"

    second = returned(client, oid, "r2", {SERUM: 2, LIPSTICK: 1}, "S2")

    assert refunds(second) == {
        "r1": [(SERUM, 1, SERUM_CENTS)],
        "r2": [(SERUM, 2, 2 * SERUM_CENTS), (LIPSTICK, 1, LIPSTICK_CENTS)],
    }
    assert second.refunded.cents == 3 * SERUM_CENTS + LIPSTICK_CENTS
    assert shelf(client, "S2", SERUM) == (4, 0) and shelf(client, "S2", LIPSTICK) == (1, 0)

    # all serums are back: one more is more than delivered less returned
    before = return_state(app, client, oid)
    error = refused(client.orders.ReturnOrder, return_request(oid, "r3", {SERUM: 1, LIPSTICK: 1}))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "0 of sku 'SERUM-02' left to return" in error.details()
    assert return_state(app, client, oid) == before

    last = returned(client, oid, "r3", {LIPSTICK: 1}, "S1")
    assert last.refunded == last.total  # the whole order, returned in three parts, is refunded in full
    assert figures(client, "S1", LIPSTICK)[0] == 3


def test_a_whole_order_returned_at_once_refunds_its_total(delivered):
    client, oid = delivered
    whole = returned(client, oid, "r1", {SERUM: 3, LIPSTICK: 2})
    assert refunds(whole) == {"r1": [(SERUM, 3, 3 * SERUM_CENTS), (LIPSTICK, 2, 2 * LIPSTICK_CENTS)]}
    assert whole.refunded == whole.total
    assert shelf(client, "S2", SERUM) == (4, 0) and shelf(client, "S2", LIPSTICK) == (2, 0)


def test_returning_more_than_was_delivered_is_refused_and_changes_nothing(app, delivered):
    client, oid = delivered
    before = return_state(app, client, oid)
    error = refused(client.orders.ReturnOrder, return_request(oid, "r1", {SERUM: 4}))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert return_state(app, client, oid) == before
    error = refused(client.orders.ReturnOrder, return_request(oid, "r1", {"NOT-IN-ORDER": 1}))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert return_state(app, client, oid) == before


def test_an_order_not_yet_delivered_cannot_be_returned(app, two_stores):
    client = two_stores
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 3))).order
    pay(client, placed)
    accept(client, placed.order_id)
    pick(client, placed.order_id)
    to_courier(client, placed.order_id)  # with the courier, not yet with the customer
    before = return_state(app, client, placed.order_id)

    error = refused(client.orders.ReturnOrder, return_request(placed.order_id, "r1", {SERUM: 1}))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "is HANDED_OVER" in error.details()
    assert return_state(app, client, placed.order_id) == before


def test_the_same_return_again_is_unchanged_and_its_id_with_other_lines_is_already_exists(app, delivered):
    client, oid = delivered
    first = returned(client, oid, "r1", {SERUM: 1})
    before = return_state(app, client, oid)

    assert returned(client, oid, "r1", {SERUM: 1}) == first
    assert return_state(app, client, oid) == before

    for different in (return_request(oid, "r1", {SERUM: 2}), return_request(oid, "r1", {SERUM: 1}, "S1")):
        error = refused(client.orders.ReturnOrder, different)
        assert error.code() == grpc.StatusCode.ALREADY_EXISTS
        assert "'r1'" in error.details()
        assert return_state(app, client, oid) == before
