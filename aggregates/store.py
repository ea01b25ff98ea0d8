"""A store: the forward warehouse orders are routed to."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.assortments import AssortmentChange, changed_listing
from domain.dealers import owner_at
from domain.errors import IllegalTransition
from domain.stores import STORE, DailyHours, StoreProfile
from domain.values import GeoPoint


def profile_to_record(profile: StoreProfile) -> dict[str, Any]:
    """The event payload: plain JSON types only, so old events always load."""
    return {
        "name": profile.name,
        "latitude": profile.location.latitude,
        "longitude": profile.location.longitude,
        "province": profile.province,
        "city": profile.city,
        "dealer_id": profile.dealer_id,
        "opening_hours": [[d.weekday, d.opens, d.closes] for d in profile.opening_hours],
        "time_zone": profile.time_zone,
        "delivery_radius_km": profile.delivery_radius_km,
        "daily_order_capacity": profile.daily_order_capacity,
        "active": profile.active,
        "kind": profile.kind,
        "preparation_minutes": profile.preparation_minutes,
        "hourly_slot_capacity": profile.hourly_slot_capacity,
    }


def profile_from_record(store_id: str, record: dict[str, Any]) -> StoreProfile:
    return StoreProfile(
        store_id=store_id,
        name=record["name"],
        location=GeoPoint(record["latitude"], record["longitude"]),
        province=record["province"],
        city=record["city"],
        dealer_id=record["dealer_id"],
        opening_hours=tuple(DailyHours(*day) for day in record["opening_hours"]),
        time_zone=record["time_zone"],
        delivery_radius_km=record["delivery_radius_km"],
        daily_order_capacity=record["daily_order_capacity"],
        active=record["active"],
        kind=record.get("kind", STORE),  # recorded before warehouses existed: a store
        # recorded before promises: no preparation time, no slot limit
        preparation_minutes=record.get("preparation_minutes", 0),
        hourly_slot_capacity=record.get("hourly_slot_capacity", 0),
    )


class Store(Aggregate):
    @staticmethod
    def create_id(store_id: str) -> UUID:
        return uuid5(NAMESPACE, f"store:{store_id}")

    @classmethod
    def register(cls, profile: StoreProfile) -> Store:
        return cls(store_id=profile.store_id, details=profile_to_record(profile))

    @event("StoreRegistered")
    def __init__(self, store_id: str, details: dict[str, Any]):
        self.store_id = store_id
        self.details = details
        # [effective from (us since the epoch), dealer id ("" for HQ)], oldest first; the
        # first owner holds from the beginning
        self.owners: list[list[Any]] = [[0, details["dealer_id"]]]
        # the SKUs the store may sell online, sorted; None: every SKU (no assortment set)
        self.listed: list[str] | None = None

    @property
    def profile(self) -> StoreProfile:
        return profile_from_record(self.store_id, self.details)

    def owner_at(self, moment_us: int) -> str:
        """The dealer owning the store at that moment ("" for HQ)."""
        return owner_at([(at, dealer) for at, dealer in self.owners], moment_us)

    def update(self, profile: StoreProfile, now_us: int) -> None:
        """Records new details; nothing is recorded when nothing changed. A new dealer owns
        the store from now on."""
        details = profile_to_record(profile)
        if details["dealer_id"] != self.details["dealer_id"]:
            self._owner_changed(dealer_id=details["dealer_id"], effective_from_us=max(now_us, self.owners[-1][0]))
        if details != self.details:
            self._details_changed(details=details)

    def change_owner(self, dealer_id: str, effective_from_us: int) -> bool:
        """`dealer_id` ("" for HQ) owns the store from that moment; attribution recorded
        before is never rewritten. False when that owner already holds from that moment."""
        latest_from, latest_owner = self.owners[-1]
        if latest_owner == dealer_id and latest_from <= effective_from_us:
            return False
        if effective_from_us < latest_from:
            raise IllegalTransition(
                f"store {self.store_id!r} changed owner with effect from {latest_from} us; "
                "a later change cannot take effect before it"
            )
        self._owner_changed(dealer_id=dealer_id, effective_from_us=effective_from_us)
        self._details_changed(details=dict(self.details, dealer_id=dealer_id))
        return True

    @event("StoreOwnerChanged")
    def _owner_changed(self, dealer_id: str, effective_from_us: int) -> None:
        self.owners = [*self.owners, [effective_from_us, dealer_id]]

    @event("StoreDetailsChanged")
    def _details_changed(self, details: dict[str, Any]) -> None:
        self.details = details

    def change_assortment(self, change: AssortmentChange) -> bool:
        """The store starts or stops listing SKUs; False when its assortment stays the same."""
        if self.details.get("kind", STORE) != STORE:
            raise IllegalTransition(f"{self.store_id!r} is a regional warehouse: it ships every SKU it holds and has no assortment")
        if self.listed is None and change.removed:
            raise IllegalTransition(
                f"store {self.store_id!r} has no assortment: it lists every SKU; add the SKUs it carries "
                "(add_skus) to give it one, then remove"
            )
        listed = changed_listing(self.listed, change)
        if (None if listed is None else sorted(listed)) == self.listed:
            return False
        current = set(self.listed or ())
        self._assortment_changed(
            added=sorted(set(change.added) - current), removed=sorted(set(change.removed) & current),
            everything=listed is None,
        )
        return True

    @event("AssortmentChanged")
    def _assortment_changed(self, added: list[str], removed: list[str], everything: bool) -> None:
        """Only what changed is recorded: an assortment may hold thousands of SKUs."""
        if everything:
            self.listed = None
        else:
            self.listed = sorted((set(self.listed or ()) | set(added)) - set(removed))
