"""The exact reference: the same rules over every location, geodesic distance to each, no
index, no early stop and no shortcuts. Slow (about half a second per order at 4,000 stores);
used by the tests and the benchmark to prove the indexed router decides exactly the same. It
measures with geopy itself, not the router's shortcuts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from geopy.distance import geodesic

from domain.errors import NoStoreCanFulfil
from domain.stores import STORE, WAREHOUSE
from domain.values import FulfilmentMode, GeoPoint
from routing.decision import EXPRESS, SPLIT, Allocation, Decision, whole_order
from routing.distance import Distance
from routing.policy import RoutingPolicy, split_shipments
from routing.promise import LATER, promised
from routing.sites import AvailableUnits, OrdersOnDay, RoutingRequest, StoreDirectory, no_orders_yet
from routing.splits import PartialStore, best_split, units_toward


def _metres(a: GeoPoint, b: GeoPoint) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters


def brute_force(
    policy: RoutingPolicy, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits,
    orders_on: OrdersOnDay = no_orders_yet, excluded: Collection[str] = (),
) -> Decision:
    """The decision without its explanation (passed_over is left empty)."""
    if request.mode is FulfilmentMode.PICKUP:
        return policy.choose(request, directory, available, orders_on, excluded)
    decision = _brute_force(policy, request, directory, directory.offered(available), orders_on, excluded)
    return decision if request.now is None else promised(decision, request, directory, policy.promise_terms)


def _nearest(policy, request, measured, available, orders_on, excluded) -> tuple[float, str, Any] | None:
    best = None
    for site, metres in measured:
        why, scheduled = policy.assess(site, request, metres, available, orders_on, excluded)
        if why is None and (best is None or (metres, site.store_id) < best[:2]):
            best = (metres, site.store_id, scheduled)
    return best


def _brute_force(policy, request, directory, available, orders_on, excluded) -> Decision:
    here, quantities = request.customer_location, request.quantities
    if request.mode is FulfilmentMode.DELIVERY:
        measured = [(site, _metres(here, site.location)) for site in directory.sites.values() if site.kind == STORE]
        if request.own_stores_first and request.seller:
            own = [(site, metres) for site, metres in measured if site.owner == request.seller]
            if (best := _nearest(policy, request, own, available, orders_on, excluded)) is not None:
                return Decision(whole_order(Allocation(best[1], round(best[0]), best[2]), quantities))
        if (best := _nearest(policy, request, measured, available, orders_on, excluded)) is not None:
            return Decision(whole_order(Allocation(best[1], round(best[0]), best[2]), quantities))
        parts = []
        for site, metres in measured:
            units = units_toward(site.store_id, quantities, available)
            why, scheduled = policy.assess(site, request, metres, available, orders_on, excluded, lines=[])
            if units and why is None:
                parts.append(PartialStore(site.store_id, Distance.known(here, site.location, metres), units, scheduled))
        found = best_split(parts, quantities, policy.most_split_stores, policy.split_candidates)
        if found is not None:
            return Decision(split_shipments(found), fulfilment=SPLIT, search_note=found.note)
        later = replace(request, start_within=LATER)
        if policy.start_later and request.now is not None and (best := _nearest(policy, later, measured, available, orders_on, excluded)) is not None:
            return Decision(whole_order(Allocation(best[1], round(best[0]), best[2]), quantities))
        if not policy.express_fallback:
            raise NoStoreCanFulfil("no store nor split can fulfil the order")
    express = replace(request, mode=FulfilmentMode.EXPRESS)
    best = None
    for site in directory.sites.values():
        if site.kind != WAREHOUSE:
            continue
        metres = _metres(here, site.location)
        why, _ = policy.assess(site, express, metres, available, orders_on, excluded)
        if why is None and (best is None or (metres, site.store_id) < best[:2]):
            best = (metres, site.store_id)
    if best is None:
        raise NoStoreCanFulfil("no store, split nor warehouse can fulfil the order")
    return Decision(whole_order(Allocation(best[1], round(best[0])), quantities), fulfilment=EXPRESS)
