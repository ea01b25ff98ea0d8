"""The national stock read model's SQL tables, and the engines that reach them.

Plain tables beside the event store (same database, same schema), so any BI tool can query
them. Every figure row carries `updated_position`, the notification id of the batch that last
changed it, which is what WatchStock streams from.

SQLite: writes go through an engine whose transactions start with BEGIN IMMEDIATE, so a
writer holds the database's single write lock from its first statement (the position check
included) to its commit; reads use a second engine with ordinary deferred transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table, create_engine, event, text

HQ_DEALER = "HQ"  # the dealer breakdown's name for stores the brand owns (an empty dealer_id)
UNREGISTERED = "(unregistered)"  # province/city/dealer of a store whose registration is not yet seen

metadata = MetaData()

FIGURES = ("on_hand", "reserved", "safety_stock", "available", "in_transit")


def _figure_columns() -> list[Column]:
    return [Column(name, BigInteger, nullable=False, default=0) for name in FIGURES]


tracking = Table(
    "stock_projection_tracking", metadata,
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),  # last notification id applied
    Column("holder", String(80)),  # the runner allowed to write; NULL when none
    Column("lease_until_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
)

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


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


def _sqlite_engine(url: str, begin: str) -> Engine:
    """pysqlite issues no BEGIN before a SELECT; we issue our own, so a transaction is one
    snapshot (reads) or holds the write lock from its first statement (writes)."""
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql(begin)

    return engine


def write_engine(url: str) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url, "BEGIN IMMEDIATE")
    # values_plus_batch: an UPDATE of many rows goes in pages, not one round trip per row
    return create_engine(
        sqlalchemy_url(url), pool_pre_ping=True, pool_size=2, max_overflow=2,
        executemany_mode="values_plus_batch", executemany_batch_page_size=500,
    )


def read_engine(url: str) -> Engine:
    """Each transaction reads one snapshot: figures and the position they stand at agree."""
    if is_sqlite(url):
        return _sqlite_engine(url, "BEGIN")
    return create_engine(
        sqlalchemy_url(url), pool_pre_ping=True, pool_size=4, max_overflow=12, isolation_level="REPEATABLE READ",
    )


def create_tables(engine: Engine, projection: str) -> None:
    """Creates what is missing, and the projection's tracking row at position 0."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # two processes starting at once must not both CREATE TABLE
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.stock_tables'))"))
        metadata.create_all(connection, checkfirst=True)
        found = connection.execute(tracking.select().where(tracking.c.projection == projection)).first()
        if found is None:
            connection.execute(tracking.insert().values(projection=projection, position=0, holder=None, lease_until_ms=0, updated_at_ms=0))
