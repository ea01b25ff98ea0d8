"""A stock position: one SKU in one store, shared by walk-in and online sales."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.errors import InvalidInput, NegativeStock, OutOfStock
from domain.values import available_units


class StockPosition(Aggregate):
    @staticmethod
    def create_id(store_id: str, sku: str) -> UUID:
        return uuid5(NAMESPACE, f"stock:{store_id}:{sku}")

    @event("StockPositionOpened")
    def __init__(self, store_id: str, sku: str):
        self.store_id = store_id
        self.sku = sku
        self.on_hand = 0
        self.safety_stock = 0
        # order id -> units held for it; reserved is always their sum
        self.reservations: dict[str, int] = {}

    @property
    def reserved(self) -> int:
        return sum(self.reservations.values())

    @property
    def available(self) -> int:
        return available_units(self.on_hand, self.reserved, self.safety_stock)

    # --- stock coming in and going out -------------------------------------------------

    def receive(self, quantity: int, movement_id: str = "") -> None:
        if quantity <= 0:
            raise InvalidInput("quantity", f"must be > 0, got {quantity}")
        self._stock_received(quantity=quantity, movement_id=movement_id)

    @event("StockReceived")
    def _stock_received(self, quantity: int, movement_id: str) -> None:
        self.on_hand += quantity

    def adjust(self, delta: int, reason: str, movement_id: str = "") -> None:
        if delta == 0:
            raise InvalidInput("delta", "must not be 0")
        if self.on_hand + delta < 0:
            raise NegativeStock(self.store_id, self.sku, self.on_hand, delta)
        self._stock_adjusted(delta=delta, reason=reason, movement_id=movement_id)

    @event("StockAdjusted")
    def _stock_adjusted(self, delta: int, reason: str, movement_id: str) -> None:
        self.on_hand += delta

    def count(self, counted: int, movement_id: str = "") -> None:
        if counted < 0:
            raise InvalidInput("counted_quantity", f"must be >= 0, got {counted}")
        self._stock_counted(counted=counted, previous_on_hand=self.on_hand, movement_id=movement_id)

    @event("StockCounted")
    def _stock_counted(self, counted: int, previous_on_hand: int, movement_id: str) -> None:
        self.on_hand = counted

    def set_safety_stock(self, quantity: int) -> None:
        if quantity < 0:
            raise InvalidInput("quantity", f"must be >= 0, got {quantity}")
        if quantity != self.safety_stock:
            self._safety_stock_set(quantity=quantity)

    @event("SafetyStockSet")
    def _safety_stock_set(self, quantity: int) -> None:
        self.safety_stock = quantity

    # --- reservations for online orders ------------------------------------------------

    def reserve(self, order_id: str, quantity: int) -> None:
        if quantity <= 0:
            raise InvalidInput("quantity", f"must be > 0, got {quantity}")
        if order_id in self.reservations:
            raise InvalidInput("order_id", f"order {order_id} already holds a reservation here")
        if quantity > self.available:
            raise OutOfStock(self.store_id, self.sku, quantity, self.available)
        self._stock_reserved(order_id=order_id, quantity=quantity)

    @event("StockReserved")
    def _stock_reserved(self, order_id: str, quantity: int) -> None:
        self.reservations[order_id] = quantity

    def release(self, order_id: str, reason: str) -> None:
        """Gives the order's units back; releasing what is not held does nothing."""
        if order_id in self.reservations:
            self._reservation_released(order_id=order_id, quantity=self.reservations[order_id], reason=reason)

    @event("ReservationReleased")
    def _reservation_released(self, order_id: str, quantity: int, reason: str) -> None:
        del self.reservations[order_id]
