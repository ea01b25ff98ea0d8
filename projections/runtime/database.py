"""The engines that reach the projections' tables, and the tracking table every projection
keeps its position, its writer's lease and its tables' schema version in.

Schema versions: each projection declares the version of its tables (and of what their rows
mean). Tables made at another version are refused (OutdatedTables), never read nor dropped on
the quiet; `omo projections rebuild` makes them anew (remake_projection_tables) and replays.

SQLite: writes go through an engine whose transactions start with BEGIN IMMEDIATE, so a
writer holds the database's single write lock from its first statement (the position check
included) to its commit; reads use a second engine with ordinary deferred transactions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger, Column, Connection, Engine, Integer, MetaData, String, Table, create_engine, event, inspect, select, text,
)

metadata = MetaData()

tracking = Table(
    "stock_projection_tracking", metadata,  # named when it served the national stock alone
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),  # last notification id applied
    Column("holder", String(80)),  # the runner allowed to write; NULL when none
    Column("lease_until_ms", BigInteger, nullable=False),
    Column("updated_at_ms", BigInteger, nullable=False),
    # the projection's schema version its tables were made at; NULL (or a table without this
    # column) when they were made before versions were kept
    Column("schema_version", Integer),
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


@dataclass(frozen=True)
class OtherVersion:
    """A projection whose tables were made at another schema version than the one this code
    reads, or at the same one but laid out otherwise."""

    projection: str
    found: int | None  # None: made before versions were kept (or tables without a tracking row)
    wanted: int
    differences: tuple[str, ...] = ()  # how the tables differ from what this version makes

    def __str__(self) -> str:
        if self.found is not None:
            found = f"schema version {self.found}"
        else:
            found = "no schema version" if self.differences else "no schema version (made by an older version)"
        differing = f", but {', '.join(self.differences)}" if self.differences else ""
        return f"{self.projection} at {found}, wanted {self.wanted}{differing}"


class OutdatedTables(Exception):
    """Tables this version would misread: refused, never read nor adapted, until a rebuild
    makes them anew. The message is one line an operator can act on."""

    def __init__(self, others: Sequence[OtherVersion]):
        self.others = tuple(others)
        names = [other.projection for other in self.others]
        rebuild = (
            f"run `omo projections rebuild --projection {names[0]}`" if len(names) == 1 else
            "run `omo projections rebuild --projection NAME` for each of them (`omo projections rebuild` rebuilds every projection)"
        )
        super().__init__(
            f"projection tables of another schema version: {'; '.join(map(str, self.others))}; {rebuild}, "
            "which makes the tables anew and applies every event again, then start again"
        )


def create_projection_tables(engine: Engine, tables: MetaData, projection: str, version: int) -> None:
    """Creates the tracking table and the projection's `tables` when the database has none of
    them yet, with the projection's tracking row at position 0 and schema `version`. Tables made
    at another version, or lacking a column this version writes, or holding a text column
    narrower than it now is, raise OutdatedTables: a read model is rebuilt from the events on
    the operator's word (remake_projection_tables), never migrated nor silently dropped."""
    with engine.begin() as connection:
        _lock_table_making(connection)
        if (other := schema_mismatch(connection, tables, projection, version)) is not None:
            raise OutdatedTables([other])
        _make_tracking(connection)
        tables.create_all(connection, checkfirst=True)
        if connection.execute(select(tracking.c.projection).where(tracking.c.projection == projection)).first() is None:
            _add_tracking_row(connection, projection, version)


def remake_projection_tables(connection: Connection, tables: MetaData, projection: str, version: int) -> None:
    """Drops the projection's tables and makes them anew at schema `version`, its tracking row
    back at position 0, in the caller's transaction (which goes on to take the lease); whatever
    version or layout they had before."""
    _lock_table_making(connection)
    _make_tracking(connection)
    query = select(tracking.c.projection).where(tracking.c.projection == projection)
    if connection.dialect.name == "postgresql":
        # a runner's batch holds this row from its claim to its commit: wait for it before
        # dropping the tables it writes
        query = query.with_for_update()
    if connection.execute(query).first() is None:
        _add_tracking_row(connection, projection, version)
    else:
        connection.execute(
            tracking.update().where(tracking.c.projection == projection).values(position=0, schema_version=version)
        )
    tables.drop_all(connection, checkfirst=True)
    tables.create_all(connection)


NO_ROW: Any = object()  # a projection the tracking table has no row for


def schema_mismatch(connection: Connection, tables: MetaData, projection: str, version: int) -> OtherVersion | None:
    """How the projection's tables differ from schema `version`, or None when they are at it
    (or not made yet: a new database, or a projection this version adds). Only reads."""
    inspector = inspect(connection)
    made = [table.name for table in tables.sorted_tables if inspector.has_table(table.name)]
    found = found_schema_version(connection, projection)
    if found is NO_ROW:
        # tables with no position to say what they hold
        return OtherVersion(projection, None, version, ("its tables have no tracking row",)) if made else None
    if found != version:
        return OtherVersion(projection, found, version)
    differences = _layout_differences(connection, tables)
    return OtherVersion(projection, found, version, tuple(differences)) if differences else None


def found_schema_version(connection: Connection, projection: str) -> Any:
    """The schema version the projection's tracking row records: None when made before versions
    were kept, NO_ROW when it has no row (or there is no tracking table)."""
    inspector = inspect(connection)
    if not inspector.has_table(tracking.name):
        return NO_ROW
    versioned = _tracking_versioned(inspector)
    columns = [tracking.c.projection, *([tracking.c.schema_version] if versioned else [])]
    row = connection.execute(select(*columns).where(tracking.c.projection == projection)).first()
    if row is None:
        return NO_ROW
    return row.schema_version if versioned else None


def _lock_table_making(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # two processes starting at once must not both CREATE TABLE; one lock for every
        # projection, as they share the tracking table
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.stock_tables'))"))


def _make_tracking(connection: Connection) -> None:
    """The tracking table, with the schema version column even where an earlier version made
    it without: added empty, the other projections' rows say no version and stay refused."""
    tracking.create(connection, checkfirst=True)
    if not _tracking_versioned(inspect(connection)):
        connection.execute(text(f"ALTER TABLE {tracking.name} ADD COLUMN schema_version INTEGER"))


def _tracking_versioned(inspector: Any) -> bool:
    """The tracking table has the schema version column (an earlier version made it without)."""
    return "schema_version" in {column["name"] for column in inspector.get_columns(tracking.name)}


def _add_tracking_row(connection: Connection, projection: str, version: int) -> None:
    """The projection's row at position 0, tables made at schema `version`, no lease held."""
    connection.execute(tracking.insert().values(
        projection=projection, position=0, holder=None, lease_until_ms=0, updated_at_ms=0, schema_version=version,
    ))


def _layout_differences(connection: Connection, tables: MetaData) -> list[str]:
    """What a version that forgot to bump the schema version would misread: a table or column
    this version reads that is not there, a text column narrower than it now is."""
    inspector = inspect(connection)
    differences = []
    for table in tables.sorted_tables:
        if not inspector.has_table(table.name):
            differences.append(f"{table.name} is missing")
            continue
        present = {column["name"]: column["type"] for column in inspector.get_columns(table.name)}
        differences += [f"{table.name} lacks {column.name}" for column in table.columns if column.name not in present]
        differences += [
            f"{table.name}.{column.name} is narrower" for column in table.columns
            if column.name in present and _narrower(present[column.name], column.type)
        ]
    return differences


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
