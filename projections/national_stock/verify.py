"""Recomputes every national stock figure from the event store, independently of the
incremental projection, and lists where the tables differ.

The recomputation is deliberately the simple way: replay every stock position from its own
events, take each store's final location, then sum. A position's figures are its own state
(on hand, reserved, safety stock, in transit, expected: what its rules decide reservations
on), not what `stock_change` says each event did, so an error in the projection's arithmetic
cannot agree with itself here; only `available_units` is shared. It reads the tables and their
position in one snapshot and recomputes up to exactly that position, so it can run beside a
live runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Verification, events_up_to
from projections.national_stock.projection import NAME
from projections.runtime.database import tracking
from projections.national_stock.tables import FIGURES, HQ_DEALER, LEVELS, UNREGISTERED, by_store

Rows = dict[tuple[str, ...], tuple[int, ...]]  # (table, *key) -> (positions, *figures)


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[str, ...]
    expected: tuple[int, ...] | None  # None: the row should not exist
    found: tuple[int, ...] | None  # None: the row is missing

    def __str__(self) -> str:
        columns = ("positions", *FIGURES)
        show = lambda v: "missing" if v is None else ", ".join(f"{c} {x}" for c, x in zip(columns, v))  # noqa: E731
        return f"{self.table} {'/'.join(self.key)}: expected {show(self.expected)}; found {show(self.found)}"


def recompute(event_log: EventLog, position: int) -> Rows:
    """Every row the tables should hold after applying the events up to `position`."""
    stock: dict[Any, StockPosition] = {}  # aggregate id -> the position replayed so far
    where: dict[str, tuple[str, str, str]] = {}  # store id -> (province, city, dealer)
    store_ids: dict[Any, str] = {}
    for e in events_up_to(event_log, position):
        if isinstance(e, Store.StoreRegistered):
            store_ids[e.originator_id] = e.store_id
        if isinstance(e, (Store.StoreRegistered, Store.StoreDetailsChanged)):
            d = e.details
            where[store_ids[e.originator_id]] = (d["province"], d["city"], d["dealer_id"] or HQ_DEALER)
        elif isinstance(e, StockPosition.StockPositionOpened):
            stock[e.originator_id] = e.mutate(None)
        elif isinstance(e, StockPosition.Event):
            e.mutate(stock[e.originator_id])

    rows: Rows = {}
    for aggregate_id, replayed in stock.items():
        values = (
            replayed.on_hand, replayed.reserved, replayed.safety_stock, replayed.available,
            replayed.in_transit_units, replayed.expected_units,
        )
        rows[("stock_by_store", str(aggregate_id), replayed.store_id, replayed.sku)] = (1, *values)
        province, city, dealer = where.get(replayed.store_id, (UNREGISTERED, UNREGISTERED, UNREGISTERED))
        located = {"province": province, "city": city, "dealer": dealer}
        for level in LEVELS:
            key = (level.table.name, *(located[k] for k in level.keys), replayed.sku)
            total = rows.get(key, (0,) * (1 + len(values)))
            rows[key] = tuple(a + b for a, b in zip(total, (1, *values)))
    return rows


def stored_rows(engine: Engine, projection: str = NAME) -> tuple[int, Rows]:
    """The tables' rows and the position they stand at, read in one snapshot."""
    rows: Rows = {}
    with engine.connect() as connection:
        position = connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()
        for row in connection.execute(select(by_store)):
            rows[("stock_by_store", row.position_id, row.store_id, row.sku)] = (1, *(row._mapping[f] for f in FIGURES))
        for level in LEVELS:
            table = level.table
            for row in connection.execute(select(table)):
                m = row._mapping
                rows[(table.name, *(m[k] for k in level.keys), m["sku"])] = (m["positions"], *(m[f] for f in FIGURES))
    return position, rows


def verify(engine: Engine, event_log: EventLog, projection: str = NAME) -> Verification:
    position, found = stored_rows(engine, projection)
    # a row left by every position (its stores moved away) is kept at zero for watchers
    found = {key: value for key, value in found.items() if any(value)}
    expected = recompute(event_log, position)
    differences = [
        Difference(key[0], key[1:], expected.get(key), found.get(key))
        for key in sorted(expected.keys() | found.keys())
        if expected.get(key) != found.get(key)
    ]
    return Verification(position, len(expected), differences)
