"""When no single store can take a DELIVERY order: it is split across the fewest stores in
reach (then the shortest total distance, then the lowest store ids), within a bound; when no
split can either, the nearest regional warehouse holding it all ships it EXPRESS. EXPRESS asked
for outright goes straight to the warehouses; a warehouse is never a store: no store search, no
split, no pickup. The property test holds the indexed router to the brute-force reference and
the split itself to an independent enumeration of every combination."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.errors import NoStoreCanFulfil
from domain.stores import STORE, WAREHOUSE, WEEKDAYS, DailyHours, checked_opening_hours
from domain.values import FulfilmentMode, GeoPoint
from routing.decision import (
    AT_CAPACITY, EXPRESS, FARTHER, ONE_STORE, OUT_OF_STOCK, PAUSED, SPLIT, Allocation, Decision, Shipment,
)
from routing.distance import geodesic_m
from routing import distance as distances
from routing.policy import RoutingPolicy
from routing.promise import STARTS_LATER
from routing.reference import brute_force
from routing.sites import RoutingRequest, StoreDirectory, StoreSite, no_orders_yet
from routing.splits import held_together

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")

PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)
# regional warehouses: Kunshan ~50 km west of People's Square, Hangzhou ~165 km, Wuhan ~690 km,
# Beijing ~1,070 km, Chengdu ~1,660 km
KUNSHAN = GeoPoint(31.3856, 120.9806)
HANGZHOU = GeoPoint(30.2741, 120.1551)
WUHAN = GeoPoint(30.5928, 114.3055)
BEIJING = GeoPoint(39.9087, 116.3975)
CHENGDU = GeoPoint(30.5728, 104.0668)

policy = RoutingPolicy()  # the defaults: up to 3 stores among the 12 nearest, EXPRESS fallback on


# --- helpers ------------------------------------------------------------------------------------


def away(km: float, bearing: float = 0.0, origin: GeoPoint = PEOPLES_SQUARE) -> GeoPoint:
    """The point km along the geodesic from origin at bearing (degrees from north)."""
    point = geodesic(kilometers=km).destination((origin.latitude, origin.longitude), bearing)
    return GeoPoint(round(point.latitude, 7), round(point.longitude, 7))


def hours(*spans: tuple[str, str, str]) -> tuple[DailyHours, ...]:
    return checked_opening_hours([DailyHours(day, opens, closes) for day, opens, closes in spans])


def every_day(opens: str, closes: str) -> tuple[DailyHours, ...]:
    return hours(*((day, opens, closes) for day in WEEKDAYS))


NINE_TO_TEN = every_day("09:00", "22:00")


def shanghai_time(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 6, 4, hour, minute, tzinfo=SHANGHAI)  # a Tuesday


def store(
    store_id: str, location: GeoPoint = PEOPLES_SQUARE, radius_km: float = 10.0, active: bool = True,
    opening_hours: tuple[DailyHours, ...] = (), capacity: int = 0, time_zone: str = "Asia/Shanghai",
) -> StoreSite:
    return StoreSite(store_id, location, radius_km, active, opening_hours, time_zone, capacity, STORE)


def warehouse(
    store_id: str, location: GeoPoint, active: bool = True, capacity: int = 0,
    opening_hours: tuple[DailyHours, ...] = (),
) -> StoreSite:
    return StoreSite(store_id, location, 0.0, active, opening_hours, "Asia/Shanghai", capacity, WAREHOUSE)


def stock(table: Mapping[str, Mapping[str, int]]):
    """available(store_id, sku) from {store_id: {sku: units}}; anything not listed has none."""
    return lambda store_id, sku: table.get(store_id, {}).get(sku, 0)


def delivery(now: datetime | None = None, customer: GeoPoint = PEOPLES_SQUARE, **quantities: int) -> RoutingRequest:
    return RoutingRequest(customer, quantities or {"TEA": 1}, FulfilmentMode.DELIVERY, now=now)


def express(now: datetime | None = None, customer: GeoPoint = PEOPLES_SQUARE, **quantities: int) -> RoutingRequest:
    return RoutingRequest(customer, quantities or {"TEA": 1}, FulfilmentMode.EXPRESS, now=now)


def route(request: RoutingRequest, *sites: StoreSite, available, routing: RoutingPolicy = policy,
          orders_on=no_orders_yet, excluded=()) -> Decision:
    return routing.choose(request, StoreDirectory(sites), available, orders_on, excluded)


def refusal(request: RoutingRequest, *sites: StoreSite, available, routing: RoutingPolicy = policy,
            orders_on=no_orders_yet, excluded=()) -> str:
    """Why the order cannot be routed; fails the test when it can."""
    with pytest.raises(NoStoreCanFulfil) as refused:
        routing.choose(request, StoreDirectory(sites), available, orders_on, excluded)
    return str(refused.value)


def shipped(decision: Decision) -> list[tuple[str, dict[str, int]]]:
    """(store id, units per sku) per shipment, in the decision's order."""
    return [(s.allocation.store_id, dict(s.quantities)) for s in decision.shipments]


def metres(a: GeoPoint, b: GeoPoint = PEOPLES_SQUARE) -> int:
    return round(geodesic_m(b, a))


def explained(decision: Decision) -> dict[str, str]:
    return {p.store_id: p.code for p in decision.passed_over}


# --- splits: the fewest stores ------------------------------------------------------------------


def test_two_stores_each_holding_one_line_share_the_order():
    tea, cup, other = store("TEA-SHOP", away(1, 0)), store("CUP-SHOP", away(2, 90)), store("SOAP-SHOP", away(0.5, 180))
    available = stock({"TEA-SHOP": {"TEA": 2}, "CUP-SHOP": {"CUP": 1}, "SOAP-SHOP": {"SOAP": 9}})
    decision = route(delivery(TEA=2, CUP=1), tea, cup, other, available=available)
    assert decision.fulfilment == SPLIT
    assert decision.shipments == (
        Shipment(Allocation("TEA-SHOP", metres(tea.location)), {"TEA": 2}),
        Shipment(Allocation("CUP-SHOP", metres(cup.location)), {"CUP": 1}),
    )
    assert decision.search_note == ""
    with pytest.raises(ValueError):
        decision.allocation  # no single store to name


def test_shipments_are_listed_nearest_first_whatever_the_store_ids():
    near, far = store("Z-NEAR", away(1, 45)), store("A-FAR", away(4, 225))
    decision = route(delivery(TEA=1, CUP=1), far, near, available=stock({"Z-NEAR": {"CUP": 1}, "A-FAR": {"TEA": 1}}))
    assert shipped(decision) == [("Z-NEAR", {"CUP": 1}), ("A-FAR", {"TEA": 1})]


def test_a_line_is_split_across_two_stores_when_neither_holds_all_of_it():
    one, two = store("ONE", away(1, 0)), store("TWO", away(2, 180))
    decision = route(delivery(TEA=3), one, two, available=stock({"ONE": {"TEA": 1}, "TWO": {"TEA": 2}}))
    assert decision.fulfilment == SPLIT
    assert shipped(decision) == [("ONE", {"TEA": 1}), ("TWO", {"TEA": 2})]


def test_each_line_is_taken_from_the_nearest_store_of_the_split_first():
    near, far = store("NEAR", away(1, 0)), store("FAR", away(3, 180))
    available = stock({"NEAR": {"TEA": 2, "POT": 1, "CUP": 1}, "FAR": {"TEA": 3, "POT": 1}})
    decision = route(delivery(TEA=3, POT=2), near, far, available=available)
    # the near store ships all it has of each line, the far one only the rest
    assert shipped(decision) == [("NEAR", {"TEA": 2, "POT": 1}), ("FAR", {"TEA": 1, "POT": 1})]


def test_a_split_takes_two_stores_rather_than_three_even_when_the_three_are_nearer():
    spot = away(1, 0)
    near = [store(name, spot) for name in ("N1", "N2", "N3")]
    far = store("FAR", away(6, 180))
    available = stock({"N1": {"TEA": 1}, "N2": {"TEA": 1}, "N3": {"TEA": 1}, "FAR": {"TEA": 2}})
    decision = route(delivery(TEA=3), *near, far, available=available)
    # N1+N2+N3 is 3 km in all, N1+FAR 7 km: but two stores beat three
    assert shipped(decision) == [("N1", {"TEA": 1}), ("FAR", {"TEA": 2})]


def test_a_split_across_three_stores_when_no_two_hold_the_order():
    sites = [store("S-TEA", away(1, 0)), store("S-CUP", away(2, 120)), store("S-POT", away(3, 240))]
    available = stock({"S-TEA": {"TEA": 1}, "S-CUP": {"CUP": 1}, "S-POT": {"POT": 1}})
    decision = route(delivery(TEA=1, CUP=1, POT=1), *sites, available=available)
    assert decision.fulfilment == SPLIT
    assert shipped(decision) == [("S-TEA", {"TEA": 1}), ("S-CUP", {"CUP": 1}), ("S-POT", {"POT": 1})]


def test_among_two_store_splits_the_shortest_total_distance_wins_even_without_the_nearest_store():
    nearest = store("NEAREST", away(1, 0))  # all the tea, no cups
    far_cups = store("FAR-CUPS", away(9, 90))  # with NEAREST: 10 km
    half_a = store("HALF-A", away(3, 180))  # half of each; with HALF-B: 6.5 km
    half_b = store("HALF-B", away(3.5, 270))
    available = stock({
        "NEAREST": {"TEA": 2}, "FAR-CUPS": {"CUP": 2}, "HALF-A": {"TEA": 1, "CUP": 1}, "HALF-B": {"TEA": 1, "CUP": 1},
    })
    decision = route(delivery(TEA=2, CUP=2), nearest, far_cups, half_a, half_b, available=available)
    assert shipped(decision) == [("HALF-A", {"TEA": 1, "CUP": 1}), ("HALF-B", {"TEA": 1, "CUP": 1})]


def test_among_splits_equally_far_in_total_the_lowest_store_ids_win():
    north, south = away(1, 0), away(2, 180)
    sites = [store("S2", north), store("S1", north), store("S4", south), store("S3", south)]
    available = stock({"S1": {"TEA": 1}, "S2": {"TEA": 1}, "S3": {"CUP": 1}, "S4": {"CUP": 1}})
    decision = route(delivery(TEA=1, CUP=1), *sites, available=available)
    assert shipped(decision) == [("S1", {"TEA": 1}), ("S3", {"CUP": 1})]


def test_a_single_store_holding_everything_wins_over_a_nearer_split():
    sites = [store("TEA", away(1, 0)), store("CUP", away(1.5, 90)), store("WHOLE", away(9, 180))]
    available = stock({"TEA": {"TEA": 1}, "CUP": {"CUP": 1}, "WHOLE": {"TEA": 1, "CUP": 1}})
    decision = route(delivery(TEA=1, CUP=1), *sites, available=available)
    assert decision.fulfilment == ONE_STORE
    assert decision.allocation == Allocation("WHOLE", metres(away(9, 180)))
    assert shipped(decision) == [("WHOLE", {"TEA": 1, "CUP": 1})]


def test_a_store_opening_within_the_window_takes_its_part_scheduled_for_its_opening():
    # 08:00 in Shanghai: the tea shop opens at 09:00, within the two-hour window
    tea = store("TEA", away(1, 0), opening_hours=NINE_TO_TEN)
    cup = store("CUP", away(2, 180))
    decision = route(delivery(shanghai_time(8), TEA=1, CUP=1), tea, cup, available=stock({"TEA": {"TEA": 1}, "CUP": {"CUP": 1}}))
    assert decision.shipments == (
        Shipment(Allocation("TEA", metres(tea.location), shanghai_time(9)), {"TEA": 1}),
        Shipment(Allocation("CUP", metres(cup.location), None), {"CUP": 1}),
    )


# A near store holding one unit of the order, unless it breaks a rule: with B (2 km, 1 unit) it
# would make the split; else the split is A (3 km) + B.
NEAR_SPOT = away(0.8, 45)
INELIGIBLE = {
    "closed beyond the window": (dict(opening_hours=NINE_TO_TEN), {}, ()),  # 03:00: opens in 6 hours
    "at its daily capacity": (dict(capacity=1), {"NEAR": 1}, ()),
    "paused": (dict(active=False), {}, ()),
    "outside its radius": (dict(radius_km=0.5), {}, ()),
    "pickup only (radius 0)": (dict(radius_km=0.0), {}, ()),
    "excluded after a failed reservation": ({}, {}, ("NEAR",)),
}


@pytest.mark.parametrize("rule", sorted(INELIGIBLE))
def test_a_store_failing_any_rule_but_stock_never_takes_part_in_a_split(rule):
    overrides, taken, excluded = INELIGIBLE[rule]

    def orders_on(store_id: str, day: date) -> int:
        return taken.get(store_id, 0)

    b, a = store("B", away(2, 180)), store("A", away(3, 270))
    available = stock({"NEAR": {"TEA": 1}, "B": {"TEA": 1}, "A": {"TEA": 1}})
    request = delivery(shanghai_time(3), TEA=2)
    eligible = route(request, store("NEAR", NEAR_SPOT), b, a, available=available)
    assert shipped(eligible) == [("NEAR", {"TEA": 1}), ("B", {"TEA": 1})]  # the control: the rule is what keeps it out
    decision = route(request, store("NEAR", NEAR_SPOT, **overrides), b, a, available=available, orders_on=orders_on, excluded=excluded)
    assert shipped(decision) == [("B", {"TEA": 1}), ("A", {"TEA": 1})]


# --- splits: the bound ----------------------------------------------------------------------------


def three_single_line_stores():
    sites = [store("S-TEA", away(1, 0)), store("S-CUP", away(2, 120)), store("S-POT", away(3, 240))]
    return sites, stock({"S-TEA": {"TEA": 1}, "S-CUP": {"CUP": 1}, "S-POT": {"POT": 1}})


def test_an_order_needing_three_stores_is_refused_when_splits_stop_at_two_and_says_the_search_was_cut():
    sites, available = three_single_line_stores()
    why = refusal(delivery(TEA=1, CUP=1, POT=1), *sites, available=available, routing=RoutingPolicy(most_split_stores=2))
    assert "no split:" in why
    assert "split search cut" in why


def test_an_order_the_stores_do_not_hold_together_is_refused_without_blaming_the_bound():
    sites, available = three_single_line_stores()
    why = refusal(delivery(TEA=1, CUP=1, POT=1, SOAP=1), *sites, available=available)
    assert "no split:" in why
    assert "split search cut" not in why


def test_with_splits_off_the_order_is_refused():
    sites, available = three_single_line_stores()
    refusal(delivery(TEA=1, CUP=1), *sites, available=available, routing=RoutingPolicy(most_split_stores=1))


def test_a_tight_bound_is_not_blamed_when_no_store_at_all_holds_a_line():
    # three tea shops, all within reach and all looked at by the router; nobody has cups
    sites = [store("A", away(1, 0)), store("B", away(1.2, 90)), store("C", away(1.4, 180))]
    available = stock({"A": {"TEA": 1}, "B": {"TEA": 1}, "C": {"TEA": 1}})
    why = refusal(delivery(TEA=1, CUP=1), *sites, available=available, routing=RoutingPolicy(split_candidates=2))
    assert "no split:" in why
    assert "split search cut" not in why  # no wider search could find cups


def test_the_split_candidates_are_the_nearest_by_geodesic_even_beside_a_store_measured_at_its_rim():
    # B 1,000 m north delivers within 1,003 m: only the geodesic tells it is inside, so it is
    # measured. C is 1,006 m north, A 1,008 m east (the great circle puts A nearer than C).
    rim = store("B", away(1.000, 0), radius_km=1.003)
    c, a = store("C", away(1.006, 0)), store("A", away(1.008, 90))
    available = stock({"B": {"TEA": 1}, "C": {"CUP": 1}, "A": {"CUP": 1}})
    routing = RoutingPolicy(split_candidates=2)
    request = delivery(TEA=1, CUP=1)
    expected = brute_force(routing, request, StoreDirectory([rim, c, a]), available)
    assert shipped(expected) == [("B", {"TEA": 1}), ("C", {"CUP": 1})]  # the two nearest: B and C
    decision = route(request, rim, c, a, available=available, routing=routing)
    assert shipped(decision) == shipped(expected)


def test_the_split_search_stops_looking_only_once_no_store_can_still_be_among_the_nearest():
    # By great circle: EAST (10,046 m east), RIM (10,000 m north, measured: it delivers within
    # 10,003 m), then NORTH (10,040 m north). NORTH's lower bound is past RIM's measured
    # 10,000 m, yet NORTH is nearer than EAST: the search must not stop before it.
    rim = store("RIM", away(10.000, 0), radius_km=10.003)
    east, north = store("EAST", away(10.046, 90), radius_km=20), store("NORTH", away(10.040, 0), radius_km=20)
    available = stock({"RIM": {"TEA": 1}, "EAST": {"CUP": 1}, "NORTH": {"CUP": 1}})
    routing = RoutingPolicy(split_candidates=2)
    request = delivery(TEA=1, CUP=1)
    expected = brute_force(routing, request, StoreDirectory([rim, east, north]), available)
    assert shipped(expected) == [("RIM", {"TEA": 1}), ("NORTH", {"CUP": 1})]
    decision = route(request, rim, east, north, available=available, routing=routing)
    assert shipped(decision) == shipped(expected)
    assert decision.search_note  # EAST was left out of the two nearest


def candidates_world():
    # nearest first: A (1 km, tea), B (2 km, tea), C (3 km, cups), D (4 km, cups)
    sites = [store("A", away(1, 0)), store("B", away(2, 90)), store("C", away(3, 180)), store("D", away(4, 270))]
    return sites, {"A": {"TEA": 1}, "B": {"TEA": 1}, "C": {"CUP": 1}, "D": {"CUP": 1}}


def test_the_split_search_looks_only_at_the_nearest_candidates_and_says_when_that_cut_it_short():
    sites, table = candidates_world()
    why = refusal(delivery(TEA=1, CUP=1), *sites, available=stock(table), routing=RoutingPolicy(split_candidates=2))
    assert "no split:" in why and "split search cut" in why  # A and B hold only tea
    decision = route(delivery(TEA=1, CUP=1), *sites, available=stock(table), routing=RoutingPolicy(split_candidates=3))
    assert shipped(decision) == [("A", {"TEA": 1}), ("C", {"CUP": 1})]
    assert decision.search_note  # D was never looked at


def test_no_search_note_when_every_eligible_holder_was_a_candidate():
    sites, table = candidates_world()
    # a nearer store holding nothing the order needs, and a paused one holding it, are no candidates
    sites += [store("SOAP", away(0.5, 0)), store("PAUSED", away(0.6, 0), active=False)]
    table = {**table, "SOAP": {"SOAP": 5}, "PAUSED": {"TEA": 1, "CUP": 1}}
    decision = route(delivery(TEA=1, CUP=1), *sites, available=stock(table), routing=RoutingPolicy(split_candidates=4))
    assert shipped(decision) == [("A", {"TEA": 1}), ("C", {"CUP": 1})]
    assert decision.search_note == ""


def test_held_together_counts_no_negative_stock():
    available = stock({"A": {"TEA": -3}, "B": {"TEA": 1}, "C": {"CUP": 2}})
    assert held_together(["A", "B", "C"], [("TEA", 1), ("CUP", 2)], available)
    assert not held_together(["A", "B", "C"], [("TEA", 2)], available)  # A's -3 takes nothing from B's 1
    assert not held_together([], [("TEA", 1)], available)


def soap_less_world():
    """Two tea shops and a cup shop; nobody has soap. B is at capacity."""
    sites = [store("A", away(1, 0), capacity=5), store("B", away(2, 90), capacity=5), store("C", away(3, 180), capacity=5)]
    table = {"A": {"TEA": 1}, "B": {"TEA": 1}, "C": {"CUP": 1}, "WH-KUNSHAN": {"TEA": 9, "CUP": 9, "SOAP": 9}}
    taken = {"A": 0, "B": 5, "C": 0, "WH-KUNSHAN": 0}
    return sites, stock(table), taken


def test_an_order_the_stores_in_reach_cannot_hold_together_goes_express_without_assessing_them_for_a_split():
    sites, available, taken = soap_less_world()
    asked = []

    def orders_on(store_id: str, day: date) -> int:
        asked.append(store_id)
        return taken[store_id]

    request = delivery(shanghai_time(12), TEA=1, CUP=1, SOAP=1)
    directory = StoreDirectory([*sites, warehouse("WH-KUNSHAN", KUNSHAN)])
    decision = policy.choose(request, directory, available, orders_on)
    assert asked == []  # stock comes before capacity, and no split was looked for
    expected = brute_force(policy, request, directory, available, orders_on)
    assert (decision.fulfilment, decision.shipments) == (expected.fulfilment, expected.shipments)
    assert decision.fulfilment == EXPRESS and decision.search_note == "no store nor split of stores could serve it"
    assert [(p.store_id, p.code, p.reason) for p in decision.passed_over] == [
        ("A", OUT_OF_STOCK, "out of stock for sku 'CUP', sku 'SOAP'"),
        ("B", OUT_OF_STOCK, "out of stock for sku 'CUP', sku 'SOAP'"),
        ("C", OUT_OF_STOCK, "out of stock for sku 'TEA', sku 'SOAP'"),
    ]


def test_the_refusal_of_an_order_the_stores_cannot_hold_together_counts_only_those_that_could_take_part():
    sites, available, taken = soap_less_world()
    why = refusal(
        delivery(shanghai_time(12), TEA=1, CUP=1, SOAP=1), *sites, available=available,
        routing=RoutingPolicy(express_fallback=False), orders_on=lambda store_id, day: taken[store_id],
    )
    # B, at capacity, could not take part; A and C could, yet hold no soap
    assert why.endswith("; no split: the 2 stores in reach that could take part do not hold all of it together")


# --- regional warehouses and EXPRESS ------------------------------------------------------------


def test_when_no_store_nor_split_can_the_nearest_warehouse_holding_it_all_ships_it_express():
    tea = store("TEA", away(1, 0))
    wuhan, beijing = warehouse("WH-WUHAN", WUHAN), warehouse("WH-BEIJING", BEIJING)
    available = stock({"TEA": {"TEA": 1}, "WH-WUHAN": {"TEA": 5, "CUP": 5}, "WH-BEIJING": {"TEA": 5, "CUP": 5}})
    decision = route(delivery(TEA=1, CUP=1), tea, beijing, wuhan, available=available)
    assert decision.fulfilment == EXPRESS
    assert decision.shipments == (Shipment(Allocation("WH-WUHAN", metres(WUHAN)), {"TEA": 1, "CUP": 1}),)
    assert decision.allocation.store_id == "WH-WUHAN"
    assert decision.search_note  # why no store nor split could


def test_the_express_fallback_ignores_distance_and_opening_hours():
    # 03:00 in Shanghai, the warehouse 1,660 km away keeps shop hours: a carrier collects anyway
    chengdu = warehouse("WH-CHENGDU", CHENGDU, opening_hours=NINE_TO_TEN)
    decision = route(delivery(shanghai_time(3), TEA=2), chengdu, available=stock({"WH-CHENGDU": {"TEA": 2}}))
    assert (decision.fulfilment, shipped(decision)) == (EXPRESS, [("WH-CHENGDU", {"TEA": 2})])
    assert decision.allocation.scheduled_for is None


def test_a_warehouse_next_door_is_never_used_when_a_store_can():
    door = warehouse("WH-DOOR", PEOPLES_SQUARE)
    shop = store("SHOP", away(5, 0))
    decision = route(delivery(TEA=1), door, shop, available=stock({"WH-DOOR": {"TEA": 9}, "SHOP": {"TEA": 1}}))
    assert (decision.fulfilment, decision.allocation.store_id) == (ONE_STORE, "SHOP")
    assert "WH-DOOR" not in explained(decision)  # not a store the search passed over: no store at all


def test_a_warehouse_next_door_is_never_used_when_a_split_can():
    door = warehouse("WH-DOOR", PEOPLES_SQUARE)
    sites = [store("TEA", away(3, 0)), store("CUP", away(4, 180))]
    available = stock({"WH-DOOR": {"TEA": 9, "CUP": 9}, "TEA": {"TEA": 1}, "CUP": {"CUP": 1}})
    decision = route(delivery(TEA=1, CUP=1), door, *sites, available=available)
    assert (decision.fulfilment, shipped(decision)) == (SPLIT, [("TEA", {"TEA": 1}), ("CUP", {"CUP": 1})])


def test_a_warehouse_never_takes_part_in_a_split():
    # the warehouse at the door holds the cups the store lacks, but not the tea: no split, no EXPRESS
    door = warehouse("WH-DOOR", PEOPLES_SQUARE)
    shop = store("SHOP", away(1, 0))
    why = refusal(delivery(TEA=1, CUP=1), door, shop, available=stock({"WH-DOOR": {"CUP": 9}, "SHOP": {"TEA": 9}}))
    assert "no split:" in why


def test_with_the_express_fallback_off_an_order_no_store_nor_split_can_take_is_refused():
    shop, kunshan = store("SHOP", away(1, 0)), warehouse("WH-KUNSHAN", KUNSHAN)
    available = stock({"SHOP": {"TEA": 1}, "WH-KUNSHAN": {"TEA": 9, "CUP": 9}})
    assert route(delivery(TEA=1, CUP=1), shop, kunshan, available=available).fulfilment == EXPRESS  # the control
    refusal(delivery(TEA=1, CUP=1), shop, kunshan, available=available, routing=RoutingPolicy(express_fallback=False))


def test_express_asked_for_goes_to_a_warehouse_even_with_a_store_next_door():
    door = store("SHOP-DOOR", PEOPLES_SQUARE)
    hangzhou = warehouse("WH-HANGZHOU", HANGZHOU)
    decision = route(express(TEA=1), door, hangzhou, available=stock({"SHOP-DOOR": {"TEA": 9}, "WH-HANGZHOU": {"TEA": 1}}))
    assert decision.fulfilment == EXPRESS
    assert decision.shipments == (Shipment(Allocation("WH-HANGZHOU", metres(HANGZHOU)), {"TEA": 1}),)
    assert "SHOP-DOOR" not in explained(decision)


def test_express_asked_for_with_no_warehouse_able_is_refused_though_a_store_could():
    door = store("SHOP-DOOR", PEOPLES_SQUARE)
    hangzhou = warehouse("WH-HANGZHOU", HANGZHOU)
    refusal(express(TEA=1), door, available=stock({"SHOP-DOOR": {"TEA": 9}}))
    refusal(express(TEA=2), door, hangzhou, available=stock({"SHOP-DOOR": {"TEA": 9}, "WH-HANGZHOU": {"TEA": 1}}))


def test_a_warehouse_is_no_pickup_counter():
    hangzhou = warehouse("WH-HANGZHOU", HANGZHOU)
    request = RoutingRequest(PEOPLES_SQUARE, {"TEA": 1}, FulfilmentMode.PICKUP, pickup_store_id="WH-HANGZHOU")
    with pytest.raises(NoStoreCanFulfil):
        policy.choose(request, StoreDirectory([hangzhou]), stock({"WH-HANGZHOU": {"TEA": 9}}))


def test_the_nearest_warehouse_holding_everything_wins_and_the_others_are_explained():
    kunshan, hangzhou = warehouse("WH-KUNSHAN", KUNSHAN), warehouse("WH-HANGZHOU", HANGZHOU, active=False)
    wuhan = warehouse("WH-WUHAN", WUHAN, capacity=2)
    beijing, beijing_too = warehouse("WH-BEIJING", BEIJING), warehouse("WH-BEIJING-2", BEIJING)
    chengdu = warehouse("WH-CHENGDU", CHENGDU)
    everything = {"TEA": 2, "CUP": 1}
    available = stock({
        "WH-KUNSHAN": {"TEA": 2}, "WH-HANGZHOU": everything, "WH-WUHAN": everything,
        "WH-BEIJING": everything, "WH-BEIJING-2": everything, "WH-CHENGDU": everything,
    })

    def orders_on(store_id: str, day: date) -> int:
        return 2 if store_id == "WH-WUHAN" else 0

    decision = route(
        express(shanghai_time(12), TEA=2, CUP=1), chengdu, beijing_too, beijing, wuhan, hangzhou, kunshan,
        available=available, orders_on=orders_on,
    )
    assert (decision.fulfilment, decision.allocation.store_id) == (EXPRESS, "WH-BEIJING")
    why = explained(decision)
    assert why["WH-KUNSHAN"] == OUT_OF_STOCK  # nearer, but short of cups
    assert why["WH-HANGZHOU"] == PAUSED
    assert why["WH-WUHAN"] == AT_CAPACITY
    assert why["WH-BEIJING-2"] == FARTHER  # as near, but the higher id
    assert "WH-BEIJING" not in why


def test_the_express_fallback_explains_the_warehouses_it_passed_over():
    shop = store("SHOP", away(1, 0))
    kunshan, wuhan = warehouse("WH-KUNSHAN", KUNSHAN), warehouse("WH-WUHAN", WUHAN)
    available = stock({"SHOP": {"TEA": 1}, "WH-KUNSHAN": {"TEA": 9}, "WH-WUHAN": {"TEA": 1, "CUP": 1}})
    decision = route(delivery(TEA=1, CUP=1), shop, kunshan, wuhan, available=available)
    assert (decision.fulfilment, decision.allocation.store_id) == (EXPRESS, "WH-WUHAN")
    assert explained(decision)["WH-KUNSHAN"] == OUT_OF_STOCK
    assert explained(decision)["SHOP"] == OUT_OF_STOCK


# --- the property: the router decides as the reference, and the split as the book says ---------------


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def opening_hours(draw) -> tuple[DailyHours, ...]:
    kind = draw(st.sampled_from(["always", "always", "always", "9 to 10", "random"]))
    if kind == "always":
        return ()
    if kind == "9 to 10":
        return NINE_TO_TEN
    spans = []
    for day in draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=7)):
        opens = draw(st.integers(0, 24 * 60 - 1))
        spans.append((day, hhmm(opens), hhmm(draw(st.integers(opens + 1, 24 * 60)))))
    return hours(*spans)


ZONES = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Urumqi"]
WINDOWS = [timedelta(hours=2), timedelta(hours=12), timedelta(0)]


@st.composite
def worlds(draw):
    """Up to 12 stores within 15 km of a centre in China, 0-3 warehouses anywhere in China."""
    centre = GeoPoint(draw(st.floats(22.0, 45.0)), draw(st.floats(100.0, 125.0)))
    spots = draw(st.lists(st.builds(lambda km, b: away(km, b, centre), st.floats(0, 15), st.floats(0, 360)), min_size=1, max_size=8))
    customer = draw(st.one_of(st.sampled_from(spots), st.builds(lambda km, b: away(km, b, centre), st.floats(0, 5), st.floats(0, 360))))
    skus = ["TEA", "CUP", "POT", "PAN"][: draw(st.integers(3, 4))]
    sites, table, taken = [], {}, {}
    for i in range(draw(st.integers(2, 12))):
        store_id = f"S{draw(st.integers(0, 9))}-{i}"
        location = draw(st.sampled_from(spots))
        radius_km = draw(st.sampled_from([0.0, 5.0, 20.0, 30.0, 30.0, "random", "at the customer"]))
        if radius_km == "random":
            radius_km = draw(st.floats(0.0, 30.0))
        elif radius_km == "at the customer":  # within half a percent: only the geodesic can tell in from out
            radius_km = geodesic_m(customer, location) / 1000 * draw(st.floats(0.995, 1.005))
        sites.append(store(
            store_id, location, radius_km, active=draw(st.sampled_from([True] * 5 + [False])),
            opening_hours=draw(opening_hours()), capacity=draw(st.sampled_from([0, 0, 1, 2])), time_zone=draw(st.sampled_from(ZONES)),
        ))
    for i in range(draw(st.integers(0, 3))):
        store_id = f"W{draw(st.integers(0, 9))}-{i}"
        location = GeoPoint(draw(st.floats(18.0, 53.0)), draw(st.floats(73.0, 135.0)))
        sites.append(warehouse(
            store_id, location, active=draw(st.sampled_from([True, True, True, False])),
            capacity=draw(st.sampled_from([0, 0, 1, 2])), opening_hours=draw(opening_hours()),
        ))
    for site in sites:
        units = [0, 0, 1, 2, 3] if site.kind == STORE else [0, 1, 2, 3, 3]
        table[site.store_id] = {sku: draw(st.sampled_from(units)) for sku in skus}
        taken[site.store_id] = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    now = draw(st.one_of(st.none(), st.none(), st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))))
    mode = draw(st.sampled_from([FulfilmentMode.DELIVERY] * 4 + [FulfilmentMode.EXPRESS]))
    lines = draw(st.sampled_from([1, 2, 2, 3, 3, 4]))
    quantities = draw(st.dictionaries(st.sampled_from(skus), st.integers(1, 3), min_size=min(lines, len(skus)), max_size=lines))
    request = RoutingRequest(customer, quantities, mode, now=now)
    excluded = draw(st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(sorted(table)), max_size=3)))
    routing = RoutingPolicy(
        opening_window=draw(st.sampled_from(WINDOWS)), split_candidates=draw(st.integers(2, 6)),
        most_split_stores=draw(st.integers(2, 3)), express_fallback=draw(st.sampled_from([True, True, False])),
    )

    def available(store_id: str, sku: str) -> int:
        return table[store_id].get(sku, 0)

    def orders_on(store_id: str, day: date) -> int:  # varies from one local day to the next
        return taken[store_id][day.toordinal() % 2]

    return routing, request, StoreDirectory(sites), available, orders_on, excluded


def split_by_the_book(routing, request, directory, available, orders_on, excluded):
    """The split the business rules ask for, worked out afresh: [(store id, {sku: units})]
    nearest first, or None. Only for when no single store can take the order."""
    here, quantities = request.customer_location, request.quantities
    holders = []  # (metres, store id, {sku: units it can give})
    for site in directory.sites.values():
        if site.kind != STORE:
            continue
        gives = {sku: min(qty, available(site.store_id, sku)) for sku, qty in quantities.items()}
        gives = {sku: n for sku, n in gives.items() if n}
        distance = geodesic_m(here, site.location)
        if gives and routing.assess(site, request, distance, available, orders_on, excluded, lines=[])[0] is None:
            holders.append((distance, site.store_id, gives))
    holders.sort(key=lambda h: h[:2])
    candidates = holders[: routing.split_candidates]
    for size in range(2, routing.most_split_stores + 1):
        fits = [
            group for group in combinations(candidates, size)
            if all(sum(h[2].get(sku, 0) for h in group) >= qty for sku, qty in quantities.items())
        ]
        if fits:
            group = min(fits, key=lambda g: (sum(h[0] for h in g), sorted(h[1] for h in g)))
            result = []
            left = dict(quantities)
            for _, store_id, gives in sorted(group, key=lambda h: h[:2]):
                share = {sku: min(left[sku], n) for sku, n in gives.items() if min(left[sku], n)}
                for sku, n in share.items():
                    left[sku] -= n
                result.append((store_id, share))
            return result, len(holders) > routing.split_candidates
    return None, False


def a_single_store_can(routing, request, directory, available, orders_on, excluded) -> bool:
    here = request.customer_location
    return any(
        routing.assess(site, request, geodesic_m(here, site.location), available, orders_on, excluded)[0] is None
        for site in directory.sites.values() if site.kind == STORE
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(worlds())
def test_the_router_splits_and_ships_express_exactly_as_the_reference_and_the_rules_say(world):
    routing, request, directory, available, orders_on, excluded = world
    try:
        expected = brute_force(routing, request, directory, available, orders_on, excluded)
    except NoStoreCanFulfil:
        event("refused")
        with pytest.raises(NoStoreCanFulfil):
            routing.choose(request, directory, available, orders_on, excluded)
        expected = None
    else:
        decision = routing.choose(request, directory, available, orders_on, excluded)
        assert (decision.fulfilment, decision.shipments) == (expected.fulfilment, expected.shipments)
        event(f"{request.mode.value}: {decision.fulfilment}")
        if decision.fulfilment == SPLIT:
            event(f"split across {len(decision.shipments)}" + (", search cut short" if decision.search_note else ""))
    here = request.customer_location

    if request.mode is FulfilmentMode.DELIVERY and not a_single_store_can(routing, request, directory, available, orders_on, excluded):
        book, cut = split_by_the_book(routing, request, directory, available, orders_on, excluded)
        if book is not None:
            assert expected is not None and expected.fulfilment == SPLIT
            assert shipped(decision) == book
            assert bool(decision.search_note) == cut
        else:
            # no split: a warehouse, or a store that can start only after the window
            assert expected is None or expected.fulfilment == EXPRESS or decision.search_note.startswith(STARTS_LATER)

    if expected is None:
        return
    assert decision.shipments and all(s.quantities for s in decision.shipments)
    if decision.fulfilment == SPLIT:
        assert 2 <= len(decision.shipments) <= routing.most_split_stores
        ids = [s.allocation.store_id for s in decision.shipments]
        assert len(set(ids)) == len(ids)
        for sku, qty in request.quantities.items():
            assert sum(s.quantities.get(sku, 0) for s in decision.shipments) == qty
        for shipment in decision.shipments:
            site = directory.sites[shipment.allocation.store_id]
            assert site.kind == STORE
            distance = geodesic_m(here, site.location)
            assert shipment.allocation.distance_m == round(distance)
            why, scheduled = routing.assess(site, request, distance, available, orders_on, excluded, lines=[])
            assert why is None and shipment.allocation.scheduled_for == scheduled
            assert set(shipment.quantities) <= set(request.quantities)
            for sku, units in shipment.quantities.items():
                assert 0 < units <= available(site.store_id, sku)
        distances = [s.allocation.distance_m for s in decision.shipments]
        assert distances == sorted(distances)
    elif decision.fulfilment == EXPRESS:
        site = directory.sites[decision.allocation.store_id]
        assert site.kind == WAREHOUSE
        assert dict(decision.shipments[0].quantities) == dict(request.quantities)
        assert all(available(site.store_id, sku) >= qty for sku, qty in request.quantities.items())
        if request.mode is FulfilmentMode.DELIVERY:
            assert decision.search_note
    else:
        assert request.mode is FulfilmentMode.DELIVERY
        assert directory.sites[decision.allocation.store_id].kind == STORE


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(worlds())
def test_without_pyproj_every_distance_is_exact_and_the_router_still_decides_as_the_reference(world):
    routing, request, directory, available, orders_on, excluded = world
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(distances, "_WGS84_C", None)
        try:
            expected = brute_force(routing, request, directory, available, orders_on, excluded)
        except NoStoreCanFulfil:
            with pytest.raises(NoStoreCanFulfil):
                routing.choose(request, directory, available, orders_on, excluded)
            return
        decision = routing.choose(request, directory, available, orders_on, excluded)
        assert (decision.fulfilment, decision.shipments) == (expected.fulfilment, expected.shipments)
