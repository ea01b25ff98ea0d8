"""Waking on a commit instead of on the next poll.

On PostgreSQL, every save of the event store NOTIFYs the events table's channel, and every
projection runner NOTIFYs `applied_channel(projection)` in each batch's transaction; both go
out at the commit. A `Wakeup` LISTENs on one channel on a connection of its own and `wait`
returns as soon as a notification arrives, or at its timeout, whichever comes first. The
timeout stays the safety net: a notification lost with a dropped connection only delays the
reader to its next poll, and the connection is opened again on the next wait.

SQLite has no notifications: its `Wakeup` only waits out the timeout, as a poll did.
`interrupt()` ends a wait at once from another thread (a runner or a feed stopping).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
import time

import psycopg2

from projections.runtime.database import is_sqlite, libpq_url

log = logging.getLogger("omo.projection")


def applied_channel(projection: str) -> str:
    """The channel a projection's runner announces its commits on."""
    return f"omo_{projection}_applied"


NOTIFIED, INTERRUPTED, TIMED_OUT = "notified", "interrupted", "timed out"


class Wakeup:
    """Waits out the timeout; `interrupt` ends a wait early (SQLite, or no channel)."""

    def __init__(self) -> None:
        self._interrupted = threading.Event()

    def wait(self, timeout: float) -> bool:
        """True when woken (a notification or an interrupt) before the timeout."""
        return self._wait_once(timeout) != TIMED_OUT

    def sleep(self, timeout: float) -> None:
        """Waits out the timeout whatever is notified meanwhile, reading it all the same (a
        listener that stops reading holds the database's notification queue back); only an
        interrupt ends it early."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self._wait_once(left) == INTERRUPTED:
                return

    def _wait_once(self, timeout: float) -> str:
        woken = self._interrupted.wait(timeout)
        self._interrupted.clear()
        return INTERRUPTED if woken else TIMED_OUT

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        self.interrupt()


class ListeningWakeup(Wakeup):
    """LISTENs on `channel` (PostgreSQL); `dsn` as libpq takes it."""

    def __init__(self, dsn: str, channel: str):
        super().__init__()
        self.dsn = dsn
        self.channel = channel
        self._connection = None
        self._wake_reader, self._wake_writer = os.pipe()
        self._closed = False

    def _wait_once(self, timeout: float) -> str:
        if self._closed:
            return INTERRUPTED
        connection = self._listening()
        if connection is None:  # the database is unreachable: a plain poll until it is back
            return super()._wait_once(timeout)
        try:
            if connection.notifies:  # came with the previous read
                connection.notifies.clear()
                return NOTIFIED
            ready, _, _ = select.select([connection, self._wake_reader], [], [], timeout)
            if self._wake_reader in ready:
                os.read(self._wake_reader, 4096)
                return INTERRUPTED
            if connection in ready:
                connection.poll()
            notified = bool(connection.notifies)
            connection.notifies.clear()
            return NOTIFIED if notified else TIMED_OUT
        except (psycopg2.Error, OSError, ValueError) as error:
            log.warning("listening on %s: %s; polling until the connection is back", self.channel, type(error).__name__)
            self._drop()
            return TIMED_OUT

    def interrupt(self) -> None:
        super().interrupt()  # a wait polling while the database is unreachable
        if self._closed:
            return
        with contextlib.suppress(OSError):  # closed meanwhile
            os.write(self._wake_writer, b"x")

    def close(self) -> None:
        """Ends a wait under way and lets go of the connection and the pipe."""
        if self._closed:
            return
        self.interrupt()
        self._closed = True
        self._drop()
        for fd in (self._wake_reader, self._wake_writer):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _listening(self):
        if self._connection is None:
            try:
                connection = psycopg2.connect(self.dsn)
                connection.autocommit = True
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {self.channel}")
                self._connection = connection
            except psycopg2.Error as error:
                log.warning("cannot listen on %s (%s); polling instead", self.channel, type(error).__name__)
                return None
        return self._connection

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg2.Error):  # a dead connection is gone either way
                connection.close()


def listen(url: str, channel: str) -> Wakeup:
    """A wakeup on `channel` of the database at `url` (SQLAlchemy or libpq form)."""
    if is_sqlite(url):
        return Wakeup()
    return ListeningWakeup(libpq_url(url), channel)
