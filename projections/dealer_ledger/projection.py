"""The dealer ledger: every entry of every attribution and reversal, one row each, folded
from the orders' `ShipmentAttributed` and `AttributionReversed` events.

The entries are the events' own (the order decided them, by the policy and owners of its
time); the projection only places them in SQL with where they come from: order, line,
store, event, moment, and the brand and policy version of the attribution they belong to
(a reversal's from its shipment's attribution, recorded in `ledger_attributions`).

`apply_batch` runs inside the runner's transaction, which also moves the tracking
position; rows are inserted, never upserted, so an entry applied twice would fail the
batch on its primary key rather than count twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, select

from aggregates.order import Order
from domain.values import epoch_us
from projections.dealer_ledger.tables import attributions, entries
from projections.runtime.database import in_chunks
from projections.runtime.moments import moment_of

NAME = "dealer_ledger"
TOPICS = tuple(sorted(get_topic(cls) for cls in (Order.ShipmentAttributed, Order.AttributionReversed)))


def entry_id(order_id: str, event_version: int, index: int) -> str:
    return f"{order_id}:{event_version}:{index}"


def _entry_row(notification_id: int, event: Any, index: int, entry: dict[str, Any], store_id: str, brand: tuple[str, int]) -> dict[str, Any]:
    order_id = str(event.originator_id)
    moment = moment_of(event)
    return {
        "entry_id": entry_id(order_id, event.originator_version, index),
        "notification_id": notification_id,
        "occurred_at_us": epoch_us(moment),
        "occurred_at": moment,
        "order_id": order_id,
        "event_version": event.originator_version,
        "entry_index": index,
        "line": entry["line"],
        "store_id": store_id,
        "kind": entry["kind"],
        "reversal": bool(entry["reversal"]),
        "return_id": getattr(event, "return_id", None),
        "debit": entry["debit"],
        "credit": entry["credit"],
        "amount_cents": int(entry["amount_cents"]),
        "brand_id": brand[0],
        "policy_version": brand[1],
    }


def _known_attributions(connection: Connection, events: Sequence[tuple[int, Any]]) -> dict[tuple[str, str], tuple[str, int]]:
    """(order id, store id) -> (brand, policy version) of the attributions this batch's
    reversals refer to that earlier batches recorded."""
    order_ids = sorted({str(e.originator_id) for _, e in events if isinstance(e, Order.AttributionReversed)})
    found = {}
    query = select(attributions.c.order_id, attributions.c.store_id, attributions.c.brand_id, attributions.c.policy_version)
    for chunk in in_chunks(order_ids):
        for row in connection.execute(query.where(attributions.c.order_id.in_(chunk))):
            found[(row.order_id, row.store_id)] = (row.brand_id, row.policy_version)
    return found


def apply_batch(connection: Connection, events: Sequence[tuple[int, Any]], end: int) -> None:
    """Inserts the entries of the batch's events (notification id order)."""
    if not events:
        return
    brands = _known_attributions(connection, events)
    entry_rows, attribution_rows = [], []
    for notification_id, e in events:
        order_id = str(e.originator_id)
        if isinstance(e, Order.ShipmentAttributed):
            a = e.attribution
            brand = brands[(order_id, e.store_id)] = (a["brand_id"], int(a["policy_version"]))
            attribution_rows.append({
                "order_id": order_id, "store_id": e.store_id, "notification_id": notification_id,
                "occurred_at_us": epoch_us(moment_of(e)), "brand_id": brand[0], "policy_version": brand[1],
                "seller": a["seller"], "fulfiller": a["fulfiller"], "assistant": a["assistant"] or "",
            })
            entry_rows += [_entry_row(notification_id, e, i, entry, e.store_id, brand) for i, entry in enumerate(a["entries"])]
        elif isinstance(e, Order.AttributionReversed):
            for i, entry in enumerate(e.entries):
                key = (order_id, entry["store_id"])
                if key not in brands:
                    raise LookupError(f"order {order_id}: return {e.return_id!r} reverses shipment {entry['store_id']!r}, never attributed")
                entry_rows.append(_entry_row(notification_id, e, i, entry, entry["store_id"], brands[key]))
    if attribution_rows:
        connection.execute(attributions.insert(), attribution_rows)
    if entry_rows:
        connection.execute(entries.insert(), entry_rows)
