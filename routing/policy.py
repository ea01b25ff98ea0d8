"""The routing policy: which store fulfils an order, and why the others did not.

Filters, in order, each giving the reason a store is passed over: passed over after a failed
reservation, paused, outside its delivery radius (DELIVERY), closed (DELIVERY: open now, or
opening within the window, in which case the order is scheduled for the opening), at its daily
capacity (on the store-local day the order starts), short of a line. Ranking: geodesic
distance, then store id.

Candidates come from the spatial index nearest first by great-circle distance; the search
stops once even the great-circle lower bound of the next candidate is beyond the best
geodesic distance found, so the choice is exactly the brute-force one (routing/reference.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from domain.errors import NoStoreCanFulfil, StoreNotFound
from domain.stores import DailyHours
from domain.values import FulfilmentMode, GeoPoint
from routing.distance import HAVERSINE_MARGIN, geodesic_m, with_margin
from routing.hours import local_time, next_opening
from routing.spatial import SpatialIndex

# (store_id, sku) -> units that may be promised online now
AvailableUnits = Callable[[str, str], int]
# (store_id, store-local date) -> orders allocated to the store that day
OrdersOnDay = Callable[[str, date], int]


def no_orders_yet(store_id: str, day: date) -> int:
    return 0


@dataclass(frozen=True)
class StoreSite:
    """What routing needs to know of a store."""

    store_id: str
    location: GeoPoint
    delivery_radius_km: float
    active: bool
    opening_hours: tuple[DailyHours, ...] = ()
    time_zone: str = "Asia/Shanghai"
    daily_capacity: int = 0  # 0: no limit


class StoreDirectory:
    """Store sites by id, with a spatial index over them. Rebuilt when stores change."""

    def __init__(self, sites: Iterable[StoreSite]):
        self.sites: dict[str, StoreSite] = {s.store_id: s for s in sites}
        self.index = SpatialIndex((s.store_id, s.location) for s in self.sites.values())
        self.max_radius_km = max((s.delivery_radius_km for s in self.sites.values()), default=0.0)

    def get(self, store_id: str) -> StoreSite | None:
        return self.sites.get(store_id)


@dataclass(frozen=True)
class RoutingRequest:
    customer_location: GeoPoint
    quantities: Mapping[str, int]  # sku -> units
    mode: FulfilmentMode
    pickup_store_id: str = ""
    now: datetime | None = None  # aware; None skips opening hours and daily capacity


@dataclass(frozen=True)
class Allocation:
    store_id: str
    distance_m: int
    scheduled_for: datetime | None = None  # set when the store opens later, within the window


# why a store was passed over
TAKEN = "TAKEN"
PAUSED = "PAUSED"
OUTSIDE_RADIUS = "OUTSIDE_RADIUS"
CLOSED = "CLOSED"
AT_CAPACITY = "AT_CAPACITY"
OUT_OF_STOCK = "OUT_OF_STOCK"
FARTHER = "FARTHER"
# a store passed over for one of these never came into consideration for the customer
NOT_IN_REACH = (OUTSIDE_RADIUS, PAUSED, TAKEN)


@dataclass(frozen=True)
class PassedOver:
    store_id: str
    distance_m: int
    code: str
    reason: str


@dataclass(frozen=True)
class Decision:
    allocation: Allocation
    passed_over: tuple[PassedOver, ...] = ()
    omitted: int = 0  # passed-over stores beyond the explanation's limit


@dataclass
class _Search:
    passed_over: list[PassedOver] = field(default_factory=list)
    omitted: int = 0
    codes: Counter = field(default_factory=Counter)
    best: tuple[float, str, datetime | None] | None = None
    best_site: StoreSite | None = None


class RoutingPolicy:
    def __init__(self, opening_window: timedelta = timedelta(hours=2), explained: int = 50):
        self.opening_window = opening_window
        self.explained = explained

    # --- the rules -----------------------------------------------------------------------

    def assess(
        self, site: StoreSite, request: RoutingRequest, distance_m: float, available: AvailableUnits,
        orders_on: OrdersOnDay, excluded: Collection[str],
    ) -> tuple[tuple[str, str] | None, datetime | None]:
        """((code, reason) the store is passed over for, or None; when it would start if scheduled)."""
        if site.store_id in excluded:
            return (TAKEN, "its stock was taken by another order meanwhile"), None
        if not site.active:
            return (PAUSED, "paused"), None
        delivery = request.mode is FulfilmentMode.DELIVERY
        if delivery and (site.delivery_radius_km <= 0 or distance_m > site.delivery_radius_km * 1000):
            return (OUTSIDE_RADIUS, outside_radius(site, distance_m)), None
        scheduled = None
        if delivery and request.now is not None:
            opening = next_opening(site.opening_hours, site.time_zone, request.now)
            if opening is None:
                return (CLOSED, "never open"), None
            # in UTC: aware times sharing one zone object compare by wall clock, which is
            # off by the daylight-saving shift across a change
            wait = opening.astimezone(timezone.utc) - request.now.astimezone(timezone.utc)
            if wait > timedelta(0):
                if wait > self.opening_window:
                    return (CLOSED, f"closed until {opening:%a %H:%M}"), None
                scheduled = opening
        if site.daily_capacity and request.now is not None:
            day = local_time(scheduled or request.now, site.time_zone).date()
            taken = orders_on(site.store_id, day)
            if taken >= site.daily_capacity:
                return (AT_CAPACITY, f"at capacity: {taken} of {site.daily_capacity} orders on {day:%Y-%m-%d}"), None
        missing = [sku for sku, qty in request.quantities.items() if available(site.store_id, sku) < qty]
        if missing:
            return (OUT_OF_STOCK, "out of stock for " + ", ".join(f"sku {sku!r}" for sku in missing)), None
        return None, scheduled

    # --- choosing ------------------------------------------------------------------------

    def choose(
        self, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits,
        orders_on: OrdersOnDay = no_orders_yet, excluded: Collection[str] = (),
    ) -> Decision:
        if request.mode is FulfilmentMode.PICKUP:
            return self._pickup(request, directory, available, orders_on, excluded)
        here = request.customer_location
        search = _Search()
        for great_circle_km, store_id in directory.index.within(here, with_margin(directory.max_radius_km)):
            if search.best is not None and great_circle_km / (1 + HAVERSINE_MARGIN) * 1000 > search.best[0]:
                break  # every later candidate is certainly farther than the best
            site = directory.sites[store_id]
            if site.active and store_id not in excluded and great_circle_km > with_margin(site.delivery_radius_km):
                # certainly outside: no need for the exact distance
                self._pass_over(search, site, great_circle_km * 1000, (OUTSIDE_RADIUS, outside_radius(site, great_circle_km * 1000)))
                continue
            self._consider(search, site, geodesic_m(here, site.location), request, available, orders_on, excluded)
        if search.best is None:
            raise NoStoreCanFulfil(self._nothing_fits(here, directory, search, excluded))
        return self._decision(search)

    def _consider(self, search, site, distance, request, available, orders_on, excluded) -> None:
        why, scheduled = self.assess(site, request, distance, available, orders_on, excluded)
        if why is not None:
            self._pass_over(search, site, distance, why)
            return
        if search.best is not None and (distance, site.store_id) > search.best[:2]:
            self._pass_over(search, site, distance, (FARTHER, "another store that can fulfil is nearer"))
            return
        if search.best is not None:
            self._pass_over(search, search.best_site, search.best[0], (FARTHER, "another store that can fulfil is nearer"))
        search.best = (distance, site.store_id, scheduled)
        search.best_site = site

    def _pass_over(self, search: _Search, site: StoreSite, distance: float, why: tuple[str, str]) -> None:
        code, reason = why
        search.codes[code] += 1
        if len(search.passed_over) < self.explained:
            search.passed_over.append(PassedOver(site.store_id, round(distance), code, reason))
        else:
            search.omitted += 1

    @staticmethod
    def _decision(search: _Search) -> Decision:
        distance, store_id, scheduled = search.best
        return Decision(Allocation(store_id, round(distance), scheduled), tuple(search.passed_over), search.omitted)

    def _pickup(self, request, directory, available, orders_on, excluded) -> Decision:
        site = directory.get(request.pickup_store_id)
        if site is None:
            raise StoreNotFound(request.pickup_store_id)
        distance = geodesic_m(request.customer_location, site.location)
        why, _ = self.assess(site, request, distance, available, orders_on, excluded)
        if why is not None:
            raise NoStoreCanFulfil(f"pickup store {site.store_id!r} cannot take the order: {why[1]}")
        return Decision(Allocation(site.store_id, round(distance)))

    def _nothing_fits(self, here: GeoPoint, directory: StoreDirectory, search: _Search, excluded) -> str:
        where = f"({here.latitude:.5f}, {here.longitude:.5f})"
        in_reach = [p for p in search.passed_over if p.code not in NOT_IN_REACH]
        if sum(n for code, n in search.codes.items() if code not in NOT_IN_REACH) == 0:
            return f"no active store delivers to {where}{self._nearest_hint(here, directory, excluded)}"
        summary = ", ".join(f"{n} {code.lower().replace('_', ' ')}" for code, n in sorted(search.codes.items()))
        detail = "; ".join(f"{p.store_id}: {p.reason}" for p in in_reach)
        return f"no store can fulfil the whole order at {where} ({summary}): {detail[:800]}"

    @staticmethod
    def _nearest_hint(here: GeoPoint, directory: StoreDirectory, excluded: Collection[str]) -> str:
        """Only on failure: which active store is nearest, and how far it delivers."""
        for k in (8, 64, len(directory.sites)):
            for _, store_id in directory.index.nearest(here, k):
                site = directory.sites[store_id]
                if site.active and store_id not in excluded:
                    km = geodesic_m(here, site.location) / 1000
                    return (
                        f"; the nearest active store is {store_id!r}, about {km:.1f} km away, "
                        f"delivering within {site.delivery_radius_km:g} km"
                    )
        return ""


def outside_radius(site: StoreSite, distance_m: float) -> str:
    if site.delivery_radius_km <= 0:
        return "does not deliver (pickup only)"
    return f"outside its {site.delivery_radius_km:g} km delivery radius ({distance_m / 1000:.1f} km away)"
