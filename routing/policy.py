"""The routing policy: which store fulfils an order, and why the others did not.

Filters, in order, each giving the reason a store is passed over: passed over after a failed
reservation, paused, outside its delivery radius (DELIVERY), short of a line, closed (DELIVERY:
open now, or opening within the window, in which case the order is scheduled for the opening),
at its daily capacity (on the store-local day the order starts). Ranking: geodesic
distance, then store id. A store within 0.65% of the rim of its radius, where only the geodesic
can tell inside from outside, has its radius checked last, after stock: the geodesic costs
about a hundred times the other checks together.

Candidates come from the spatial index nearest first by great-circle distance; the search
stops once even the great-circle lower bound of the next candidate is beyond the best
geodesic distance found, so the choice is exactly the brute-force one (routing/reference.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import numpy as np

from domain.errors import NoStoreCanFulfil, StoreNotFound
from domain.stores import DailyHours
from domain.values import FulfilmentMode, GeoPoint
from routing.distance import Distance, at_least_m, geodesic_m, with_margin
from routing.hours import Schedule, local_time, schedule_for
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
    schedule: Schedule = field(init=False, repr=False, compare=False)
    # the great-circle km beyond which the store certainly does not deliver
    reach_km: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", schedule_for(self.opening_hours, self.time_zone))
        object.__setattr__(self, "reach_km", with_margin(self.delivery_radius_km))


class StoreDirectory:
    """Store sites by id, with a spatial index over them. Rebuilt when stores change."""

    def __init__(self, sites: Iterable[StoreSite]):
        self.sites: dict[str, StoreSite] = {s.store_id: s for s in sites}
        self.index = SpatialIndex((s.store_id, s.location) for s in self.sites.values())
        self.max_radius_km = max((s.delivery_radius_km for s in self.sites.values()), default=0.0)
        # by position in the index, for deciding a batch of candidates at once
        self.in_index_order = [self.sites[store_id] for store_id in self.index.ids]
        self.reach_km = np.array([site.reach_km for site in self.in_index_order], dtype=float)

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


class Why:
    """Why a store is passed over: a code, and the words for it, written only when read (a
    decision may pass over a thousand stores and explain only the first fifty)."""

    __slots__ = ("code", "_words", "_args")

    def __init__(self, code: str, words: str | Callable[..., str], *args: object):
        self.code, self._words, self._args = code, words, args

    @property
    def reason(self) -> str:
        return self._words if isinstance(self._words, str) else self._words(*self._args)

    def __repr__(self) -> str:
        return f"Why({self.code!r}, {self.reason!r})"


@dataclass(frozen=True)
class PassedOver:
    store_id: str
    # geodesic when the decision needed it; else the great-circle distance, within 0.6% of it
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
    lines: list[tuple[str, int]] = field(default_factory=list)  # checked in this order, see assess


class RoutingPolicy:
    def __init__(self, opening_window: timedelta = timedelta(hours=2), explained: int = 50):
        self.opening_window = opening_window
        self.explained = explained

    # --- the rules -----------------------------------------------------------------------

    def assess(
        self, site: StoreSite, request: RoutingRequest, distance: Distance | float, available: AvailableUnits,
        orders_on: OrdersOnDay, excluded: Collection[str], lines: list[tuple[str, int]] | None = None,
    ) -> tuple[Why | None, datetime | None]:
        """(why the store is passed over, or None; when it would start if scheduled).
        `distance`: a Distance, or the geodesic metres. `lines`: the order's (sku, units), in
        the order to check them; a line found short moves to the front, as the line most likely
        short at the next store too (most stores fail on the same rare SKU)."""
        if not isinstance(distance, Distance):
            distance = Distance.known(request.customer_location, site.location, distance)
        store_id = site.store_id
        if store_id in excluded:
            return Why(TAKEN, "its stock was taken by another order meanwhile"), None
        if not site.active:
            return Why(PAUSED, "paused"), None
        delivery = request.mode is FulfilmentMode.DELIVERY
        near_rim = False
        if delivery:
            inside = distance.clearly_within_km(site.delivery_radius_km) if site.delivery_radius_km > 0 else False
            if inside is False:
                return Why(OUTSIDE_RADIUS, outside_radius, site, distance.shown_m()), None
            near_rim = inside is None  # only the geodesic can tell: checked last, it costs the most
        for i, (sku, qty) in enumerate(request.quantities.items() if lines is None else lines):
            if available(store_id, sku) < qty:
                if i and lines is not None:
                    lines.insert(0, lines.pop(i))
                return Why(OUT_OF_STOCK, out_of_stock, store_id, request.quantities, available), None
        scheduled = None
        opening = site.schedule.opening(request.now) if request.now is not None else None
        if delivery and request.now is not None:
            if opening is None:
                return Why(CLOSED, "never open"), None
            if opening.wait > timedelta(0):
                if opening.wait > self.opening_window:
                    return Why(CLOSED, "closed until {:%a %H:%M}".format, opening.at), None
                scheduled = opening.at
        if site.daily_capacity and request.now is not None:
            # the store-local day the order starts: when it opens if scheduled, else now
            if opening is None:
                day = local_time(request.now, site.time_zone).date()
            else:
                day = opening.day if scheduled is not None else opening.today
            taken = orders_on(site.store_id, day)
            if taken >= site.daily_capacity:
                return Why(AT_CAPACITY, "at capacity: {} of {} orders on {:%Y-%m-%d}".format, taken, site.daily_capacity, day), None
        if near_rim and not distance.within_km(site.delivery_radius_km):
            return Why(OUTSIDE_RADIUS, outside_radius, site, distance.shown_m()), None
        return None, scheduled

    # --- choosing ------------------------------------------------------------------------

    def choose(
        self, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits,
        orders_on: OrdersOnDay = no_orders_yet, excluded: Collection[str] = (),
    ) -> Decision:
        if request.mode is FulfilmentMode.PICKUP:
            return self._pickup(request, directory, available, orders_on, excluded)
        here = request.customer_location
        search = _Search(lines=list(request.quantities.items()))
        for kms, positions in directory.index.batches(here, with_margin(directory.max_radius_km)):
            if self._consider_batch(search, directory, kms, positions, request, available, orders_on, excluded):
                break
        if search.best is None:
            raise NoStoreCanFulfil(self._nothing_fits(here, directory, search, excluded))
        return self._decision(search)

    def _consider_batch(self, search, directory, kms, positions, request, available, orders_on, excluded) -> bool:
        """Considers candidates nearest first; True once every later one is certainly farther."""
        here = request.customer_location
        outside = (kms > directory.reach_km[positions]).tolist()
        for great_circle_km, position, certainly_outside in zip(kms.tolist(), positions.tolist(), outside):
            if search.best is not None and at_least_m(great_circle_km) > search.best[0]:
                return True
            site = directory.in_index_order[position]
            if certainly_outside and site.active and site.store_id not in excluded:
                # most candidates, on a refusal: settled without more ado
                self._pass_over(search, site, round(great_circle_km * 1000), OUTSIDE_RADIUS)
                continue
            distance = Distance(here, site.location, great_circle_km)
            why, scheduled = self.assess(site, request, distance, available, orders_on, excluded, search.lines)
            if why is not None:
                self._pass_over(search, site, distance.shown_m(), why.code, why)
            else:
                self._rank(search, site, distance, scheduled)
        return False

    def _rank(self, search: _Search, site: StoreSite, distance: Distance, scheduled: datetime | None) -> None:
        best = search.best
        if best is not None and (distance.certainly_beyond_m(best[0]) or (distance.metres(), site.store_id) > best[:2]):
            self._pass_over(search, site, distance.shown_m(), FARTHER, "another store that can fulfil is nearer")
            return
        if best is not None:
            self._pass_over(search, search.best_site, round(best[0]), FARTHER, "another store that can fulfil is nearer")
        search.best = (distance.metres(), site.store_id, scheduled)
        search.best_site = site

    def _pass_over(self, search: _Search, site: StoreSite, distance_m: int, code: str, why: Why | str | None = None) -> None:
        """`why` may be left out for OUTSIDE_RADIUS; it is put in words only if explained."""
        search.codes[code] += 1
        if len(search.passed_over) < self.explained:
            reason = outside_radius(site, distance_m) if why is None else why if isinstance(why, str) else why.reason
            search.passed_over.append(PassedOver(site.store_id, distance_m, code, reason))
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
            raise NoStoreCanFulfil(f"pickup store {site.store_id!r} cannot take the order: {why.reason}")
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


def out_of_stock(store_id: str, quantities: Mapping[str, int], available: AvailableUnits) -> str:
    missing = [sku for sku, qty in quantities.items() if available(store_id, sku) < qty]
    return "out of stock for " + ", ".join(f"sku {sku!r}" for sku in missing)


def outside_radius(site: StoreSite, distance_m: float) -> str:
    if site.delivery_radius_km <= 0:
        return "does not deliver (pickup only)"
    return f"outside its {site.delivery_radius_km:g} km delivery radius ({distance_m / 1000:.1f} km away)"
