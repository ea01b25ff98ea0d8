"""Reading the store work tables: a store's shipments in the order they are due, a store's
change log after a position, and every store's changes after a position (the shared feed).
Each read is one short transaction of the caller's; nothing here holds a connection between
calls."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, and_, or_, select

from projections.runtime.database import tracking
from projections.store_work.projection import NAME
from projections.store_work.tables import SHIPMENT_COLUMNS, changes, shipments


@dataclass(frozen=True)
class Shipment:
    order_id: str
    store_id: str
    mode: str
    status: str
    paid: bool
    lines: tuple[tuple[str, int], ...]
    promised_by: str  # RFC 3339 in the store's offset; "" without a promise
    promised_by_us: int | None
    slot: str
    allocated_at_us: int | None
    accepted_at_us: int | None
    picked_at_us: int | None
    handed_over_at_us: int | None
    delivered_at_us: int | None
    position: int  # its last change


@dataclass(frozen=True)
class Change:
    position: int
    kind: str
    shipment: Shipment  # as it stood after the change

    @property
    def store_id(self) -> str:
        return self.shipment.store_id


@dataclass(frozen=True)
class After:
    """Where a page ended: the last shipment's promise (None: it had none) and order id."""

    promised_by_us: int | None
    order_id: str


def position(connection: Connection, projection: str = NAME) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()


def _shipment(row) -> Shipment:
    values = {name: row._mapping[name] for name in SHIPMENT_COLUMNS}
    values["paid"] = bool(values["paid"])
    values["lines"] = tuple((sku, int(units)) for sku, units in json.loads(values["lines"]))
    return Shipment(**values)


def store_shipments(
    connection: Connection, store_id: str, statuses: Iterable[str], due_before_us: int | None, overdue_at_us: int | None,
    after: After | None, limit: int,
) -> list[Shipment]:
    """The store's shipments in `statuses`, promised before `due_before_us` and before
    `overdue_at_us` (each when given), ordered by promise (none last), then order id, after
    `after`."""
    query = select(shipments).where(shipments.c.store_id == store_id, shipments.c.status.in_(sorted(statuses)))
    for bound in (due_before_us, overdue_at_us):
        if bound is not None:
            query = query.where(shipments.c.promised_by_us < bound)
    promise, order_id = shipments.c.promised_by_us, shipments.c.order_id
    if after is not None and after.promised_by_us is None:
        query = query.where(promise.is_(None), order_id > after.order_id)
    elif after is not None:
        query = query.where(or_(
            promise > after.promised_by_us, and_(promise == after.promised_by_us, order_id > after.order_id), promise.is_(None),
        ))
    query = query.order_by(promise.is_(None), promise, order_id).limit(limit)
    return [_shipment(row) for row in connection.execute(query)]


def store_changes(connection: Connection, store_id: str, after_position: int, upto: int | None, limit: int) -> list[Change]:
    """The store's changes after `after_position` (up to `upto`), in log order."""
    query = select(changes).where(changes.c.store_id == store_id, changes.c.position > after_position)
    if upto is not None:
        query = query.where(changes.c.position <= upto)
    return [Change(row.position, row.kind, _shipment(row)) for row in connection.execute(query.order_by(changes.c.position).limit(limit))]


def changes_after(connection: Connection, after_position: int, upto: int, limit: int) -> list[Change]:
    """Every store's changes after `after_position` up to `upto`, in log order (one event's
    changes by store)."""
    query = (
        select(changes).where(changes.c.position > after_position, changes.c.position <= upto)
        .order_by(changes.c.position, changes.c.store_id).limit(limit)
    )
    return [Change(row.position, row.kind, _shipment(row)) for row in connection.execute(query)]
