"""Recomputes every national stock figure from the event store, independently of the
incremental projection, and lists where the tables differ.

The recomputation is deliberately the simple way: fold every position to its final figures,
take each store's final location, then sum. It shares only `stock_change` (what an event does
to a position) and `available_units` with the projection. It reads the tables and their
position in one snapshot and recomputes up to exactly that position, so it can run beside a
live runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from aggregates.stock_position import StockPosition, stock_change
from aggregates.store import Store
from domain.values import available_units
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
    positions: dict[Any, list] = {}  # aggregate id -> [store_id, sku, on_hand, reserved, safety_stock, in_transit, expected]
    where: dict[str, tuple[str, str, str]] = {}  # store id -> (province, city, dealer)
    store_ids: dict[Any, str] = {}
    for e in events_up_to(event_log, position):
        if isinstance(e, Store.StoreRegistered):
            store_ids[e.originator_id] = e.store_id
        if isinstance(e, (Store.StoreRegistered, Store.StoreDetailsChanged)):
            d = e.details
            where[store_ids[e.originator_id]] = (d["province"], d["city"], d["dealer_id"] or HQ_DEALER)
        elif isinstance(e, StockPosition.StockPositionOpened):
            positions[e.originator_id] = [e.store_id, e.sku, 0, 0, 0, 0, 0]
        elif isinstance(e, StockPosition.Event):
            change = stock_change(e)
            figures = positions[e.originator_id]
            figures[2] += change.on_hand
            figures[3] += change.reserved
            figures[4] += change.safety_stock
            figures[5] += change.in_transit
            figures[6] += change.expected

    rows: Rows = {}
    for aggregate_id, (store_id, sku, on_hand, reserved, safety_stock, in_transit, expected) in positions.items():
        values = (on_hand, reserved, safety_stock, available_units(on_hand, reserved, safety_stock), in_transit, expected)
        rows[("stock_by_store", str(aggregate_id), store_id, sku)] = (1, *values)
        province, city, dealer = where.get(store_id, (UNREGISTERED, UNREGISTERED, UNREGISTERED))
        located = {"province": province, "city": city, "dealer": dealer}
        for level in LEVELS:
            key = (level.table.name, *(located[k] for k in level.keys), sku)
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
