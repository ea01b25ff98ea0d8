"""Placing, reading and cancelling orders through the real gRPC server, on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import pytest

from protos.omo.v1 import common_pb2, orders_pb2, stores_pb2
from tests.builders import BEIJING, JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, XUJIAHUI, line, order, position, receipt, refused, store


@pytest.fixture
def shanghai(client):
    """Three stores around People's Square; the nearest one (S1) holds little stock."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, radius_km=5))
    client.stores.UpsertStore(store("S3", LUJIAZUI, radius_km=5))
    client.inventory.ReceiveStock(receipt("S1", {"LIPSTICK-01": 1, "SERUM-02": 5}))
    client.inventory.ReceiveStock(receipt("S2", {"LIPSTICK-01": 10, "SERUM-02": 10}))
    client.inventory.ReceiveStock(receipt("S3", {"LIPSTICK-01": 10}))
    return client


def test_an_order_goes_to_the_nearest_store_holding_every_line_and_reserves_there(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("LIPSTICK-01", 1), line("SERUM-02", 2)))
    assert placed.order.status == orders_pb2.ALLOCATED
    assert placed.order.allocation.store_id == "S1"
    assert 0 <= placed.order.allocation.distance_m < 50
    assert placed.order.total.cents == 3 * 1990 and placed.order.total.currency == "CNY"
    assert not placed.replayed
    lipstick = position(shanghai, "S1", "LIPSTICK-01")
    assert (lipstick.on_hand, lipstick.reserved, lipstick.available) == (1, 1, 0)
    assert position(shanghai, "S1", "SERUM-02").reserved == 2


def test_when_the_nearest_store_lacks_a_line_the_next_nearest_with_everything_gets_it(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("LIPSTICK-01", 2), line("SERUM-02", 1)))
    assert placed.order.allocation.store_id == "S2"  # S1 has 1 lipstick; S3 has no serum
    assert position(shanghai, "S1", "LIPSTICK-01").reserved == 0


def test_the_reserved_units_are_no_longer_offered_to_the_next_customer(shanghai):
    shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("LIPSTICK-01", 1)))
    second = shanghai.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("LIPSTICK-01", 1)))
    assert second.order.allocation.store_id != "S1"


def test_a_customer_beyond_every_delivery_radius_is_refused_with_the_reason(shanghai):
    error = refused(shanghai.orders.PlaceOrder, order("k1", BEIJING, line("LIPSTICK-01", 1)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no active store delivers" in error.details()
    assert "nearest active store" in error.details()


def test_when_the_stores_in_reach_have_not_enough_even_together_the_message_names_the_short_sku(shanghai):
    error = refused(shanghai.orders.PlaceOrder, order("k1", PEOPLES_SQUARE, line("SERUM-02", 16)))  # 5 + 10 in reach
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "out of stock for sku 'SERUM-02'" in error.details()
    assert "no split: the 2 stores in reach that could take part do not hold all of it together" in error.details()
    assert position(shanghai, "S1", "SERUM-02").reserved == 0 and position(shanghai, "S2", "SERUM-02").reserved == 0


def test_a_paused_store_gets_no_orders(shanghai):
    shanghai.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5, active=False))
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert placed.order.allocation.store_id == "S2"


def test_pickup_goes_to_the_named_store_even_far_from_the_customer(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", BEIJING, line("LIPSTICK-01", 3), pickup_store="S3"))
    assert placed.order.allocation.store_id == "S3"
    assert placed.order.fulfilment_mode == common_pb2.PICKUP
    assert placed.order.allocation.distance_m > 1_000_000


def test_pickup_at_a_store_without_the_goods_nearby_fails_and_unknown_store_is_not_found(shanghai):
    # 15 serums within 30 km of S3 (which sends for them by transfer), not 16
    error = refused(shanghai.orders.PlaceOrder, order("k1", XUJIAHUI, line("SERUM-02", 16), pickup_store="S3"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "S3" in error.details()
    assert position(shanghai, "S1", "SERUM-02").reserved == position(shanghai, "S2", "SERUM-02").reserved == 0
    error = refused(shanghai.orders.PlaceOrder, order("k2", XUJIAHUI, line("SERUM-02", 1), pickup_store="S404"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "S404" in error.details()


def test_retrying_with_the_same_key_returns_the_first_order_and_reserves_nothing_more(shanghai):
    request = order("k1", PEOPLES_SQUARE, line("SERUM-02", 2))
    first = shanghai.orders.PlaceOrder(request)
    again = shanghai.orders.PlaceOrder(request)
    assert again.replayed
    assert again.order == first.order
    assert position(shanghai, "S1", "SERUM-02").reserved == 2


def test_the_same_key_with_a_different_request_is_already_exists_and_changes_nothing(shanghai):
    shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 2)))
    error = refused(shanghai.orders.PlaceOrder, order("k1", PEOPLES_SQUARE, line("SERUM-02", 3)))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "idempotency_key" in error.details()
    assert position(shanghai, "S1", "SERUM-02").reserved == 2


def test_get_order_returns_what_place_order_answered(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1)))
    fetched = shanghai.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order.order_id))
    assert fetched.order == placed.order


def test_cancelling_releases_the_reservation_and_a_second_cancel_changes_nothing(shanghai):
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("LIPSTICK-01", 1), line("SERUM-02", 2)))
    cancelled = shanghai.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order.order_id, reason="changed mind"))
    assert cancelled.order.status == orders_pb2.CANCELLED
    assert cancelled.order.cancel_reason == "changed mind"
    assert position(shanghai, "S1", "LIPSTICK-01").available == 1
    assert position(shanghai, "S1", "SERUM-02").reserved == 0
    again = shanghai.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order.order_id, reason="again"))
    assert again.order.cancel_reason == "changed mind"
    assert position(shanghai, "S1", "SERUM-02").reserved == 0


def test_unknown_and_malformed_order_ids(shanghai):
    error = refused(shanghai.orders.GetOrder, orders_pb2.GetOrderRequest(order_id="3f1e7a52-0000-4000-8000-000000000000"))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = refused(shanghai.orders.CancelOrder, orders_pb2.CancelOrderRequest(order_id="not-an-id"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "order_id" in error.details()


def _with(request: orders_pb2.PlaceOrderRequest, change) -> orders_pb2.PlaceOrderRequest:
    copy = orders_pb2.PlaceOrderRequest()
    copy.CopyFrom(request)
    change(copy)
    return copy


GOOD = order("bad-input", PEOPLES_SQUARE, line("SERUM-02", 1), line("LIPSTICK-01", 1))
BAD_INPUT = {
    "idempotency_key": lambda r: setattr(r, "idempotency_key", ""),
    "idempotency_key ": lambda r: setattr(r, "idempotency_key", "k" * 129),
    "customer_id": lambda r: setattr(r, "customer_id", ""),
    "customer_location": lambda r: r.ClearField("customer_location"),
    "customer_location.latitude": lambda r: setattr(r.customer_location, "latitude", 90.5),
    "customer_location.longitude": lambda r: setattr(r.customer_location, "longitude", -180.01),
    "lines": lambda r: r.ClearField("lines"),
    "lines[0].quantity": lambda r: setattr(r.lines[0], "quantity", 0),
    "lines[1].quantity": lambda r: setattr(r.lines[1], "quantity", -2),
    "lines[0].unit_price.cents": lambda r: setattr(r.lines[0].unit_price, "cents", -1),
    "lines[0].unit_price": lambda r: r.lines[0].ClearField("unit_price"),
    "lines[1].unit_price.currency": lambda r: setattr(r.lines[1].unit_price, "currency", "USD"),
    "lines[1].sku": lambda r: setattr(r.lines[1], "sku", "SERUM-02"),
    "lines[0].sku": lambda r: setattr(r.lines[0], "sku", "x" * 65),
    "fulfilment_mode": lambda r: setattr(r, "fulfilment_mode", common_pb2.FULFILMENT_MODE_UNSPECIFIED),
    "pickup_store_id": lambda r: setattr(r, "fulfilment_mode", common_pb2.PICKUP),
}


@pytest.mark.parametrize("field", list(BAD_INPUT))
def test_bad_input_is_invalid_argument_naming_the_field_and_changes_nothing(shanghai, field):
    error = refused(shanghai.orders.PlaceOrder, _with(GOOD, BAD_INPUT[field]))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field.strip() in error.details()
    assert position(shanghai, "S1", "SERUM-02").reserved == 0
    assert position(shanghai, "S1", "LIPSTICK-01").reserved == 0
    # the key stays unused: the corrected request goes through as a new order
    assert not shanghai.orders.PlaceOrder(GOOD).replayed


def test_an_unknown_sku_is_not_found(shanghai):
    error = refused(shanghai.orders.PlaceOrder, order("k1", PEOPLES_SQUARE, line("NO-SUCH-SKU", 1)))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "NO-SUCH-SKU" in error.details()


def test_explain_allocation_names_each_store_passed_over_and_why(shanghai):
    # S1 (nearest) has one lipstick; S2 has enough; S3 (Lujiazui) is beyond S2
    placed = shanghai.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("LIPSTICK-01", 2), line("SERUM-02", 1)))
    explained = shanghai.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=placed.order.order_id))
    assert explained.allocation == placed.order.allocation
    reasons = {p.store_id: (p.reason_code, p.reason) for p in explained.passed_over}
    assert reasons["S1"] == ("OUT_OF_STOCK", "out of stock for sku 'LIPSTICK-01'")
    assert "S2" not in reasons
    if "S3" in reasons:  # met before the search stopped: it has no serum
        assert reasons["S3"][0] == "OUT_OF_STOCK"


def test_explain_allocation_of_an_unknown_order_is_not_found(shanghai):
    error = refused(shanghai.orders.ExplainAllocation, orders_pb2.ExplainAllocationRequest(order_id="3f1e7a52-0000-4000-8000-000000000000"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def shanghai_time(hhmm: str):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    hours, minutes = map(int, hhmm.split(":"))
    return lambda: datetime(2026, 11, 23, hours, minutes, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


def test_a_store_opening_within_the_window_gets_the_order_scheduled_for_its_opening(app, client):
    hours = [stores_pb2.DailyHours(weekday=d, opens="09:00", closes="22:00") for d in range(1, 8)]
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, opening_hours=hours))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))

    app.clock = shanghai_time("08:00")
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert placed.order.allocation.scheduled_for.startswith("2026-11-23T09:00:00+08:00")

    # beyond the window: no store can start soon, so the nearest takes it at its opening,
    # and says why it had to wait
    app.clock = shanghai_time("05:30")
    early = client.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert early.order.allocation.scheduled_for.startswith("2026-11-23T09:00:00+08:00")
    explained = client.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=early.order.order_id))
    assert explained.search_note.startswith("no store in reach could start within 2 h")

    app.clock = shanghai_time("12:00")
    assert client.orders.PlaceOrder(order("k3", PEOPLES_SQUARE, line("SERUM-02", 1))).order.allocation.scheduled_for == ""


def test_a_store_at_its_daily_capacity_is_passed_over_until_an_order_is_cancelled(app, client):
    app.clock = shanghai_time("12:00")
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, daily_order_capacity=1))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 5}))
    first = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert first.order.allocation.store_id == "S1"
    second = client.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert second.order.allocation.store_id == "S2"
    explained = client.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=second.order.order_id))
    assert [(p.store_id, p.reason_code) for p in explained.passed_over] == [("S1", "AT_CAPACITY")]
    client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=first.order.order_id, reason="changed mind"))
    assert client.orders.PlaceOrder(order("k3", PEOPLES_SQUARE, line("SERUM-02", 1))).order.allocation.store_id == "S1"


def test_capacity_counts_per_store_local_day(app, client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, daily_order_capacity=1))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 5}))
    app.clock = shanghai_time("12:00")
    client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1)))
    error = refused(client.orders.PlaceOrder, order("k2", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert "at capacity: 1 of 1 orders on 2026-11-23" in error.details()
    from datetime import timedelta

    app.clock = lambda: shanghai_time("12:00")() + timedelta(days=1)
    assert client.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 1))).order.allocation.store_id == "S1"
