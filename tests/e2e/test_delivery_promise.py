"""The delivery promise through the real server: stores' preparation times and hourly slots,
the promise on placed orders, quotes before placing, and the slots under concurrent orders."""

from __future__ import annotations

import threading
from uuid import UUID
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import grpc
import pytest

from protos.omo.v1 import common_pb2, orders_pb2, stores_pb2
from routing.sites import Taken
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, lat_lng, line, order, receipt, refused, store
from tests.order_steps import reject

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEN_TO_TEN = [stores_pb2.DailyHours(weekday=d, opens="10:00", closes="22:00") for d in range(1, 8)]


def shanghai_time(day: int, hour: int, minute: int = 0):
    return lambda: datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)  # the 23rd is a Monday


def quote(client, *modes: int, sku: str = "SERUM-02", units: int = 1, pickup: str = "") -> orders_pb2.QuoteDeliveryResponse:
    return client.orders.QuoteDelivery(orders_pb2.QuoteDeliveryRequest(
        customer_location=lat_lng(PEOPLES_SQUARE), lines=[line(sku, units)], modes=list(modes), pickup_store_id=pickup,
    ))


@pytest.fixture
def stores(app, client):
    """S1 at the customer, 20 minutes to prepare, 2 orders an hour; S2 farther, no limit."""
    app.clock = shanghai_time(23, 15, 10)
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, opening_hours=TEN_TO_TEN, preparation_minutes=20, hourly_slot_capacity=2))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, opening_hours=TEN_TO_TEN, preparation_minutes=30))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 50}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 50}))
    return client


def test_a_store_keeps_its_preparation_time_and_slot_capacity_and_refuses_negative_ones(stores):
    saved = stores.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1")).store
    assert (saved.preparation_minutes, saved.hourly_slot_capacity) == (20, 2)
    for field, value, words in [
        ("hourly_slot_capacity", -1, "hourly_slot_capacity: must be >= 0"),
        ("preparation_minutes", -5, "preparation_minutes: must be within [0, 1440]"),
    ]:
        error = refused(stores.stores.UpsertStore, store("S1", PEOPLES_SQUARE, opening_hours=TEN_TO_TEN, **{field: value}))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and words in error.details()
    assert stores.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1")).store.hourly_slot_capacity == 2


def test_a_placed_order_carries_its_promise_and_get_order_shows_it(stores):
    placed = stores.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    shipment = placed.shipments[0]
    # at the store: 15:10 + 20 minutes to prepare + a ride of no distance -> 15:30
    assert (shipment.store_id, shipment.promised_by, shipment.slot) == ("S1", "2026-11-23T15:30:00+08:00", "2026-11-23T15:00:00+08:00")
    assert placed.allocation.promised_by == shipment.promised_by
    read = stores.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order
    assert read.shipments[0].promised_by == "2026-11-23T15:30:00+08:00"


def test_a_quote_placed_at_once_gives_the_same_store_and_promise(stores):
    quoted = quote(stores, common_pb2.DELIVERY).quotes[0]
    assert quoted.available and quoted.shipments[0].store_id == "S1"
    placed = stores.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    assert (placed.shipments[0].store_id, placed.shipments[0].promised_by) == (quoted.shipments[0].store_id, quoted.promised_by)


def test_a_quote_overtaken_by_orders_that_fill_the_slot_is_placed_in_the_next_slot(stores):
    quoted = quote(stores, common_pb2.DELIVERY).quotes[0]
    assert quoted.promised_by == "2026-11-23T15:30:00+08:00"
    for key in ("other-1", "other-2"):  # the 15:00 slot's two places
        stores.orders.PlaceOrder(order(key, PEOPLES_SQUARE, line("SERUM-02", 1)))
    placed = stores.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    assert placed.shipments[0].store_id == "S1"  # its 16:00 slot still beats S2's ride
    assert placed.shipments[0].slot == "2026-11-23T16:00:00+08:00"
    assert placed.shipments[0].promised_by == "2026-11-23T16:20:00+08:00" != quoted.promised_by
    assert placed.allocation.scheduled_for == "2026-11-23T16:00:00+08:00"


def test_quotes_cover_every_mode_and_say_why_not(stores):
    quotes = quote(stores).quotes  # every mode
    by_mode = {q.mode: q for q in quotes}
    assert [q.mode for q in quotes] == [common_pb2.DELIVERY, common_pb2.PICKUP, common_pb2.EXPRESS]
    assert by_mode[common_pb2.DELIVERY].available
    assert not by_mode[common_pb2.PICKUP].available and "pickup_store_id" in by_mode[common_pb2.PICKUP].reason
    assert not by_mode[common_pb2.EXPRESS].available and "no regional warehouse" in by_mode[common_pb2.EXPRESS].reason
    pickup = quote(stores, common_pb2.PICKUP, pickup="S2").quotes[0]
    assert (pickup.shipments[0].store_id, pickup.promised_by) == ("S2", "2026-11-23T15:40:00+08:00")
    assert not quote(stores, common_pb2.DELIVERY, units=1000).quotes[0].available


def test_a_quote_reserves_nothing_and_bad_quotes_are_refused(stores):
    for _ in range(3):
        quote(stores, common_pb2.DELIVERY)
    placed = stores.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    assert placed.shipments[0].slot == "2026-11-23T15:00:00+08:00"  # three quotes took no place
    assert refused(lambda sku: quote(stores, common_pb2.DELIVERY, sku=sku), "NO-SUCH").code() == grpc.StatusCode.NOT_FOUND
    assert refused(lambda units: quote(stores, common_pb2.DELIVERY, units=units), 0).code() == grpc.StatusCode.INVALID_ARGUMENT
    error = refused(lambda store_id: quote(stores, common_pb2.PICKUP, pickup=store_id), "NO-STORE")
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_a_night_order_is_promised_for_the_first_slot_of_the_morning_in_the_stores_time_zone(app, client):
    client.stores.UpsertStore(store("U1", PEOPLES_SQUARE, opening_hours=TEN_TO_TEN, time_zone="Asia/Urumqi", preparation_minutes=15))
    client.inventory.ReceiveStock(receipt("U1", {"SERUM-02": 5}))
    app.clock = shanghai_time(24, 2, 30)  # 00:30 in Urumqi: shut until 10:00 there (12:00 in Shanghai)
    placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    shipment = placed.shipments[0]
    assert shipment.slot == "2026-11-24T10:00:00+06:00"
    assert shipment.promised_by == "2026-11-24T10:15:00+06:00"


def test_a_cancelled_order_gives_its_slot_back(stores):
    first = stores.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    stores.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert stores.orders.PlaceOrder(order("k3", PEOPLES_SQUARE, line("SERUM-02", 1))).order.shipments[0].slot.startswith("2026-11-23T16:00")
    stores.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=first.order_id, reason="changed my mind"))
    assert stores.orders.PlaceOrder(order("k4", PEOPLES_SQUARE, line("SERUM-02", 1))).order.shipments[0].slot.startswith("2026-11-23T15:00")


def test_concurrent_orders_never_take_more_places_in_a_slot_than_the_store_has(stores):
    placed: list[orders_pb2.Order] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def place(i: int) -> None:
        try:
            request = order(f"c-{i}", PEOPLES_SQUARE, line("SERUM-02", 1), customer=f"C{i}")
            result = stores.orders.PlaceOrder(request, timeout=60).order
            with lock:
                placed.append(result)
        except grpc.RpcError as error:
            errors.append(error)

    threads = [threading.Thread(target=place, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    per_slot = Counter((s.store_id, s.slot) for o in placed for s in o.shipments)
    assert len(placed) == 24
    assert all(count <= 2 for (store_id, _), count in per_slot.items() if store_id == "S1")
    # S1 was nearest while it had a slot within the window: 15:00, 16:00 and 17:00 filled
    assert sorted(slot for (store_id, slot), count in per_slot.items() if store_id == "S1" and count == 2)[:3] == [
        "2026-11-23T15:00:00+08:00", "2026-11-23T16:00:00+08:00", "2026-11-23T17:00:00+08:00",
    ]
    # and what the server says matches what the orders say
    for o in placed:
        read = stores.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=o.order_id)).order
        assert [s.slot for s in read.shipments] == [s.slot for s in o.shipments]


def test_a_shipment_moved_away_gives_its_slot_back_and_takes_a_promise_where_it_goes(stores):
    first = stores.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    stores.orders.PlaceOrder(order("k2", PEOPLES_SQUARE, line("SERUM-02", 1)))
    assert stores.orders.PlaceOrder(order("k3", PEOPLES_SQUARE, line("SERUM-02", 1))).order.shipments[0].slot.startswith("2026-11-23T16:00")
    moved = reject(stores, first.order_id, "S1", reason="freezer broken")
    # 15:10 + 30 minutes to prepare + about 11 minutes of ride -> 15:51 -> 15:55
    assert [(s.store_id, s.promised_by) for s in moved.shipments] == [("S2", "2026-11-23T15:55:00+08:00")]
    # S1's 15:00 slot has a place again
    assert stores.orders.PlaceOrder(order("k4", PEOPLES_SQUARE, line("SERUM-02", 1))).order.shipments[0].slot.startswith("2026-11-23T15:00")


def test_a_shipment_flagged_unfulfillable_gives_its_slot_back(stores):
    pickups = [order(f"p{i}", PEOPLES_SQUARE, line("SERUM-02", 1), customer=f"C{i}", pickup_store="S1") for i in range(4)]
    first = stores.orders.PlaceOrder(pickups[0]).order
    stores.orders.PlaceOrder(pickups[1])
    assert stores.orders.PlaceOrder(pickups[2]).order.shipments[0].slot.startswith("2026-11-23T16:00")
    flagged = reject(stores, first.order_id, "S1", reason="freezer broken")  # a PICKUP stays: flagged
    assert flagged.status == orders_pb2.NEEDS_ATTENTION
    assert stores.orders.PlaceOrder(pickups[3]).order.shipments[0].slot.startswith("2026-11-23T15:00")


@pytest.fixture
def tight_stores(app, client):
    """S1 at the customer, 2 orders an hour; S2 farther, 1 order an hour."""
    app.clock = shanghai_time(23, 15, 10)
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, opening_hours=TEN_TO_TEN, preparation_minutes=20, hourly_slot_capacity=2))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, opening_hours=TEN_TO_TEN, preparation_minutes=30, hourly_slot_capacity=1))
    client.inventory.ReceiveStock(receipt("S1", {"SERUM-02": 50}))
    client.inventory.ReceiveStock(receipt("S2", {"SERUM-02": 50}))
    return client


def test_a_reroute_whose_new_slot_filled_after_routing_counted_it_takes_the_next_slot(app, tight_stores, monkeypatch):
    client = tight_stores
    moving = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("SERUM-02", 1))).order
    assert moving.shipments[0].store_id == "S1"
    # a pickup at S2 takes its 15:00 slot's only place
    pickup = client.orders.PlaceOrder(order("p1", PEOPLES_SQUARE, line("SERUM-02", 1), customer="C2", pickup_store="S2")).order
    assert pickup.shipments[0].slot == "2026-11-23T15:00:00+08:00"

    # routing counts S2's 15:00 slot as empty once, as if that pickup were placed meanwhile by
    # another server: the reroute must find the place gone when it takes it, and route again
    counted = app.index.taken
    views = []

    def taken_once_stale():
        now = counted()
        views.append("stale" if not views else "current")
        if views[-1] == "current":
            return now
        return Taken(now.on_day, lambda store_id, slot: 0 if store_id == "S2" else now.in_slot(store_id, slot))

    monkeypatch.setattr(app.index, "taken", taken_once_stale)
    moved = reject(client, moving.order_id, "S1", reason="freezer broken")
    assert views[:2] == ["stale", "current"]  # routed on the stale count, then again
    # S2's 16:00 slot: 16:00 + 30 minutes to prepare + about 11 minutes of ride -> 16:41 -> 16:45
    assert [(s.store_id, s.slot, s.promised_by) for s in moved.shipments] == [
        ("S2", "2026-11-23T16:00:00+08:00", "2026-11-23T16:45:00+08:00")
    ]
    monkeypatch.undo()
    # S2's 15:00 slot still holds only the pickup: a third order cannot have it
    third = client.orders.PlaceOrder(order("p2", PEOPLES_SQUARE, line("SERUM-02", 1), customer="C3", pickup_store="S2")).order
    assert third.shipments[0].slot == "2026-11-23T17:00:00+08:00"


def test_the_index_forgets_the_slots_of_days_long_past_and_still_counts_the_days_to_come(app, stores):
    old = [stores.orders.PlaceOrder(order(f"old{i}", PEOPLES_SQUARE, line("SERUM-02", 1), customer=f"O{i}")).order for i in range(3)]
    app.catch_up()  # the index as the next routing reads it
    assert {(k[0], k[1].day) for k in app.index.orders_per_day} == {("S1", 23)}  # 15:00 twice, then 16:00
    assert all(UUID(o.order_id) in app.index._slots_of for o in old)

    app.clock = shanghai_time(27, 15, 10)  # four days on: a slot is dropped a day after its day
    new = stores.orders.PlaceOrder(order("new", PEOPLES_SQUARE, line("SERUM-02", 1), customer="N")).order
    assert new.shipments[0].slot == "2026-11-27T15:00:00+08:00"
    app.catch_up()
    # the 23rd is behind the 27th by more than DAYS_KEPT: its counts and the old orders' lists are gone
    assert {k[1].day for k in app.index.orders_per_day} == {27}
    assert {datetime.fromtimestamp(k[1], SHANGHAI).day for k in app.index.orders_per_slot} == {27}
    assert not any(UUID(o.order_id) in app.index._slots_of or UUID(o.order_id) in app.index._allocated_on for o in old)

    # an old order cancelled now changes nothing of the days to come
    stores.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=old[0].order_id, reason="changed mind"))
    app.catch_up()
    assert app.index.orders_on("S1", new_day := datetime(2026, 11, 27).date()) == 1
    assert app.index.orders_in_slot("S1", datetime(2026, 11, 27, 15, tzinfo=SHANGHAI)) == 1
    # and the new day's slots still fill: S1 takes two an hour
    second = stores.orders.PlaceOrder(order("new2", PEOPLES_SQUARE, line("SERUM-02", 1), customer="N2")).order
    third = stores.orders.PlaceOrder(order("new3", PEOPLES_SQUARE, line("SERUM-02", 1), customer="N3")).order
    assert [second.shipments[0].slot, third.shipments[0].slot] == ["2026-11-27T15:00:00+08:00", "2026-11-27T16:00:00+08:00"]
    app.catch_up()
    assert app.index.orders_on("S1", new_day) == 3
