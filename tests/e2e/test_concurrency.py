"""Concurrent buyers through gRPC: never more reserved than there is."""

from __future__ import annotations

import threading

import grpc

from aggregates.stock_position import StockPosition
from protos.omo.v1 import orders_pb2
from services.client.client import OmoClient
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from tests.builders import PEOPLES_SQUARE, line, order, position, race, receipt, store


def test_twenty_buyers_race_for_the_last_five_units_and_exactly_five_win(app, server, client, cast):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.inventory.ReceiveStock(receipt("S1", {"SNEAKER-LTD": 5}))
    requests = [order(f"buyer-{n}", PEOPLES_SQUARE, line("SNEAKER-LTD", 1), customer=f"C{n}") for n in range(20)]

    results = race([server.port], requests, cast.token("checkout"))

    won = [r for r in results if isinstance(r, orders_pb2.PlaceOrderResponse)]
    lost = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(won) == 5
    assert {e.code() for e in lost} == {grpc.StatusCode.FAILED_PRECONDITION}
    final = position(client, "S1", "SNEAKER-LTD")
    assert (final.on_hand, final.reserved, final.available) == (5, 5, 0)
    _assert_never_oversold(app, "S1", "SNEAKER-LTD")


def test_the_same_idempotency_key_sent_twenty_times_at_once_places_one_order(app, client, cast):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.inventory.ReceiveStock(receipt("S1", {"SNEAKER-LTD": 50}))
    request = order("one-checkout", PEOPLES_SQUARE, line("SNEAKER-LTD", 2))
    from services.api.gate.buyer_guard import BuyerLimits
    from services.api.server import start_server

    # twenty calls of one customer at once are more than the buyer guard lets through (five);
    # here the retries themselves are under test
    unthrottled = start_server(app, port=0, buyer_limits=BuyerLimits(orders_per_second=1000, burst=1000))
    try:
        results = race([unthrottled.port], [request] * 20, cast.token("checkout"))
    finally:
        unthrottled.stop(grace=1)

    assert all(isinstance(r, orders_pb2.PlaceOrderResponse) for r in results)
    assert len({r.order.order_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert position(client, "S1", "SNEAKER-LTD").reserved == 2


def test_two_servers_on_one_database_never_oversell(database_url, app, server, client, cast):
    """A second process-like server has its own locks and live index: only the version
    check in the event store keeps them apart."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.inventory.ReceiveStock(receipt("S1", {"SNEAKER-LTD": 5}))
    from services.api.server import start_server

    other_app = build_application(database_url)
    other = start_server(other_app, port=0)
    try:
        requests = [order(f"buyer-{n}", PEOPLES_SQUARE, line("SNEAKER-LTD", 1), customer=f"C{n}") for n in range(12)]
        first = _race_two(server.port, other.port, requests, cast.token("checkout"))
        assert sum(isinstance(r, orders_pb2.PlaceOrderResponse) for r in first) == 5
        assert position(client, "S1", "SNEAKER-LTD").reserved == 5
        _assert_never_oversold(app, "S1", "SNEAKER-LTD")
    finally:
        other.stop(grace=1)
        other_app.close()


def _race_two(port_a: int, port_b: int, requests: list, token: str) -> list:
    half = len(requests) // 2
    results: list = []
    threads = [
        threading.Thread(target=lambda: results.extend(race([port_a], requests[:half], token))),
        threading.Thread(target=lambda: results.extend(race([port_b], requests[half:], token))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _assert_never_oversold(app: OmoApplication, store_id: str, sku: str) -> None:
    """Replays the position's events: at no point were more units reserved than on hand."""
    on_hand = reserved = 0
    for event in app.events.get(StockPosition.create_id(store_id, sku)):
        name = type(event).__name__
        if name == "StockMoved":
            on_hand += event.change
        elif name == "StockReserved":
            reserved += event.quantity
        elif name == "ReservationReleased":
            reserved -= event.quantity
        elif name == "ClaimsServed":  # a backorder's incoming units arrived
            reserved += sum(units for _, units in event.served)
        assert 0 <= reserved <= on_hand, f"after {name}: reserved {reserved} of {on_hand}"


def test_a_second_server_routes_to_stock_the_first_has_just_received(database_url, app, client, cast):
    from services.api.server import start_server

    other_app = build_application(database_url)
    other = start_server(other_app, port=0)
    try:
        with OmoClient(f"127.0.0.1:{other.port}", tokens=cast) as second:
            client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
            client.inventory.ReceiveStock(receipt("S1", {"SNEAKER-LTD": 3}))
            placed = second.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SNEAKER-LTD", 1)))
            assert placed.order.allocation.store_id == "S1"
    finally:
        other.stop(grace=1)
        other_app.close()
