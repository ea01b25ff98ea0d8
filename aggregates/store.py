"""A store: the forward warehouse orders are routed to."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
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

    @property
    def profile(self) -> StoreProfile:
        return profile_from_record(self.store_id, self.details)

    def update(self, profile: StoreProfile) -> None:
        """Records new details; nothing is recorded when nothing changed."""
        details = profile_to_record(profile)
        if details != self.details:
            self._details_changed(details=details)

    @event("StoreDetailsChanged")
    def _details_changed(self, details: dict[str, Any]) -> None:
        self.details = details
