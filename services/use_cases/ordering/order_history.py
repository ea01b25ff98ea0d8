"""Use case: an order's history, every step of it in plain terms, when, and who did it.

Read from the order's own events, in order: they are the record. Each event names the caller
that caused it (`by`: its role and token id); an event of the backbone's own (a payment
timeout, a reroute after a store lost the stock) names none, and events recorded before
events named their callers do not carry the field at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.order import AWAITING_TRANSFER, BACKORDERED
from domain.callers import UNKNOWN, recorded_caller
from services.use_cases.application import OmoApplication
from services.use_cases.ordering.orders import get_order

SYSTEM = "system"  # the backbone, of its own accord


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    at: datetime
    step: str
    store_id: str
    caller_role: str
    caller_token_id: str
    summary: str


def order_history(app: OmoApplication, order_id: str) -> list[HistoryEntry]:
    """The order's history, also after another server's change."""
    order = get_order(app, order_id)
    events = list(app.repository.event_store.get(order.id))
    pre_order = bool(events and getattr(events[0], "pre_sale", None))
    return [_entry(event, pre_order) for event in events]


def _entry(event: Any, pre_order: bool = False) -> HistoryEntry:
    kind = type(event).__name__
    step, store_id, summary = (pre_order and _pre_order_step(kind, event)) or _described(kind, event)
    if not hasattr(event, "by"):
        role = token_id = UNKNOWN
    elif not event.by:
        role, token_id = SYSTEM, ""
    else:
        role, token_id = recorded_caller(event.by)
    return HistoryEntry(event.originator_version, event.timestamp, step, store_id, role, token_id, summary)


def _units(lines: dict[str, int]) -> str:
    return ", ".join(f"{units} x {sku}" for sku, units in lines.items())


def _shipments(shipments: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"store {s['store_id']} ({s['distance_m']} m): {_held(s)}"
        + (f", starting {s['scheduled_for']}" if s.get("scheduled_for") else "")
        + (f", promised by {s['promised_by']}" if s.get("promised_by") else "")
        for s in shipments
    )


def _held(shipment: dict[str, Any]) -> str:
    """What the shipment holds at its store: reserved there, and for a backorder what it
    waits for of the store's incoming stock."""
    awaiting = shipment.get("awaiting") or {}
    if shipment.get("status") not in (BACKORDERED, AWAITING_TRANSFER) or not awaiting:
        return f"{_units(shipment['lines'])} reserved there"
    there = {sku: units - awaiting.get(sku, 0) for sku, units in shipment["lines"].items()}
    there = {sku: units for sku, units in there.items() if units > 0}
    if shipment["status"] == AWAITING_TRANSFER:
        sent = "; ".join(
            f"{_units(t['lines'])} reserved at store {t['from_store_id']}, sent by transfer {t['transfer_id']}"
            for t in shipment.get("transfers", ())
        )
        return f"AWAITING_TRANSFER, {_units(there) + ' reserved there; ' if there else ''}{sent}"
    bound = f", by {shipment['not_after']} at the latest" if shipment.get("not_after") else ""
    return (
        f"BACKORDERED, {_units(there) + ' reserved there and ' if there else ''}"
        f"{_units(awaiting)} awaited of its incoming stock{bound}"
    )


def _passed_over(explanation: dict[str, Any]) -> str:
    passed = explanation.get("passed_over") or []
    if not passed:
        return ""
    reasons = "; ".join(f"{store_id} at {metres} m: {reason}" for store_id, metres, _code, reason in passed)
    return f" Passed over: {reasons}."


def _pre_order_step(kind: str, e: Any) -> tuple[str, str, str] | None:
    """The steps a pre-order has of its own: taking units of the pre-sale, the plan sending
    it to a location, and the goods arriving there; None for the steps every order has."""
    if kind == "OrderPlaced":
        units = sum(line["quantity"] for line in e.lines)
        where = f", for pickup at store {e.pickup_store_id}" if e.pickup_store_id else ""
        return "PRE_ORDERED", e.pickup_store_id, (
            f"pre-ordered by customer {e.customer_id}: {units} x {e.pre_sale['sku']} of its pre-sale, "
            f"{e.total_cents} {e.currency} cents, {e.fulfilment_mode}{where}; the goods ship from {e.pre_sale['ships_from']}"
        )
    if kind == "OrderAllocated":
        stores = [s["store_id"] for s in e.shipments]
        return "PLANNED", stores[0] if len(stores) == 1 else "", (
            f"the pre-sale's plan sent it ({e.fulfilment}) to {_shipments(e.shipments)}.{_passed_over(e.explanation)}"
        )
    if kind == "BackorderServed" and not e.awaiting:
        return "ALLOCATED", e.store_id, (
            f"the pre-sale's goods arrived at store {e.store_id}: all of it is reserved there, "
            "and the shipment is ALLOCATED, in the store's queue"
        )
    return None


def _described(kind: str, e: Any) -> tuple[str, str, str]:
    """(step, store, summary) of one of the order's events."""
    if kind == "OrderPlaced":
        units = sum(line["quantity"] for line in e.lines)
        where = f", for pickup at store {e.pickup_store_id}" if e.pickup_store_id else ""
        return "PLACED", e.pickup_store_id, (
            f"placed by customer {e.customer_id}: {units} units in {len(e.lines)} lines, "
            f"{e.total_cents} {e.currency} cents, {e.fulfilment_mode}{where}"
        )
    if kind == "OrderAllocated":
        stores = [s["store_id"] for s in e.shipments]
        return "ALLOCATED", stores[0] if len(stores) == 1 else "", (
            f"allocated ({e.fulfilment}) to {_shipments(e.shipments)}.{_passed_over(e.explanation)}"
        )
    if kind == "OrderRerouted":
        return "REROUTED", e.from_store_id, (
            f"moved from store {e.from_store_id} ({e.cause}: {e.reason}) to {_shipments(e.shipments)}.{_passed_over(e.explanation)}"
        )
    if kind == "BackorderServed":
        if e.awaiting:
            return "BACKORDER_SERVED", e.store_id, (
                f"units arrived and reserved at store {e.store_id} for the shipment, which still awaits {_units(e.awaiting)}"
            )
        return "BACKORDER_SERVED", e.store_id, (
            f"the shipment at store {e.store_id} awaits nothing more: all of it is reserved there, "
            "and the shipment is ALLOCATED, in the store's queue"
        )
    if kind == "ShipmentUnfulfillable":
        return "UNFULFILLABLE", e.store_id, f"the shipment from store {e.store_id} cannot be fulfilled ({e.cause}): {e.reason}"
    if kind == "PaymentConfirmed":
        return "PAID", "", f"paid: payment {e.payment_id}, {e.amount_cents} cents"
    if kind == "ShipmentAccepted":
        return "ACCEPTED", e.store_id, f"store {e.store_id} accepted its shipment"
    if kind == "ShipmentPicked":
        return "PICKED", e.store_id, f"store {e.store_id} picked its shipment off the shelf"
    if kind == "ShipmentHandedOver":
        return "HANDED_OVER", e.store_id, f"store {e.store_id} handed its shipment to the {e.to.lower()}"
    if kind == "ShipmentDelivered":
        return "DELIVERED", e.store_id, f"the shipment from store {e.store_id} was delivered"
    if kind == "OrderCancelled":
        return "CANCELLED", "", f"cancelled: {e.reason}; its reservations released"
    if kind == "OrderLinesCancelled":
        stores = [s["store_id"] for s in e.shipments]
        taken = "; ".join(
            f"store {s['store_id']} gives up {_units(s['lines'])}" + (", nothing left to ship there" if s["emptied"] else "")
            for s in e.shipments
        )
        refund = f"; {e.refund_cents} cents to refund" if e.refund_cents else ""
        return "LINES_CANCELLED", stores[0] if len(stores) == 1 else "", (
            f"lines cancelled ({e.reason}): {_units({line['sku']: line['quantity'] for line in e.lines})}; "
            f"{taken}; the total is now {e.total_cents} cents{refund}"
        )
    if kind == "OrderLinesReturned":
        lines = ", ".join(f"{line['quantity']} x {line['sku']} (refund {line['refund_cents']} cents)" for line in e.lines)
        return "RETURNED", e.store_id, f"return {e.return_id} at store {e.store_id}: {lines}; the units back on hand there"
    if kind == "ShipmentAttributed":
        return "ATTRIBUTED", e.store_id, (
            f"the shipment from store {e.store_id} attributed: sold by {e.attribution['seller']}, "
            f"fulfilled by {e.attribution['fulfiller']}"
        )
    if kind == "AttributionReversed":
        return "ATTRIBUTION_REVERSED", "", f"the attribution of what return {e.return_id} gave back reversed"
    return kind, "", kind
