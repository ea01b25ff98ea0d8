"""The delivery promise and the stores' hourly slots, as routing decides them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from domain.errors import NoStoreCanFulfil
from domain.stores import WEEKDAYS, DailyHours, checked_opening_hours
from domain.values import FulfilmentMode, GeoPoint
from routing.policy import SLOT_FULL, RoutingPolicy, RoutingRequest, StoreDirectory, StoreSite, Taken
from routing.promise import PromiseTerms, first_free_slot, rounded_up
from routing.sites import no_orders_yet
from domain.stores import WAREHOUSE

SHANGHAI = ZoneInfo("Asia/Shanghai")
URUMQI = ZoneInfo("Asia/Urumqi")
PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)
THREE_KM_NORTH = GeoPoint(31.2304 + 3 / 111.2, 121.4737)
TEN_TO_TEN = checked_opening_hours([DailyHours(day, "10:00", "22:00") for day in WEEKDAYS])
policy = RoutingPolicy(promise_terms=PromiseTerms(delivery_speed_kmh=12.0, express_lead_days=2))


def store(store_id: str, location: GeoPoint = PEOPLES_SQUARE, prep: int = 20, slots: int = 0, zone: str = "Asia/Shanghai", radius_km: float = 10.0) -> StoreSite:
    return StoreSite(
        store_id, location, radius_km, True, TEN_TO_TEN, zone, preparation_minutes=prep, hourly_slot_capacity=slots,
    )


def plenty(store_id: str, sku: str) -> int:
    return 100


def at(day: int, hour: int, minute: int = 0, zone=SHANGHAI) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=zone)  # 23 November 2026 is a Monday


def slots_taken(table: dict[tuple[str, datetime], int]) -> Taken:
    return Taken(no_orders_yet, lambda store_id, slot: table.get((store_id, slot), 0))


def decide(mode: FulfilmentMode, now: datetime, *sites: StoreSite, taken: Taken = Taken(), pickup: str = "", customer: GeoPoint = THREE_KM_NORTH):
    request = RoutingRequest(customer, {"TEA": 1}, mode, pickup_store_id=pickup, now=now)
    return policy.choose(request, StoreDirectory(sites), plenty, taken)


def test_delivery_is_promised_after_preparation_and_the_ride_rounded_up_to_five_minutes():
    allocation = decide(FulfilmentMode.DELIVERY, at(23, 20, 1), store("S1")).allocation
    # 20 minutes to prepare, about 3 km at 12 km/h: 15 minutes; 20:01 + 35 -> 20:36 -> 20:40
    ride = timedelta(hours=allocation.distance_m / 1000 / 12)
    assert allocation.promised_by == rounded_up(at(23, 20, 1) + timedelta(minutes=20) + ride) == at(23, 20, 40)
    assert allocation.slot == at(23, 20)
    assert allocation.scheduled_for is None


def test_pickup_is_ready_after_preparation_without_the_ride():
    allocation = decide(FulfilmentMode.PICKUP, at(23, 14, 2), store("S1"), pickup="S1").allocation
    assert allocation.promised_by == at(23, 14, 25)


def test_a_night_pickup_is_ready_the_next_morning_in_the_stores_own_time_zone():
    # 23:30 in Shanghai is 21:30 in Urumqi, where the store is still open till 22:00 local
    urumqi_store = store("U1", zone="Asia/Urumqi", prep=15)
    assert decide(FulfilmentMode.PICKUP, at(23, 23, 30), urumqi_store, pickup="U1").allocation.promised_by == at(23, 21, 45, URUMQI)
    # 01:00 in Shanghai: both are shut; each promises its own morning opening + preparation
    shanghai_store = store("S1", prep=15)
    assert decide(FulfilmentMode.PICKUP, at(24, 1), shanghai_store, pickup="S1").allocation.promised_by == at(24, 10, 15)
    assert decide(FulfilmentMode.PICKUP, at(24, 1), urumqi_store, pickup="U1").allocation.promised_by == at(24, 10, 15, URUMQI)


def test_a_night_delivery_takes_the_first_slot_of_the_morning_rather_than_no_store():
    decision = decide(FulfilmentMode.DELIVERY, at(23, 23, 10), store("S1"))
    allocation = decision.allocation
    assert allocation.scheduled_for == at(24, 10) and allocation.slot == at(24, 10)
    assert allocation.promised_by == at(24, 10, 35)
    assert decision.search_note.startswith("no store in reach could start within 2 h")


def test_a_full_slot_moves_the_order_to_the_next_slot_when_that_store_still_ranks_first():
    taken = slots_taken({("S1", at(23, 15)): 4})
    allocation = decide(FulfilmentMode.DELIVERY, at(23, 15, 20), store("S1", slots=4), taken=taken).allocation
    assert allocation.store_id == "S1"
    assert allocation.scheduled_for == at(23, 16) and allocation.slot == at(23, 16)
    assert allocation.promised_by == at(23, 16, 35)


def test_slots_beyond_the_window_are_passed_over_as_slot_full_for_a_store_that_can_start_now():
    full_until_evening = {("NEAR", at(23, hour)): 2 for hour in range(15, 19)}
    near = store("NEAR", slots=2)
    farther = store("FAR", GeoPoint(31.2304 + 8 / 111.2, 121.4737))  # 5 km on, past the customer
    decision = decide(FulfilmentMode.DELIVERY, at(23, 15, 5), near, farther, taken=slots_taken(full_until_evening))
    assert decision.allocation.store_id == "FAR"
    assert [(p.store_id, p.code, p.reason) for p in decision.passed_over] == [("NEAR", SLOT_FULL, "hourly slots full until Mon 19:00")]


def test_the_last_slot_of_the_evening_full_moves_the_order_to_the_morning():
    site = store("S1", slots=1)
    taken = {("S1", at(23, 21)): 1}
    assert first_free_slot(site, at(23, 21, 30), lambda s, slot: taken.get((s, slot), 0)) == at(24, 10)
    allocation = decide(FulfilmentMode.PICKUP, at(23, 21, 30), site, taken=slots_taken(taken), pickup="S1").allocation
    assert allocation.slot == at(24, 10) and allocation.promised_by == at(24, 10, 20)


def test_a_pickup_store_with_every_slot_full_for_a_week_refuses_the_order():
    site = store("S1", slots=1)
    with pytest.raises(NoStoreCanFulfil, match="every hourly slot of the coming week is full"):
        decide(FulfilmentMode.PICKUP, at(23, 12), site, taken=Taken(no_orders_yet, lambda s, slot: 1), pickup="S1")


def test_express_is_promised_by_the_end_of_the_day_its_lead_time_away_in_the_warehouses_zone():
    warehouse = StoreSite("W1", GeoPoint(31.0, 121.0), 0.0, True, (), "Asia/Shanghai", kind=WAREHOUSE)
    allocation = decide(FulfilmentMode.EXPRESS, at(23, 23, 50), warehouse).allocation
    assert allocation.promised_by == at(25, 23, 59)
    assert allocation.slot is None


@settings(max_examples=200, deadline=None)
@given(
    minute=st.integers(0, 7 * 24 * 60 - 1), prep=st.integers(0, 120), slots=st.integers(1, 3),
    full=st.sets(st.integers(0, 7 * 24 - 1), max_size=60),
)
def test_the_slot_taken_has_room_is_open_and_no_earlier_slot_with_room_was_skipped(minute, prep, slots, full):
    site = store("S1", prep=prep, slots=slots)
    now = at(23, 0) + timedelta(minutes=minute)
    week_start = at(23, 0)

    def in_slot(store_id: str, slot: datetime) -> int:
        return slots if int((slot - week_start).total_seconds() // 3600) in full else 0

    begin = site.schedule.opening(now).at  # routing asks from when the store can start
    start = first_free_slot(site, begin, in_slot)
    if start is None:
        return
    local = start.astimezone(SHANGHAI)
    assert start >= begin and 10 <= local.hour < 22  # opening hours
    slot = local.replace(minute=0)
    assert in_slot("S1", slot) < slots
    # every slot between the order's own and the one taken was shut or full
    hour = begin.astimezone(SHANGHAI).replace(minute=0, second=0, microsecond=0)
    while hour < slot:
        assert not 10 <= hour.hour < 22 or in_slot("S1", hour) >= slots
        hour += timedelta(hours=1)
