"""An online order's way through the store, through the real gRPC server on SQLite and
PostgreSQL: payment, accept, pick, hand over, deliver; every step the lifecycle does not
allow is refused and records nothing; rejections move the order; unpaid orders are released."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest

from protos.omo.v1 import common_pb2, orders_pb2
from services.client.client import OmoClient
from services.client.cast import Cast
from services.api.server import start_server
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from services.use_cases.ordering.fulfilment import release_unpaid_orders
from services.use_cases.housekeeping import tidy
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, XUJIAHUI, line, order, position, receipt, refused, store
from tests.e2e.test_pos_sync_service import movement, outcomes, sync
from tests.order_steps import (
    NAMED, PATHS, STEPS, WRONG_PARTY, accept, cancel, deliver, get, pay, pick, reject, refused_steps, repeated_steps, to_courier,
    to_customer,
)

SERUM, LIPSTICK = "SERUM-02", "LIPSTICK-01"
SERUM_CENTS, LIPSTICK_CENTS = 1990, 12900


def status(o: orders_pb2.Order) -> str:
    return orders_pb2.OrderStatus.Name(o.status)


def shipment_statuses(o: orders_pb2.Order) -> dict[str, str]:
    return {s.store_id: orders_pb2.ShipmentStatus.Name(s.status).removeprefix("SHIPMENT_") for s in o.shipments}


def figures(client, store_id: str, sku: str) -> tuple[int, int, int]:
    p = position(client, store_id, sku)
    return p.on_hand, p.reserved, p.available


def snapshot(app: OmoApplication, client, order_id: str, positions=(("S1", SERUM), ("S1", LIPSTICK))):
    """What a refused or repeated call must leave as it was: the order, the stock, the event log."""
    return (
        get(client, order_id),
        {key: figures(client, *key) for key in positions},
        app.recorder.max_notification_id(),
    )


def delivery_order(client, key: str = "k1") -> orders_pb2.Order:
    return client.orders.PlaceOrder(order(key, PEOPLES_SQUARE, line(SERUM, 2, SERUM_CENTS), line(LIPSTICK, 1, LIPSTICK_CENTS))).order


def pickup_order(client, key: str = "k1") -> orders_pb2.Order:
    return client.orders.PlaceOrder(
        order(key, PEOPLES_SQUARE, line(SERUM, 2, SERUM_CENTS), line(LIPSTICK, 1, LIPSTICK_CENTS), pickup_store="S1")
    ).order


@pytest.fixture
def one_store(client, cast):
    """S1 at People's Square with 5 serums and 3 lipsticks; nobody else stocks them. Every
    caller's token is issued first, so that the event log moves only when the order does."""
    for role, store_id in (("ops", ""), ("checkout", ""), ("pos", "S1"), ("pos", "S2")):
        cast.token(role, store_id)
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 5, LIPSTICK: 3}))
    return client


# --- the happy paths --------------------------------------------------------------------------


def test_a_delivery_order_goes_from_payment_to_the_customer_s_door(app, one_store):
    client = one_store
    placed = delivery_order(client)
    assert (status(placed), placed.allocation.store_id) == ("ALLOCATED", "S1")

    paid = pay(client, placed, "wx-pay-42")
    assert (status(paid), paid.payment_id) == ("ALLOCATED", "wx-pay-42")
    accepted = accept(client, placed.order_id)
    assert status(accepted) == "ACCEPTED" and shipment_statuses(accepted) == {"S1": "ACCEPTED"}
    assert figures(client, "S1", SERUM) == (5, 2, 3) and figures(client, "S1", LIPSTICK) == (3, 1, 2)

    picked = pick(client, placed.order_id)
    assert status(picked) == "PICKED"
    # the reservation became a deduction: on hand and reserved down by the order's units, available as it was
    assert figures(client, "S1", SERUM) == (3, 0, 3)
    assert figures(client, "S1", LIPSTICK) == (2, 0, 2)

    handed = to_courier(client, placed.order_id)
    assert status(handed) == "HANDED_OVER" and shipment_statuses(handed) == {"S1": "HANDED_OVER"}
    delivered = deliver(client, placed.order_id)
    assert status(delivered) == "DELIVERED" and shipment_statuses(delivered) == {"S1": "DELIVERED"}
    assert get(client, placed.order_id) == delivered
    # handing over and delivering move no stock
    assert figures(client, "S1", SERUM) == (3, 0, 3) and figures(client, "S1", LIPSTICK) == (2, 0, 2)


def test_a_pickup_order_is_delivered_when_handed_to_the_customer_with_the_right_code(one_store):
    client = one_store
    placed = pickup_order(client)
    assert len(placed.pickup_code) == 6 and placed.pickup_code.isdigit()
    pay(client, placed)
    accept(client, placed.order_id)
    pick(client, placed.order_id)
    assert figures(client, "S1", SERUM) == (3, 0, 3)

    collected = to_customer(client, placed.order_id, code=placed.pickup_code)

    assert status(collected) == "DELIVERED" and shipment_statuses(collected) == {"S1": "DELIVERED"}


def test_a_split_order_is_worked_by_each_store_and_shows_its_least_advanced_shipment(app, client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 5}))
    client.inventory.ReceiveStock(receipt("S2", {SERUM: 10}))
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 11))).order
    assert {s.store_id: s.lines[0].quantity for s in placed.shipments} == {"S1": 5, "S2": 6}
    oid = placed.order_id
    pay(client, placed)

    o = accept(client, oid, "S1")
    assert (status(o), shipment_statuses(o)) == ("ALLOCATED", {"S1": "ACCEPTED", "S2": "ALLOCATED"})
    o = pick(client, oid, "S1")
    assert (status(o), shipment_statuses(o)) == ("ALLOCATED", {"S1": "PICKED", "S2": "ALLOCATED"})
    # each store's pick takes only its own units
    assert figures(client, "S1", SERUM) == (0, 0, 0)
    assert figures(client, "S2", SERUM) == (10, 6, 4)
    # one store picked: the order can no longer be cancelled, and nothing changes
    before = snapshot(app, client, oid, [("S1", SERUM), ("S2", SERUM)])
    error = refused(client.orders.CancelOrder, orders_pb2.CancelOrderRequest(order_id=oid, reason="changed mind"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "is ALLOCATED: store 'S1' has already picked it" in error.details()
    assert snapshot(app, client, oid, [("S1", SERUM), ("S2", SERUM)]) == before

    o = accept(client, oid, "S2")
    assert status(o) == "ACCEPTED"
    o = to_courier(client, oid, "S1")
    o = deliver(client, oid, "S1")
    assert (status(o), shipment_statuses(o)) == ("ACCEPTED", {"S1": "DELIVERED", "S2": "ACCEPTED"})
    o = pick(client, oid, "S2")
    assert status(o) == "PICKED" and figures(client, "S2", SERUM) == (4, 0, 4)
    o = to_courier(client, oid, "S2")
    assert status(o) == "HANDED_OVER"
    o = deliver(client, oid, "S2")
    assert (status(o), shipment_statuses(o)) == ("DELIVERED", {"S1": "DELIVERED", "S2": "DELIVERED"})


# --- the matrix (tests/order_steps.py): every status x every step it does not allow ----------

MATRIX = [pytest.param(mode, at, id=f"{mode}-{at}") for mode, paths in PATHS.items() for at in paths]


def drive(client, mode: str, at: str) -> str:
    placed = delivery_order(client) if mode == "DELIVERY" else pickup_order(client)
    for step in PATHS[mode][at]:
        if step == "pay":
            pay(client, placed)
        elif step == "walk_in_sale_of_reserved_units":
            # 5 on the shelf, 2 reserved for the order: the counter sells 4, nobody else has serums
            [response] = sync(client, "S1", [movement("walk-in-1", "SALE", SERUM, 4, 1)])
            assert outcomes(response) == ["APPLIED"] and response.moved_orders[0].flagged
        else:
            STEPS[step](client, placed.order_id)
    reached = get(client, placed.order_id)
    assert status(reached) == at.removesuffix("_UNPAID")
    assert bool(reached.payment_id) == (at != "ALLOCATED_UNPAID")
    return placed.order_id


@pytest.mark.parametrize("mode, at", MATRIX)
def test_in_every_status_each_step_it_does_not_allow_is_refused_and_a_repeated_step_changes_nothing(app, one_store, mode, at):
    client = one_store
    oid = drive(client, mode, at)
    before = snapshot(app, client, oid)

    for step in refused_steps(mode, at):
        with pytest.raises(grpc.RpcError) as caught:
            STEPS[step](client, oid)
        error = caught.value
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, (step, error.details())
        if step == WRONG_PARTY[mode]:
            assert f"is {mode}" in error.details(), (step, error.details())  # names the order's mode
        else:
            assert f"is {NAMED.get(at, at)}" in error.details(), (step, error.details())  # names the current status
        assert snapshot(app, client, oid) == before, f"{step} at {at} changed something"

    for step in repeated_steps(mode, at):
        again = STEPS[step](client, oid)
        assert again == before[0], f"{step} repeated at {at} returned a different order"
        assert snapshot(app, client, oid) == before, f"{step} repeated at {at} changed something"


def test_a_wrong_pickup_code_is_invalid_argument_and_changes_nothing(app, one_store):
    client = one_store
    oid = drive(client, "PICKUP", "PICKED")
    code = get(client, oid).pickup_code
    before = snapshot(app, client, oid)
    for wrong in (f"{(int(code) + 1) % 1_000_000:06d}", ""):
        error = refused(lambda _: to_customer(client, oid, code=wrong), None)
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "pickup_code" in error.details()
        assert snapshot(app, client, oid) == before
    assert status(to_customer(client, oid, code=code)) == "DELIVERED"


def test_a_store_with_no_shipment_of_the_order_is_not_found_for_every_step(app, one_store):
    client = one_store
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    oid = drive(client, "DELIVERY", "ALLOCATED")
    before = snapshot(app, client, oid)
    calls = [accept, pick, to_courier, deliver, reject]
    for call in calls:
        error = refused(lambda _: call(client, oid, "S2"), None)
        assert error.code() == grpc.StatusCode.NOT_FOUND, (call.__name__, error.details())
        assert "'S2'" in error.details()
        assert snapshot(app, client, oid) == before


def test_an_unknown_order_is_not_found(one_store):
    error = refused(lambda _: accept(one_store, "00000000-0000-0000-0000-000000000000"), None)
    assert error.code() == grpc.StatusCode.NOT_FOUND


# --- payment --------------------------------------------------------------------------------


def test_a_payment_of_the_wrong_amount_or_currency_is_invalid_argument_and_changes_nothing(app, one_store):
    client = one_store
    placed = delivery_order(client)
    assert placed.total == common_pb2.Money(cents=2 * SERUM_CENTS + LIPSTICK_CENTS, currency="CNY")
    before = snapshot(app, client, placed.order_id)
    for amount, field in [
        (common_pb2.Money(cents=placed.total.cents - 1, currency="CNY"), "amount"),
        (common_pb2.Money(cents=placed.total.cents, currency="USD"), "amount.currency"),
    ]:
        error = refused(
            client.orders.ConfirmPayment,
            orders_pb2.ConfirmPaymentRequest(order_id=placed.order_id, payment_id="pay-1", amount=amount),
        )
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error.details().startswith(field)
        assert snapshot(app, client, placed.order_id) == before
    assert get(client, placed.order_id).payment_id == ""


def test_the_same_payment_again_is_unchanged_and_a_second_payment_is_refused(app, one_store):
    client = one_store
    placed = delivery_order(client)
    paid = pay(client, placed, "pay-1")
    before = snapshot(app, client, placed.order_id)

    assert pay(client, placed, "pay-1") == paid
    assert snapshot(app, client, placed.order_id) == before

    error = refused(lambda _: pay(client, placed, "pay-2"), None)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "'pay-1'" in error.details()
    assert snapshot(app, client, placed.order_id) == before


def test_paying_a_cancelled_order_is_refused(app, one_store):
    client = one_store
    placed = delivery_order(client)
    cancel(client, placed.order_id)
    before = snapshot(app, client, placed.order_id)
    error = refused(lambda _: pay(client, placed), None)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "CANCELLED" in error.details()
    assert snapshot(app, client, placed.order_id) == before


# --- rejections -------------------------------------------------------------------------------


@pytest.fixture
def three_stores(client):
    """Around a customer at People's Square: S1 there, S2 at Jing'an (2.7 km), S3 at Xujiahui
    (5.3 km, delivering 10 km); each has serums."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.stores.UpsertStore(store("S3", XUJIAHUI, radius_km=10))
    for store_id in ("S1", "S2", "S3"):
        client.inventory.ReceiveStock(receipt(store_id, {SERUM: 5}))
    return client


def test_a_rejected_order_moves_to_the_next_nearest_store_and_a_retried_rejection_changes_nothing(app, three_stores):
    client = three_stores
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2))).order
    assert placed.allocation.store_id == "S1"
    pay(client, placed)
    accept(client, placed.order_id, "S1")

    moved = reject(client, placed.order_id, "S1", "freezer broken")

    assert moved.allocation.store_id == "S2"
    assert (status(moved), shipment_statuses(moved)) == ("ALLOCATED", {"S2": "ALLOCATED"})
    assert moved.payment_id == "pay-1"
    [reroute] = moved.reroutes
    assert (reroute.from_store_id, reroute.cause, list(reroute.to_store_ids)) == ("S1", "REJECTED_BY_STORE", ["S2"])
    assert "freezer broken" in reroute.reason
    assert figures(client, "S1", SERUM) == (5, 0, 5)  # released where it was rejected
    assert figures(client, "S2", SERUM) == (5, 2, 3)  # reserved where it went
    assert figures(client, "S3", SERUM) == (5, 0, 5)

    positions = [("S1", SERUM), ("S2", SERUM), ("S3", SERUM)]
    before = snapshot(app, client, placed.order_id, positions)
    assert reject(client, placed.order_id, "S1", "freezer broken") == moved
    assert snapshot(app, client, placed.order_id, positions) == before

    # and the store it went to works it as usual
    accept(client, placed.order_id, "S2")
    assert status(pick(client, placed.order_id, "S2")) == "PICKED"
    assert figures(client, "S2", SERUM) == (3, 0, 3)


def test_a_store_that_rejected_an_order_does_not_get_it_back(three_stores):
    client = three_stores
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2))).order
    pay(client, placed)
    reject(client, placed.order_id, "S1", "freezer broken")

    moved = reject(client, placed.order_id, "S2", "no staff")

    assert moved.allocation.store_id == "S3"
    assert [(r.from_store_id, list(r.to_store_ids)) for r in moved.reroutes] == [("S1", ["S2"]), ("S2", ["S3"])]
    assert [figures(client, s, SERUM)[1] for s in ("S1", "S2", "S3")] == [0, 0, 2]


def test_a_rejected_order_with_nowhere_to_go_needs_attention(app, one_store):
    client = one_store
    placed = delivery_order(client)
    pay(client, placed)

    flagged = reject(client, placed.order_id, "S1", "freezer broken")

    assert status(flagged) == "NEEDS_ATTENTION"
    assert shipment_statuses(flagged) == {"S1": "UNFULFILLABLE"}
    [reroute] = flagged.reroutes
    assert (reroute.from_store_id, reroute.cause, list(reroute.to_store_ids)) == ("S1", "REJECTED_BY_STORE", [])
    assert "freezer broken" in reroute.reason and "no other location can take it" in reroute.reason
    assert figures(client, "S1", SERUM) == (5, 0, 5) and figures(client, "S1", LIPSTICK) == (3, 0, 3)
    # customer service can cancel it
    assert status(cancel(client, placed.order_id)) == "CANCELLED"


def test_a_retried_rejection_of_an_order_with_nowhere_to_go_returns_it_unchanged(app, one_store):
    client = one_store
    placed = delivery_order(client)
    pay(client, placed)
    flagged = reject(client, placed.order_id, "S1", "freezer broken")
    before = snapshot(app, client, placed.order_id)

    assert reject(client, placed.order_id, "S1", "freezer broken") == flagged
    assert snapshot(app, client, placed.order_id) == before


def test_rejecting_a_picked_shipment_is_refused_and_changes_nothing(app, three_stores):
    client = three_stores
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2))).order
    pay(client, placed)
    accept(client, placed.order_id, "S1")
    pick(client, placed.order_id, "S1")
    positions = [("S1", SERUM), ("S2", SERUM), ("S3", SERUM)]
    before = snapshot(app, client, placed.order_id, positions)

    error = refused(lambda _: reject(client, placed.order_id, "S1"), None)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "is PICKED" in error.details()
    assert snapshot(app, client, placed.order_id, positions) == before


# --- unpaid orders ------------------------------------------------------------------------------

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clocked(database_url):
    """An application whose clock the test moves, served over gRPC: (app, client, clock)."""
    clock = Clock(T0)
    application = build_application(database_url, clock=clock)
    running = start_server(application, host="127.0.0.1", port=0)
    c = OmoClient(f"127.0.0.1:{running.port}", tokens=Cast(application))
    c.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    c.inventory.ReceiveStock(receipt("S1", {SERUM: 10}))
    yield application, c, clock
    c.close()
    running.stop(grace=0.1)
    application.close()


def test_orders_unpaid_after_the_timeout_are_cancelled_and_release_their_stock(clocked):
    app, client, clock = clocked
    unpaid_old = client.orders.PlaceOrder(order("old-unpaid", PEOPLES_SQUARE, line(SERUM, 1))).order
    paid_old = client.orders.PlaceOrder(order("old-paid", PEOPLES_SQUARE, line(SERUM, 2))).order
    pay(client, paid_old)
    clock.advance(minutes=10)
    unpaid_young = client.orders.PlaceOrder(order("young-unpaid", PEOPLES_SQUARE, line(SERUM, 3))).order
    assert figures(client, "S1", SERUM) == (10, 6, 4)

    clock.advance(minutes=5, seconds=1)  # the old ones are 15 min 1 s old, the young one 5 min 1 s
    released = release_unpaid_orders(app, timedelta(minutes=15))

    assert released == [unpaid_old.order_id]
    gone = get(client, unpaid_old.order_id)
    assert status(gone) == "CANCELLED" and "payment not confirmed within 15 min" in gone.cancel_reason
    assert status(get(client, paid_old.order_id)) == "ALLOCATED"
    assert status(get(client, unpaid_young.order_id)) == "ALLOCATED"
    assert figures(client, "S1", SERUM) == (10, 5, 5)
    # paying late is refused: the stock is gone back to the shelf
    assert refused(lambda _: pay(client, unpaid_old), None).code() == grpc.StatusCode.FAILED_PRECONDITION

    # nothing more is due yet; a second run changes nothing
    head = app.recorder.max_notification_id()
    assert release_unpaid_orders(app, timedelta(minutes=15)) == []
    assert app.recorder.max_notification_id() == head

    # housekeeping releases the young one once it is overdue too
    clock.advance(minutes=10)
    assert tidy(app, timedelta(minutes=15)) == ([unpaid_young.order_id], 0)
    assert status(get(client, unpaid_young.order_id)) == "CANCELLED"
    assert status(get(client, paid_old.order_id)) == "ALLOCATED"
    assert figures(client, "S1", SERUM) == (10, 2, 8)


def test_an_order_paid_just_in_time_is_kept_and_can_be_worked(clocked):
    app, client, clock = clocked
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2))).order
    clock.advance(minutes=14, seconds=59)
    pay(client, placed)
    clock.advance(hours=2)

    assert release_unpaid_orders(app, timedelta(minutes=15)) == []

    assert status(accept(client, placed.order_id)) == "ACCEPTED"
    assert figures(client, "S1", SERUM) == (10, 2, 8)


def test_housekeeping_moves_orders_a_store_lost_the_units_of(clocked):
    app, client, clock = clocked
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.inventory.ReceiveStock(receipt("S2", {SERUM: 5}))
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line(SERUM, 2))).order
    pay(client, placed)
    [response] = sync(client, "S1", [movement("walk-in-1", "SALE", SERUM, 9, 1)])
    assert [m.to_store_ids for m in response.moved_orders] == [["S2"]]  # moved at once by the batch

    assert tidy(app, timedelta(minutes=15)) == ([], 0)  # nothing left behind to move
    assert get(client, placed.order_id).allocation.store_id == "S2"
