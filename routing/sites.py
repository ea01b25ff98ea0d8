"""What routing knows of the locations it chooses from, and of the order it routes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from domain.stores import STORE, WAREHOUSE, DailyHours
from domain.values import FulfilmentMode, GeoPoint
from routing.distance import with_margin
from routing.hours import Schedule, schedule_for
from routing.spatial import SpatialIndex

# (store_id, sku) -> units that may be promised online now
AvailableUnits = Callable[[str, str], int]
# (store_id, store-local date) -> orders allocated to the store that day
OrdersOnDay = Callable[[str, date], int]


# (store_id, the start of a store-local hour) -> orders taking that hourly slot
OrdersInSlot = Callable[[str, datetime], int]


def no_orders_yet(store_id: str, day: date) -> int:
    return 0


def no_slots_taken(store_id: str, slot: datetime) -> int:
    return 0


@dataclass(frozen=True)
class Taken:
    """What the locations have taken on already: orders per store-local day and per slot."""

    on_day: OrdersOnDay = no_orders_yet
    in_slot: OrdersInSlot = no_slots_taken

    @classmethod
    def of(cls, orders_on: OrdersOnDay | Taken) -> Taken:
        return orders_on if isinstance(orders_on, Taken) else cls(orders_on)


@dataclass(frozen=True)
class StoreSite:
    """What routing needs to know of a store or a regional warehouse."""

    store_id: str
    location: GeoPoint
    delivery_radius_km: float
    active: bool
    opening_hours: tuple[DailyHours, ...] = ()
    time_zone: str = "Asia/Shanghai"
    daily_capacity: int = 0  # 0: no limit
    kind: str = STORE
    preparation_minutes: int = 0
    hourly_slot_capacity: int = 0  # 0: no limit
    listed: frozenset[str] | None = None  # the SKUs it may sell online; None: every SKU
    owner: str = ""  # the dealer owning it now; "" for HQ
    shares_stock: bool = True  # its owner lets orders other owners' cloud shops sell take its stock
    schedule: Schedule = field(init=False, repr=False, compare=False)
    # the great-circle km beyond which the store certainly does not deliver
    reach_km: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", schedule_for(self.opening_hours, self.time_zone))
        object.__setattr__(self, "reach_km", with_margin(self.delivery_radius_km))

    def lists(self, sku: str) -> bool:
        return self.listed is None or sku in self.listed

    def kept_from(self, seller: str) -> bool:
        """Its dealer keeps its stock for its own cloud shops, and `seller` is not that dealer."""
        return self.owner != seller and not self.shares_stock


class StoreDirectory:
    """Sites by id, with a spatial index over the stores and another over the regional
    warehouses. Rebuilt when a site changes."""

    def __init__(self, sites: Iterable[StoreSite]):
        self.sites: dict[str, StoreSite] = {s.store_id: s for s in sites}
        stores = [s for s in self.sites.values() if s.kind == STORE]
        self.index = SpatialIndex((s.store_id, s.location) for s in stores)
        self.warehouses = SpatialIndex((s.store_id, s.location) for s in self.sites.values() if s.kind == WAREHOUSE)
        self.max_radius_km = max((s.delivery_radius_km for s in stores), default=0.0)
        # by position in the store index, for deciding a batch of candidates at once
        self.in_index_order = [self.sites[store_id] for store_id in self.index.ids]
        self.reach_km = np.array([site.reach_km for site in self.in_index_order], dtype=float)
        self.any_assortment = any(site.listed is not None for site in self.sites.values())

    def get(self, store_id: str) -> StoreSite | None:
        return self.sites.get(store_id)

    def offered(self, available: AvailableUnits) -> AvailableUnits:
        """The units a location may sell online: none of a SKU its assortment leaves out. As
        given when no store has an assortment (the usual case, at no cost)."""
        if not self.any_assortment:
            return available
        sites = self.sites

        def offered(store_id: str, sku: str) -> int:
            site = sites.get(store_id)
            return 0 if site is not None and not site.lists(sku) else available(store_id, sku)

        return offered


@dataclass(frozen=True)
class RoutingRequest:
    customer_location: GeoPoint
    quantities: Mapping[str, int]  # sku -> units
    mode: FulfilmentMode
    pickup_store_id: str = ""
    now: datetime | None = None  # aware; None skips opening hours, capacities and promises
    # how soon a DELIVERY store must be able to start; None: the policy's opening window
    start_within: timedelta | None = None
    seller: str = ""  # the dealer whose cloud shop sold the order; "" for HQ
    # the seller's stores take the order before a nearer store of another owner, when one can
    own_stores_first: bool = False
    sellers_stores_only: bool = False  # the first pass of own_stores_first
