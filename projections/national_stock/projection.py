"""The national stock count: per SKU on hand, reserved, safety stock, available and in
transit, for the country and by province, city, dealer and store, folded from the events.

Figures come only from StockPosition events through `stock_change`; where a position is
comes from its store's registration and details. Available is kept per position
(max(0, on hand - reserved - safety stock)) and every breakdown sums the positions'
available: summing on hand and reserved first would let one store's negative cancel
another's stock. When a store moves (province, city or dealer changes) its positions'
figures move from the old breakdown rows to the new ones, so every breakdown always sums to
the national figure. A row every position has left stays, with 0 positions and 0 figures, so
a watcher sees it emptied; readers skip such rows.

`apply_batch` applies one batch of events inside the caller's transaction: it loads the rows
the batch touches, folds the events in order in memory and writes the differences. The
caller writes the tracking position in the same transaction (the projection runner).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from aggregates.stock_position import NO_CHANGE, StockPosition, stock_change
from aggregates.store import Store
from domain.stores import STORE
from domain.values import available_units
from projections.national_stock.tables import FIGURES, HQ_DEALER, LEVELS, UNREGISTERED, Level, by_store, stores
from projections.runtime.database import in_chunks

NAME = "national_stock"


@dataclass(frozen=True)
class Location:
    province: str
    city: str
    dealer: str
    kind: str = STORE

    def key(self, level: Level, sku: str) -> tuple[str, ...]:
        return (*(getattr(self, k) for k in level.keys), sku)


NOWHERE = Location(UNREGISTERED, UNREGISTERED, UNREGISTERED)


def location_of(details: dict[str, Any]) -> Location:
    return Location(details["province"], details["city"], details["dealer_id"] or HQ_DEALER, details.get("kind", STORE))


@dataclass
class Position:
    store_id: str
    sku: str
    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0
    in_transit: int = 0
    expected: int = 0  # announced to come (expected receipts)
    stored: bool = False  # a row exists already (update) or not (insert)

    @property
    def available(self) -> int:
        return available_units(self.on_hand, self.reserved, self.safety_stock)

    def figures(self) -> tuple[int, ...]:
        """In the order of FIGURES."""
        return (self.on_hand, self.reserved, self.safety_stock, self.available, self.in_transit, self.expected)


@dataclass
class Fold:
    """The rows one batch touches, and what it does to the breakdowns."""

    positions: dict[UUID, Position] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)  # store id -> where it is
    store_ids: dict[UUID, str] = field(default_factory=dict)  # Store aggregate id -> store id
    changed_positions: set[UUID] = field(default_factory=set)
    changed_stores: set[str] = field(default_factory=set)
    # (location, sku) -> [positions, *FIGURES];
    # spread over the breakdown levels only when written
    deltas: dict[tuple[Location, str], list[int]] = field(default_factory=dict)

    def add(self, location: Location, sku: str, positions: int, figures: Sequence[int], sign: int = 1) -> None:
        row = self.deltas.get((location, sku))
        if row is None:
            row = self.deltas[(location, sku)] = [0] * (1 + len(FIGURES))
        row[0] += positions * sign
        for i, value in enumerate(figures, start=1):
            row[i] += value * sign

    def level_deltas(self, level: Level) -> dict[tuple[str, ...], list[int]]:
        rows: dict[tuple[str, ...], list[int]] = {}
        for (location, sku), delta in self.deltas.items():
            row = rows.setdefault(location.key(level, sku), [0] * (1 + len(FIGURES)))
            for i, value in enumerate(delta):
                row[i] += value
        return rows

    def location(self, store_id: str) -> Location:
        return self.locations.get(store_id, NOWHERE)


def _position_from_row(row: Any) -> Position:
    return Position(row.store_id, row.sku, row.on_hand, row.reserved, row.safety_stock, row.in_transit, row.expected, stored=True)


def _load(connection: Connection, fold: Fold, events: Sequence[tuple[int, Any]]) -> None:
    position_ids = sorted({str(e.originator_id) for _, e in events if isinstance(e, StockPosition.Event)})
    for chunk in in_chunks(position_ids):
        for row in connection.execute(select(by_store).where(by_store.c.position_id.in_(chunk))):
            fold.positions[UUID(row.position_id)] = _position_from_row(row)
    store_ids = {p.store_id for p in fold.positions.values()}
    store_ids |= {e.store_id for _, e in events if isinstance(e, (StockPosition.StockPositionOpened, Store.StoreRegistered))}
    aggregate_ids = sorted({str(e.originator_id) for _, e in events if isinstance(e, Store.StoreDetailsChanged)})
    rows = []
    for chunk in in_chunks(sorted(store_ids)):
        rows += connection.execute(select(stores).where(stores.c.store_id.in_(chunk))).all()
    for chunk in in_chunks(aggregate_ids):
        rows += connection.execute(select(stores).where(stores.c.aggregate_id.in_(chunk))).all()
    for row in rows:
        fold.locations[row.store_id] = Location(row.province, row.city, row.dealer, row.kind)
        fold.store_ids[UUID(row.aggregate_id)] = row.store_id


def _move_store(connection: Connection, fold: Fold, store_id: str, old: Location, new: Location) -> None:
    """Every position of the store leaves the old breakdown rows for the new ones."""
    for row in connection.execute(select(by_store).where(by_store.c.store_id == store_id)):
        fold.positions.setdefault(UUID(row.position_id), _position_from_row(row))
    for position in fold.positions.values():
        if position.store_id == store_id:
            fold.add(old, position.sku, 1, position.figures(), sign=-1)
            fold.add(new, position.sku, 1, position.figures())


def _apply(connection: Connection, fold: Fold, e: Any) -> None:
    if isinstance(e, (Store.StoreRegistered, Store.StoreDetailsChanged)):
        store_id = e.store_id if isinstance(e, Store.StoreRegistered) else fold.store_ids[e.originator_id]
        fold.store_ids[e.originator_id] = store_id
        old, new = fold.location(store_id), location_of(e.details)
        if (old.province, old.city, old.dealer) != (new.province, new.city, new.dealer):
            _move_store(connection, fold, store_id, old, new)
        fold.locations[store_id] = new
        fold.changed_stores.add(store_id)
    elif isinstance(e, StockPosition.StockPositionOpened):
        fold.positions[e.originator_id] = Position(e.store_id, e.sku)
        fold.changed_positions.add(e.originator_id)
        fold.add(fold.location(e.store_id), e.sku, 1, (0,) * len(FIGURES))
    elif isinstance(e, StockPosition.Event):
        change = stock_change(e)
        if change is NO_CHANGE:
            return
        position = fold.positions[e.originator_id]
        before = position.figures()
        position.on_hand += change.on_hand
        position.reserved += change.reserved
        position.safety_stock += change.safety_stock
        position.in_transit += change.in_transit
        position.expected += change.expected
        difference = [after - was for after, was in zip(position.figures(), before)]
        fold.add(fold.location(position.store_id), position.sku, 0, difference)
        fold.changed_positions.add(e.originator_id)


def _insert(connection: Connection):
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)


def _write(connection: Connection, fold: Fold, end: int) -> None:
    insert = _insert(connection)
    store_rows = []
    aggregate_ids = {store_id: str(aggregate_id) for aggregate_id, store_id in fold.store_ids.items()}
    for store_id in sorted(fold.changed_stores):
        where = fold.locations[store_id]
        store_rows.append({
            "store_id": store_id, "aggregate_id": aggregate_ids[store_id],
            "province": where.province, "city": where.city, "dealer": where.dealer, "kind": where.kind,
        })
    if store_rows:
        statement = insert(stores)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[stores.c.store_id],
            set_={c: statement.excluded[c] for c in ("province", "city", "dealer", "kind")},
        ), store_rows)

    new_rows, changed_rows = [], []
    for position_id in sorted(fold.changed_positions, key=str):
        position = fold.positions[position_id]
        row = dict(zip(FIGURES, position.figures()), updated_position=end)
        if position.stored:
            changed_rows.append({"b_position_id": str(position_id), **row})
        else:
            new_rows.append({"position_id": str(position_id), "store_id": position.store_id, "sku": position.sku, **row})
    if new_rows:
        connection.execute(by_store.insert(), new_rows)
    if changed_rows:
        connection.execute(
            update(by_store).where(by_store.c.position_id == bindparam("b_position_id"))
            .values({name: bindparam(name) for name in (*FIGURES, "updated_position")}),
            changed_rows,
        )

    for level in LEVELS:
        rows = []
        # a row is written even when the batch's changes cancel out (a store that came and
        # went): which rows exist must not depend on how the events were cut into batches
        for key, (positions, *figures) in fold.level_deltas(level).items():
            rows.append({
                **dict(zip((*level.keys, "sku"), key)), "positions": positions,
                **dict(zip(FIGURES, figures)), "updated_position": end,
            })
        if not rows:
            continue
        rows.sort(key=lambda r: tuple(r[k] for k in (*level.keys, "sku")))  # a stable lock order
        table = level.table
        statement = insert(table)
        additive = {name: table.c[name] + statement.excluded[name] for name in ("positions", *FIGURES)}
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c[k] for k in (*level.keys, "sku")],
            set_={**additive, "updated_position": statement.excluded.updated_position},
        ), rows)


def apply_batch(connection: Connection, events: Sequence[tuple[int, Any]], end: int) -> None:
    """Applies the events (notification id order) to the tables; `end` is the position the
    batch reaches, recorded on every row it changes."""
    if not events:
        return
    fold = Fold()
    _load(connection, fold, events)
    for _, e in events:
        _apply(connection, fold, e)
    _write(connection, fold, end)
