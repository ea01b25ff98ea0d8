"""Routing rules beyond 'nearest with stock': opening hours in the store's own time zone, daily
capacity, the explanation of who was passed over and why, the spatial index, and the proof that
the indexed router chooses exactly what the brute-force reference chooses, anywhere on earth."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from domain.errors import NoStoreCanFulfil
from domain.stores import WEEKDAYS, DailyHours, checked_opening_hours
from domain.values import FulfilmentMode, GeoPoint
from routing.distance import geodesic_m, haversine_km
from routing.policy import (
    AT_CAPACITY,
    CLOSED,
    FARTHER,
    ONE_STORE,
    OUT_OF_STOCK,
    OUTSIDE_RADIUS,
    PAUSED,
    TAKEN,
    Allocation,
    RoutingPolicy,
    RoutingRequest,
    StoreDirectory,
    StoreSite,
)
from routing.promise import LATER, STARTS_LATER
from routing.reference import brute_force
from routing.sites import Taken
from routing.spatial import SpatialIndex

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8
URUMQI = ZoneInfo("Asia/Urumqi")  # UTC+6, Xinjiang time

PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)

# the window's own rules: no falling back to a store that starts later (tests/unit/test_promise.py)
policy = RoutingPolicy(opening_window=timedelta(hours=2), start_later=False)


def hours(*spans: tuple[str, str, str]) -> tuple[DailyHours, ...]:
    return checked_opening_hours([DailyHours(day, opens, closes) for day, opens, closes in spans])


def every_day(opens: str, closes: str) -> tuple[DailyHours, ...]:
    return hours(*((day, opens, closes) for day in WEEKDAYS))


NINE_TO_TEN = every_day("09:00", "22:00")
# a bar's hours: Monday evening running past midnight into Tuesday
MONDAY_NIGHT = hours(("MONDAY", "20:00", "24:00"), ("TUESDAY", "00:00", "02:00"))
# a convenience store that shuts 23:00-00:30 for restocking
RESTOCKS_AT_NIGHT = every_day("00:30", "23:00")


def away(km: float, bearing: float = 0.0, origin: GeoPoint = PEOPLES_SQUARE) -> GeoPoint:
    """The point km along the geodesic from origin at bearing (degrees from north)."""
    point = geodesic(kilometers=km).destination((origin.latitude, origin.longitude), bearing)
    return GeoPoint(round(point.latitude, 7), round(point.longitude, 7))


def site(
    store_id: str, location: GeoPoint = PEOPLES_SQUARE, radius_km: float = 10.0, active: bool = True,
    opening_hours: tuple[DailyHours, ...] = (), time_zone: str = "Asia/Shanghai", capacity: int = 0,
    preparation_minutes: int = 0, slot_capacity: int = 0,
) -> StoreSite:
    return StoreSite(
        store_id, location, radius_km, active, opening_hours, time_zone, capacity,
        preparation_minutes=preparation_minutes, hourly_slot_capacity=slot_capacity,
    )


def plenty(store_id: str, sku: str) -> int:
    return 100


def delivery(now: datetime | None, customer: GeoPoint = PEOPLES_SQUARE, **quantities: int) -> RoutingRequest:
    return RoutingRequest(customer, quantities or {"TEA": 1}, FulfilmentMode.DELIVERY, now=now)


def pickup(store_id: str, now: datetime | None) -> RoutingRequest:
    return RoutingRequest(PEOPLES_SQUARE, {"TEA": 1}, FulfilmentMode.PICKUP, pickup_store_id=store_id, now=now)


def allocated(request: RoutingRequest, *sites: StoreSite, orders_on=None, routing: RoutingPolicy = policy) -> Allocation:
    extra = {"orders_on": orders_on} if orders_on else {}
    return routing.choose(request, StoreDirectory(sites), plenty, **extra).allocation


def refusal(request: RoutingRequest, *sites: StoreSite, orders_on=None, routing: RoutingPolicy = policy) -> str:
    extra = {"orders_on": orders_on} if orders_on else {}
    with pytest.raises(NoStoreCanFulfil) as refused:
        routing.choose(request, StoreDirectory(sites), plenty, **extra)
    return str(refused.value)


def orders_taken(by_day: dict[date, int]):
    """orders_on(store_id, local date) from a table of orders per store-local day; records what it was asked."""

    def orders_on(store_id: str, day: date) -> int:
        orders_on.asked.append((store_id, day))
        return by_day.get(day, 0)

    orders_on.asked = []
    return orders_on


# Tuesday 4 June 2024
TUESDAY = date(2024, 6, 4)


def shanghai_time(hour: int, minute: int = 0, day: int = 4) -> datetime:
    return datetime(2024, 6, day, hour, minute, tzinfo=SHANGHAI)


# --- opening hours, in the store's own time zone -----------------------------------------------


def test_at_the_same_instant_a_shanghai_store_is_open_while_an_urumqi_store_has_not_opened_yet():
    now = datetime(2024, 6, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 08:00 in Urumqi
    in_shanghai = site("SH-1", opening_hours=NINE_TO_TEN, time_zone="Asia/Shanghai")
    in_urumqi = site("XJ-1", opening_hours=NINE_TO_TEN, time_zone="Asia/Urumqi")
    assert allocated(delivery(now), in_shanghai).scheduled_for is None
    scheduled = allocated(delivery(now), in_urumqi).scheduled_for
    assert scheduled == datetime(2024, 6, 4, 9, 0, tzinfo=URUMQI) == datetime(2024, 6, 4, 3, 0, tzinfo=UTC)


def test_at_the_same_instant_a_shanghai_store_has_closed_while_an_urumqi_store_is_still_open():
    now = datetime(2024, 6, 4, 14, 30, tzinfo=UTC)  # 22:30 in Shanghai, 20:30 in Urumqi
    in_shanghai = site("SH-1", opening_hours=NINE_TO_TEN, time_zone="Asia/Shanghai")
    in_urumqi = site("XJ-1", opening_hours=NINE_TO_TEN, time_zone="Asia/Urumqi")
    assert allocated(delivery(now), in_urumqi) == Allocation("XJ-1", 0, None)
    assert "SH-1: closed until Wed 09:00" in refusal(delivery(now), in_shanghai)


def test_a_store_opening_within_the_window_takes_the_order_scheduled_for_its_local_opening_time():
    nearby_closed = site("SH-NEAR", away(1), opening_hours=NINE_TO_TEN)
    farther_open = site("SH-FAR", away(3))
    allocation = allocated(delivery(shanghai_time(7, 30)), nearby_closed, farther_open)
    assert allocation.store_id == "SH-NEAR"
    assert allocation.scheduled_for == shanghai_time(9, 0)
    assert allocation.scheduled_for.astimezone(SHANGHAI).strftime("%a %H:%M") == "Tue 09:00"


def test_the_opening_window_is_inclusive():
    store = site("SH-1", opening_hours=NINE_TO_TEN)
    assert allocated(delivery(shanghai_time(7, 0)), store).scheduled_for == shanghai_time(9, 0)
    assert "SH-1: closed until Tue 09:00" in refusal(delivery(shanghai_time(6, 59)), store)


def test_a_store_opening_beyond_the_window_is_passed_over_as_closed_until_its_opening():
    nearby_closed = site("SH-NEAR", away(1), opening_hours=NINE_TO_TEN)
    farther_open = site("SH-FAR", away(3))
    decision = policy.choose(delivery(shanghai_time(6, 0)), StoreDirectory([nearby_closed, farther_open]), plenty)
    assert decision.allocation.store_id == "SH-FAR"
    assert [(p.store_id, p.code, p.reason) for p in decision.passed_over] == [("SH-NEAR", CLOSED, "closed until Tue 09:00")]


def test_a_store_closed_for_the_night_names_the_next_days_opening():
    message = refusal(delivery(shanghai_time(23, 0)), site("SH-1", opening_hours=NINE_TO_TEN))
    assert message.startswith("no store can fulfil the whole order at (31.23040, 121.47370) (1 closed): ")
    assert message.endswith("SH-1: closed until Wed 09:00")


def test_a_wider_window_schedules_what_a_narrower_one_refuses():
    store = site("SH-1", opening_hours=NINE_TO_TEN)
    at_six = delivery(shanghai_time(6, 0))
    assert "closed until Tue 09:00" in refusal(at_six, store)
    assert allocated(at_six, store, routing=RoutingPolicy(opening_window=timedelta(hours=3))).scheduled_for == shanghai_time(9, 0)
    no_window = RoutingPolicy(opening_window=timedelta(0), start_later=False)
    assert "closed until Tue 09:00" in refusal(delivery(shanghai_time(8, 59)), store, routing=no_window)


@pytest.mark.parametrize(
    "local_time, scheduled_for",
    [
        (datetime(2024, 6, 3, 20, 0), None),  # Monday, just opened
        (datetime(2024, 6, 3, 23, 59), None),  # Monday, a minute to midnight
        (datetime(2024, 6, 4, 0, 0), None),  # Tuesday, midnight: still open
        (datetime(2024, 6, 4, 1, 0), None),  # Tuesday 01:00: open through the night
        (datetime(2024, 6, 3, 19, 0), datetime(2024, 6, 3, 20, 0)),  # Monday before opening: scheduled
    ],
)
def test_overnight_hours_split_across_midnight_keep_the_store_open_through_the_night(local_time, scheduled_for):
    bar = site("SH-BAR", opening_hours=MONDAY_NIGHT)
    allocation = allocated(delivery(local_time.replace(tzinfo=SHANGHAI)), bar)
    assert allocation.store_id == "SH-BAR"
    assert allocation.scheduled_for == (scheduled_for and scheduled_for.replace(tzinfo=SHANGHAI))


def test_after_the_overnight_hours_end_the_store_is_closed_until_next_monday_evening():
    bar = site("SH-BAR", opening_hours=MONDAY_NIGHT)
    assert "SH-BAR: closed until Mon 20:00" in refusal(delivery(shanghai_time(2, 0)), bar)


def test_a_store_without_opening_hours_is_always_open():
    for hour in (0, 3, 12, 23):
        assert allocated(delivery(shanghai_time(hour)), site("SH-24H")).scheduled_for is None


def test_without_a_clock_opening_hours_are_not_considered():
    assert allocated(delivery(None), site("SH-1", opening_hours=NINE_TO_TEN)) == Allocation("SH-1", 0, None)


def test_a_pickup_at_a_shut_store_is_taken_whatever_the_window_and_starts_when_it_opens():
    closed_at_three_am = site("SH-1", opening_hours=NINE_TO_TEN)
    assert allocated(pickup("SH-1", shanghai_time(3, 0)), closed_at_three_am) == Allocation("SH-1", 0, shanghai_time(9, 0))
    assert allocated(pickup("SH-1", shanghai_time(12, 0)), closed_at_three_am) == Allocation("SH-1", 0, None)


# --- daily capacity, counted on the store's local date --------------------------------------------


def test_a_store_that_has_taken_its_daily_capacity_is_passed_over():
    full = site("SH-NEAR", away(1), capacity=30)
    farther = site("SH-FAR", away(3))
    orders_on = orders_taken({TUESDAY: 30})
    decision = policy.choose(delivery(shanghai_time(12)), StoreDirectory([full, farther]), plenty, orders_on=orders_on)
    assert decision.allocation.store_id == "SH-FAR"
    assert [(p.store_id, p.code, p.reason) for p in decision.passed_over] == [
        ("SH-NEAR", AT_CAPACITY, "at capacity: 30 of 30 orders on 2024-06-04")
    ]


def test_a_store_one_order_below_its_capacity_takes_the_order():
    one_left = site("SH-NEAR", away(1), capacity=30)
    farther = site("SH-FAR", away(3))
    assert allocated(delivery(shanghai_time(12)), one_left, farther, orders_on=orders_taken({TUESDAY: 29})).store_id == "SH-NEAR"


def test_capacity_zero_means_no_limit():
    orders_on = orders_taken({TUESDAY: 1_000_000})
    assert allocated(delivery(shanghai_time(12)), site("SH-1", capacity=0), orders_on=orders_on).store_id == "SH-1"


def test_capacity_is_counted_on_the_stores_local_date_not_the_utc_date():
    now = datetime(2024, 6, 4, 17, 0, tzinfo=UTC)  # already Wednesday 01:00 in Shanghai
    store = site("SH-1", capacity=10)
    full_on_tuesday = orders_taken({date(2024, 6, 4): 10})
    assert allocated(delivery(now), store, orders_on=full_on_tuesday).store_id == "SH-1"
    assert full_on_tuesday.asked == [("SH-1", date(2024, 6, 5))]
    full_on_wednesday = orders_taken({date(2024, 6, 5): 10})
    assert "SH-1: at capacity: 10 of 10 orders on 2024-06-05" in refusal(delivery(now), store, orders_on=full_on_wednesday)


def test_an_order_scheduled_for_after_midnight_counts_against_the_next_days_capacity():
    store = site("SH-1", opening_hours=RESTOCKS_AT_NIGHT, capacity=10)
    monday_night = shanghai_time(23, 30, day=3)  # closed for restocking; reopens Tuesday 00:30
    allocation = allocated(delivery(monday_night), store, orders_on=orders_taken({date(2024, 6, 3): 10}))
    assert allocation.scheduled_for == shanghai_time(0, 30)
    message = refusal(delivery(monday_night), store, orders_on=orders_taken({TUESDAY: 10}))
    assert "SH-1: at capacity: 10 of 10 orders on 2024-06-04" in message


# --- the explanation ----------------------------------------------------------------------------------


def test_the_explanation_names_why_each_other_store_was_passed_over():
    now = shanghai_time(7, 0)  # SH-CLOSED opens at 10:00, three hours away
    sites = [
        site("SH-PAUSED", away(0.5, 0), active=False),
        site("SH-SMALL", away(1.0, 60), radius_km=0.5),
        site("SH-CLOSED", away(1.5, 120), opening_hours=every_day("10:00", "22:00")),
        site("SH-FULL", away(2.0, 180), capacity=50),
        site("SH-EMPTY", away(2.5, 240)),
        site("SH-TAKEN", away(2.7, 270)),
        site("SH-CHOSEN", away(3.0, 300)),
        site("SH-FARTHER", away(3.01, 330)),
    ]
    decision = policy.choose(
        delivery(now),
        StoreDirectory(sites),
        lambda store_id, sku: 0 if store_id == "SH-EMPTY" else 5,
        orders_on=lambda store_id, day: 50,
        excluded={"SH-TAKEN"},
    )
    assert decision.allocation == Allocation("SH-CHOSEN", 3000, None)
    why = {p.store_id: (p.code, p.reason) for p in decision.passed_over}
    assert why == {
        "SH-PAUSED": (PAUSED, "paused"),
        "SH-SMALL": (OUTSIDE_RADIUS, "outside its 0.5 km delivery radius (1.0 km away)"),
        "SH-CLOSED": (CLOSED, "closed until Tue 10:00"),
        "SH-FULL": (AT_CAPACITY, "at capacity: 50 of 50 orders on 2024-06-04"),
        "SH-EMPTY": (OUT_OF_STOCK, "out of stock for sku 'TEA'"),
        "SH-TAKEN": (TAKEN, "its stock was taken by another order meanwhile"),
        "SH-FARTHER": (FARTHER, "another store that can fulfil is nearer"),
    }
    assert len(decision.passed_over) == len(why)  # each store explained once
    assert "SH-CHOSEN" not in why
    distances = {p.store_id: p.distance_m for p in decision.passed_over}
    # geodesic where the decision needed it (a close contender), else great-circle, within 0.6%
    assert distances["SH-FARTHER"] == 3010
    assert distances["SH-PAUSED"] == pytest.approx(500, rel=0.006)
    assert distances["SH-SMALL"] == pytest.approx(1000, rel=0.006)
    assert decision.omitted == 0


def test_a_store_losing_a_tie_on_distance_to_a_lower_store_id_is_explained_as_farther():
    same_spot = away(2.0)
    decision = policy.choose(delivery(None), StoreDirectory([site("SH-B", same_spot), site("SH-A", same_spot)]), plenty)
    assert decision.allocation.store_id == "SH-A"
    assert [(p.store_id, p.code) for p in decision.passed_over] == [("SH-B", FARTHER)]


def test_the_explanation_is_capped_and_counts_what_it_left_out():
    paused = [site(f"SH-P{i}", away(0.1 * (i + 1)), active=False) for i in range(5)]
    decision = RoutingPolicy(explained=2).choose(delivery(None), StoreDirectory([*paused, site("SH-OPEN", away(1))]), plenty)
    assert decision.allocation.store_id == "SH-OPEN"
    assert [p.store_id for p in decision.passed_over] == ["SH-P0", "SH-P1"]
    assert decision.omitted == 3


# --- the spatial index ------------------------------------------------------------------------------


def test_the_index_finds_stores_across_the_date_line_nearest_first():
    customer = GeoPoint(0.0, 179.99)
    index = SpatialIndex(
        [
            ("FJ-WEST", GeoPoint(0.0, 179.9)),  # ~10 km west
            ("WS-EAST", GeoPoint(0.0, -179.99)),  # ~2.2 km east, over the line
            ("WS-FAR", GeoPoint(0.0, -179.5)),  # ~56 km east
        ]
    )
    assert [store_id for _, store_id in index.within(customer, 5)] == ["WS-EAST"]
    assert [store_id for _, store_id in index.within(customer, 20)] == ["WS-EAST", "FJ-WEST"]
    assert [store_id for _, store_id in index.within(customer, 100)] == ["WS-EAST", "FJ-WEST", "WS-FAR"]
    assert [store_id for _, store_id in index.nearest(customer, 2)] == ["WS-EAST", "FJ-WEST"]


def test_the_index_finds_stores_on_the_other_side_of_the_pole():
    index = SpatialIndex([("ACROSS", GeoPoint(89.9, 180.0)), ("BELOW", GeoPoint(89.0, 0.0))])
    found = index.within(GeoPoint(89.9, 0.0), 50)
    assert [store_id for _, store_id in found] == ["ACROSS"]
    assert found[0][0] == pytest.approx(haversine_km(GeoPoint(89.9, 0.0), GeoPoint(89.9, 180.0)), rel=1e-9)


def test_an_empty_index_finds_nothing():
    assert SpatialIndex([]).within(PEOPLES_SQUARE, 500) == []
    assert SpatialIndex([]).nearest(PEOPLES_SQUARE, 3) == []


def test_a_customer_across_the_date_line_is_delivered_to_by_the_nearest_store():
    # Taveuni, Fiji sits on the 180th meridian
    customer = GeoPoint(-16.80, 179.995)
    east = site("FJ-EAST", GeoPoint(-16.80, -179.99), radius_km=5)
    west = site("FJ-WEST", GeoPoint(-16.80, 179.95), radius_km=10)
    decision = policy.choose(delivery(None, customer), StoreDirectory([west, east]), plenty)
    assert decision.allocation == Allocation("FJ-EAST", round(geodesic_m(customer, east.location)), None)


# --- strategies: anywhere on earth, especially where longitude wraps and meridians converge ----------


@st.composite
def centres(draw) -> GeoPoint:
    region = draw(st.sampled_from(["date line", "far north", "far south", "Shanghai"]))
    event(f"region: {region}")
    if region == "date line":
        return GeoPoint(draw(st.floats(-65, 65)), draw(st.one_of(st.floats(179.0, 180.0), st.floats(-180.0, -179.0))))
    if region in ("far north", "far south"):
        latitude = draw(st.floats(70, 89))
        longitude = draw(st.one_of(st.floats(-180, 180), st.floats(179.5, 180.0), st.floats(-180.0, -179.5)))
        return GeoPoint(latitude if region == "far north" else -latitude, longitude)
    return away(draw(st.floats(0, 20)), draw(st.floats(0, 360)))


def spots_around(centre: GeoPoint):
    """A few distinct places near centre, so that several stores may share one."""
    return st.lists(
        st.builds(lambda km, bearing: away(km, bearing, centre), st.one_of(st.floats(0, 5), st.floats(0, 60)), st.floats(0, 360)),
        min_size=1,
        max_size=12,
    )


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def opening_hours(draw) -> tuple[DailyHours, ...]:
    kind = draw(st.sampled_from(["always", "9 to 10", "Monday night", "restocks at night", "random"]))
    if kind == "always":
        return ()
    if kind == "9 to 10":
        return NINE_TO_TEN
    if kind == "Monday night":
        return MONDAY_NIGHT
    if kind == "restocks at night":
        return RESTOCKS_AT_NIGHT
    spans = []
    for day in draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=7)):
        opens = draw(st.integers(0, 24 * 60 - 1))
        closes = draw(st.integers(opens + 1, 24 * 60))
        spans.append((day, hhmm(opens), hhmm(closes)))
    return hours(*spans)


ZONES = ["Asia/Shanghai", "Asia/Urumqi", "Asia/Kolkata", "Pacific/Auckland", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Anchorage", "Europe/Oslo", "UTC"]
SKUS = ["TEA", "CUP", "POT"]
WINDOWS = [timedelta(hours=2), timedelta(hours=2), timedelta(hours=12), timedelta(hours=12), timedelta(minutes=30), timedelta(0)]


@st.composite
def orders(draw):
    """A customer near stores placed anywhere, with every rule in play."""
    centre = draw(centres())
    spots = draw(spots_around(centre))
    customer = draw(st.one_of(st.builds(lambda km, b: away(km, b, centre), st.floats(0, 10), st.floats(0, 360)), st.sampled_from(spots)))
    sites, stock, taken = [], {}, {}
    for i in range(draw(st.integers(1, 40))):
        store_id = f"S{draw(st.integers(0, 99)):02d}-{i}"
        location = draw(st.sampled_from(spots))
        reach = draw(st.sampled_from(["none", "random", "random", "at the customer"]))
        if reach == "none":
            radius_km = 0.0
        elif reach == "random":
            radius_km = draw(st.floats(0.0, 60.0))
        else:  # within half a percent of the customer's geodesic distance: the sphere alone cannot tell
            radius_km = geodesic_m(customer, location) / 1000 * draw(st.floats(0.995, 1.005))
        sites.append(
            site(
                store_id, location, radius_km,
                active=draw(st.sampled_from([True, True, True, False])),
                opening_hours=draw(opening_hours()),
                time_zone=draw(st.sampled_from(ZONES)),
                capacity=draw(st.sampled_from([0, 0, 1, 2, 3])),
                preparation_minutes=draw(st.sampled_from([0, 15, 45])),
                slot_capacity=draw(st.sampled_from([0, 0, 1, 2])),
            )
        )
        for sku in SKUS:
            stock[(store_id, sku)] = draw(st.integers(0, 3))
        taken[store_id] = draw(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)))
    now = draw(st.one_of(st.none(), st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))))
    request = RoutingRequest(
        customer, draw(st.dictionaries(st.sampled_from(SKUS), st.integers(1, 2), min_size=1, max_size=3)),
        FulfilmentMode.DELIVERY, now=now,
    )
    excluded = draw(st.sets(st.sampled_from(sorted(s.store_id for s in sites)), max_size=4))
    window = draw(st.sampled_from(WINDOWS))

    def available(store_id: str, sku: str) -> int:
        return stock[(store_id, sku)]

    def orders_on(store_id: str, day: date) -> int:  # varies from one local day to the next
        return taken[store_id][day.toordinal() % 3]

    def in_slot(store_id: str, slot: datetime) -> int:  # varies from one hour to the next
        return taken[store_id][slot.hour % 3]

    routing = RoutingPolicy(opening_window=window, start_later=draw(st.booleans()))
    return routing, request, StoreDirectory(sites), available, Taken(orders_on, in_slot), excluded


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(orders())
def test_the_indexed_router_chooses_exactly_what_the_brute_force_reference_chooses(order):
    routing, request, directory, available, orders_on, excluded = order
    try:
        expected = brute_force(routing, request, directory, available, orders_on, excluded)
    except NoStoreCanFulfil:
        event("no store can fulfil")
        with pytest.raises(NoStoreCanFulfil):
            routing.choose(request, directory, available, orders_on, excluded)
        return
    decision = routing.choose(request, directory, available, orders_on, excluded)
    assert (decision.fulfilment, decision.shipments) == (expected.fulfilment, expected.shipments)
    assert [(s.allocation.slot, s.allocation.promised_by) for s in decision.shipments] == [
        (s.allocation.slot, s.allocation.promised_by) for s in expected.shipments
    ]
    event(decision.fulfilment)
    if decision.search_note.startswith(STARTS_LATER):
        event("no store could start within the window: one starts later")
        request = replace(request, start_within=LATER)
    if decision.fulfilment != ONE_STORE:
        return  # the split's own checks: tests/test_routing_splits.py
    expected = expected.allocation
    event("scheduled for later" if expected.scheduled_for else "starts now")

    # and the explanation is true of every store it names
    explained = [p.store_id for p in decision.passed_over]
    assert expected.store_id not in explained
    assert len(explained) == len(set(explained))
    assert decision.omitted == 0
    here = request.customer_location
    for passed in decision.passed_over:
        store = directory.sites[passed.store_id]
        distance = geodesic_m(here, store.location)
        (why, _) = routing.assess(store, request, distance, available, orders_on, excluded)
        if passed.code == FARTHER:
            assert why is None and (distance, store.store_id) > (geodesic_m(here, directory.sites[expected.store_id].location), expected.store_id)
        else:
            assert why is not None and why.code == passed.code


@st.composite
def places(draw):
    centre = draw(centres())
    points = draw(st.lists(st.builds(lambda km, b: away(km, b, centre), st.floats(0, 300), st.floats(0, 360)), min_size=1, max_size=40))
    points += draw(st.lists(st.sampled_from(points), max_size=5))  # a few stores in the same spot
    here = draw(st.one_of(st.just(centre), st.sampled_from(points)))
    return here, points, draw(st.one_of(st.floats(0, 400), st.just(0.0)))


@settings(max_examples=300, deadline=None)
@given(places())
def test_the_index_finds_exactly_the_stores_a_haversine_filter_finds_nearest_first(place):
    here, points, km = place
    index = StoreDirectory(site(f"P{i}", point) for i, point in enumerate(points)).index
    distances = {f"P{i}": haversine_km(here, point) for i, point in enumerate(points)}
    # nobody a hair's breadth from the rim, where rounding alone decides (a store on the spot with km 0 is fine)
    assume(all(d == km or abs(d - km) > 1e-9 for d in distances.values()))
    found = index.within(here, km)
    assert {store_id for _, store_id in found} == {store_id for store_id, d in distances.items() if d <= km}
    assert [d for d, _ in found] == sorted(d for d, _ in found)
    for d, store_id in found:
        assert d == pytest.approx(distances[store_id], rel=1e-9, abs=1e-9)


def test_the_opening_window_counts_real_time_across_a_daylight_saving_change():
    """The same instant, written in UTC or in the store's own zone, gives the same answer."""
    from zoneinfo import ZoneInfo

    hours = tuple(DailyHours(day, "03:00", "22:00") for day in WEEKDAYS)
    oslo = StoreDirectory([StoreSite("OSL", GeoPoint(59.91, 10.75), 10, True, hours, "Europe/Oslo")])
    instant = datetime(2024, 3, 30, 23, 30, tzinfo=timezone.utc)  # 1h30 before 03:00 CEST
    answers = []
    for now in (instant, instant.astimezone(ZoneInfo("Europe/Oslo"))):
        request = RoutingRequest(GeoPoint(59.91, 10.75), {"TEA": 1}, FulfilmentMode.DELIVERY, now=now)
        answers.append(RoutingPolicy().choose(request, oslo, lambda store, sku: 9).allocation)
    assert answers[0] == answers[1]
    assert answers[0].scheduled_for.astimezone(timezone.utc) == datetime(2024, 3, 31, 1, 0, tzinfo=timezone.utc)


@settings(max_examples=300, deadline=None)
@given(places(), st.integers(1, 5))
def test_the_index_hands_out_candidates_in_batches_exactly_as_one_search_finds_them(place, first):
    here, points, km = place
    index = StoreDirectory(site(f"P{i}", point) for i, point in enumerate(points)).index
    batches = list(index.batches(here, km, first=first))  # tiny first batches: many refills, ties across them
    handed_out = [index.ids[p] for _, positions in batches for p in positions.tolist()]
    kms = [d for distances, _ in batches for d in distances.tolist()]
    found = index.within(here, km)
    assert sorted(handed_out) == sorted(store_id for _, store_id in found)  # each exactly once
    assert kms == sorted(kms)
    assert kms == pytest.approx([d for d, _ in found], rel=1e-9, abs=1e-9)
