"""LBS routing: which store fulfils an online order, and why no store can.

The basic rules: the nearest active store that delivers to the customer and holds every line;
ties go to the lower store id; PICKUP goes to the named store or nowhere. Opening hours,
capacity and the explanation of a decision are in test_routing_rules.py.
"""

from __future__ import annotations

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from domain.errors import NoStoreCanFulfil, StoreNotFound
from domain.values import FulfilmentMode, GeoPoint
from routing import ONE_STORE, Allocation, Decision, RoutingPolicy, RoutingRequest, StoreDirectory, StoreSite
from routing import distance as distances
from routing.distance import (
    ESTIMATE_ERROR_M, HAVERSINE_MARGIN, Distance, estimated_m, geodesic_m, haversine_km, nearer, with_margin,
)
from routing.policy import OUT_OF_STOCK, OUTSIDE_RADIUS, PAUSED, TAKEN
from routing.spatial import SpatialIndex

# Real places. Distances from People's Square: Jing'an Temple ~2.8 km, Lujiazui ~2.8 km,
# Xujiahui ~5.7 km, Hongqiao airport ~13.6 km, Pudong airport ~34 km, Beijing ~1,070 km.
PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)
JINGAN_TEMPLE = GeoPoint(31.2237, 121.4455)
LUJIAZUI = GeoPoint(31.2397, 121.4998)
XUJIAHUI = GeoPoint(31.1955, 121.4370)
HONGQIAO_AIRPORT = GeoPoint(31.1979, 121.3363)
PUDONG_AIRPORT = GeoPoint(31.1443, 121.8083)
TIANANMEN = GeoPoint(39.9087, 116.3975)
WANGFUJING = GeoPoint(39.9149, 116.4110)

policy = RoutingPolicy(most_split_stores=1)  # one store per order here: splits in tests/test_routing_splits.py


def site(store_id: str, location: GeoPoint, radius_km: float = 10.0, active: bool = True) -> StoreSite:
    return StoreSite(store_id=store_id, location=location, delivery_radius_km=radius_km, active=active)


def stores(*sites: StoreSite) -> StoreDirectory:
    return StoreDirectory(sites)


def plenty(store_id: str, sku: str) -> int:
    return 100


def stock(table: dict[tuple[str, str], int]):
    """available(store_id, sku) from a table; anything not listed has none."""
    return lambda store_id, sku: table.get((store_id, sku), 0)


def delivery(location: GeoPoint = PEOPLES_SQUARE, **quantities: int) -> RoutingRequest:
    return RoutingRequest(location, quantities or {"TEA": 1}, FulfilmentMode.DELIVERY)


def pickup(store_id: str, location: GeoPoint = PEOPLES_SQUARE, **quantities: int) -> RoutingRequest:
    return RoutingRequest(location, quantities or {"TEA": 1}, FulfilmentMode.PICKUP, pickup_store_id=store_id)


def chosen(request: RoutingRequest, directory: StoreDirectory, available=plenty, excluded=()) -> str:
    """The id of the store the order is allocated to."""
    return policy.choose(request, directory, available, excluded=excluded).allocation.store_id


def refusal(request: RoutingRequest, directory: StoreDirectory, available=plenty, excluded=()) -> str:
    """Why no store can take the order; fails the test when one can."""
    with pytest.raises(NoStoreCanFulfil) as refused:
        policy.choose(request, directory, available, excluded=excluded)
    return str(refused.value)


def metres(a: GeoPoint, b: GeoPoint) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters


# --- distances ---------------------------------------------------------------------------------


def test_the_reference_distances_are_what_we_think():
    assert 2_500 < metres(PEOPLES_SQUARE, JINGAN_TEMPLE) < 3_200
    assert 2_500 < metres(PEOPLES_SQUARE, LUJIAZUI) < 3_200
    assert 1_060_000 < metres(PEOPLES_SQUARE, TIANANMEN) < 1_080_000


def test_geodesic_m_is_geopys_wgs84_geodesic():
    assert geodesic_m(PEOPLES_SQUARE, TIANANMEN) == pytest.approx(metres(PEOPLES_SQUARE, TIANANMEN), abs=1e-6)
    assert geodesic_m(PEOPLES_SQUARE, PEOPLES_SQUARE) == 0


@pytest.mark.parametrize(
    "a, b",
    [
        (PEOPLES_SQUARE, JINGAN_TEMPLE),
        (PEOPLES_SQUARE, LUJIAZUI),
        (PEOPLES_SQUARE, PUDONG_AIRPORT),
        (HONGQIAO_AIRPORT, PUDONG_AIRPORT),
        (TIANANMEN, WANGFUJING),
        (PEOPLES_SQUARE, TIANANMEN),
        (GeoPoint(0, 0), GeoPoint(0, 1)),  # along the equator
        (GeoPoint(60, 10), GeoPoint(61, 10)),  # along a meridian, far north
        (GeoPoint(0, 179.9), GeoPoint(0, -179.9)),  # across the date line
    ],
)
def test_the_haversine_is_within_six_tenths_of_a_percent_of_the_geodesic(a, b):
    assert haversine_km(a, b) == pytest.approx(geodesic_m(a, b) / 1000, rel=0.006)


def test_the_haversine_of_a_point_to_itself_is_zero():
    assert haversine_km(PEOPLES_SQUARE, PEOPLES_SQUARE) == 0


def test_the_margin_excludes_only_what_is_certainly_too_far():
    assert 10.0 <= with_margin(10.0)
    assert 10.0 * (1 + HAVERSINE_MARGIN) <= with_margin(10.0)
    assert not 10.1 <= with_margin(10.0)
    assert not 0.01 <= with_margin(0.0)


@settings(max_examples=300, deadline=None)
@given(
    latitude=st.floats(-89.0, 89.0),
    longitude=st.floats(-180.0, 180.0),
    bearing=st.floats(0, 360),
    distance_km=st.one_of(st.floats(0, 0.05), st.floats(0, 500)),
    slack=st.floats(1.0, 1.01),
)
def test_the_great_circle_prefilter_never_leaves_out_a_store_the_geodesic_puts_inside_the_radius(
    latitude, longitude, bearing, distance_km, slack
):
    here = GeoPoint(latitude, longitude)
    there_raw = geodesic(kilometers=distance_km).destination((latitude, longitude), bearing)
    there = GeoPoint(there_raw.latitude, there_raw.longitude)
    radius_km = geodesic_m(here, there) / 1000 * slack  # the store is inside, often right at the edge
    assert haversine_km(here, there) <= with_margin(radius_km)
    # nor does the spatial index, asked with the same margin, leave it out
    assert "S" in [store_id for _, store_id in SpatialIndex([("S", there)]).within(here, with_margin(radius_km))]


@settings(max_examples=500, deadline=None)
@given(
    latitude=st.floats(-89.0, 89.0),
    longitude=st.floats(-180.0, 180.0),
    bearing=st.floats(0, 360),
    distance_km=st.one_of(st.floats(0, 0.05), st.floats(0, 500)),
    radius_km=st.floats(0, 600),
)
def test_a_distance_judged_by_the_great_circle_never_contradicts_the_geodesic(latitude, longitude, bearing, distance_km, radius_km):
    here = GeoPoint(latitude, longitude)
    there_raw = geodesic(kilometers=distance_km).destination((latitude, longitude), bearing)
    there = GeoPoint(there_raw.latitude, there_raw.longitude)
    exact_m = geodesic_m(here, there)
    judged = Distance(here, there)
    clearly = judged.clearly_within_km(radius_km)
    assert clearly is None or clearly == (exact_m <= radius_km * 1000)
    assert judged.within_km(radius_km) == (exact_m <= radius_km * 1000)
    assert not Distance(here, there).certainly_beyond_m(exact_m)  # a lower bound, never above the truth
    assert exact_m / 1000 <= with_margin(haversine_km(here, there))


@settings(max_examples=300, deadline=None)
@given(
    a=st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    b=st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
)
def test_geodesic_m_is_geopys_geodesic_to_the_last_bit(a, b):
    assert geodesic_m(GeoPoint(*a), GeoPoint(*b)) == geodesic(a, b).meters


# --- the estimate (pyproj): within a micrometre, so deciding by it is deciding by geopy ----------

needs_pyproj = pytest.mark.skipif(distances.Geod is None, reason="pyproj is not installed: no estimate, every distance exact")


@needs_pyproj
@settings(max_examples=500, deadline=None)
@given(
    a=st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    b=st.one_of(
        st.tuples(st.floats(-90, 90), st.floats(-180, 180)),  # anywhere, antipodes and poles included
        st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)),  # near a: store distances
    ),
    near=st.booleans(),
)
def test_the_estimate_is_within_its_error_of_geopys_geodesic(a, b, near):
    here = GeoPoint(*a)
    there = GeoPoint(max(-90.0, min(90.0, a[0] + b[0])), (a[1] + b[1] + 180) % 360 - 180) if near else GeoPoint(*b)
    assert abs(estimated_m(here, there) - geodesic(a, (there.latitude, there.longitude)).meters) <= ESTIMATE_ERROR_M


@settings(max_examples=300, deadline=None)
@given(
    bearings=st.tuples(st.floats(0, 360), st.floats(0, 360)),
    kms=st.tuples(st.floats(0, 12), st.floats(0, 12)),
    same=st.sampled_from(["no", "same distance", "same spot"]),
    ids=st.sampled_from([("A", "B"), ("B", "A")]),
)
def test_distances_narrowed_only_as_far_as_needed_decide_as_the_exact_geodesic(bearings, kms, same, ids):
    if same != "no":
        kms = (kms[0], kms[0])
    if same == "same spot":
        bearings = (bearings[0], bearings[0])
    a, b = (offset(PEOPLES_SQUARE, km, bearing) for km, bearing in zip(kms, bearings))
    a_m, b_m = geodesic_m(PEOPLES_SQUARE, a), geodesic_m(PEOPLES_SQUARE, b)
    assert nearer(Distance(PEOPLES_SQUARE, a), ids[0], Distance(PEOPLES_SQUARE, b), ids[1]) == ((a_m, ids[0]) < (b_m, ids[1]))
    assert Distance(PEOPLES_SQUARE, a).rounded_m() == round(a_m)
    assert Distance(PEOPLES_SQUARE, a).shown_m() == round(haversine_km(PEOPLES_SQUARE, a) * 1000)  # nothing measured
    measured = Distance(PEOPLES_SQUARE, a)
    measured.estimate()
    assert measured.shown_m() == round(a_m)
    low, high = measured.bounds_m()
    assert low <= a_m <= high


def test_two_stores_in_the_same_spot_are_told_apart_by_store_id_with_the_exact_geodesic():
    first, second = Distance(PEOPLES_SQUARE, LUJIAZUI), Distance(PEOPLES_SQUARE, LUJIAZUI)
    assert nearer(first, "SH-A", second, "SH-B") and not nearer(second, "SH-B", first, "SH-A")
    assert first.exact and second.exact  # the estimates could not tell them apart


def test_a_half_metre_within_the_estimates_error_is_rounded_from_the_exact_geodesic():
    distance = Distance(PEOPLES_SQUARE, LUJIAZUI)
    exact = geodesic_m(PEOPLES_SQUARE, LUJIAZUI)
    distance._estimate = 1_000.5  # planted: were it believed, the distance would come out 1,000 m
    assert distance.rounded_m() == round(exact) != 1_000
    settled = Distance(PEOPLES_SQUARE, LUJIAZUI)
    settled._estimate = 1_000.25
    assert settled.rounded_m() == 1_000 and not settled.exact  # clear of a half metre: the estimate decides


# --- delivery: who is chosen --------------------------------------------------------------------


def test_the_nearest_store_with_stock_wins():
    directory = stores(site("SH-XUJIAHUI", XUJIAHUI), site("SH-JINGAN", JINGAN_TEMPLE), site("SH-HONGQIAO", HONGQIAO_AIRPORT))
    decision = policy.choose(delivery(), directory, plenty)
    assert isinstance(decision, Decision)
    assert decision.allocation == Allocation("SH-JINGAN", round(metres(PEOPLES_SQUARE, JINGAN_TEMPLE)))
    assert decision.allocation.scheduled_for is None  # no opening hours asked about: it starts now
    assert "SH-JINGAN" not in [p.store_id for p in decision.passed_over]


def test_the_nearest_is_measured_by_geodesic_distance_from_the_customer():
    directory = stores(site("SH-LUJIAZUI", LUJIAZUI), site("SH-JINGAN", JINGAN_TEMPLE), site("SH-XUJIAHUI", XUJIAHUI))
    for customer in (LUJIAZUI, JINGAN_TEMPLE, XUJIAHUI):
        expected = min(directory.sites.values(), key=lambda s: metres(customer, s.location)).store_id
        assert chosen(delivery(customer), directory) == expected
    assert chosen(delivery(GeoPoint(31.2397, 121.5100)), directory) == "SH-LUJIAZUI"


def test_the_allocation_reports_whole_metres_to_the_customer():
    allocation = policy.choose(delivery(), stores(site("SH-LUJIAZUI", LUJIAZUI)), plenty).allocation
    assert isinstance(allocation.distance_m, int)
    assert allocation.distance_m == round(metres(PEOPLES_SQUARE, LUJIAZUI))


def test_a_store_outside_its_delivery_radius_is_never_chosen():
    # Jing'an is nearer but only delivers within 2 km; Xujiahui is farther but reaches 8 km.
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE, radius_km=2.0), site("SH-XUJIAHUI", XUJIAHUI, radius_km=8.0))
    decision = policy.choose(delivery(), directory, plenty)
    assert decision.allocation.store_id == "SH-XUJIAHUI"
    (jingan,) = decision.passed_over
    assert (jingan.store_id, jingan.code) == ("SH-JINGAN", OUTSIDE_RADIUS)
    assert jingan.reason.startswith("outside its 2 km delivery radius (2.8 km away)")


def test_a_store_just_beyond_its_radius_by_geodesic_is_not_chosen_even_if_the_haversine_says_inside():
    # Due east the sphere understates the distance: haversine < radius < geodesic.
    east = GeoPoint(31.2304, 121.5787)
    radius_km = round(metres(PEOPLES_SQUARE, east) / 1000 - 0.005, 3)
    assert haversine_km(PEOPLES_SQUARE, east) < radius_km < metres(PEOPLES_SQUARE, east) / 1000
    directory = stores(site("SH-EAST", east, radius_km=radius_km), site("SH-HONGQIAO", HONGQIAO_AIRPORT, radius_km=20))
    decision = policy.choose(delivery(), directory, plenty)
    assert decision.allocation.store_id == "SH-HONGQIAO"
    assert [(p.store_id, p.code, p.distance_m) for p in decision.passed_over] == [
        ("SH-EAST", OUTSIDE_RADIUS, round(metres(PEOPLES_SQUARE, east)))
    ]


def test_a_store_exactly_at_its_radius_edge_delivers():
    edge_km = metres(PEOPLES_SQUARE, XUJIAHUI) / 1000
    assert chosen(delivery(), stores(site("SH-XUJIAHUI", XUJIAHUI, radius_km=edge_km))) == "SH-XUJIAHUI"


def test_a_store_with_radius_zero_does_not_deliver_to_a_customer_nearby():
    directory = stores(site("SH-PEOPLES", PEOPLES_SQUARE, radius_km=0.0), site("SH-XUJIAHUI", XUJIAHUI))
    next_door = GeoPoint(31.2305, 121.4737)  # ~11 m north of the store
    assert chosen(delivery(next_door), directory) == "SH-XUJIAHUI"
    message = refusal(delivery(next_door), stores(site("SH-PEOPLES", PEOPLES_SQUARE, radius_km=0.0)))
    assert "no active store delivers to (31.23050, 121.47370)" in message
    assert "delivering within 0 km" in message


def test_a_store_with_radius_zero_does_not_deliver_even_to_a_customer_standing_in_it():
    directory = stores(site("SH-PEOPLES", PEOPLES_SQUARE, radius_km=0.0), site("SH-XUJIAHUI", XUJIAHUI))
    assert chosen(delivery(PEOPLES_SQUARE), directory) == "SH-XUJIAHUI"


def test_a_paused_store_is_skipped():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE, active=False), site("SH-XUJIAHUI", XUJIAHUI))
    decision = policy.choose(delivery(), directory, plenty)
    assert decision.allocation.store_id == "SH-XUJIAHUI"
    assert [(p.store_id, p.code, p.reason) for p in decision.passed_over] == [("SH-JINGAN", PAUSED, "paused")]


def test_a_store_lacking_any_line_is_skipped():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE), site("SH-XUJIAHUI", XUJIAHUI))
    available = stock(
        {
            ("SH-JINGAN", "TEA"): 5,
            ("SH-JINGAN", "CUP"): 1,  # one short
            ("SH-XUJIAHUI", "TEA"): 2,
            ("SH-XUJIAHUI", "CUP"): 2,
        }
    )
    decision = policy.choose(delivery(TEA=2, CUP=2), directory, available)
    assert decision.allocation.store_id == "SH-XUJIAHUI"
    assert [(p.store_id, p.code, p.reason) for p in decision.passed_over] == [
        ("SH-JINGAN", OUT_OF_STOCK, "out of stock for sku 'CUP'")
    ]
    assert chosen(delivery(TEA=2, CUP=1), directory, available) == "SH-JINGAN"


def test_exactly_enough_units_is_enough():
    assert chosen(delivery(TEA=3), stores(site("SH-JINGAN", JINGAN_TEMPLE)), stock({("SH-JINGAN", "TEA"): 3})) == "SH-JINGAN"


def test_stores_at_the_same_place_are_ranked_by_store_id():
    sites = [site("SH-B", JINGAN_TEMPLE), site("SH-C", JINGAN_TEMPLE), site("SH-A", JINGAN_TEMPLE)]
    assert chosen(delivery(), StoreDirectory(sites)) == "SH-A"
    assert chosen(delivery(), StoreDirectory(reversed(sites))) == "SH-A"


def test_excluded_stores_are_skipped():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE), site("SH-LUJIAZUI", LUJIAZUI), site("SH-XUJIAHUI", XUJIAHUI))
    nearest = chosen(delivery(), directory)
    second = chosen(delivery(), directory, excluded={nearest})
    assert second != nearest and second in {"SH-JINGAN", "SH-LUJIAZUI"}
    assert chosen(delivery(), directory, excluded={nearest, second}) == "SH-XUJIAHUI"
    decision = policy.choose(delivery(), directory, plenty, excluded={nearest})
    assert (nearest, TAKEN) in [(p.store_id, p.code) for p in decision.passed_over]
    assert "no active store delivers" in refusal(delivery(), directory, excluded=set(directory.sites))


def test_a_beijing_customer_is_not_served_from_shanghai():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE, radius_km=50), site("BJ-WANGFUJING", WANGFUJING, radius_km=5))
    assert chosen(delivery(TIANANMEN), directory) == "BJ-WANGFUJING"
    assert chosen(delivery(PEOPLES_SQUARE), directory) == "SH-JINGAN"


# --- delivery: why nobody can --------------------------------------------------------------------


def test_when_no_store_reaches_the_customer_the_error_names_the_nearest_active_store():
    directory = stores(
        site("SH-HONGQIAO", HONGQIAO_AIRPORT, radius_km=3),
        site("SH-PUDONG", PUDONG_AIRPORT, radius_km=5),
        site("SH-JINGAN", JINGAN_TEMPLE, active=False),
    )
    message = refusal(delivery(), directory)
    assert message.startswith("no active store delivers to (31.23040, 121.47370)")
    assert "the nearest active store is 'SH-HONGQIAO', about 13.6 km away, delivering within 3 km" in message
    assert "SH-JINGAN" not in message  # paused stores are not suggested


def test_an_excluded_store_is_not_suggested_as_the_nearest():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE, radius_km=1), site("SH-HONGQIAO", HONGQIAO_AIRPORT, radius_km=3))
    message = refusal(delivery(), directory, excluded={"SH-JINGAN"})
    assert "the nearest active store is 'SH-HONGQIAO'" in message
    assert "SH-JINGAN" not in message


def test_when_there_are_no_stores_at_all_no_store_delivers():
    assert refusal(delivery(), stores()) == "no active store delivers to (31.23040, 121.47370)"


def test_when_stores_reach_the_customer_but_are_short_the_error_names_the_short_skus_per_store():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE), site("SH-XUJIAHUI", XUJIAHUI))
    available = stock({("SH-JINGAN", "TEA"): 5, ("SH-XUJIAHUI", "CUP"): 5, ("SH-JINGAN", "CUP"): 1})
    message = refusal(delivery(TEA=2, CUP=2), directory, available)
    assert message.startswith("no store can fulfil the whole order at (31.23040, 121.47370) (2 out of stock): ")
    assert "SH-JINGAN: out of stock for sku 'CUP'" in message
    assert "SH-XUJIAHUI: out of stock for sku 'TEA'" in message


def test_the_refusal_counts_every_kind_of_reason_but_details_only_the_stores_in_reach():
    directory = stores(
        site("SH-JINGAN", JINGAN_TEMPLE),
        site("SH-LUJIAZUI", LUJIAZUI, active=False),
        site("SH-XUJIAHUI", XUJIAHUI, radius_km=3),
    )
    message = refusal(delivery(), directory, stock({}))
    assert "(1 outside radius, 1 out of stock, 1 paused)" in message
    assert "SH-JINGAN: out of stock for sku 'TEA'" in message
    assert "SH-LUJIAZUI" not in message and "SH-XUJIAHUI" not in message


def test_when_the_only_store_is_just_beyond_its_radius_the_error_still_names_it():
    east = GeoPoint(31.2304, 121.5787)  # ~10.004 km due east by geodesic, ~9.984 km by haversine
    radius_km = round(metres(PEOPLES_SQUARE, east) / 1000 - 0.005, 3)
    message = refusal(delivery(), stores(site("SH-EAST", east, radius_km=radius_km)))
    assert "no active store delivers" in message
    assert "the nearest active store is 'SH-EAST', about 10.0 km away" in message


# --- pickup ---------------------------------------------------------------------------------------


def test_pickup_goes_to_the_named_store_whatever_its_radius():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE), site("SH-PUDONG", PUDONG_AIRPORT, radius_km=0))
    decision = policy.choose(pickup("SH-PUDONG"), directory, plenty)
    assert decision.allocation == Allocation("SH-PUDONG", round(metres(PEOPLES_SQUARE, PUDONG_AIRPORT)))
    assert decision.passed_over == () and decision.fulfilment == ONE_STORE


def test_pickup_from_another_city_is_allowed():
    directory = stores(site("BJ-WANGFUJING", WANGFUJING, radius_km=3))
    assert chosen(pickup("BJ-WANGFUJING", PEOPLES_SQUARE), directory) == "BJ-WANGFUJING"


def test_pickup_at_an_unknown_store_is_store_not_found():
    with pytest.raises(StoreNotFound) as refused:
        policy.choose(pickup("SH-NOWHERE"), stores(site("SH-JINGAN", JINGAN_TEMPLE)), plenty)
    assert refused.value.store_id == "SH-NOWHERE"
    assert "'SH-NOWHERE' does not exist" in str(refused.value)


def test_pickup_at_a_paused_store_is_refused():
    message = refusal(pickup("SH-JINGAN"), stores(site("SH-JINGAN", JINGAN_TEMPLE, active=False)))
    assert message == "pickup store 'SH-JINGAN' cannot take the order: paused"


def test_pickup_at_a_store_short_of_stock_names_the_short_skus():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE), site("SH-XUJIAHUI", XUJIAHUI))
    available = stock({("SH-JINGAN", "TEA"): 1, ("SH-JINGAN", "CUP"): 9, ("SH-XUJIAHUI", "TEA"): 9})
    message = refusal(pickup("SH-JINGAN", TEA=2, CUP=1, SPOON=1), directory, available)
    assert message == "pickup store 'SH-JINGAN' cannot take the order: out of stock for sku 'TEA', sku 'SPOON'"


def test_pickup_does_not_fall_back_to_another_store():
    directory = stores(site("SH-JINGAN", JINGAN_TEMPLE), site("SH-LUJIAZUI", LUJIAZUI))
    message = refusal(pickup("SH-JINGAN"), directory, stock({("SH-LUJIAZUI", "TEA"): 9}))
    assert "pickup store 'SH-JINGAN'" in message and "SH-LUJIAZUI" not in message


def test_pickup_at_an_excluded_store_is_refused():
    message = refusal(pickup("SH-JINGAN"), stores(site("SH-JINGAN", JINGAN_TEMPLE)), excluded={"SH-JINGAN"})
    assert message == "pickup store 'SH-JINGAN' cannot take the order: its stock was taken by another order meanwhile"


# --- property: the policy agrees with the rules, written out independently -------------------------

CENTRES = [PEOPLES_SQUARE, TIANANMEN]
SKUS = ["TEA", "CUP", "POT"]


def offset(origin: GeoPoint, km: float, bearing: float) -> GeoPoint:
    point = geodesic(kilometers=km).destination((origin.latitude, origin.longitude), bearing)
    return GeoPoint(round(point.latitude, 6), round(point.longitude, 6))


@st.composite
def scenarios(draw):
    """1-30 stores within ~50 km of a real city centre; radii 0, 0-20 km, or right at the customer's
    distance; random stock, pauses and exclusions."""
    centre = draw(st.sampled_from(CENTRES))
    customer = offset(centre, draw(st.floats(0, 5)), draw(st.floats(0, 360)))
    # a few distinct spots, so that several stores may share one (ties on distance)
    spots = draw(
        st.lists(
            st.builds(
                lambda km, bearing: offset(centre, km, bearing),
                st.one_of(st.floats(0, 15), st.floats(0, 50)),
                st.floats(0, 360),
            ),
            min_size=1,
            max_size=30,
        )
    )
    count = draw(st.integers(1, 30))
    sites = []
    table = {}
    for i in range(count):
        store_id = f"S{draw(st.integers(0, 99)):02d}-{i}"
        location = draw(st.sampled_from(spots))
        radius = draw(st.sampled_from(["none", "random", "random", "at the edge"]))
        if radius == "none":
            radius_km = 0.0
        elif radius == "random":
            radius_km = draw(st.floats(0.0, 20.0))
        else:  # within half a percent of the customer's distance: where the haversine is not enough
            radius_km = metres(customer, location) / 1000 * draw(st.floats(0.995, 1.005))
        sites.append(site(store_id, location, radius_km=radius_km, active=draw(st.sampled_from([True, True, True, False]))))
        for sku in SKUS:
            table[(store_id, sku)] = draw(st.integers(0, 6))
    quantities = draw(st.dictionaries(st.sampled_from(SKUS), st.integers(1, 2), min_size=1, max_size=3))
    excluded = draw(st.sets(st.sampled_from(sorted(s.store_id for s in sites)), max_size=3))
    return customer, sites, table, quantities, excluded


def nearest_that_can(customer, sites, table, quantities, excluded):
    """The rules as the business states them, over every store."""
    candidates = []
    for store in sites:
        if not store.active or store.store_id in excluded or store.delivery_radius_km <= 0:
            continue
        distance = metres(customer, store.location)
        if distance > store.delivery_radius_km * 1000:
            continue
        if any(table[(store.store_id, sku)] < qty for sku, qty in quantities.items()):
            continue
        candidates.append((distance, store.store_id))
    return min(candidates) if candidates else None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_chosen_store_is_the_nearest_active_in_reach_store_holding_every_line(scenario):
    customer, sites, table, quantities, excluded = scenario
    expected = nearest_that_can(customer, sites, table, quantities, excluded)
    request = delivery(customer, **quantities)
    event("no store can fulfil" if expected is None else "a store is chosen")
    if expected is None:
        refusal(request, StoreDirectory(sites), stock(table), excluded)
    else:
        allocation = policy.choose(request, StoreDirectory(sites), stock(table), excluded=excluded).allocation
        assert allocation == Allocation(expected[1], round(expected[0]))


@settings(max_examples=100, deadline=None)
@given(
    lat=st.floats(-0.05, 0.05),
    lon=st.floats(-0.05, 0.05),
    ids=st.lists(st.from_regex(r"[A-Z]{2}-[0-9]{2}", fullmatch=True), min_size=2, max_size=6, unique=True),
)
def test_stores_sharing_a_spot_always_resolve_to_the_smallest_store_id(lat, lon, ids):
    spot = GeoPoint(PEOPLES_SQUARE.latitude + lat, PEOPLES_SQUARE.longitude + lon)
    assume(metres(PEOPLES_SQUARE, spot) < 9_000)
    assert chosen(delivery(), StoreDirectory(site(i, spot, radius_km=10) for i in ids)) == min(ids)
