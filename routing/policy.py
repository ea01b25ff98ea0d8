"""The routing policy: which store fulfils an order, and why the others did not.

Filters, in order, each giving the reason a store is passed over: passed over after a failed
reservation, paused, outside its delivery radius (DELIVERY), its dealer's terms (a dealer that
does not share its stock serves only orders its own cloud shops sell), its assortment leaving
out a line's SKU, short of a line, closed (DELIVERY:
open now, or opening within the window, in which case the order is scheduled for the opening),
at its daily capacity (on the store-local day the order starts). Ranking: geodesic
distance, then store id. A store within 0.65% of the rim of its radius, where only the geodesic
can tell inside from outside, has its radius checked last, after stock: the geodesic costs
about a hundred times the other checks together.

Candidates come from the spatial index nearest first by great-circle distance; the search
stops once even the great-circle lower bound of the next candidate is beyond the best
geodesic distance found, so the choice is exactly the brute-force reference's.

When no single store can take the whole order (DELIVERY), it is split across the fewest
stores in reach, then the shortest total distance; when no split can
either, the nearest regional warehouse that holds it all ships it EXPRESS. EXPRESS asked for
outright goes straight to the warehouses. An order sold by a dealer that wants its own stores
first (DELIVERY) goes to the nearest of its stores that can take it whole, when one can, before
all of this. A warehouse has no radius and no opening hours that
matter (a carrier collects); pause, capacity and stock apply to it as to a store.
"""

from __future__ import annotations

from collections import Counter
import heapq
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain.errors import NoStoreCanFulfil, StoreNotFound
from domain.stores import WAREHOUSE
from domain.values import FulfilmentMode, GeoPoint
from routing.decision import (
    AT_CAPACITY, CLOSED, DEALER_POLICY, EXPRESS, FARTHER, NOT_IN_REACH, NOT_LISTED, ONE_STORE, OUT_OF_STOCK, OUTSIDE_RADIUS,
    PAUSED, SLOT_FULL, SPLIT, TAKEN, Allocation, Decision, PassedOver, Shipment, Why, not_listed, out_of_stock, whole_order,
)
from routing.distance import HALF_THE_EARTH_KM, Distance, at_least_m, geodesic_m, nearer, with_margin
from routing.promise import LATER, STARTS_LATER, PromiseTerms, promised
from routing.starts import when_it_starts
from routing.sites import AvailableUnits, OrdersOnDay, RoutingRequest, StoreDirectory, StoreSite, Taken, no_orders_yet
from routing.splits import PartialStore, Split, best_split, held_together, split_refusal, units_toward

__all__ = [
    "AT_CAPACITY", "CLOSED", "DEALER_POLICY", "EXPRESS", "FARTHER", "NOT_IN_REACH", "NOT_LISTED", "ONE_STORE", "OUT_OF_STOCK", "OUTSIDE_RADIUS",
    "PAUSED", "SPLIT", "TAKEN", "Allocation", "AvailableUnits", "Decision", "OrdersOnDay", "PassedOver",
    "RoutingPolicy", "RoutingRequest", "SLOT_FULL", "Shipment", "StoreDirectory", "StoreSite", "Taken", "Why",
    "no_orders_yet",
]



@dataclass
class _Search:
    passed_over: list[PassedOver] = field(default_factory=list)
    omitted: int = 0
    codes: Counter = field(default_factory=Counter)
    best: tuple[Distance, str, datetime | None] | None = None  # its bounds at most the estimate's error apart
    best_site: StoreSite | None = None
    lines: list[tuple[str, int]] = field(default_factory=list)  # checked in this order, see assess
    short: list[tuple[StoreSite, Distance]] = field(default_factory=list)  # passed over for stock: split material


class _Takers:
    """The stores passed over for stock that could take part in a split, each looked at once,
    in order (nearest first by great circle): the split search stops early, then asks whether
    another lies beyond, and a refusal counts them all."""

    def __init__(self, short: list[tuple[StoreSite, Distance]], taker: Callable[[StoreSite, Distance], PartialStore | None]):
        self._short, self._taker = short, taker
        self.looked = 0
        self.found: list[PartialStore] = []  # among short[:looked]

    def look_at_next(self) -> PartialStore | None:
        site, distance = self._short[self.looked]
        self.looked += 1
        if (taker := self._taker(site, distance)) is not None:
            self.found.append(taker)
        return taker

    def another(self) -> bool:
        """Whether a store not looked at yet could take part (looking until one can)."""
        while self.looked < len(self._short):
            if self.look_at_next() is not None:
                return True
        return False

    def everyone(self) -> list[PartialStore]:
        while self.another():
            pass
        return self.found


class RoutingPolicy:
    def __init__(
        self, opening_window: timedelta = timedelta(hours=2), explained: int = 50,
        split_candidates: int = 12, most_split_stores: int = 3, express_fallback: bool = True,
        promise_terms: PromiseTerms = PromiseTerms(), start_later: bool = True,
        transfer_radius_km: float = 30.0, delivery_via_nearest_store: bool = False,
    ):
        self.opening_window = opening_window
        self.explained = explained
        self.split_candidates = split_candidates  # the nearest stores a split search looks at
        self.most_split_stores = most_split_stores  # below 2: no splits
        self.express_fallback = express_fallback  # a regional warehouse when no store nor split can
        self.promise_terms = promise_terms
        # when no store can start within the window: the nearest that can start later (its
        # first free slot, the morning's for a night order), before any warehouse
        self.start_later = start_later
        # a store lacking units that stores this near it hold takes the order, the units sent
        # by transfer (PICKUP; DELIVERY too with delivery_via_nearest_store); 0: never
        self.transfer_radius_km = transfer_radius_km
        # a DELIVERY order no one store can take now goes to the customer's nearest store,
        # backed by transfers, before a split or a warehouse
        self.delivery_via_nearest_store = delivery_via_nearest_store

    # --- the rules -----------------------------------------------------------------------

    def assess(
        self, site: StoreSite, request: RoutingRequest, distance: Distance | float, available: AvailableUnits,
        taken: OrdersOnDay | Taken, excluded: Collection[str], lines: list[tuple[str, int]] | None = None,
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
        if request.sellers_stores_only and site.owner != request.seller:
            return Why(DEALER_POLICY, SELLERS_STORES_FIRST), None
        if site.kept_from(request.seller):
            return Why(DEALER_POLICY, KEEPS_ITS_STOCK), None
        if site.listed is not None:
            for sku, _ in request.quantities.items() if lines is None else lines:
                if sku not in site.listed:
                    return Why(NOT_LISTED, not_listed, sku), None
        for i, (sku, qty) in enumerate(request.quantities.items() if lines is None else lines):
            if available(store_id, sku) < qty:
                if i and lines is not None:
                    lines.insert(0, lines.pop(i))
                return Why(OUT_OF_STOCK, out_of_stock, store_id, request.quantities, available), None
        scheduled = None
        if request.now is not None:
            window = self.opening_window if request.start_within is None else request.start_within
            why, scheduled = when_it_starts(site, request, Taken.of(taken), delivery, window)
            if why is not None:
                return why, None
        if near_rim and not distance.within_km(site.delivery_radius_km):
            return Why(OUTSIDE_RADIUS, outside_radius, site, distance.shown_m()), None
        return None, scheduled

    # --- choosing ------------------------------------------------------------------------

    def choose(
        self, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits,
        orders_on: OrdersOnDay | Taken = no_orders_yet, excluded: Collection[str] = (),
    ) -> Decision:
        """The decision, with its promise when it is made at a moment (`request.now`)."""
        decision = self._choose(request, directory, directory.offered(available), Taken.of(orders_on), excluded)
        return decision if request.now is None else promised(decision, request, directory, self.promise_terms)

    def _choose(self, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits, taken: Taken, excluded) -> Decision:
        if request.mode is FulfilmentMode.DELIVERY and request.own_stores_first and request.seller:
            own = replace(request, sellers_stores_only=True)
            first = _Search(lines=list(request.quantities.items()))
            kms, positions = directory.index.around(request.customer_location, with_margin(directory.max_radius_km))
            self._consider(first, directory, kms, positions, own, available, taken, excluded)
            if first.best is not None:
                return self._decision(first, own)
            decision = self._choose_usual(request, directory, available, taken, excluded)
            return decision if decision.search_note else replace(decision, search_note=NO_OWN_STORE_CAN)
        return self._choose_usual(request, directory, available, taken, excluded)

    def _choose_usual(self, request: RoutingRequest, directory: StoreDirectory, available: AvailableUnits, taken: Taken, excluded) -> Decision:
        if request.mode is FulfilmentMode.PICKUP:
            return self._pickup(request, directory, available, taken, excluded)
        if request.mode is FulfilmentMode.EXPRESS:
            search = _Search(lines=list(request.quantities.items()))
            if (decision := self._express(search, request, directory, available, taken, excluded)) is None:
                raise NoStoreCanFulfil(self._no_warehouse(request.customer_location, directory, search))
            return decision
        here = request.customer_location
        kms, positions = directory.index.around(here, with_margin(directory.max_radius_km))
        search = _Search(lines=list(request.quantities.items()))
        self._consider(search, directory, kms, positions, request, available, taken, excluded)
        if search.best is not None:
            return self._decision(search, request)
        why_no_split = None
        if self.most_split_stores >= 2:
            split = self._split(search, request, available, taken, excluded)
            if isinstance(split, Decision):
                return split
            why_no_split = split
        if (later := self._later(search, directory, kms, positions, request, available, taken, excluded)) is not None:
            return later
        no_warehouse = ""
        if self.express_fallback and len(directory.warehouses):
            decision = self._express(search, request, directory, available, taken, excluded)
            if decision is not None:
                return replace(decision, search_note="no store nor split of stores could serve it")
            no_warehouse = f"; {self._no_warehouse(here, directory, search)}"
        refusal = self._nothing_fits(here, directory, search, excluded)
        if search.short and why_no_split is not None:
            refusal += f"; no split: {why_no_split()}"
        raise NoStoreCanFulfil(refusal + no_warehouse)

    def _later(self, search: _Search, directory, kms, positions, request, available, taken, excluded) -> Decision | None:
        """When no store could start within the opening window because it was shut or its
        slots were full (every order placed at night), the nearest store that can take the
        order at its first free slot, however far off: the customer gets an honest morning
        promise rather than no store."""
        if not self.start_later or not (search.codes[CLOSED] or search.codes[SLOT_FULL]):
            return None
        later = _Search(lines=list(request.quantities.items()))
        request = replace(request, start_within=LATER)
        self._consider(later, directory, kms, positions, request, available, taken, excluded)
        if later.best is None:
            return None
        return replace(self._decision(later, request), search_note=(
            f"{STARTS_LATER} within {self.opening_window.total_seconds() / 3600:g} h: "
            "the nearest that can starts at its first free slot"
        ))

    def _consider(self, search, directory, kms, positions, request, available, taken, excluded) -> None:
        """Considers candidates nearest first, until every later one is certainly farther."""
        here = request.customer_location
        outside = (kms > directory.reach_km[positions]).tolist()
        for great_circle_km, position, certainly_outside in zip(kms.tolist(), positions.tolist(), outside):
            if search.best is not None and at_least_m(great_circle_km) > search.best[0].bounds_m()[1]:
                return
            site = directory.in_index_order[position]
            if certainly_outside and site.active and site.store_id not in excluded:
                # most candidates, on a refusal: settled without more ado
                self._pass_over(search, site, round(great_circle_km * 1000), OUTSIDE_RADIUS)
                continue
            distance = Distance(here, site.location, great_circle_km)
            why, scheduled = self.assess(site, request, distance, available, taken, excluded, search.lines)
            if why is not None:
                self._pass_over(search, site, distance.shown_m(), why.code, why)
                if why.code in SPLIT_MATERIAL:
                    search.short.append((site, distance))
            else:
                self._rank(search, site, distance, scheduled)

    def _rank(self, search: _Search, site: StoreSite, distance: Distance, scheduled: datetime | None) -> None:
        best = search.best
        if best is not None and not nearer(distance, site.store_id, best[0], best[1]):
            self._pass_over(search, site, distance.shown_m(), FARTHER, "another store that can fulfil is nearer")
            return
        if best is not None:
            self._pass_over(search, search.best_site, best[0].shown_m(), FARTHER, "another store that can fulfil is nearer")
        # narrowed now, so the scan can stop at the first candidate surely beyond it
        distance.estimate()
        search.best = (distance, site.store_id, scheduled)
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
    def _decision(search: _Search, request: RoutingRequest, fulfilment: str = ONE_STORE) -> Decision:
        distance, store_id, scheduled = search.best
        return Decision(
            whole_order(Allocation(store_id, distance.rounded_m(), scheduled), request.quantities),
            tuple(search.passed_over), search.omitted, fulfilment,
        )

    # --- when no single store can -----------------------------------------------------------

    def _split(self, search: _Search, request, available, taken, excluded) -> Decision | Callable[[], str]:
        """A split across the stores passed over for stock that pass every other rule; else a
        function that says why not (worth its cost only when the order is refused)."""
        quantities, pool, short = request.quantities, self.split_candidates, search.short
        takers = _Takers(short, lambda site, distance: self._taker(site, distance, request, available, taken, excluded))

        def why_not() -> str:  # every store that could take part, beyond the pool too
            return split_refusal(takers.everyone(), quantities, self.most_split_stores, pool)

        if not held_together([site.store_id for site, _ in short], search.lines, available):
            # even every store passed over for stock together lacks a line, so no split can
            # hold the order whatever the other rules say: most orders that end EXPRESS stop here
            return why_not
        # nearest first by great circle; once even the great-circle lower bound of the next store
        # is beyond the pool-th least upper bound among the takers so far, neither it nor any
        # later store can enter the pool (splits.nearest)
        upper: list[float] = []  # the pool least upper bounds so far, negated: a max-heap
        while takers.looked < len(short):
            if len(upper) == pool and at_least_m(short[takers.looked][1].great_circle_km) > -upper[0]:
                break
            if (taker := takers.look_at_next()) is not None:
                bound = -taker.distance.bounds_m()[1]
                if len(upper) < pool:
                    heapq.heappush(upper, bound)
                elif bound > upper[0]:
                    heapq.heapreplace(upper, bound)
        pooled = list(takers.found)
        found = best_split(pooled, quantities, self.most_split_stores, pool, beyond=takers.another())
        if found is not None:
            return Decision(split_shipments(found), tuple(search.passed_over), search.omitted, SPLIT, found.note)
        return why_not

    def _taker(self, site: StoreSite, distance: Distance, request, available, taken, excluded) -> PartialStore | None:
        """A store passed over for stock as part of a split: holding some of a line and passing
        every rule but stock; else None."""
        units = units_toward(site.store_id, request.quantities, available)
        if units:
            why, scheduled = self.assess(site, request, distance, available, taken, excluded, lines=[])
            if why is None:
                return PartialStore(site.store_id, distance, units, scheduled)
        return None

    def _express(self, search: _Search, request, directory, available, taken, excluded) -> Decision | None:
        """The nearest regional warehouse that can ship the whole order, or None."""
        express = replace(request, mode=FulfilmentMode.EXPRESS)
        here = request.customer_location
        kms, positions = directory.warehouses.around(here, HALF_THE_EARTH_KM)
        for great_circle_km, position in zip(kms.tolist(), positions.tolist()):
            if search.best is not None and at_least_m(great_circle_km) > search.best[0].bounds_m()[1]:
                break
            site = directory.sites[directory.warehouses.ids[position]]
            distance = Distance(here, site.location, great_circle_km)
            why, _ = self.assess(site, express, distance, available, taken, excluded, search.lines)
            if why is not None:
                self._pass_over(search, site, distance.shown_m(), why.code, why)
            else:
                self._rank(search, site, distance, None)
        return None if search.best is None else self._decision(search, request, EXPRESS)

    @staticmethod
    def _no_warehouse(here: GeoPoint, directory: StoreDirectory, search: _Search) -> str:
        if not len(directory.warehouses):
            return "no regional warehouse ships EXPRESS"
        passed = [p for p in search.passed_over if directory.sites[p.store_id].kind == WAREHOUSE]
        detail = "; ".join(f"{p.store_id}: {p.reason}" for p in passed)
        return f"no regional warehouse can ship it all EXPRESS to ({here.latitude:.5f}, {here.longitude:.5f}): {detail[:400]}"

    def _pickup(self, request, directory, available, taken, excluded) -> Decision:
        site = directory.get(request.pickup_store_id)
        if site is None:
            raise StoreNotFound(request.pickup_store_id)
        if site.kind == WAREHOUSE:
            raise NoStoreCanFulfil(f"{site.store_id!r} is a regional warehouse: it has no counter to collect from")
        distance = geodesic_m(request.customer_location, site.location)
        why, scheduled = self.assess(site, request, distance, available, taken, excluded)
        if why is not None:
            raise NoStoreCanFulfil(f"pickup store {site.store_id!r} cannot take the order: {why.reason}")
        return Decision(whole_order(Allocation(site.store_id, round(distance), scheduled), request.quantities))

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


# passed over for these, a store may still ship part of the order: the lines it holds and lists
SPLIT_MATERIAL = (OUT_OF_STOCK, NOT_LISTED)
SELLERS_STORES_FIRST = "the selling dealer's own stores come first, and one of them can take the order"
NO_OWN_STORE_CAN = "none of the selling dealer's own stores could take it whole"
KEEPS_ITS_STOCK = "its dealer keeps its stock for the orders its own cloud shops sell"


def outside_radius(site: StoreSite, distance_m: float) -> str:
    if site.delivery_radius_km <= 0:
        return "does not deliver (pickup only)"
    return f"outside its {site.delivery_radius_km:g} km delivery radius ({distance_m / 1000:.1f} km away)"


def split_shipments(split: Split) -> tuple[Shipment, ...]:
    return tuple(Shipment(Allocation(p.store_id, p.distance.rounded_m(), p.scheduled_for), units) for p, units in split.parts)
