"""Cloud shops by store and shop assistants by share code, folded from the CloudShop events
(part of the live index): the mini-program's entry is found without loading aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aggregates.cloud_shop import CloudShop


@dataclass
class ShopEntry:
    cloud_shop_id: str
    store_id: str
    brand_id: str
    active: bool = True


class CloudShopIndex:
    def __init__(self) -> None:
        self.shops: dict[str, ShopEntry] = {}
        self.by_store: dict[str, list[str]] = {}  # store id -> its shops' ids, in order opened
        self.share_codes: dict[str, tuple[str, str]] = {}  # code -> (cloud shop id, assistant id)
        self._ids: dict[UUID, str] = {}

    def apply(self, e: Any) -> None:
        if isinstance(e, CloudShop.CloudShopOpened):
            self._ids[e.originator_id] = e.cloud_shop_id
            self.shops[e.cloud_shop_id] = ShopEntry(e.cloud_shop_id, e.store_id, e.brand_id)
            self.by_store.setdefault(e.store_id, []).append(e.cloud_shop_id)
        elif isinstance(e, CloudShop.CloudShopActivityChanged):
            self.shops[self._ids[e.originator_id]].active = e.active
        elif isinstance(e, CloudShop.ShopAssistantAdded):
            self.share_codes[e.share_code] = (self._ids[e.originator_id], e.assistant_id)

    def open_shop_at(self, store_id: str) -> str | None:
        """The store's first open cloud shop, if any."""
        for shop_id in self.by_store.get(store_id, ()):
            if self.shops[shop_id].active:
                return shop_id
        return None
