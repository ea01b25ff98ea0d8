"""What the reconciliation folds from the events, as plain values: shared by the projection
(which writes them to its tables) and its verification (which recomputes them to compare).

From the orders: each order's seller and total, its confirmed payment, and every refund it owes
(a return's lines, a paid order's cancelled lines, a paid order cancelled whole). From the
providers' bills: every row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from aggregates.order import Order
from aggregates.provider_bill import ProviderBill
from projections.runtime.moments import event_us

EVENTS = (
    Order.OrderPlaced, Order.PaymentConfirmed, Order.OrderLinesCancelled, Order.OrderLinesReturned, Order.OrderCancelled,
    ProviderBill.ProviderBillImported,
)
TOPICS = tuple(sorted(get_topic(cls) for cls in EVENTS))


@dataclass
class OrderRow:
    order_id: str
    seller: str
    total_cents: int
    payment_id: str = ""
    payment_cents: int = 0
    paid_at_us: int = 0

    def values(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Folded:
    """A stretch of the log folded onto the orders it starts from."""

    orders: dict[str, OrderRow]  # every order the stretch touched, as it leaves them
    placed: set[str]  # the order ids placed in the stretch
    refunds: list[dict[str, Any]]
    bill_rows: list[dict[str, Any]]


def order_ids_needed(events: Iterable[tuple[int, Any]]) -> list[str]:
    """The orders whose rows a stretch changes without placing them: to be read first."""
    placed, needed = set(), set()
    for _, e in events:
        if isinstance(e, Order.OrderPlaced):
            placed.add(str(e.originator_id))
        elif isinstance(e, Order.Event):
            needed.add(str(e.originator_id))
    return sorted(needed - placed)


def fold(events: Iterable[tuple[int, Any]], known: dict[str, OrderRow]) -> Folded:
    """Applies the events (notification id order) to `known` (order id -> row as it stood)."""
    folded = Folded(dict(known), set(), [], [])
    orders = folded.orders
    for notification_id, e in events:
        order_id = str(e.originator_id)
        if isinstance(e, Order.OrderPlaced):
            orders[order_id] = OrderRow(order_id, (e.sale or {}).get("seller", "HQ"), int(e.total_cents))
            folded.placed.add(order_id)
        elif isinstance(e, Order.PaymentConfirmed):
            order = orders[order_id]
            order.payment_id, order.payment_cents, order.paid_at_us = e.payment_id, int(e.amount_cents), event_us(e)
        elif isinstance(e, Order.OrderLinesCancelled):
            orders[order_id].total_cents = int(e.total_cents)
            if e.refund_cents:
                folded.refunds.append(_refund(notification_id, e, orders[order_id], f"cancellation:{e.cancellation_id}", int(e.refund_cents)))
        elif isinstance(e, Order.OrderLinesReturned):
            amount = sum(int(line["refund_cents"]) for line in e.lines)
            if amount:
                folded.refunds.append(_refund(notification_id, e, orders[order_id], f"return:{e.return_id}", amount))
        elif isinstance(e, Order.OrderCancelled):
            order = orders[order_id]
            if order.payment_id and order.total_cents:  # a paid order cancelled is refunded whole
                folded.refunds.append(_refund(notification_id, e, order, "order_cancelled", order.total_cents))
        elif isinstance(e, ProviderBill.ProviderBillImported):
            folded.bill_rows += [
                {
                    "bill_id": e.bill_id, "row_index": e.first_index + i, "line": row["line"], "dealer_id": e.dealer_id,
                    "at_us": row["at_us"], "payment_id": row["payment_id"], "merchant_order_id": row["merchant_order_id"],
                    "kind": row["kind"], "amount_cents": row["amount_cents"], "fee_cents": row["fee_cents"],
                    "notification_id": notification_id,
                }
                for i, row in enumerate(e.rows)
            ]
    return folded


def _refund(notification_id: int, e: Any, order: OrderRow, reference: str, amount_cents: int) -> dict[str, Any]:
    return {
        "refund_id": f"{order.order_id}:{reference}", "order_id": order.order_id, "seller": order.seller,
        "reference": reference, "amount_cents": amount_cents, "refunded_at_us": event_us(e), "notification_id": notification_id,
    }
