"""Reading the order list: one page of the orders a query selects, newest first, and what a
query needs to know of a store. Callers read inside one transaction of the read engine, so
the rows and the position they report come from one snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, or_, select

from projections.order_list.tables import NAME, orders, shipments, stores
from projections.runtime.database import tracking


@dataclass(frozen=True)
class Selection:
    """What a query selects; empty fields select everything. `start_us`/`end_us`: when the
    order was placed, [start, end) in UTC microseconds, only with a store."""

    customer_id: str = ""
    store_id: str = ""
    status: str = ""
    start_us: int | None = None
    end_us: int | None = None


@dataclass(frozen=True)
class ListedOrder:
    order_id: str
    customer_id: str
    status: str
    mode: str
    placed_at_us: int
    total_cents: int
    currency: str
    paid: bool
    promised_by: str
    store_ids: tuple[str, ...]


def position(connection: Connection, projection: str = NAME) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()


def time_zone(connection: Connection, store_id: str) -> str | None:
    """The store's time zone; None for a store the list has not seen registered."""
    return connection.execute(select(stores.c.time_zone).where(stores.c.store_id == store_id)).scalar_one_or_none()


def page(connection: Connection, selection: Selection, after: tuple[int, str] | None, limit: int) -> list[ListedOrder]:
    """Up to `limit` orders of the selection, newest first (then by order id, descending),
    after the (placed_at_us, order_id) `after`."""
    query = select(orders)
    placed_at = orders.c.placed_at_us
    if selection.store_id:
        # one shipment per store and order: the join repeats no order
        query = query.join(shipments, shipments.c.order_id == orders.c.order_id).where(shipments.c.store_id == selection.store_id)
        placed_at = shipments.c.placed_at_us  # the store's index
        if selection.start_us is not None:
            query = query.where(placed_at >= selection.start_us, placed_at < selection.end_us)
    if selection.customer_id:
        query = query.where(orders.c.customer_id == selection.customer_id)
    if selection.status:
        query = query.where(orders.c.status == selection.status)
    if after is not None:
        moment, order_id = after
        query = query.where(or_(placed_at < moment, and_(placed_at == moment, orders.c.order_id < order_id)))
    query = query.order_by(placed_at.desc(), orders.c.order_id.desc()).limit(limit)
    rows = connection.execute(query).all()
    stores_of: dict[str, list[str]] = {r.order_id: [] for r in rows}
    if rows:
        ships = select(shipments.c.order_id, shipments.c.store_id).where(shipments.c.order_id.in_(list(stores_of)))
        for s in connection.execute(ships.order_by(shipments.c.order_id, shipments.c.shipment_index)):
            stores_of[s.order_id].append(s.store_id)
    return [
        ListedOrder(
            r.order_id, r.customer_id, r.status, r.mode, r.placed_at_us, r.total_cents, r.currency, bool(r.paid),
            r.promised_by, tuple(stores_of[r.order_id]),
        )
        for r in rows
    ]
