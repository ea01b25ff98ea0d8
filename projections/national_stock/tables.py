"""The national stock read model's SQL tables.

Plain tables beside the event store (same database, same schema), so any BI tool can query
them. Every figure row carries `updated_position`, the notification id of the batch that last
changed it, which is what WatchStock streams from.

"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table

from projections.runtime.database import create_projection_tables

HQ_DEALER = "HQ"  # the dealer breakdown's name for stores the brand owns (an empty dealer_id)
UNREGISTERED = "(unregistered)"  # province/city/dealer of a store whose registration is not yet seen

metadata = MetaData()

# The schema version of these tables: bump it whenever they change (a column, a width, a table)
# or the meaning of what the projection writes into them does; tables made at another version
# are refused until `omo projections rebuild` makes them anew.
SCHEMA_VERSION = 1

FIGURES = ("on_hand", "reserved", "safety_stock", "available", "in_transit", "expected")


def _figure_columns() -> list[Column]:
    return [Column(name, BigInteger, nullable=False, default=0) for name in FIGURES]


stores = Table(
    "stock_stores", metadata,
    Column("store_id", String(64), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("province", String(200), nullable=False),
    Column("city", String(200), nullable=False),
    Column("dealer", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
)

by_store = Table(
    "stock_by_store", metadata,
    Column("position_id", String(36), primary_key=True),  # the StockPosition aggregate id
    Column("store_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    *_figure_columns(),
    Column("updated_position", BigInteger, nullable=False),
    Index("stock_by_store_store_sku", "store_id", "sku", unique=True),
    Index("stock_by_store_sku", "sku"),
)


@dataclass(frozen=True)
class Level:
    """One breakdown: its table and the location fields that key it (besides the sku)."""

    name: str
    table: Table
    keys: tuple[str, ...]


def _breakdown(name: str, keys: tuple[str, ...]) -> Level:
    table = Table(
        f"stock_{name}", metadata,
        *[Column(k, String(200), primary_key=True) for k in keys],
        Column("sku", String(64), primary_key=True),
        Column("positions", Integer, nullable=False),  # stock positions summed in this row
        *_figure_columns(),
        Column("updated_position", BigInteger, nullable=False),
        Index(f"stock_{name}_sku", "sku"),
    )
    return Level(name, table, keys)


NATIONAL = _breakdown("national", ())
PROVINCE = _breakdown("by_province", ("province",))
CITY = _breakdown("by_city", ("province", "city"))
DEALER = _breakdown("by_dealer", ("dealer",))
LEVELS = (NATIONAL, PROVINCE, CITY, DEALER)
FIGURE_TABLES = (by_store, *(level.table for level in LEVELS))


def create_tables(engine: Engine, projection: str) -> None:
    """Creates them and the projection's tracking row at position 0 in a database without them;
    raises OutdatedTables when they were made at another schema version."""
    create_projection_tables(engine, metadata, projection, SCHEMA_VERSION)