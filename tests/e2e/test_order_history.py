"""GetOrderHistory through the real server: every step of a rerouted and returned order, in
order, with the caller that took it; who may read it."""

from __future__ import annotations

import grpc
import pytest

from protos.omo.v1 import orders_pb2
from services.client.client import OmoClient
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, line, order, receipt, refused, store
from tests.order_steps import accept, deliver, pay, pick, reject, to_courier


def token_id(token: str) -> str:
    return token.split("_")[1]


@pytest.fixture
def callers(server, cast):
    """A client per caller, each presenting its own token."""
    address = f"127.0.0.1:{server.port}"
    tokens = {
        "ops": cast.token("ops"), "checkout": cast.token("checkout"),
        "pos_s1": cast.token("pos", store_id="S1"), "pos_s2": cast.token("pos", store_id="S2"),
        "pos_s3": cast.token("pos", store_id="S3"),
    }
    clients = {name: OmoClient(address, token=token) for name, token in tokens.items()}
    yield clients, {name: token_id(token) for name, token in tokens.items()}
    for client in clients.values():
        client.close()


def history(client, order_id: str) -> list[orders_pb2.OrderHistoryEntry]:
    return list(client.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=order_id)).entries)


def test_a_rerouted_and_returned_order_tells_every_step_and_who_took_it(client, callers):
    clients, ids = callers
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM": 5}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM": 5}))
    checkout, pos_s1, pos_s2 = clients["checkout"], clients["pos_s1"], clients["pos_s2"]

    placed = checkout.orders.PlaceOrder(order("k-history", PEOPLES_SQUARE, line("SERUM", 2))).order
    assert placed.allocation.store_id == "S1"
    pay(checkout, placed)
    reject(pos_s1, placed.order_id, "S1", reason="freezer broken")
    for step in (accept, pick, to_courier, deliver):
        step(pos_s2, placed.order_id, "S2")
    checkout.orders.ReturnOrder(orders_pb2.ReturnOrderRequest(
        order_id=placed.order_id, return_id="R-1", store_id="S2", lines=[orders_pb2.ShipmentLine(sku="SERUM", quantity=1)],
    ))

    entries = history(checkout, placed.order_id)

    steps = [(e.step, e.store_id, e.caller_role, e.caller_token_id) for e in entries]
    assert steps == [
        ("PLACED", "", "checkout", ids["checkout"]),
        ("ALLOCATED", "S1", "checkout", ids["checkout"]),
        ("PAID", "", "checkout", ids["checkout"]),
        ("REROUTED", "S1", "pos", ids["pos_s1"]),
        ("ACCEPTED", "S2", "pos", ids["pos_s2"]),
        ("PICKED", "S2", "pos", ids["pos_s2"]),
        ("HANDED_OVER", "S2", "pos", ids["pos_s2"]),
        ("ATTRIBUTED", "S2", "pos", ids["pos_s2"]),
        ("DELIVERED", "S2", "pos", ids["pos_s2"]),
        ("RETURNED", "S2", "checkout", ids["checkout"]),
        ("ATTRIBUTION_REVERSED", "", "checkout", ids["checkout"]),
    ]
    assert [e.version for e in entries] == list(range(1, len(entries) + 1))
    times = [e.at.ToDatetime() for e in entries]
    assert times == sorted(times)
    rerouted = entries[3]
    assert "store S2" in rerouted.summary and "store S1 rejected it: freezer broken" in rerouted.summary
    assert "2 x SERUM reserved there" in entries[1].summary
    assert f"promised by {placed.shipments[0].promised_by}" in entries[1].summary
    moved = client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order
    assert moved.shipments[0].promised_by and f"promised by {moved.shipments[0].promised_by}" in rerouted.summary
    assert "1 x SERUM (refund 1990 cents)" in entries[9].summary


def test_the_stores_it_ships_from_or_left_may_read_it_and_no_other_store_learns_it_exists(client, callers):
    clients, _ = callers
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
    client.stores.UpsertStore(store("S3", LUJIAZUI))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM": 5}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM": 5}))
    placed = clients["checkout"].orders.PlaceOrder(order("k-scope", PEOPLES_SQUARE, line("SERUM", 1))).order
    pay(clients["checkout"], placed)
    reject(clients["pos_s1"], placed.order_id, "S1")

    assert history(clients["pos_s1"], placed.order_id)[-1].step == "REROUTED"  # the store it left
    assert history(clients["pos_s2"], placed.order_id)[-1].step == "REROUTED"  # the store it ships from now
    assert len(history(clients["ops"], placed.order_id)) == 4
    hidden = refused(clients["pos_s3"].orders.GetOrderHistory, orders_pb2.GetOrderHistoryRequest(order_id=placed.order_id))
    unknown = refused(clients["pos_s3"].orders.GetOrderHistory, orders_pb2.GetOrderHistoryRequest(order_id="no-such-order"))
    assert hidden.code() == unknown.code() == grpc.StatusCode.NOT_FOUND
    assert hidden.details().replace(placed.order_id, "ID") == unknown.details().replace("no-such-order", "ID")
    assert "S1" not in hidden.details() and "S2" not in hidden.details()


def test_an_order_that_does_not_exist_is_not_found_and_a_malformed_id_is_invalid(callers):
    clients, _ = callers
    missing = refused(clients["checkout"].orders.GetOrderHistory, orders_pb2.GetOrderHistoryRequest(order_id="6b1c3c1e-0000-5000-8000-000000000000"))
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    malformed = refused(clients["checkout"].orders.GetOrderHistory, orders_pb2.GetOrderHistoryRequest(order_id="no-such-order"))
    assert malformed.code() == grpc.StatusCode.INVALID_ARGUMENT
