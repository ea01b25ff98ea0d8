"""Runs a projection (the national stock, the dealer ledger):
exactly once, one writer at a time, surviving a dropped connection. Each projection has its
own row in the tracking table, so each has its own position and its own lease.

Exactly once: each batch is one transaction that first moves the projection's tracking row
to the batch's end with an UPDATE that matches only while the row still names this runner as
its holder and still stands at the position the batch starts from (the UPDATE locks the row on
PostgreSQL; on SQLite the transaction starts with BEGIN IMMEDIATE and holds the database's only
write lock), then applies the batch, then commits. A crash before the commit leaves nothing; after it, the position says
the batch is done.

One writer: the tracking row is also a lease. A runner writes only while the row names it
and its lease has not expired; a second runner started by mistake finds the lease held and
waits on standby, taking over only when the holder stops (it releases the lease) or stops
renewing it (crashed, hung, or cut off). Because the holder check is inside every batch's
transaction, under the row lock, a runner that lost its lease while paused cannot write
afterwards: its next batch sees another holder and stops. The lease only decides who may
try; the lock and the check decide who writes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy.exc
from eventsourcing.persistence import PersistenceError
from sqlalchemy import Connection, func, select, update

from projections.runtime.event_log import EventLog
from projections.runtime.projection import Projection
from projections.runtime.database import read_engine, remake_projection_tables, tracking, write_engine
from projections.runtime.wakeup import Wakeup, applied_channel, listen

log = logging.getLogger("omo.projection")

CLOSE_GAP = 0.02  # seconds between the starts of two batches of a runner that follows closely
DATABASE_ERRORS = (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.OperationalError, PersistenceError)


def now_ms() -> int:
    return int(time.time() * 1000)


def default_holder() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Status:
    projection: str
    position: int  # last notification id applied
    head: int  # last notification id recorded
    lag_events: int  # notifications recorded and not yet applied
    lag_seconds: float  # how long the oldest of those has waited (0 when caught up)
    holder: str | None  # the runner holding the lease, if any
    lease_left_seconds: float  # until the holder must renew; < 0: expired


def locked_tracking_row(connection: Connection, projection: str):
    query = select(tracking).where(tracking.c.projection == projection)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return connection.execute(query).one()


def read_position(connection: Connection, projection: str) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()


class ProjectionRunner:
    """Runs `projection` over `event_log`, which must read the projection's topics
    (`projection.event_log(application)`)."""

    def __init__(
        self,
        database_url: str,
        event_log: EventLog,
        projection: Projection,
        holder: str | None = None,
        batch_size: int = 2000,
        poll_interval: float = 0.05,
        lease_seconds: float = 10.0,
        on_applied: Callable[[str, int], None] | None = None,
        make_tables: bool = True,  # False: left as they are, for a rebuild that makes them anew
    ):
        self.definition = projection
        self.event_log = event_log
        self.projection = self.definition.name
        self.holder = holder or default_holder()
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.lease_ms = int(lease_seconds * 1000)
        self.writer = write_engine(database_url)
        self.reader = read_engine(database_url)
        if make_tables:
            self.definition.create_tables(self.writer)
        self.position = 0
        self.on_applied = on_applied  # (projection, events), told only once a batch has committed: no count of what rolled back
        self.leading = False
        self.last_batch_full = False
        self._lease_until_ms = 0
        self._step_started = 0.0
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._announce_on = applied_channel(self.projection) if self.writer.dialect.name == "postgresql" else None
        # a runner that follows closely wakes on the event store's commits; the others poll
        self._wakeup: Wakeup = (
            listen(database_url, event_log.recorder.channel_name) if projection.follows_closely else Wakeup()
        )

    # --- the lease ----------------------------------------------------------------------

    def try_lead(self, take_over: bool = False) -> bool:
        """Takes the lease when it is free, expired or already ours (or, with take_over, in
        any case: a rebuild is the operator's decision). Returns whether we lead."""
        with self.writer.begin() as connection:
            row = locked_tracking_row(connection, self.projection)
            now = now_ms()
            if take_over or row.holder in (None, self.holder) or row.lease_until_ms < now:
                if row.holder not in (None, self.holder):
                    log.warning("%s takes the %s lease from %s", self.holder, self.projection, row.holder)
                self._renew(connection, row.position, now)
                self.position, self.leading = row.position, True
            else:
                self.leading = False
        return self.leading

    def _renew(self, connection: Connection, position: int, now: int) -> None:
        self._lease_until_ms = now + self.lease_ms
        connection.execute(
            update(tracking).where(tracking.c.projection == self.projection)
            .values(position=position, holder=self.holder, lease_until_ms=self._lease_until_ms, updated_at_ms=now)
        )

    def _claim(self, connection: Connection, start: int, end: int, now: int) -> bool:
        """Moves the position from `start` to `end` and renews the lease, only while the row
        still names this runner and stands at `start`: one statement that also takes the row's
        lock (PostgreSQL re-reads the row after waiting for another writer's commit), so the
        check and the move are one round trip. False when the row says otherwise."""
        lease_until = now + self.lease_ms
        statement = (
            update(tracking)
            .where(tracking.c.projection == self.projection, tracking.c.holder == self.holder, tracking.c.position == start)
            .values(position=end, lease_until_ms=lease_until, updated_at_ms=now)
        )
        if self._announce_on and end != start:
            # announced by the same statement, for the claimed row only; PostgreSQL sends it at
            # the commit, so readers waiting live wake to the batch applied
            statement = statement.returning(func.pg_notify(self._announce_on, ""))
        claimed = connection.execute(statement).rowcount
        if claimed:
            self._lease_until_ms = lease_until
        return bool(claimed)

    def release(self) -> None:
        """Gives the lease up, so a standby runner need not wait for it to expire."""
        if not self.leading:
            return
        self.leading = False
        with self.writer.begin() as connection:
            connection.execute(
                update(tracking).where(tracking.c.projection == self.projection, tracking.c.holder == self.holder)
                .values(holder=None, lease_until_ms=0)
            )

    # --- applying events ----------------------------------------------------------------

    def step(self) -> int:
        """Applies the next batch, if there is one and we hold the lease; returns how many
        notification ids it moved the position by (0 when idle or on standby)."""
        if not self.leading and not self.try_lead():
            return 0
        start = self.position
        self._step_started = time.monotonic()
        batch = self.event_log.read(start, self.batch_size)
        now = now_ms()
        if batch.end == start and self._lease_until_ms - now > self.lease_ms / 2:
            return 0
        with self.writer.begin() as connection:
            if not self._claim(connection, start, batch.end, now):
                row = connection.execute(select(tracking).where(tracking.c.projection == self.projection)).one()
                if row.holder != self.holder:
                    log.warning("%s lost the %s lease to %s; on standby", self.holder, self.projection, row.holder)
                    self.leading = False
                else:  # our own earlier commit we did not see finish
                    self.position = row.position
                return 0
            self.definition.apply_batch(connection, batch.events, batch.end)
        self.position = batch.end
        if self.on_applied is not None and batch.events:
            self.on_applied(self.projection, len(batch.events))
        self.last_batch_full = len(batch.events) >= self.batch_size
        return batch.end - start

    def catch_up(self, until: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Applies batches until the position reaches `until` (default: the head now)."""
        until = self.event_log.head() if until is None else until
        while self.position < until:
            moved = self.step()
            if not self.leading:
                raise RuntimeError(f"the {self.projection} lease is held by another runner")
            if progress and moved:
                progress(moved)
            if not moved and self.event_log.head() <= self.position:
                break
        return self.position

    def run(self) -> None:
        """Follows the log until stop(): polls, and retries with backoff when the database
        is unreachable (the pools replace dropped connections)."""
        backoff = 0.1
        while not self.stopping.is_set():
            try:
                moved = self.step()
                backoff = 0.1
            except DATABASE_ERRORS as error:
                log.warning("%s: database unavailable (%s); retrying in %.1f s", self.projection, type(error).__name__, backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            # a batch that was not full emptied the backlog: waiting a poll interval before the
            # next lets the events gather, so a busy log is applied in a few large transactions
            # rather than one per handful of events (the cost is mostly per transaction). One
            # that follows closely waits for the next commit instead (the interval stays its
            # longest wait, in case a notification is lost)
            if self.stopping.is_set() or (moved and self.last_batch_full):
                continue
            if not self.leading:  # on standby: commits are not ours to apply
                self._wakeup.sleep(min(1.0, self.lease_ms / 3000))
            else:
                self._wakeup.wait(self.poll_interval)
                if self.definition.follows_closely:
                    # one batch per CLOSE_GAP at most: under a storm of commits the batches
                    # still grow instead of the runner spinning on one commit each
                    self.stopping.wait(max(0.0, self._step_started + CLOSE_GAP - time.monotonic()))
        try:
            self.release()
        except DATABASE_ERRORS:
            log.warning("%s: could not release the lease; it expires by itself", self.projection)

    def start(self) -> None:
        """Runs on a thread of its own until shutdown()."""
        self._thread = threading.Thread(target=self.run, name=f"projection-{self.projection}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._wakeup.interrupt()

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stops the thread start() began (it releases the lease) and closes the engines."""
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout)
        self.close()

    def close(self) -> None:
        self._wakeup.close()
        self.writer.dispose()
        self.reader.dispose()

    # --- operations ---------------------------------------------------------------------

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Makes the tables anew at this version's schema (dropped and created: tables of
        another version or layout are what a rebuild is for) and applies every event again
        from the first, holding the lease throughout (a runner in a server waits on standby
        meanwhile). Returns the position reached."""
        with self.writer.begin() as connection:
            remake_projection_tables(connection, self.definition.metadata, self.projection, self.definition.schema_version)
            self._renew(connection, 0, now_ms())
        self.position, self.leading = 0, True
        head = self.event_log.head()
        if progress:
            progress(0, head)
        try:
            self.catch_up(head, (lambda moved: progress(moved, head)) if progress else None)
            return self.catch_up()
        finally:
            self.release()

    def status(self) -> Status:
        return projection_status(self.reader, self.event_log, self.projection)


def projection_status(engine, event_log: EventLog, projection: str) -> Status:
    with engine.connect() as connection:
        # the columns named: tables of an older layout still show their position
        row = connection.execute(
            select(tracking.c.position, tracking.c.holder, tracking.c.lease_until_ms).where(tracking.c.projection == projection)
        ).one()
    head = event_log.head()
    lag_events = event_log.count_after(row.position, head)
    lag_seconds = 0.0
    if lag_events:
        recorded = event_log.recorded_at(row.position)
        if recorded is not None:
            lag_seconds = max(0.0, (datetime.now(timezone.utc) - recorded).total_seconds())
    return Status(
        projection, row.position, head, lag_events, lag_seconds, row.holder,
        (row.lease_until_ms - now_ms()) / 1000 if row.holder else 0.0,
    )
