"""The on-time projection: per store and store-local day, the shipments due, done on time
and late (see `fold` for what counts), with one row per promised shipment and where each
store is and who owns it, folded from the order, store and dealer events.

`apply_batch` runs inside the runner's transaction, which also moves the tracking position:
it loads the shipment rows and order modes of the orders the batch touches, folds the order
events in memory, then writes the changed shipments and adds the differences to the days'
counts. Store and dealer events (rare) are written as they come.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from aggregates.dealer import Dealer
from aggregates.store import Store
from projections.on_time.fold import ORDER_EVENTS, Fold, Shipment
from projections.on_time.tables import NAME, days, dealers, orders, owners, shipments, stores
from projections.runtime.database import in_chunks

STORE_EVENTS = (Store.StoreRegistered, Store.StoreDetailsChanged, Store.StoreOwnerChanged, Dealer.DealerRegistered)
TOPICS = tuple(sorted(get_topic(cls) for cls in (*ORDER_EVENTS, *STORE_EVENTS)))
SHIPMENT_FIELDS = tuple(Shipment.__dataclass_fields__)

__all__ = ["NAME", "TOPICS", "apply_batch"]


def shipment_of(row: Any) -> Shipment:
    return Shipment(*(row._mapping[f] for f in SHIPMENT_FIELDS))


def _load(connection: Connection, events: Sequence[tuple[int, Any]]) -> Fold:
    order_ids = sorted({str(e.originator_id) for _, e in events if isinstance(e, ORDER_EVENTS)})
    by_order: dict[str, dict[str, Shipment]] = {}
    modes: dict[str, str] = {}
    for chunk in in_chunks(order_ids):
        for row in connection.execute(select(shipments).where(shipments.c.order_id.in_(chunk))):
            by_order.setdefault(row.order_id, {})[row.store_id] = shipment_of(row)
        for row in connection.execute(select(orders).where(orders.c.order_id.in_(chunk))):
            modes[row.order_id] = row.mode
    return Fold(by_order, modes)


def _store_event(connection: Connection, e: Any) -> None:
    if isinstance(e, Dealer.DealerRegistered):
        connection.execute(dealers.insert().values(dealer_id=e.dealer_id))
        return
    aggregate_id = str(e.originator_id)
    if isinstance(e, Store.StoreRegistered):
        d = e.details
        connection.execute(stores.insert().values(store_id=e.store_id, aggregate_id=aggregate_id, province=d["province"], city=d["city"]))
        connection.execute(owners.insert().values(store_id=e.store_id, version=e.originator_version, effective_from_us=0, dealer_id=d["dealer_id"]))
    elif isinstance(e, Store.StoreDetailsChanged):
        d = e.details
        connection.execute(update(stores).where(stores.c.aggregate_id == aggregate_id).values(province=d["province"], city=d["city"]))
    elif isinstance(e, Store.StoreOwnerChanged):
        store_id = connection.execute(select(stores.c.store_id).where(stores.c.aggregate_id == aggregate_id)).scalar_one()
        connection.execute(owners.insert().values(
            store_id=store_id, version=e.originator_version, effective_from_us=e.effective_from_us, dealer_id=e.dealer_id,
        ))


def _insert(connection: Connection):
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


def _write(connection: Connection, fold: Fold, end: int) -> None:
    insert = _insert(connection)
    if fold.placed:
        # inserted, never upserted: an order applied twice fails the batch rather than passing
        connection.execute(orders.insert(), [{"order_id": o, "mode": m} for o, m in sorted(fold.placed.items())])
    rows = [
        {**fold.by_order[order_id][store_id].__dict__, "updated_position": end}
        for order_id, store_id in sorted(fold.changed)
    ]
    if rows:
        statement = insert(shipments)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[shipments.c.order_id, shipments.c.store_id],
            set_={c: statement.excluded[c] for c in (*SHIPMENT_FIELDS[2:], "updated_position")},
        ), rows)
    # a row is written even when the batch's changes cancel out (placed and cancelled in it):
    # which rows exist must not depend on how the events were cut into batches
    day_rows = [
        {"store_id": store_id, "local_day": day, "due": due, "on_time": on_time, "late": late, "updated_position": end}
        for (store_id, day), (due, on_time, late) in sorted(fold.deltas.items())  # sorted: a stable lock order
    ]
    if day_rows:
        statement = insert(days)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[days.c.store_id, days.c.local_day],
            set_={
                **{c: days.c[c] + statement.excluded[c] for c in ("due", "on_time", "late")},
                "updated_position": statement.excluded.updated_position,
            },
        ), day_rows)


def apply_batch(connection: Connection, events: Sequence[tuple[int, Any]], end: int) -> None:
    """Applies the events (notification id order); `end` is the position the batch reaches."""
    if not events:
        return
    fold = _load(connection, events)
    for _, e in events:
        if isinstance(e, STORE_EVENTS):
            _store_event(connection, e)
        elif isinstance(e, ORDER_EVENTS):
            fold.apply(e)
    _write(connection, fold, end)
