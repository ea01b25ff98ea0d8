"""What the order list keeps of an order, and how each order event changes it: a fold in
memory, shared by the projection (one batch at a time) and its verification (the whole log).

An order's status is the aggregate's own rule (`order_status`) over the shipment statuses
kept here (a backordered shipment is BACKORDERED until a BackorderServed leaves it awaiting
nothing, then ALLOCATED); its promise is the earliest `promised_by` among the shipments still
open (backordered or not yet delivered, not lost, the order not cancelled), compared as
moments since the stores' offsets may differ. A promise of "" is no promise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from aggregates.order import ACCEPTED, ALLOCATED, AWAITING_TRANSFER, BACKORDERED, DELIVERED, HANDED_OVER, PICKED, UNFULFILLABLE, Order, order_status
from aggregates.store import Store
from projections.runtime.moments import event_us, recorded_promise

# a backorder's promise counts from its stock's expected arrival: it is what the customer waits for
OPEN = (BACKORDERED, AWAITING_TRANSFER, ALLOCATED, ACCEPTED, PICKED, HANDED_OVER)
ORDER_EVENTS = (
    Order.OrderPlaced, Order.OrderAllocated, Order.OrderRerouted, Order.ShipmentUnfulfillable, Order.PaymentConfirmed,
    Order.ShipmentAccepted, Order.ShipmentPicked, Order.ShipmentHandedOver, Order.ShipmentDelivered, Order.OrderCancelled,
    Order.OrderLinesCancelled, Order.BackorderServed,
)
STORE_EVENTS = (Store.StoreRegistered, Store.StoreDetailsChanged)
TOPICS = tuple(sorted(get_topic(cls) for cls in (*ORDER_EVENTS, *STORE_EVENTS)))
STEPS = {Order.ShipmentAccepted: ACCEPTED, Order.ShipmentPicked: PICKED, Order.ShipmentDelivered: DELIVERED}


@dataclass
class Shipment:
    store_id: str
    status: str
    promised_by: str = ""


@dataclass
class Listed:
    order_id: str
    customer_id: str
    mode: str
    placed_at_us: int
    total_cents: int
    currency: str
    paid: bool = False
    cancelled: bool = False
    shipments: list[Shipment] = field(default_factory=list)
    pre_ordered: bool = False

    @property
    def status(self) -> str:
        return order_status(self.cancelled, [s.status for s in self.shipments], self.pre_ordered)

    @property
    def promised_by(self) -> str:
        if self.cancelled:
            return ""
        promises = [(moment, s.promised_by) for s in self.shipments if s.status in OPEN and (moment := _moment(s.promised_by))]
        return min(promises)[1] if promises else ""

    @property
    def store_ids(self) -> list[str]:
        return [s.store_id for s in self.shipments]


def _moment(promised_by: str) -> datetime | None:
    """The promise as a moment; None for no promise, and for one without an offset (no
    moment to compare across stores' zones)."""
    moment = recorded_promise(promised_by)
    return moment if moment is not None and moment.tzinfo else None


def _shipments(records: list[dict[str, Any]]) -> list[Shipment]:
    # recorded before promises, a shipment has no promised_by at all
    return [Shipment(r["store_id"], r.get("status", ALLOCATED), r.get("promised_by") or "") for r in records]


def apply(orders: dict[str, Listed], e: Any) -> str:
    """Folds one order event into `orders` (which holds the order unless this places it);
    returns the order's id."""
    order_id = str(e.originator_id)
    if isinstance(e, Order.OrderPlaced):
        orders[order_id] = Listed(
            order_id, e.customer_id, e.fulfilment_mode, event_us(e), e.total_cents, e.currency,
            pre_ordered=bool(getattr(e, "pre_sale", None)),
        )
        return order_id
    order = orders.get(order_id)
    if order is None:
        raise LookupError(f"order {order_id}: {type(e).__qualname__} before the order was placed")
    if isinstance(e, Order.OrderAllocated):
        order.shipments = _shipments(e.shipments)
    elif isinstance(e, Order.OrderRerouted):
        index = order.store_ids.index(e.from_store_id)
        order.shipments[index:index + 1] = _shipments(e.shipments)
    elif isinstance(e, Order.PaymentConfirmed):
        order.paid = True
    elif isinstance(e, Order.OrderCancelled):
        order.cancelled = True
    elif isinstance(e, Order.OrderLinesCancelled):
        order.total_cents = e.total_cents
        emptied = {record["store_id"] for record in e.shipments if record["emptied"]}
        order.shipments = [s for s in order.shipments if s.store_id not in emptied]
    elif isinstance(e, Order.BackorderServed):
        if not e.awaiting:  # served in part, it still waits
            _set_status(order, e.store_id, ALLOCATED)
    else:
        if isinstance(e, Order.ShipmentUnfulfillable):
            status = UNFULFILLABLE
        elif isinstance(e, Order.ShipmentHandedOver):
            status = e.status  # DELIVERED when handed to the customer at the counter
        else:
            status = STEPS[type(e)]
        _set_status(order, e.store_id, status)
    return order_id


def _set_status(order: Listed, store_id: str, status: str) -> None:
    for shipment in order.shipments:
        if shipment.store_id == store_id:
            shipment.status = status
