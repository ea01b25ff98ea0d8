"""An online order from the mini-program checkout."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.errors import OrderNotAllocatable, OrderNotCancellable
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine

PLACED = "PLACED"
ALLOCATED = "ALLOCATED"
CANCELLED = "CANCELLED"


def lines_to_record(lines: tuple[OrderLine, ...]) -> list[dict[str, Any]]:
    return [
        {"sku": l.sku, "quantity": l.quantity, "unit_price_cents": l.unit_price.cents, "currency": l.unit_price.currency}
        for l in lines
    ]


def shipment_record(
    store_id: str, distance_m: int, store_day: str, lines: dict[str, int], scheduled_for: str = ""
) -> dict[str, Any]:
    """One location's part of an order, as event data. `store_day`: the store-local date (ISO)
    whose pick capacity it takes; `scheduled_for`: RFC 3339 when it starts at a later opening."""
    return {
        "store_id": store_id, "distance_m": distance_m, "store_day": store_day,
        "scheduled_for": scheduled_for, "lines": dict(lines),
    }


class Order(Aggregate):
    @staticmethod
    def create_id(idempotency_key: str) -> UUID:
        return uuid5(NAMESPACE, f"order:{idempotency_key}")

    @classmethod
    def place(
        cls,
        *,
        idempotency_key: str,
        request_fingerprint: str,
        customer_id: str,
        customer_location: GeoPoint,
        lines: tuple[OrderLine, ...],
        fulfilment_mode: FulfilmentMode,
        pickup_store_id: str,
        total: Money,
    ) -> Order:
        return cls(
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            customer_id=customer_id,
            customer_location=[customer_location.latitude, customer_location.longitude],
            lines=lines_to_record(lines),
            fulfilment_mode=fulfilment_mode.value,
            pickup_store_id=pickup_store_id,
            total_cents=total.cents,
            currency=total.currency,
        )

    @event("OrderPlaced")
    def __init__(
        self,
        idempotency_key: str,
        request_fingerprint: str,
        customer_id: str,
        customer_location: list[float],
        lines: list[dict[str, Any]],
        fulfilment_mode: str,
        pickup_store_id: str,
        total_cents: int,
        currency: str,
    ):
        self.idempotency_key = idempotency_key
        self.request_fingerprint = request_fingerprint
        self.customer_id = customer_id
        self.customer_location = customer_location
        self.lines = lines
        self.fulfilment_mode = fulfilment_mode
        self.pickup_store_id = pickup_store_id
        self.total_cents = total_cents
        self.currency = currency
        self.status = PLACED
        # each {"store_id", "distance_m", "store_day", "scheduled_for", "lines": {sku: units}}
        self.shipments: list[dict[str, Any]] = []
        self.fulfilment = ""  # ONE_STORE, SPLIT or EXPRESS once allocated
        self.explanation: dict[str, Any] = {}
        self.cancel_reason = ""

    @property
    def order_id(self) -> str:
        return str(self.id)

    def quantities(self) -> dict[str, int]:
        return {line["sku"]: line["quantity"] for line in self.lines}

    @property
    def store_ids(self) -> list[str]:
        return [s["store_id"] for s in self.shipments]

    @property
    def store_id(self) -> str:
        """The location, when one fulfils the whole order; "" before allocation or for a split."""
        return self.shipments[0]["store_id"] if len(self.shipments) == 1 else ""

    @property
    def distance_m(self) -> int:
        return self.shipments[0]["distance_m"] if len(self.shipments) == 1 else 0

    @property
    def scheduled_for(self) -> str:
        return self.shipments[0]["scheduled_for"] if len(self.shipments) == 1 else ""

    def allocate(self, shipments: list[dict[str, Any]], fulfilment: str = "ONE_STORE", explanation: dict[str, Any] | None = None) -> None:
        """`shipments`: see `shipment_record`; `explanation`: the stores routing passed over and
        why, kept with the decision."""
        if self.status != PLACED:
            raise OrderNotAllocatable(f"order {self.order_id} is {self.status} and cannot be allocated")
        shipped: dict[str, int] = {}
        for shipment in shipments:
            for sku, units in shipment["lines"].items():
                shipped[sku] = shipped.get(sku, 0) + units
        if not shipments or shipped != self.quantities():
            raise OrderNotAllocatable(f"order {self.order_id}: the shipments ({shipped}) are not the order ({self.quantities()})")
        self._allocated(shipments=shipments, fulfilment=fulfilment, explanation=explanation or {})

    @event("OrderAllocated")
    def _allocated(self, shipments: list[dict[str, Any]], fulfilment: str, explanation: dict[str, Any]) -> None:
        self.status = ALLOCATED
        self.shipments = shipments
        self.fulfilment = fulfilment
        self.explanation = explanation

    def cancel(self, reason: str) -> None:
        if self.status == CANCELLED:
            raise OrderNotCancellable(f"order {self.order_id} is already cancelled")
        self._cancelled(reason=reason)

    @event("OrderCancelled")
    def _cancelled(self, reason: str) -> None:
        self.status = CANCELLED
        self.cancel_reason = reason
