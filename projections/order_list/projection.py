"""The order list projection: applies a batch of order and store events to its tables.

`apply_batch` runs inside the runner's transaction (which also moves the tracking position):
it loads the orders the batch touches, folds the events in order in memory and writes each
changed order's row and its shipments again, whole, so that a batch leaves the same rows
however the log was cut into batches. A store's registration and every change of its
details record its time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from aggregates.order import CANCELLED, PRE_ORDERED, Order
from aggregates.store import Store
from projections.order_list.fold import STORE_EVENTS, Listed, Shipment, apply
from projections.order_list.tables import NAME, orders, shipments, stores  # noqa: F401 - NAME: the projection's, read here
from projections.runtime.database import in_chunks



def load_orders(connection: Connection, order_ids: Sequence[str]) -> dict[str, Listed]:
    """The stored orders among `order_ids`, with their shipments in order."""
    found: dict[str, Listed] = {}
    for chunk in in_chunks(sorted(order_ids)):
        for r in connection.execute(select(orders).where(orders.c.order_id.in_(chunk))):
            found[r.order_id] = Listed(
                r.order_id, r.customer_id, r.mode, r.placed_at_us, r.total_cents, r.currency, bool(r.paid),
                cancelled=r.status == CANCELLED, pre_ordered=r.status == PRE_ORDERED,
            )
        query = select(shipments).where(shipments.c.order_id.in_(chunk)).order_by(shipments.c.order_id, shipments.c.shipment_index)
        for r in connection.execute(query):
            found[r.order_id].shipments.append(Shipment(r.store_id, r.status, r.promised_by))
    return found


def order_row(order: Listed, position: int) -> dict[str, Any]:
    return {
        "order_id": order.order_id, "customer_id": order.customer_id, "status": order.status, "mode": order.mode,
        "placed_at_us": order.placed_at_us, "total_cents": order.total_cents, "currency": order.currency,
        "paid": order.paid, "promised_by": order.promised_by, "updated_position": position,
    }


def shipment_rows(order: Listed) -> list[dict[str, Any]]:
    return [
        {"order_id": order.order_id, "store_id": s.store_id, "shipment_index": i, "status": s.status,
         "promised_by": s.promised_by, "placed_at_us": order.placed_at_us}
        for i, s in enumerate(order.shipments)
    ]


def _insert(connection: Connection):
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


def _apply_stores(connection: Connection, events: Sequence[tuple[int, Any]]) -> None:
    changed = [e for _, e in events if isinstance(e, STORE_EVENTS)]
    if not changed:
        return
    known: dict[str, str] = {}  # Store aggregate id -> store id
    aggregate_ids = sorted({str(e.originator_id) for e in changed if isinstance(e, Store.StoreDetailsChanged)})
    for chunk in in_chunks(aggregate_ids):
        for r in connection.execute(select(stores.c.aggregate_id, stores.c.store_id).where(stores.c.aggregate_id.in_(chunk))):
            known[r.aggregate_id] = r.store_id
    rows: dict[str, dict[str, str]] = {}
    for e in changed:
        aggregate_id = str(e.originator_id)
        store_id = known[aggregate_id] = e.store_id if isinstance(e, Store.StoreRegistered) else known[aggregate_id]
        rows[store_id] = {"store_id": store_id, "aggregate_id": aggregate_id, "time_zone": e.details["time_zone"]}
    statement = _insert(connection)(stores)
    connection.execute(
        statement.on_conflict_do_update(index_elements=[stores.c.store_id], set_={"time_zone": statement.excluded.time_zone}),
        [rows[k] for k in sorted(rows)],
    )


def apply_batch(connection: Connection, events: Sequence[tuple[int, Any]], end: int) -> None:
    """Applies the events (notification id order); `end` is the position the batch reaches,
    recorded on every order row it changes."""
    if not events:
        return
    _apply_stores(connection, events)
    order_events = [e for _, e in events if isinstance(e, Order.Event)]
    if not order_events:
        return
    placed_here = {str(e.originator_id) for e in order_events if isinstance(e, Order.OrderPlaced)}
    listed = load_orders(connection, sorted({str(e.originator_id) for e in order_events} - placed_here))
    changed = sorted({apply(listed, e) for e in order_events})
    for chunk in in_chunks(changed):
        connection.execute(delete(shipments).where(shipments.c.order_id.in_(chunk)))
    statement = _insert(connection)(orders)
    columns = [c.name for c in orders.columns if c.name != "order_id"]
    connection.execute(
        statement.on_conflict_do_update(index_elements=[orders.c.order_id], set_={c: statement.excluded[c] for c in columns}),
        [order_row(listed[order_id], end) for order_id in changed],
    )
    new_shipments = [row for order_id in changed for row in shipment_rows(listed[order_id])]
    if new_shipments:
        connection.execute(shipments.insert(), new_shipments)
