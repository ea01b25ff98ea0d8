"""When did a projection apply a position? A thread reads the projection's tracking position
every few milliseconds and keeps the moments it moved, so that a benchmark can split the time
from an event to its reader into the projection's part and what follows it."""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from projections.runtime.database import read_engine, tracking


class PositionProbe:
    def __init__(self, database_url: str, projection: str, every_s: float = 0.005):
        self._engine = read_engine(database_url)
        self._projection = projection
        self._every_s = every_s
        self._moments: list[int] = []  # us since the epoch, when the position was first seen at...
        self._positions: list[int] = []  # ...this position (ascending)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="position-probe", daemon=True)

    def _run(self) -> None:
        query = select(tracking.c.position).where(tracking.c.projection == self._projection)
        with self._engine.connect() as connection:
            while not self._stopping.is_set():
                position = connection.execute(query).scalar_one()
                connection.commit()  # the next read sees a new snapshot
                seen_us = time.time_ns() // 1000
                if not self._positions or position > self._positions[-1]:
                    self._positions.append(position)
                    self._moments.append(seen_us)
                self._stopping.wait(self._every_s)

    def applied_at_us(self, position: int) -> int | None:
        """The first moment the probe saw the projection at or past `position` (late by up to
        its interval and one query); None when it never did."""
        i = bisect.bisect_left(self._positions, position)
        return self._moments[i] if i < len(self._moments) else None


@contextmanager
def position_probe(database_url: str, projection: str) -> Iterator[PositionProbe]:
    probe = PositionProbe(database_url, projection)
    probe._thread.start()
    try:
        yield probe
    finally:
        probe._stopping.set()
        probe._thread.join(5)
        probe._engine.dispose()
