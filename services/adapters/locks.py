"""In-process locks per aggregate, so threads of one server queue up on a hot stock
position instead of colliding on version numbers and retrying (many times the commits/s)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from uuid import UUID


class StripedLocks:
    """A fixed set of locks; an aggregate id always maps to the same one. Acquiring in
    stripe order means two callers can never wait on each other in a cycle."""

    def __init__(self, stripes: int = 1024):
        self._locks = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def holding(self, ids: Iterable[UUID]) -> Iterator[None]:
        stripes = sorted({hash(i) % len(self._locks) for i in ids})
        acquired = []
        try:
            for stripe in stripes:
                self._locks[stripe].acquire()
                acquired.append(stripe)
            yield
        finally:
            for stripe in reversed(acquired):
                self._locks[stripe].release()


class Threads:
    """The application's concurrency on threads of one process (the Concurrency port)."""

    @staticmethod
    def mutex() -> threading.Lock:
        return threading.Lock()

    @staticmethod
    def per_caller() -> threading.local:
        return threading.local()

    @staticmethod
    def aggregate_locks() -> StripedLocks:
        return StripedLocks()
