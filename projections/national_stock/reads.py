"""Reading the national stock tables: one SKU with its breakdowns, low stock in a region,
and the rows changed after a position. Callers read inside one transaction of the read
engine, so the figures and the position they report come from one snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Table, select

from projections.national_stock.projection import NAME
from projections.runtime.database import tracking
from projections.national_stock.tables import CITY, DEALER, FIGURES, NATIONAL, PROVINCE, by_store, stores


@dataclass(frozen=True)
class Figures:
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    in_transit: int
    expected: int
    positions: int

    @property
    def incoming(self) -> int:
        """Shipped towards the stores by transfers, and announced to come (expected receipts)."""
        return self.in_transit + self.expected


@dataclass(frozen=True)
class AreaFigures:
    sku: str
    figures: Figures
    province: str = ""
    city: str = ""
    dealer: str = ""
    store_id: str = ""


@dataclass(frozen=True)
class Region:
    """Nothing (national), a province, a province and city, a dealer, or one store."""

    province: str = ""
    city: str = ""
    dealer: str = ""
    store_id: str = ""

    @property
    def is_national(self) -> bool:
        return not (self.province or self.city or self.dealer or self.store_id)

    def describe(self) -> str:
        if self.store_id:
            return f"store {self.store_id!r}"
        if self.dealer:
            return f"dealer {self.dealer!r}"
        if self.city:
            return f"city {self.city!r} in province {self.province!r}"
        return f"province {self.province!r}" if self.province else "the country"


def _table_of(region: Region) -> tuple[Table, dict[str, str]]:
    if region.store_id:
        return by_store, {"store_id": region.store_id}
    if region.dealer:
        return DEALER.table, {"dealer": region.dealer}
    if region.city:
        return CITY.table, {"province": region.province, "city": region.city}
    if region.province:
        return PROVINCE.table, {"province": region.province}
    return NATIONAL.table, {}


def _figures(m) -> Figures:
    return Figures(*(m[f] for f in FIGURES), m["positions"] if "positions" in m else 1)


def _area(table: Table, row) -> AreaFigures:
    m = row._mapping
    keys = {k: m[k] for k in ("province", "city", "dealer", "store_id") if k in m and m[k] is not None}
    return AreaFigures(sku=m["sku"], figures=_figures(m), **keys)


def _select(table: Table):
    if table is by_store:
        # a store's row says where the store is, as the breakdowns do
        return select(by_store, stores.c.province, stores.c.city, stores.c.dealer).select_from(
            by_store.outerjoin(stores, stores.c.store_id == by_store.c.store_id)
        )
    return select(table)


def position(connection: Connection, projection: str = NAME) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()


def national(connection: Connection, sku: str) -> Figures | None:
    row = connection.execute(select(NATIONAL.table).where(NATIONAL.table.c.sku == sku)).first()
    return _figures(row._mapping) if row else None


BREAKDOWNS = {"province": PROVINCE, "city": CITY, "dealer": DEALER}


def breakdown(connection: Connection, by: str, sku: str) -> list[AreaFigures]:
    """One SKU by province, city, dealer or store, ordered by area."""
    if by == "store":
        query = _select(by_store).where(by_store.c.sku == sku).order_by(by_store.c.store_id)
        return [_area(by_store, row) for row in connection.execute(query)]
    level = BREAKDOWNS[by]
    table = level.table
    query = select(table).where(table.c.sku == sku, table.c.positions > 0).order_by(*(table.c[k] for k in level.keys))
    return [_area(table, row) for row in connection.execute(query)]


def region_known(connection: Connection, region: Region) -> bool:
    table, keys = _table_of(region)
    if region.store_id:
        return connection.execute(select(stores.c.store_id).where(stores.c.store_id == region.store_id)).first() is not None \
            or connection.execute(select(by_store.c.sku).where(by_store.c.store_id == region.store_id).limit(1)).first() is not None
    query = select(table.c.sku).where(*(table.c[k] == v for k, v in keys.items()), table.c.positions > 0).limit(1)
    return connection.execute(query).first() is not None


def low_stock(connection: Connection, region: Region, threshold: int, after_sku: str, limit: int) -> list[AreaFigures]:
    table, keys = _table_of(region)
    query = (
        _select(table)
        .where(*(table.c[k] == v for k, v in keys.items()), table.c.available <= threshold, table.c.sku > after_sku)
        .where(*([] if table is by_store else [table.c.positions > 0]))
        .order_by(table.c.sku)
        .limit(limit)
    )
    return [_area(table, row) for row in connection.execute(query)]


def changed_since(connection: Connection, region: Region, sku: str, after_position: int) -> list[AreaFigures]:
    """The watched rows changed by batches after `after_position` (all of them from 0)."""
    table, keys = _table_of(region)
    conditions = [table.c[k] == v for k, v in keys.items()]
    if sku:
        conditions.append(table.c.sku == sku)
    if after_position:
        conditions.append(table.c.updated_position > after_position)
    order = [table.c.sku] + ([table.c.store_id] if table is by_store else [])
    return [_area(table, row) for row in connection.execute(_select(table).where(*conditions).order_by(*order))]
