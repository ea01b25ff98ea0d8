"""Cancelling some lines of an order through the real gRPC server, on SQLite and PostgreSQL:
exactly the cancelled units are released, the rest of the order goes on with a smaller total,
a shipment left with nothing is gone from its store, and what cannot be cancelled is refused
with a status that says why and changes nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from protos.omo.v1 import orders_pb2
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, line, order, position, receipt, refused, store
from tests.order_steps import accept, get, pay, pick, to_courier

SERUM, LIPSTICK = "SERUM-02", "LIPSTICK-01"
SERUM_CENTS, LIPSTICK_CENTS = 1990, 12900


def figures(client, store_id: str, sku: str) -> tuple[int, int, int]:
    p = position(client, store_id, sku)
    return p.on_hand, p.reserved, p.available


def cancel_lines(client, order_id: str, key: str, units: dict[str, int], reason: str = "customer changed their mind"):
    request = orders_pb2.CancelOrderLinesRequest(
        order_id=order_id, idempotency_key=key, reason=reason,
        lines=[orders_pb2.ShipmentLine(sku=sku, quantity=n) for sku, n in units.items()],
    )
    return client.orders.CancelOrderLines(request)


def lines_of(o: orders_pb2.Order) -> dict[str, int]:
    return {l.sku: l.quantity for l in o.lines}


def shipment_lines(o: orders_pb2.Order) -> dict[str, dict[str, int]]:
    return {s.store_id: {l.sku: l.quantity for l in s.lines} for s in o.shipments}


def snapshot(app, client, order_id: str, positions):
    return get(client, order_id), {key: figures(client, *key) for key in positions}, app.recorder.max_notification_id()


@pytest.fixture
def one_store(client, cast):
    for role, store_id in (("ops", ""), ("checkout", ""), ("pos", "S1")):
        cast.token(role, store_id)
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 5, LIPSTICK: 3}))
    return client


@pytest.fixture
def two_stores(client, cast):
    for role, store_id in (("ops", ""), ("checkout", ""), ("pos", "S1"), ("pos", "S2")):
        cast.token(role, store_id)
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 5}))
    client.inventory.ReceiveStock(receipt("S2", {SERUM: 10}))
    return client


def test_cancelling_part_of_a_line_releases_exactly_those_units_and_shrinks_the_total(app, one_store):
    client = one_store
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2, SERUM_CENTS), line(LIPSTICK, 1, LIPSTICK_CENTS))).order
    assert figures(client, "S1", SERUM) == (5, 2, 3)

    answer = cancel_lines(client, placed.order_id, "c1", {SERUM: 1})

    o = answer.order
    assert lines_of(o) == {SERUM: 1, LIPSTICK: 1}
    assert shipment_lines(o) == {"S1": {SERUM: 1, LIPSTICK: 1}}
    assert o.total.cents == placed.total.cents - SERUM_CENTS == SERUM_CENTS + LIPSTICK_CENTS
    assert answer.refund.cents == 0  # unpaid: the total simply shrank
    assert figures(client, "S1", SERUM) == (5, 1, 4) and figures(client, "S1", LIPSTICK) == (3, 1, 2)
    assert get(client, placed.order_id) == o

    # the customer pays the new total, not the old one
    wrong = refused(client.orders.ConfirmPayment, orders_pb2.ConfirmPaymentRequest(order_id=o.order_id, payment_id="p", amount=placed.total))
    assert wrong.code() == grpc.StatusCode.INVALID_ARGUMENT
    paid = pay(client, o)
    assert paid.payment_id == "pay-1"


def test_a_paid_order_owes_the_refund_and_its_store_attributes_only_what_is_left(one_store):
    client = one_store
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2, SERUM_CENTS), line(LIPSTICK, 1, LIPSTICK_CENTS))).order
    pay(client, placed)

    answer = cancel_lines(client, placed.order_id, "c1", {LIPSTICK: 1})

    assert answer.refund.cents == LIPSTICK_CENTS and answer.refund.currency == "CNY"
    assert lines_of(answer.order) == {SERUM: 2}
    [recorded] = answer.order.line_cancellations
    assert (recorded.idempotency_key, recorded.refund.cents, recorded.reason) == ("c1", LIPSTICK_CENTS, "customer changed their mind")
    assert [(l.sku, l.quantity) for l in recorded.lines] == [(LIPSTICK, 1)]
    assert figures(client, "S1", LIPSTICK) == (3, 0, 3)
    accept(client, placed.order_id)
    pick(client, placed.order_id)
    handed = to_courier(client, placed.order_id)
    assert figures(client, "S1", SERUM) == (3, 0, 3) and figures(client, "S1", LIPSTICK) == (3, 0, 3)
    [attribution] = handed.attributions
    assert {l.sku: l.quantity for l in attribution.lines} == {SERUM: 2}  # nothing for the cancelled lipstick


def test_a_retry_returns_the_first_answer_and_another_request_under_the_key_is_already_exists(app, one_store):
    client = one_store
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 3, SERUM_CENTS))).order
    pay(client, placed)
    first = cancel_lines(client, placed.order_id, "c1", {SERUM: 1})
    before = snapshot(app, client, placed.order_id, [("S1", SERUM)])

    again = cancel_lines(client, placed.order_id, "c1", {SERUM: 1})
    assert again == first
    assert snapshot(app, client, placed.order_id, [("S1", SERUM)]) == before

    error = refused(client.orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(
        order_id=placed.order_id, idempotency_key="c1", lines=[orders_pb2.ShipmentLine(sku=SERUM, quantity=2)], reason="more",
    ))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS and "'c1'" in error.details()
    assert snapshot(app, client, placed.order_id, [("S1", SERUM)]) == before

    second = cancel_lines(client, placed.order_id, "c2", {SERUM: 1})  # a new key is a new cancellation
    assert lines_of(second.order) == {SERUM: 1} and second.refund.cents == SERUM_CENTS
    assert figures(client, "S1", SERUM) == (5, 1, 4)


def test_units_come_off_the_shipment_not_yet_picked_and_an_emptied_one_is_gone_from_its_store(app, two_stores):
    client = two_stores
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 11, SERUM_CENTS))).order
    assert shipment_lines(placed) == {"S1": {SERUM: 5}, "S2": {SERUM: 6}}
    pay(client, placed)
    accept(client, placed.order_id, "S1")
    pick(client, placed.order_id, "S1")
    assert figures(client, "S2", SERUM) == (10, 6, 4)

    # S1 picked its five: cancelling more than S2 holds would take picked units
    before = snapshot(app, client, placed.order_id, [("S1", SERUM), ("S2", SERUM)])
    error = refused(client.orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(
        order_id=placed.order_id, idempotency_key="too-many", lines=[orders_pb2.ShipmentLine(sku=SERUM, quantity=7)], reason="x",
    ))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "from 'S1' is PICKED" in error.details() and "return them once delivered" in error.details()
    assert snapshot(app, client, placed.order_id, [("S1", SERUM), ("S2", SERUM)]) == before

    answer = cancel_lines(client, placed.order_id, "c1", {SERUM: 6})
    assert shipment_lines(answer.order) == {"S1": {SERUM: 5}}  # S2 has nothing left to ship
    assert orders_pb2.OrderStatus.Name(answer.order.status) == "PICKED"
    assert figures(client, "S2", SERUM) == (10, 0, 10)
    assert answer.refund.cents == 6 * SERUM_CENTS
    history = client.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=placed.order_id)).entries
    [cancelled] = [entry for entry in history if entry.step == "LINES_CANCELLED"]
    assert cancelled.store_id == "S2" and cancelled.caller_role == "ops" and cancelled.caller_token_id  # the client acts as ops
    assert "6 x SERUM-02" in cancelled.summary and "nothing left to ship there" in cancelled.summary


@pytest.mark.parametrize("lines, code, says", [
    ({"NOPE": 1}, grpc.StatusCode.INVALID_ARGUMENT, "sku 'NOPE' is not in order"),
    ({SERUM: 3}, grpc.StatusCode.INVALID_ARGUMENT, "has 2 of sku 'SERUM-02', 3 asked"),
    ({SERUM: 0}, grpc.StatusCode.INVALID_ARGUMENT, "quantity"),
    ({}, grpc.StatusCode.INVALID_ARGUMENT, "lines"),
    ({SERUM: 2, LIPSTICK: 1}, grpc.StatusCode.FAILED_PRECONDITION, "cancel the order instead (CancelOrder)"),
])
def test_what_cannot_be_cancelled_is_refused_saying_why_and_changes_nothing(app, one_store, lines, code, says):
    client = one_store
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2, SERUM_CENTS), line(LIPSTICK, 1, LIPSTICK_CENTS))).order
    before = snapshot(app, client, placed.order_id, [("S1", SERUM), ("S1", LIPSTICK)])
    error = refused(client.orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(
        order_id=placed.order_id, idempotency_key="c1", reason="x",
        lines=[orders_pb2.ShipmentLine(sku=sku, quantity=n) for sku, n in lines.items()],
    ))
    assert error.code() == code and says in error.details()
    assert snapshot(app, client, placed.order_id, [("S1", SERUM), ("S1", LIPSTICK)]) == before


def test_a_cancelled_or_unknown_order_and_a_missing_key_are_refused(one_store):
    client = one_store
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2, SERUM_CENTS))).order
    no_key = refused(client.orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(
        order_id=placed.order_id, lines=[orders_pb2.ShipmentLine(sku=SERUM, quantity=1)], reason="x",
    ))
    assert no_key.code() == grpc.StatusCode.INVALID_ARGUMENT and "idempotency_key" in no_key.details()
    client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order_id, reason="gone"))
    gone = refused(client.orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(
        order_id=placed.order_id, idempotency_key="c1", lines=[orders_pb2.ShipmentLine(sku=SERUM, quantity=1)], reason="x",
    ))
    assert gone.code() == grpc.StatusCode.FAILED_PRECONDITION and "already cancelled" in gone.details()
    unknown = refused(client.orders.CancelOrderLines, orders_pb2.CancelOrderLinesRequest(
        order_id="00000000-0000-0000-0000-000000000000", idempotency_key="c1",
        lines=[orders_pb2.ShipmentLine(sku=SERUM, quantity=1)], reason="x",
    ))
    assert unknown.code() == grpc.StatusCode.NOT_FOUND


def test_cancellations_racing_on_one_order_never_release_more_than_they_cancel(app, one_store):
    """Eight customers' cancellations of one unit each, all at once, on an order of five (each
    key sent twice, as a retrying client would): four succeed, the one that would leave nothing
    is refused, and the reservation holds exactly what is left."""
    client = one_store
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 5, SERUM_CENTS))).order
    barrier = threading.Barrier(16)

    def attempt(key: str):
        barrier.wait()
        try:
            return cancel_lines(client, placed.order_id, key, {SERUM: 1})
        except grpc.RpcError as error:
            return error.code()

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, [f"c{n % 8}" for n in range(16)]))

    done = {}
    for n, answer in enumerate(answers):
        if not isinstance(answer, grpc.StatusCode):
            done.setdefault(f"c{n % 8}", set()).add(answer.order.order_id)
    refused_codes = {a for a in answers if isinstance(a, grpc.StatusCode)}
    assert len(done) == 4 and refused_codes <= {grpc.StatusCode.FAILED_PRECONDITION}
    final = get(client, placed.order_id)
    assert lines_of(final) == {SERUM: 1} and len(final.line_cancellations) == 4
    assert {c.idempotency_key for c in final.line_cancellations} == set(done)
    assert figures(client, "S1", SERUM) == (5, 1, 4)
