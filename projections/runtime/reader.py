"""What every reader of a projection's tables shares: the engine, opened on first use (a
server that is never asked holds no connections for it, and the tables are created when no
runner has yet), the projection's position, how fresh that is, and the read-your-writes wait."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine

from projections.runtime.event_log import EventLog
from projections.runtime.database import read_engine, write_engine


@dataclass(frozen=True)
class Freshness:
    position: int
    head: int
    lag_events: int
    lag_ms: int


class ProjectionReader:
    POLL_SECONDS = 0.01

    def __init__(
        self,
        database_url: str,
        event_log: EventLog | None,
        create_tables: Callable[[Engine], None],
        read_position: Callable[[Connection], int],
        engine: Engine | None = None,
    ):
        self.database_url = database_url
        self.event_log = event_log
        self._create_tables = create_tables
        self._read_position = read_position
        self._engine = engine
        self._owned = engine is None
        self._opening = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._opening:
                if self._engine is None:
                    setup = write_engine(self.database_url)
                    try:
                        self._create_tables(setup)
                    finally:
                        setup.dispose()
                    self._engine = read_engine(self.database_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None and self._owned:
            self._engine.dispose()

    def position(self) -> int:
        with self.engine.connect() as connection:
            return self._read_position(connection)

    def freshness(self, position: int) -> Freshness:
        """The head of the log and how far `position` is behind it (0 without a log)."""
        if self.event_log is None:
            return Freshness(position, position, 0, 0)
        head = max(self.event_log.head(), position)
        lag_events = self.event_log.count_after(position, head)
        lag_ms = 0
        if lag_events and (recorded := self.event_log.recorded_at(position)) is not None:
            lag_ms = max(0, round((datetime.now(timezone.utc) - recorded).total_seconds() * 1000))
        return Freshness(position, head, lag_events, lag_ms)

    def wait_until(self, target: int, wait_ms: int) -> int:
        """Polls until the projection has applied `target` or `wait_ms` ran out; returns the
        position last read (below `target` when the wait ran out)."""
        deadline = time.monotonic() + wait_ms / 1000
        while (reached := self.position()) < target:
            if time.monotonic() >= deadline:
                return reached
            time.sleep(self.POLL_SECONDS)
        return reached
