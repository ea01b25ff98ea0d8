"""Routing policy v0: the nearest active store that covers the customer and holds every line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from domain.errors import NoStoreCanFulfil, StoreNotFound
from domain.values import FulfilmentMode, GeoPoint
from routing.distance import MIN_KM_PER_DEGREE_LATITUDE, geodesic_m, haversine_km, with_margin

# (store_id, sku) -> units that may be promised online now
AvailableUnits = Callable[[str, str], int]


@dataclass(frozen=True)
class StoreSite:
    """What routing needs to know of a store."""

    store_id: str
    location: GeoPoint
    delivery_radius_km: float
    active: bool


@dataclass(frozen=True)
class RoutingRequest:
    customer_location: GeoPoint
    quantities: Mapping[str, int]  # sku -> units
    mode: FulfilmentMode
    pickup_store_id: str = ""


@dataclass(frozen=True)
class Allocation:
    store_id: str
    distance_m: int


class NearestStoreWithStock:
    """Filters: active, not excluded, within delivery radius (DELIVERY), every line available.
    Ranking: geodesic distance, then store id."""

    def choose(
        self,
        request: RoutingRequest,
        stores: Mapping[str, StoreSite],
        available: AvailableUnits,
        excluded: Collection[str] = (),
    ) -> Allocation:
        if request.mode is FulfilmentMode.PICKUP:
            return self._pickup(request, stores, available, excluded)
        return self._delivery(request, stores, available, excluded)

    @staticmethod
    def _missing(store_id: str, request: RoutingRequest, available: AvailableUnits) -> list[str]:
        return [sku for sku, qty in request.quantities.items() if available(store_id, sku) < qty]

    def _pickup(self, request, stores, available, excluded) -> Allocation:
        store = stores.get(request.pickup_store_id)
        if store is None:
            raise StoreNotFound(request.pickup_store_id)
        if not store.active:
            raise NoStoreCanFulfil(f"pickup store {store.store_id!r} is paused and takes no orders")
        missing = self._missing(store.store_id, request, available)
        if missing:
            skus = ", ".join(repr(s) for s in missing)
            raise NoStoreCanFulfil(f"pickup store {store.store_id!r} does not have enough of {skus}")
        if store.store_id in excluded:
            raise NoStoreCanFulfil(f"pickup store {store.store_id!r} could not reserve the order's stock; retry")
        return Allocation(store.store_id, round(geodesic_m(request.customer_location, store.location)))

    def _delivery(self, request, stores, available, excluded) -> Allocation:
        here = request.customer_location
        shortages: Counter[str] = Counter()
        best: tuple[float, str] | None = None
        reachable = 0
        for store in stores.values():
            if not store.active or store.store_id in excluded or not may_reach(store, here):
                continue
            distance = geodesic_m(here, store.location)
            if distance > store.delivery_radius_km * 1000:
                continue
            reachable += 1
            missing = self._missing(store.store_id, request, available)
            if missing:
                shortages.update(missing)
                continue
            if best is None or (distance, store.store_id) < best:
                best = (distance, store.store_id)

        if best is not None:
            return Allocation(best[1], round(best[0]))
        where = f"({here.latitude:.5f}, {here.longitude:.5f})"
        if reachable == 0:
            raise NoStoreCanFulfil(f"no active store delivers to {where}{self._nearest_hint(here, stores, excluded)}")
        short = ", ".join(f"sku {sku!r} short at {n} of them" for sku, n in sorted(shortages.items()))
        raise NoStoreCanFulfil(
            f"no store can fulfil the whole order: {reachable} active store(s) deliver to {where} "
            f"but none has every line available ({short})"
        )

    @staticmethod
    def _nearest_hint(here: GeoPoint, stores: Mapping[str, StoreSite], excluded: Collection[str]) -> str:
        """Only on failure: which active store is nearest, and how far it delivers."""
        active = [s for s in stores.values() if s.active and s.store_id not in excluded]
        if not active:
            return ""
        store = min(active, key=lambda s: (haversine_km(here, s.location), s.store_id))
        km = geodesic_m(here, store.location) / 1000
        return (
            f"; the nearest active store is {store.store_id!r}, about {km:.1f} km away, "
            f"delivering within {store.delivery_radius_km:g} km"
        )


def may_reach(store: StoreSite, here: GeoPoint) -> bool:
    """A cheap test that is False only when the store certainly does not deliver to here."""
    if store.delivery_radius_km <= 0:
        return False
    reach_km = with_margin(store.delivery_radius_km)
    if abs(store.location.latitude - here.latitude) * MIN_KM_PER_DEGREE_LATITUDE > reach_km:
        return False
    return haversine_km(here, store.location) <= reach_km
