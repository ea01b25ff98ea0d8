"""Goods moving from one store to another: requested, shipped (TRANSFER_OUT at the source),
received (TRANSFER_IN at the destination), line by line and possibly in parts. Units shipped
and not yet received are in transit. A transfer the system creates for an order (the order's
pickup store lacked units another store holds) names the order; it is cancelled, if not yet
shipped, when the order no longer needs it."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.errors import IllegalTransition, InvalidInput

REQUESTED, IN_TRANSIT, RECEIVED, CANCELLED = "REQUESTED", "IN_TRANSIT", "RECEIVED", "CANCELLED"


class Transfer(Aggregate):
    @staticmethod
    def create_id(transfer_id: str) -> UUID:
        return uuid5(NAMESPACE, f"transfer:{transfer_id}")

    @event("TransferRequested")
    def __init__(self, transfer_id: str, from_store_id: str, to_store_id: str, lines: dict[str, int], order_id: str = ""):
        self.transfer_id = transfer_id
        self.order_id = order_id  # the order it brings units for; "" for one requested by hand
        self.cancel_reason = ""
        self.from_store_id = from_store_id
        self.to_store_id = to_store_id
        self.lines = dict(lines)
        self.shipped: dict[str, int] = {}
        self.received: dict[str, int] = {}

    @property
    def status(self) -> str:
        if self.cancel_reason:
            return CANCELLED
        if all(self.received.get(sku, 0) == units for sku, units in self.lines.items()):
            return RECEIVED
        return IN_TRANSIT if self.shipped else REQUESTED

    def in_transit(self, sku: str) -> int:
        return self.shipped.get(sku, 0) - self.received.get(sku, 0)

    def to_ship(self, sku: str) -> int:
        return self.lines.get(sku, 0) - self.shipped.get(sku, 0)

    def _line(self, sku: str) -> None:
        if sku not in self.lines:
            raise InvalidInput("sku", f"{sku!r} is not a line of transfer {self.transfer_id!r}")

    def ship(self, sku: str, quantity: int) -> None:
        self._line(sku)
        if self.cancel_reason:
            raise IllegalTransition(f"transfer {self.transfer_id!r} is CANCELLED ({self.cancel_reason}); nothing is to be shipped")
        if quantity > self.to_ship(sku):
            raise IllegalTransition(
                f"transfer {self.transfer_id!r} has {self.to_ship(sku)} of sku {sku!r} left to ship, {quantity} reported"
            )
        self._line_shipped(sku=sku, quantity=quantity)

    @event("TransferLineShipped")
    def _line_shipped(self, sku: str, quantity: int) -> None:
        self.shipped[sku] = self.shipped.get(sku, 0) + quantity

    def receive(self, sku: str, quantity: int) -> None:
        self._line(sku)
        if quantity > self.in_transit(sku):
            raise IllegalTransition(
                f"transfer {self.transfer_id!r} has {self.in_transit(sku)} of sku {sku!r} in transit, {quantity} reported received"
            )
        self._line_received(sku=sku, quantity=quantity)

    @event("TransferLineReceived")
    def _line_received(self, sku: str, quantity: int) -> None:
        self.received[sku] = self.received.get(sku, 0) + quantity

    def cancel(self, reason: str) -> bool:
        """Nothing more is to be shipped: only before any unit was. False when it is shipped
        already (its units go on arriving) or cancelled."""
        if self.shipped or self.cancel_reason:
            return False
        self._cancelled(reason=reason)
        return True

    @event("TransferCancelled")
    def _cancelled(self, reason: str) -> None:
        self.cancel_reason = reason
