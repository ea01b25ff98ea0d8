"""The exact reference: the same rules over every store, geodesic distance to each, no
index and no early stop. Slow (about half a second per order at 4,000 stores); used by the
tests and the benchmark to prove the indexed router chooses exactly the same store. It measures
with geopy itself, not the router's shortcuts."""

from __future__ import annotations

from collections.abc import Collection

from domain.errors import NoStoreCanFulfil
from geopy.distance import geodesic

from domain.values import FulfilmentMode
from routing.policy import Allocation, AvailableUnits, OrdersOnDay, RoutingPolicy, RoutingRequest, StoreDirectory, no_orders_yet


def brute_force(
    policy: RoutingPolicy, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits,
    orders_on: OrdersOnDay = no_orders_yet, excluded: Collection[str] = (),
) -> Allocation:
    if request.mode is FulfilmentMode.PICKUP:
        return policy.choose(request, directory, available, orders_on, excluded).allocation
    best = None
    for site in directory.sites.values():
        here, there = request.customer_location, site.location
        distance = geodesic((here.latitude, here.longitude), (there.latitude, there.longitude)).meters
        why, scheduled = policy.assess(site, request, distance, available, orders_on, excluded)
        if why is None and (best is None or (distance, site.store_id) < best[:2]):
            best = (distance, site.store_id, scheduled)
    if best is None:
        raise NoStoreCanFulfil("no store can fulfil the order")
    return Allocation(best[1], round(best[0]), best[2])
