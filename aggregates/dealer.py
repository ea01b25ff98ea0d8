"""Regions and the dealers in them: the upper levels of the ownership hierarchy."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.assortments import SHARING_BY_DEFAULT, StockSharing
from domain.dealers import Dealer as DealerProfile
from domain.dealers import Region as RegionProfile


class Region(Aggregate):
    @staticmethod
    def create_id(region_id: str) -> UUID:
        return uuid5(NAMESPACE, f"region:{region_id}")

    @event("RegionRegistered")
    def __init__(self, region_id: str, name: str):
        self.region_id = region_id
        self.name = name

    @property
    def profile(self) -> RegionProfile:
        return RegionProfile(self.region_id, self.name)

    def rename(self, name: str) -> None:
        if name != self.name:
            self._renamed(name=name)

    @event("RegionRenamed")
    def _renamed(self, name: str) -> None:
        self.name = name


class Dealer(Aggregate):
    @staticmethod
    def create_id(dealer_id: str) -> UUID:
        return uuid5(NAMESPACE, f"dealer:{dealer_id}")

    @event("DealerRegistered")
    def __init__(self, dealer_id: str, name: str, region_id: str):
        self.dealer_id = dealer_id
        self.name = name
        self.region_id = region_id
        self.sharing = SHARING_BY_DEFAULT

    @property
    def profile(self) -> DealerProfile:
        return DealerProfile(self.dealer_id, self.name, self.region_id)

    def update(self, profile: DealerProfile) -> None:
        if (profile.name, profile.region_id) != (self.name, self.region_id):
            self._details_changed(name=profile.name, region_id=profile.region_id)

    @event("DealerDetailsChanged")
    def _details_changed(self, name: str, region_id: str) -> None:
        self.name = name
        self.region_id = region_id

    def set_stock_sharing(self, sharing: StockSharing) -> bool:
        """False when those are its terms already."""
        if sharing == self.sharing:
            return False
        self._stock_sharing_set(share_stock=sharing.share_stock, own_stores_first=sharing.own_stores_first)
        return True

    @event("StockSharingSet")
    def _stock_sharing_set(self, share_stock: bool, own_stores_first: bool) -> None:
        self.sharing = StockSharing(share_stock, own_stores_first)
