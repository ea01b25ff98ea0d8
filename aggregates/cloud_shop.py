"""A cloud shop: a store's shop in the mini-program, where a sale is credited, and the shop
assistants who bring customers to it with their share codes."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.dealers import CloudShopProfile
from domain.errors import RequestIdReused


class CloudShop(Aggregate):
    @staticmethod
    def create_id(cloud_shop_id: str) -> UUID:
        return uuid5(NAMESPACE, f"cloud-shop:{cloud_shop_id}")

    @classmethod
    def open(cls, profile: CloudShopProfile) -> CloudShop:
        return cls(cloud_shop_id=profile.cloud_shop_id, store_id=profile.store_id, name=profile.name, brand_id=profile.brand_id)

    @event("CloudShopOpened")
    def __init__(self, cloud_shop_id: str, store_id: str, name: str, brand_id: str):
        self.cloud_shop_id = cloud_shop_id
        self.store_id = store_id
        self.name = name
        self.brand_id = brand_id
        self.active = True
        # assistant id -> {"name", "share_code"}
        self.assistants: dict[str, dict[str, Any]] = {}

    @property
    def profile(self) -> CloudShopProfile:
        return CloudShopProfile(self.cloud_shop_id, self.store_id, self.name, self.brand_id)

    def same_as(self, profile: CloudShopProfile) -> bool:
        return profile == self.profile

    def set_active(self, active: bool) -> None:
        if active != self.active:
            self._activity_changed(active=active)

    @event("CloudShopActivityChanged")
    def _activity_changed(self, active: bool) -> None:
        self.active = active

    def add_assistant(self, assistant_id: str, name: str, share_code: str) -> bool:
        """False when the assistant was added already with that name (a retried call)."""
        if (known := self.assistants.get(assistant_id)) is not None:
            if known["name"] != name:
                raise RequestIdReused("assistant_id", assistant_id)
            return False
        self._assistant_added(assistant_id=assistant_id, name=name, share_code=share_code)
        return True

    @event("ShopAssistantAdded")
    def _assistant_added(self, assistant_id: str, name: str, share_code: str) -> None:
        self.assistants = {**self.assistants, assistant_id: {"name": name, "share_code": share_code}}
