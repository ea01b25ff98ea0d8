"""Reading the on-time tables: which stores a scope holds, and their days' counts and overdue
shipments in a range of local days. Callers read inside one transaction of the read engine,
so the counts and the position they report come from one snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from domain.dealers import owner_at
from projections.on_time.tables import NAME, OPEN, days, dealers, owners, shipments, stores
from projections.runtime.database import in_chunks, tracking



@dataclass(frozen=True)
class DayCounts:
    store_id: str
    local_day: str  # YYYY-MM-DD
    due: int
    on_time: int
    late: int
    overdue: int  # due and still open past its promise, as of the moment asked


def position(connection: Connection) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == NAME)).scalar_one()


def store_known(connection: Connection, store_id: str) -> bool:
    return connection.execute(select(stores.c.store_id).where(stores.c.store_id == store_id)).first() is not None


def dealer_known(connection: Connection, dealer_id: str) -> bool:
    return connection.execute(select(dealers.c.dealer_id).where(dealers.c.dealer_id == dealer_id)).first() is not None


def stores_of_dealer(connection: Connection, dealer_id: str, now_us: int) -> list[str]:
    """The stores `dealer_id` owns at `now_us` (an ownership may be recorded ahead of its
    effect), by id."""
    candidates = sorted(connection.execute(select(owners.c.store_id).where(owners.c.dealer_id == dealer_id).distinct()).scalars())
    history: dict[str, list[tuple[int, str]]] = {}
    for chunk in in_chunks(candidates):
        query = select(owners).where(owners.c.store_id.in_(chunk)).order_by(owners.c.store_id, owners.c.version)
        for row in connection.execute(query):
            history.setdefault(row.store_id, []).append((row.effective_from_us, row.dealer_id))
    return [store_id for store_id in candidates if owner_at(history[store_id], now_us) == dealer_id]


def every_store(connection: Connection) -> list[str]:
    return list(connection.execute(select(stores.c.store_id).order_by(stores.c.store_id)).scalars())


def stores_in_region(connection: Connection, province: str, city: str = "") -> list[str]:
    query = select(stores.c.store_id).where(stores.c.province == province)
    if city:
        query = query.where(stores.c.city == city)
    return list(connection.execute(query.order_by(stores.c.store_id)).scalars())


def day_counts(connection: Connection, store_ids: Sequence[str], first_day: str, last_day: str, now_us: int) -> list[DayCounts]:
    """The days from `first_day` to `last_day` (inclusive) with a shipment due at one of the
    stores, by store and day; overdue counted as of `now_us`."""
    counted: dict[tuple[str, str], list[int]] = {}
    for chunk in in_chunks(list(store_ids)):
        query = select(days.c.store_id, days.c.local_day, days.c.due, days.c.on_time, days.c.late).where(
            days.c.store_id.in_(chunk), days.c.local_day >= first_day, days.c.local_day <= last_day, days.c.due > 0,
        )
        for row in connection.execute(query):
            counted[(row.store_id, row.local_day)] = [row.due, row.on_time, row.late, 0]
        overdue = (
            select(shipments.c.store_id, shipments.c.local_day, func.count())
            .where(
                shipments.c.status == OPEN, shipments.c.store_id.in_(chunk), shipments.c.local_day >= first_day,
                shipments.c.local_day <= last_day, shipments.c.promised_us < now_us,
            )
            .group_by(shipments.c.store_id, shipments.c.local_day)
        )
        for store_id, day, count in connection.execute(overdue):
            counted[(store_id, day)][3] = int(count)
    return [DayCounts(store_id, day, *(int(v) for v in values)) for (store_id, day), values in sorted(counted.items())]


@dataclass(frozen=True)
class OverdueShipment:
    store_id: str
    order_id: str
    mode: str
    promised_by: str  # as the order recorded it, with the store's offset
    promised_us: int
    local_day: str


def overdue_shipments(
    connection: Connection, store_ids: Sequence[str], first_day: str, last_day: str, now_us: int, limit: int,
) -> list[OverdueShipment]:
    """At most `limit` of the shipments due from `first_day` to `last_day` at the stores and
    still open past their promise as of `now_us`: the most overdue (the earliest promise) first,
    then by store and order."""
    found: list[OverdueShipment] = []
    for chunk in in_chunks(list(store_ids)):
        query = (
            select(shipments.c.store_id, shipments.c.order_id, shipments.c.mode, shipments.c.promised_by,
                   shipments.c.promised_us, shipments.c.local_day)
            .where(
                shipments.c.status == OPEN, shipments.c.store_id.in_(chunk), shipments.c.local_day >= first_day,
                shipments.c.local_day <= last_day, shipments.c.promised_us < now_us,
            )
            .order_by(shipments.c.promised_us, shipments.c.store_id, shipments.c.order_id)
            .limit(limit)
        )
        found += [OverdueShipment(r.store_id, r.order_id, r.mode, r.promised_by, int(r.promised_us), r.local_day) for r in connection.execute(query)]
    # the same order whatever the database's collation, as Python compares the ids
    return sorted(found, key=lambda s: (s.promised_us, s.store_id, s.order_id))[:limit]

