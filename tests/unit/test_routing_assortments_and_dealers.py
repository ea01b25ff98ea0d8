"""Routing under store assortments (a store passes over an order for a SKU it does not list:
NOT_LISTED) and dealers' terms for their stock (a dealer that does not share serves only what
its own cloud shops sell; one that wants its own stores first gets them: DEALER_POLICY), and
the brute-force reference deciding exactly the same under both."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.errors import NoStoreCanFulfil
from domain.values import FulfilmentMode
from routing.decision import DEALER_POLICY, EXPRESS, NOT_LISTED, ONE_STORE, SPLIT
from routing.policy import RoutingPolicy
from routing.reference import brute_force
from routing.sites import RoutingRequest, StoreDirectory
from tests.unit.test_routing_rules import orders
from tests.unit.test_routing_splits import PEOPLES_SQUARE, away, delivery, shipped, stock, store, warehouse, worlds

policy = RoutingPolicy(start_later=False)


def listing(site, *skus):
    return replace(site, listed=frozenset(skus))


def owned(site, dealer, shares=True):
    return replace(site, owner=dealer, shares_stock=shares)


def sold(request: RoutingRequest, seller: str, own_first: bool = False) -> RoutingRequest:
    return replace(request, seller=seller, own_stores_first=own_first)


def passed(decision, store_id):
    return next((p.code, p.reason) for p in decision.passed_over if p.store_id == store_id)


# --- assortments -------------------------------------------------------------------------

def test_a_store_that_does_not_list_a_line_is_passed_over_for_the_next_that_does():
    near, far = listing(store("NEAR", away(1)), "CUP"), store("FAR", away(3))
    available = stock({"NEAR": {"TEA": 5, "CUP": 5}, "FAR": {"TEA": 5}})
    decision = policy.choose(delivery(TEA=1), StoreDirectory([near, far]), available)
    assert shipped(decision) == [("FAR", {"TEA": 1})]
    assert passed(decision, "NEAR") == (NOT_LISTED, "does not list sku 'TEA' online")


def test_a_store_with_no_assortment_lists_every_sku_and_one_listing_the_sku_takes_it():
    near, nearest = listing(store("NEAR", away(2)), "TEA", "CUP"), store("NEAREST", away(1))
    available = stock({"NEAR": {"TEA": 5}, "NEAREST": {"TEA": 5}})
    assert shipped(policy.choose(delivery(TEA=1), StoreDirectory([near, nearest]), available)) == [("NEAREST", {"TEA": 1})]
    assert shipped(policy.choose(delivery(TEA=1), StoreDirectory([near]), available)) == [("NEAR", {"TEA": 1})]


def test_a_store_ships_in_a_split_only_the_lines_it_lists():
    # A holds tea and cups but lists only cups; B holds and lists tea: A ships the cups, B the tea
    a, b = listing(store("A", away(1)), "CUP"), store("B", away(2))
    available = stock({"A": {"TEA": 5, "CUP": 5}, "B": {"TEA": 5}})
    decision = policy.choose(delivery(TEA=2, CUP=1), StoreDirectory([a, b]), available)
    assert decision.fulfilment == SPLIT
    assert sorted(shipped(decision)) == [("A", {"CUP": 1}), ("B", {"TEA": 2})]


def test_stock_a_store_does_not_list_is_not_sold_even_when_no_other_store_has_any():
    a = listing(store("A", away(1)), "CUP")
    with pytest.raises(NoStoreCanFulfil) as refused:
        RoutingPolicy(express_fallback=False, start_later=False).choose(delivery(TEA=1), StoreDirectory([a]), stock({"A": {"TEA": 5}}))
    assert "not listed" in str(refused.value)


def test_a_regional_warehouse_ships_whatever_it_holds():
    a = listing(store("A", away(1)), "CUP")
    wh = warehouse("WH", away(30))
    decision = policy.choose(delivery(TEA=1), StoreDirectory([a, wh]), stock({"A": {"TEA": 5}, "WH": {"TEA": 5}}))
    assert decision.fulfilment == EXPRESS and shipped(decision) == [("WH", {"TEA": 1})]


# --- dealers' terms --------------------------------------------------------------------------

def test_a_dealer_that_keeps_its_stock_serves_only_what_its_own_cloud_shops_sell():
    keeps, other = owned(store("D1-STORE", away(1)), "D1", shares=False), owned(store("D2-STORE", away(4)), "D2")
    available = stock({"D1-STORE": {"TEA": 5}, "D2-STORE": {"TEA": 5}})
    directory = StoreDirectory([keeps, other])
    for seller in ("", "D2"):  # HQ's cloud shops, another dealer's
        decision = policy.choose(sold(delivery(TEA=1), seller), directory, available)
        assert shipped(decision) == [("D2-STORE", {"TEA": 1})]
        assert passed(decision, "D1-STORE") == (DEALER_POLICY, "its dealer keeps its stock for the orders its own cloud shops sell")
    assert shipped(policy.choose(sold(delivery(TEA=1), "D1"), directory, available)) == [("D1-STORE", {"TEA": 1})]


def test_a_dealer_that_shares_serves_everyone_as_hq_stores_do():
    shares, hq = owned(store("D1-STORE", away(1)), "D1"), store("HQ-STORE", away(2))
    available = stock({"D1-STORE": {"TEA": 5}, "HQ-STORE": {"TEA": 5}})
    for seller in ("", "D1", "D2"):
        assert shipped(policy.choose(sold(delivery(TEA=1), seller), StoreDirectory([shares, hq]), available)) == [("D1-STORE", {"TEA": 1})]


def test_a_pickup_at_a_store_whose_dealer_keeps_its_stock_is_refused_for_another_sellers_order():
    keeps = owned(store("D1-STORE", away(1)), "D1", shares=False)
    request = sold(RoutingRequest(PEOPLES_SQUARE, {"TEA": 1}, FulfilmentMode.PICKUP, pickup_store_id="D1-STORE"), "D2")
    with pytest.raises(NoStoreCanFulfil) as refused:
        policy.choose(request, StoreDirectory([keeps]), stock({"D1-STORE": {"TEA": 5}}))
    assert "keeps its stock" in str(refused.value)


def test_own_stores_first_takes_the_sellers_farther_store_over_a_nearer_one_of_another_owner():
    other, own = owned(store("OTHER", away(1)), "D2"), owned(store("OWN", away(6)), "D1")
    available = stock({"OTHER": {"TEA": 5}, "OWN": {"TEA": 5}})
    directory = StoreDirectory([other, own])
    decision = policy.choose(sold(delivery(TEA=1), "D1", own_first=True), directory, available)
    assert shipped(decision) == [("OWN", {"TEA": 1})]
    assert passed(decision, "OTHER")[0] == DEALER_POLICY
    # without the preference, or sold by someone else, the nearest
    assert shipped(policy.choose(sold(delivery(TEA=1), "D1"), directory, available)) == [("OTHER", {"TEA": 1})]
    assert shipped(policy.choose(sold(delivery(TEA=1), "D3", own_first=True), directory, available)) == [("OTHER", {"TEA": 1})]


def test_own_stores_first_falls_back_to_the_usual_choice_when_none_of_its_stores_can_take_the_order():
    other, own = owned(store("OTHER", away(1)), "D2"), owned(store("OWN", away(6)), "D1")
    available = stock({"OTHER": {"TEA": 5}, "OWN": {"TEA": 0}})
    decision = policy.choose(sold(delivery(TEA=1), "D1", own_first=True), StoreDirectory([other, own]), available)
    assert shipped(decision) == [("OTHER", {"TEA": 1})]
    assert decision.search_note == "none of the selling dealer's own stores could take it whole"


# --- the reference agrees -----------------------------------------------------------------

SKUS = ("TEA", "CUP", "POT", "SOAP")
DEALERS = ("", "D1", "D2")


@st.composite
def terms(draw, world):
    """The world with assortments, owners and their terms drawn for its stores, and a seller."""
    routing, request, directory, available, orders_on, excluded = world
    keeps = {dealer: draw(st.sampled_from([False, True, True])) for dealer in DEALERS if dealer}
    sites = []
    for site in directory.sites.values():
        owner = draw(st.sampled_from(DEALERS))
        listed = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(SKUS), max_size=3)))
        sites.append(replace(site, owner=owner, shares_stock=not owner or keeps[owner], listed=listed if site.kind == "STORE" else None))
    request = replace(request, seller=draw(st.sampled_from(DEALERS)), own_stores_first=draw(st.booleans()))
    event(f"seller {'HQ' if not request.seller else 'a dealer'}, own stores first: {request.own_stores_first}")
    return routing, request, StoreDirectory(sites), available, orders_on, excluded


def assert_the_same_and_by_the_rules(world) -> None:
    routing, request, directory, available, orders_on, excluded = world
    try:
        expected = brute_force(routing, request, directory, available, orders_on, excluded)
    except NoStoreCanFulfil:
        event("refused")
        with pytest.raises(NoStoreCanFulfil):
            routing.choose(request, directory, available, orders_on, excluded)
        return
    decision = routing.choose(request, directory, available, orders_on, excluded)
    assert (decision.fulfilment, decision.shipments) == (expected.fulfilment, expected.shipments)
    event(decision.fulfilment)
    for shipment in decision.shipments:  # by the rules themselves, not the policy's code
        site = directory.sites[shipment.allocation.store_id]
        assert site.listed is None or set(shipment.quantities) <= site.listed
        assert site.shares_stock or site.owner == request.seller
    codes = {p.code for p in decision.passed_over}
    for code in (NOT_LISTED, DEALER_POLICY):
        if code in codes:
            event(f"passed over: {code}")
    if request.own_stores_first and request.seller and decision.fulfilment == ONE_STORE:
        chosen = directory.sites[decision.allocation.store_id]
        own = [s for s in directory.sites.values() if s.owner == request.seller and s.kind == "STORE"]
        own_can = [
            s for s in own
            if routing.assess(s, request, 0.0 if s.location == request.customer_location else _metres(request, s), available, orders_on, excluded)[0] is None
        ]
        if own_can:
            event("an own store took it")
            assert chosen.owner == request.seller


def _metres(request, site) -> float:
    from routing.distance import geodesic_m

    return geodesic_m(request.customer_location, site.location)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_the_router_decides_as_the_reference_under_assortments_and_dealers_terms_one_store(data):
    assert_the_same_and_by_the_rules(data.draw(terms(data.draw(orders()))))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_the_router_decides_as_the_reference_under_assortments_and_dealers_terms_splits_and_express(data):
    assert_the_same_and_by_the_rules(data.draw(terms(data.draw(worlds()))))
