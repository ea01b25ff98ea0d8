"""The engines that reach the projections' tables, and the tracking table every projection
keeps its position and its writer's lease in.

SQLite: writes go through an engine whose transactions start with BEGIN IMMEDIATE, so a
writer holds the database's single write lock from its first statement (the position check
included) to its commit; reads use a second engine with ordinary deferred transactions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import logging

from sqlalchemy import BigInteger, Column, Connection, Engine, MetaData, String, Table, create_engine, event, inspect, text

log = logging.getLogger("omo.projection")

metadata = MetaData()

tracking = Table(
    "stock_projection_tracking", metadata,  # named when it served the national stock alone
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),  # last notification id applied
    Column("holder", String(80)),  # the runner allowed to write; NULL when none
    Column("lease_until_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


def libpq_url(url: str) -> str:
    """A postgresql+psycopg2:// URL as psycopg2.connect (libpq) takes it."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


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
    # values_plus_batch: an UPDATE of many rows goes in pages, not one round trip per row.
    # No ping before each checkout: its writers are runners that retry a failed batch, and a
    # dropped connection fails one batch at most (SQLAlchemy empties the pool on a disconnect)
    return create_engine(
        sqlalchemy_url(url), pool_size=2, max_overflow=2,
        executemany_mode="values_plus_batch", executemany_batch_page_size=500,
    )


def read_engine(url: str) -> Engine:
    """Each transaction reads one snapshot: figures and the position they stand at agree."""
    if is_sqlite(url):
        return _sqlite_engine(url, "BEGIN")
    return create_engine(
        sqlalchemy_url(url), pool_pre_ping=True, pool_size=4, max_overflow=12, isolation_level="REPEATABLE READ",
    )


def create_projection_tables(engine: Engine, tables: MetaData, projection: str) -> None:
    """Creates the tracking table and the projection's `tables` where missing, and the
    projection's tracking row at position 0. Tables written by an earlier version that lack a
    column this one writes (a figure added), or hold a text column narrower than it now is (a
    longer status), are dropped and made again, and the projection
    starts again from position 0: a read model is rebuilt from the events, never migrated."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # two processes starting at once must not both CREATE TABLE; one lock for every
            # projection, as they share the tracking table
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.stock_tables'))"))
        tracking.create(connection, checkfirst=True)
        if outdated := _outdated_tables(connection, tables):
            log.warning("%s: %s lack columns this version writes (or hold them narrower); rebuilding the projection from the first event", projection, ", ".join(outdated))
            tables.drop_all(connection, checkfirst=True)
            connection.execute(tracking.update().where(tracking.c.projection == projection).values(position=0))
        tables.create_all(connection, checkfirst=True)
        found = connection.execute(tracking.select().where(tracking.c.projection == projection)).first()
        if found is None:
            connection.execute(tracking.insert().values(projection=projection, position=0, holder=None, lease_until_ms=0, updated_at_ms=0))


def _outdated_tables(connection: Connection, tables: MetaData) -> list[str]:
    inspector = inspect(connection)
    outdated = []
    for table in tables.sorted_tables:
        if inspector.has_table(table.name):
            present = {column["name"]: column["type"] for column in inspector.get_columns(table.name)}
            if any(column.name not in present or _narrower(present[column.name], column.type) for column in table.columns):
                outdated.append(table.name)
    return outdated


def _narrower(found: Any, wanted: Any) -> bool:
    """A text column the database holds shorter than the table now declares (a status that
    gained a longer value)."""
    found_length, wanted_length = getattr(found, "length", None), getattr(wanted, "length", None)
    return found_length is not None and wanted_length is not None and found_length < wanted_length


IN_LIST = 500  # values per IN (...) list: well inside every database's limit on parameters


def in_chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """`values` a list at a time, for queries that select by IN (...)."""
    for i in range(0, len(values), IN_LIST):
        yield values[i:i + IN_LIST]
