"""Routing policy v0: the nearest active store that covers the customer and holds every line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from domain.errors import NoStoreCanFulfil, StoreNotFound
from domain.values import FulfilmentMode, GeoPoint
from routing.distance import geodesic_m, haversine_km, within_with_margin

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
        if missing or store.store_id in excluded:
            skus = ", ".join(repr(s) for s in missing) or "the ordered skus"
            raise NoStoreCanFulfil(f"pickup store {store.store_id!r} does not have enough of {skus}")
        return Allocation(store.store_id, round(geodesic_m(request.customer_location, store.location)))

    def _delivery(self, request, stores, available, excluded) -> Allocation:
        here = request.customer_location
        in_reach: list[StoreSite] = []
        nearest_out_of_reach: tuple[float, StoreSite] | None = None
        for store in stores.values():
            if not store.active or store.store_id in excluded:
                continue
            km = haversine_km(here, store.location)
            if store.delivery_radius_km > 0 and within_with_margin(km, store.delivery_radius_km):
                in_reach.append(store)
            elif nearest_out_of_reach is None or km < nearest_out_of_reach[0]:
                nearest_out_of_reach = (km, store)

        shortages: Counter[str] = Counter()
        best: tuple[float, str] | None = None
        reachable = 0
        for store in in_reach:
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
            hint = ""
            if nearest_out_of_reach is not None:
                km, store = nearest_out_of_reach
                hint = (
                    f"; the nearest active store is {store.store_id!r}, about {km:.1f} km away, "
                    f"delivering within {store.delivery_radius_km:g} km"
                )
            raise NoStoreCanFulfil(f"no active store delivers to {where}{hint}")
        short = ", ".join(f"sku {sku!r} short at {n} of them" for sku, n in sorted(shortages.items()))
        raise NoStoreCanFulfil(
            f"no store can fulfil the whole order: {reachable} active store(s) deliver to {where} "
            f"but none has every line available ({short})"
        )
