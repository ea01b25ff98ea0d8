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

from aggregates.ledger_period import LedgerPeriod
from aggregates.order import Order
from aggregates.settlement import Settlement
from domain.settlements import SETTLEMENT, first_open, month_of
from domain.values import epoch_us
from projections.dealer_ledger.tables import attributions, closed_months, entries
from projections.runtime.database import in_chunks
from projections.runtime.moments import moment_of

NAME = "dealer_ledger"
TOPICS = tuple(sorted(get_topic(cls) for cls in (
    Order.ShipmentAttributed, Order.AttributionReversed, Settlement.SettlementRecorded, LedgerPeriod.PeriodClosed,
)))


def entry_id(order_id: str, event_version: int, index: int) -> str:
    return f"{order_id}:{event_version}:{index}"


def settlement_entry_id(reference: str) -> str:
    return f"settlement:{reference}"


def _months(own: str, closed: set[str]) -> dict[str, Any]:
    """The statement month of an entry of month `own`, and the closed month it adjusts."""
    shown = first_open(own, closed)
    return {"statement_month": shown, "adjusts_month": own if shown != own else None}


def _settlement_row(notification_id: int, event: Any, closed: set[str]) -> dict[str, Any]:
    moment, terms = moment_of(event), event.terms
    return {
        "entry_id": settlement_entry_id(event.reference), "notification_id": notification_id,
        "occurred_at_us": epoch_us(moment), "occurred_at": moment, "order_id": "", "event_version": event.originator_version,
        "entry_index": 0, "line": "", "store_id": "", "kind": SETTLEMENT, "reversal": False, "return_id": None,
        "debit": terms["from_party"], "credit": terms["to_party"], "amount_cents": int(terms["amount_cents"]),
        "brand_id": "", "policy_version": 0, "reference": event.reference, **_months(terms["month"], closed),
    }


def _entry_row(
    notification_id: int, event: Any, index: int, entry: dict[str, Any], store_id: str, brand: tuple[str, int], closed: set[str],
) -> dict[str, Any]:
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
        "reference": None,
        **_months(month_of(moment), closed),
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
    # closed before this batch, and as the batch closes them: an entry after a close in the
    # log's order is recorded after it
    closed = set(connection.execute(select(closed_months.c.month)).scalars())
    entry_rows, attribution_rows, closed_rows = [], [], []
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
            entry_rows += [_entry_row(notification_id, e, i, entry, e.store_id, brand, closed) for i, entry in enumerate(a["entries"])]
        elif isinstance(e, Order.AttributionReversed):
            for i, entry in enumerate(e.entries):
                key = (order_id, entry["store_id"])
                if key not in brands:
                    raise LookupError(f"order {order_id}: return {e.return_id!r} reverses shipment {entry['store_id']!r}, never attributed")
                entry_rows.append(_entry_row(notification_id, e, i, entry, entry["store_id"], brands[key], closed))
        elif isinstance(e, Settlement.SettlementRecorded):
            entry_rows.append(_settlement_row(notification_id, e, closed))
        elif isinstance(e, LedgerPeriod.PeriodClosed) and e.month not in closed:
            closed.add(e.month)
            closed_rows.append({"month": e.month, "notification_id": notification_id, "closed_at_us": epoch_us(moment_of(e))})
    if attribution_rows:
        connection.execute(attributions.insert(), attribution_rows)
    if entry_rows:
        connection.execute(entries.insert(), entry_rows)
    if closed_rows:
        connection.execute(closed_months.insert(), closed_rows)
