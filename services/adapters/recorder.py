"""The event store's recorder: eventsourcing-sqlalchemy's, with the hot paths (a save's
insert, reading the log, reading many aggregates at once) as core SQL, and on PostgreSQL as
the driver's SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg2
from eventsourcing.persistence import (
    DatabaseError, DataError, IntegrityError, InterfaceError, InternalError, NotSupportedError, Notification, OperationalError,
    PersistenceError, ProgrammingError, StoredEvent,
)
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session


def persistence_error(error: psycopg2.Error) -> PersistenceError:
    """The event store's error for a driver's, as eventsourcing-sqlalchemy's sessions map them."""
    for driver_class, ours in (
        (psycopg2.IntegrityError, IntegrityError), (psycopg2.OperationalError, OperationalError),
        (psycopg2.InterfaceError, InterfaceError), (psycopg2.DataError, DataError),
        (psycopg2.InternalError, InternalError), (psycopg2.ProgrammingError, ProgrammingError),
        (psycopg2.NotSupportedError, NotSupportedError),
    ):
        if isinstance(error, driver_class):
            return ours(error)
    return DatabaseError(error)


class CoreSqlRecorder(SQLAlchemyApplicationRecorder):
    """eventsourcing-sqlalchemy's application recorder without ORM objects: a save's events
    go in as one multi-row INSERT ... RETURNING id (on PostgreSQL the driver's SQL on a pooled
    connection, without a session; elsewhere a SQLAlchemy core insert in the library's
    session), not as one ORM object each flushed by the unit of work; notifications come back
    as rows, not ORM objects. The rest is the same: the table lock first (PostgreSQL), the
    same rows, a duplicate (originator id, version) still an IntegrityError that rolls the
    whole save back, notification ids in the events' order, then NOTIFY; the same queries.
    The live index and the projections read through it."""

    def create_table(self) -> None:
        """The library's tables, made under a lock on PostgreSQL: two processes starting at
        once on a new database (a server and its projector) would otherwise both CREATE and
        collide in the catalogue (a duplicate pg_type row)."""
        engine = self.datastore.engine
        if engine.dialect.name != "postgresql":
            super().create_table()
            return
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.omo_event_tables'))"))
            for table in self.tables:
                table.create(connection, checkfirst=True)

    def insert_events(self, stored_events: Sequence[StoredEvent], *, session: Session | None = None, **kwargs: Any) -> Sequence[int] | None:
        if session is None and stored_events and self.datastore.engine.dialect.name == "postgresql":
            return self._save_postgresql(stored_events)
        return super().insert_events(stored_events, session=session, **kwargs)

    def _save_postgresql(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        """A save as one round trip of the driver's SQL on a pooled connection: the table
        lock, the NOTIFY and the insert sent as one query string, which PostgreSQL runs as one
        transaction and commits at its end. Without the session's begin, statement compiling
        and unit of work (about a quarter of the order writer's CPU), and without the
        separate BEGIN and COMMIT (five round trips became one). Driver errors become the
        event store's own: a duplicate (originator id, version) is still an IntegrityError,
        and nothing of the save stays."""
        try:
            with self._autocommit_cursor() as cursor:
                return self._write_postgresql(cursor, stored_events)
        except psycopg2.Error as error:
            raise persistence_error(error) from error

    def _insert_stored_events(self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        """A save inside a caller's session (the library's path when it is handed one)."""
        if not stored_events:
            return []
        if session.get_bind().dialect.name == "postgresql":
            return self._write_postgresql(session.connection().connection.cursor(), stored_events)
        self._lock_table(session)
        table = self.events_record_cls.__table__
        rows = [
            {"originator_id": e.originator_id, "originator_version": e.originator_version, "topic": e.topic, "state": e.state}
            for e in stored_events
        ]
        # sort_by_parameter_order: the ids come back in the rows' order
        ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
        self._notify_channel(session)
        return ids

    def _write_postgresql(self, cursor: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        """The table lock, the NOTIFY and one INSERT ... VALUES (...), (...) RETURNING id, as
        one string of the driver's SQL: no statement to compile, one round trip. Inside a
        transaction they run in it; alone, PostgreSQL runs the string as one transaction of
        its own. The NOTIFY goes out at the commit, so it may come before the insert; the
        insert comes last because its ids are what the cursor returns. The id column's
        sequence numbers the rows in the order of the VALUES list, so the ids sorted are the
        events' ids in order, as SQLAlchemy's sort_by_parameter_order assumes for PostgreSQL."""
        values = ", ".join(["(%s, %s, %s, %s)"] * len(stored_events))
        parameters: list[Any] = []
        for e in stored_events:
            parameters += (str(e.originator_id), e.originator_version, e.topic, e.state)
        table = self._table_name()
        cursor.execute(
            f"LOCK TABLE {table} IN EXCLUSIVE MODE; NOTIFY {self.channel_name}; "
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES {values} RETURNING id",
            tuple(parameters),
        )
        return sorted(row[0] for row in cursor.fetchall())

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (), *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        if self.datastore.engine.dialect.name == "postgresql":
            rows = self._select_postgresql(start, limit, stop, topics, inclusive_of_start)
            return [
                Notification(id=row[0], originator_id=row[1], originator_version=row[2], topic=row[3], state=bytes(row[4]))
                for row in rows
            ]
        table = self.events_record_cls.__table__
        query = select(table.c.id, table.c.originator_id, table.c.originator_version, table.c.topic, table.c.state)
        if start is not None:
            query = query.where(table.c.id >= start if inclusive_of_start else table.c.id > start)
        if stop is not None:
            query = query.where(table.c.id <= stop)
        if topics:
            query = query.where(table.c.topic.in_(topics))
        query = query.order_by(table.c.id).limit(limit)
        with self.transaction(commit=False) as session:
            rows = session.execute(query).all()
        return [
            Notification(
                id=row.id, originator_id=row.originator_id, originator_version=row.originator_version, topic=row.topic,
                state=bytes(row.state) if isinstance(row.state, memoryview) else row.state,
            )
            for row in rows
        ]

    def select_notifications_to_head(self, after: int, limit: int, topics: Sequence[str] = ()) -> tuple[int, list[Notification]]:
        """The head (the largest notification id) and the notifications after `after` up to it,
        at most `limit`, read in one snapshot: on PostgreSQL one query where two would be two
        round trips (a projection runner asks both before every batch)."""
        if self.datastore.engine.dialect.name != "postgresql":
            head = self.max_notification_id() or 0
            if head <= after:
                return head, []
            return head, self.select_notifications(after, limit, stop=head, topics=topics, inclusive_of_start=False)
        table = self._table_name()
        rows = self._driver_rows(
            f"SELECT h.head, e.id, e.originator_id, e.originator_version, e.topic, e.state "
            f"FROM (SELECT max(id) AS head FROM {table}) h LEFT JOIN LATERAL ("
            f"SELECT id, originator_id, originator_version, topic, state FROM {table} "
            f"WHERE id > %s AND id <= h.head{' AND topic = ANY(%s)' if topics else ''} ORDER BY id LIMIT %s"
            ") e ON true",
            (after, *([list(topics)] if topics else []), limit),
        )
        head = rows[0][0] or 0
        return head, [
            Notification(id=row[1], originator_id=row[2], originator_version=row[3], topic=row[4], state=bytes(row[5]))
            for row in rows if row[1] is not None
        ]

    def _select_postgresql(
        self, start: int | None, limit: int, stop: int | None, topics: Sequence[str], inclusive_of_start: bool,
    ) -> list[tuple]:
        """The same query as the driver's SQL on a pooled connection, without a session: the
        server reads the log after nearly every call, and a session's begin, query compile
        and rollback cost several times the CPU of the query itself."""
        conditions, parameters = [], []
        if start is not None:
            conditions.append("id >= %s" if inclusive_of_start else "id > %s")
            parameters.append(start)
        if stop is not None:
            conditions.append("id <= %s")
            parameters.append(stop)
        if topics:
            conditions.append("topic = ANY(%s)")
            parameters.append(list(topics))
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        return self._driver_rows(
            f"SELECT id, originator_id, originator_version, topic, state FROM {self._table_name()} {where} "
            "ORDER BY id LIMIT %s",
            (*parameters, limit),
        )

    def _driver_rows(self, sql: str, parameters: Sequence[Any]) -> list[tuple]:
        """Driver errors become the event store's own, as the library's reads raise them."""
        try:
            with self._autocommit_cursor() as cursor:
                cursor.execute(sql, tuple(parameters))
                return cursor.fetchall()
        except psycopg2.Error as error:
            raise persistence_error(error) from error

    @contextmanager
    def _autocommit_cursor(self) -> Iterator[Any]:
        """A cursor on a pooled connection in autocommit, for statements that are each a
        transaction of their own: psycopg2 sends no BEGIN before them, and the pool's rollback
        when the connection goes back has no transaction to end, so it sends nothing either
        (a read was three round trips: BEGIN, the query, ROLLBACK). The pool gets the
        connection back out of autocommit, as its other users expect. When the database has
        dropped the connection, the pool's idle ones went with it (a restart, a failover):
        the pool is emptied, as SQLAlchemy does when a session meets a disconnect, so only
        this call fails."""
        engine = self.datastore.engine
        connection = engine.raw_connection()
        driver_connection = connection.dbapi_connection
        try:
            driver_connection.autocommit = True
            try:
                with driver_connection.cursor() as cursor:
                    yield cursor
            finally:
                if not driver_connection.closed:
                    driver_connection.autocommit = False
        except psycopg2.Error as error:
            if driver_connection.closed or engine.dialect.is_disconnect(error, driver_connection, None):
                connection.invalidate(error)
                engine.dispose()
            raise
        finally:
            connection.close()  # back to the pool

    def select_stored_events(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every event of the aggregates, by aggregate then version: one query for many
        aggregates (the order writer reads a batch's stock positions so)."""
        if not originator_ids:
            return []
        if self.datastore.engine.dialect.name == "postgresql":
            rows = self._driver_rows(
                f"SELECT originator_id, originator_version, topic, state FROM {self._table_name()} "
                "WHERE originator_id = ANY(%s::uuid[]) ORDER BY originator_id, originator_version",
                ([str(i) for i in originator_ids],),
            )
        else:
            table = self.events_record_cls.__table__
            query = (
                select(table.c.originator_id, table.c.originator_version, table.c.topic, table.c.state)
                .where(table.c.originator_id.in_(originator_ids))
                .order_by(table.c.originator_id, table.c.originator_version)
            )
            with self.transaction(commit=False) as session:
                rows = session.execute(query).all()
        return [
            StoredEvent(
                originator_id=UUID(str(row[0])), originator_version=row[1], topic=row[2],
                state=bytes(row[3]) if isinstance(row[3], memoryview) else row[3],
            )
            for row in rows
        ]

    def select_created(self, originator_ids: Sequence[UUID]) -> set[UUID]:
        """Which of the aggregates exist (have a first event), in one query."""
        if not originator_ids:
            return set()
        if self.datastore.engine.dialect.name == "postgresql":
            rows = self._driver_rows(
                f"SELECT originator_id FROM {self._table_name()} WHERE originator_id = ANY(%s::uuid[]) AND originator_version = 1",
                ([str(i) for i in originator_ids],),
            )
        else:
            table = self.events_record_cls.__table__
            query = select(table.c.originator_id).where(table.c.originator_id.in_(originator_ids), table.c.originator_version == 1)
            with self.transaction(commit=False) as session:
                rows = session.execute(query).all()
        return {UUID(str(row[0])) for row in rows}

    def _table_name(self) -> str:
        return self.events_table_name if self.schema_name is None else f"{self.schema_name}.{self.events_table_name}"

    def max_notification_id(self) -> int | None:
        if self.datastore.engine.dialect.name == "postgresql":  # each runner asks before every batch
            return self._driver_rows(f"SELECT max(id) FROM {self._table_name()}", ())[0][0]
        table = self.events_record_cls.__table__
        with self.transaction(commit=False) as session:
            return session.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1)).scalar()
