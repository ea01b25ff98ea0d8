"""One hourly slot of a store with a slot limit: the orders it has taken to prepare then.

The order writer takes a place in the slot in the same atomic save as the order and its
reservations, so the limit holds whatever the number of servers placing orders: two writers
filling the last place both change this aggregate, and the second save conflicts. Only stores
with a limit have slots; a cancelled or moved shipment gives its place back."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE


class StoreSlot(Aggregate):
    @staticmethod
    def create_id(store_id: str, slot: str) -> UUID:
        """`slot`: the start of the hour, RFC 3339 as the shipment records it."""
        return uuid5(NAMESPACE, f"slot:{store_id}:{slot}")

    @classmethod
    def open(cls, store_id: str, slot: str, first_order_id: str) -> StoreSlot:
        """The slot with its first order: one event, not two, on the checkout's path."""
        return cls(store_id=store_id, slot=slot, order_ids=[first_order_id])

    @event("StoreSlotOpened")
    def __init__(self, store_id: str, slot: str, order_ids: list[str]):
        self.store_id = store_id
        self.slot = slot
        self.order_ids = order_ids

    def has_room(self, capacity: int) -> bool:
        return len(self.order_ids) < capacity

    def take(self, order_id: str) -> None:
        """The caller has checked `has_room` against the store's limit; taking it again is nothing."""
        if order_id not in self.order_ids:
            self._taken(order_id=order_id)

    @event("SlotTaken")
    def _taken(self, order_id: str) -> None:
        self.order_ids = [*self.order_ids, order_id]

    def give_back(self, order_id: str) -> None:
        if order_id in self.order_ids:
            self._given_back(order_id=order_id)

    @event("SlotGivenBack")
    def _given_back(self, order_id: str) -> None:
        self.order_ids = [o for o in self.order_ids if o != order_id]
