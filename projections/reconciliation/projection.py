"""The reconciliation projection: folds the orders' payments and refunds and the providers'
bill rows (see fold.py) into its tables, inside the runner's transaction that also moves the
tracking position. Refunds and bill rows are inserted, never upserted, so an event applied
twice would fail its batch on a primary key rather than count twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select

from projections.reconciliation.fold import TOPICS, OrderRow, fold, order_ids_needed
from projections.reconciliation.tables import bill_rows, orders, refunds
from projections.runtime.database import in_chunks

NAME = "reconciliation"
__all__ = ["NAME", "TOPICS", "apply_batch"]


def known_orders(connection: Connection, order_ids: Sequence[str]) -> dict[str, OrderRow]:
    found = {}
    for chunk in in_chunks(list(order_ids)):
        for row in connection.execute(select(orders).where(orders.c.order_id.in_(chunk))):
            found[row.order_id] = OrderRow(**row._mapping)
    return found


def apply_batch(connection: Connection, events: Sequence[tuple[int, Any]], end: int) -> None:
    if not events:
        return
    folded = fold(events, known_orders(connection, order_ids_needed(events)))
    new = [folded.orders[order_id].values() for order_id in sorted(folded.placed)]
    # the columns a payment or a cancellation changes; the key is not one of them
    changed = [
        {"key": order_id, "total_cents": row.total_cents, "payment_id": row.payment_id, "payment_cents": row.payment_cents,
         "paid_at_us": row.paid_at_us}
        for order_id, row in sorted(folded.orders.items()) if order_id not in folded.placed
    ]
    if new:
        connection.execute(orders.insert(), new)
    if changed:
        connection.execute(orders.update().where(orders.c.order_id == bindparam("key")), changed)
    if folded.refunds:
        connection.execute(refunds.insert(), folded.refunds)
    if folded.bill_rows:
        connection.execute(bill_rows.insert(), folded.bill_rows)
