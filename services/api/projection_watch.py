"""One watcher of a projection's position per server, for every stream that follows it.

A stream that polled the projection itself would cost a query per stream per poll, held
streams or not. Instead one thread reads the position once per interval while any stream
waits, and wakes only the streams whose position it has moved away from; each woken stream
then reads its own changes once. A waiting stream holds no database connection, only its
thread. The thread ends when no stream waits and starts again with the next one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger("omo.api")
T = TypeVar("T")


class PositionWatch:
    def __init__(self, read_position: Callable[[], int], interval: float = 0.05, name: str = "omo-position-watch"):
        self.read_position = read_position
        self.interval = interval
        self.name = name
        self._lock = threading.Lock()
        self._waiting: dict[threading.Event, int] = {}  # a stream's wake-up -> the position it stands at
        self._position: int | None = None  # as last read; None before the first read
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.reads = 0  # positions read, all streams together

    def wait(self, position: int, timeout: float, wake: threading.Event) -> bool:
        """Returns once the projection is read past `position` (or back before it: a rebuild
        starts again from 0), after `timeout` seconds, or when `wake` is set (the stream's call
        has ended). The caller clears `wake` before it last checks its call, so an end is
        never missed. True when the position may have moved: read the changes."""
        with self._lock:
            if self._stopping:
                return True
            if self._position is not None and self._position > position:
                return True
            self._waiting[wake] = position
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        try:
            wake.wait(timeout)
        finally:
            with self._lock:
                self._waiting.pop(wake, None)
        return self._position != position

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            thread, woken = self._thread, list(self._waiting)
        for wake in woken:
            wake.set()
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            with self._lock:
                if self._stopping or not self._waiting:
                    self._thread = None
                    return
            try:
                position = self.read_position()
            except Exception:  # the streams wait on; the next interval reads again
                log.warning("%s: cannot read the projection's position", self.name, exc_info=True)
                continue
            self.reads += 1
            with self._lock:
                previous, self._position = self._position, position
                if previous is not None and position < previous:  # rebuilt: every stream starts again
                    moved = list(self._waiting)
                else:  # a stream that read a later position itself than this read sleeps on
                    moved = [wake for wake, at in self._waiting.items() if at < position]
            for wake in moved:
                wake.set()


class Recent(Generic[T]):
    """The last value computed for a key, shared for `max_age` seconds: streams woken together
    by one move, or beating their hearts, ask for the same figures at the same position."""

    def __init__(self, compute: Callable[[int], T], max_age: float):
        self.compute = compute
        self.max_age = max_age
        self._lock = threading.Lock()
        self._last: tuple[int, float, T] | None = None

    def __call__(self, key: int) -> T:
        with self._lock:  # one computes, the others take its answer
            last = self._last
            if last is not None and last[0] == key and time.monotonic() - last[1] < self.max_age:
                return last[2]
            value = self.compute(key)
            self._last = (key, time.monotonic(), value)
            return value
