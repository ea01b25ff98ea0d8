"""Bringing one projection to the event store's head before a report reads it: in this
process when no runner holds the projection's lease, otherwise by waiting for the runner
that does (the same as the statements do for the dealer ledger)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from domain.errors import RuleViolation
from projections.runtime.projection import Projection
from projections.runtime.runner import ProjectionRunner, default_holder, projection_status


class NotCaughtUp(RuleViolation):
    def __init__(self, projection: str, position: int, head: int, seconds: float):
        super().__init__(
            f"the {projection} projection reached position {position}, not the head {head}, within {seconds:g} s "
            "(another runner holds its lease); retry, or check `omo projections status`"
        )


def caught_up(
    application: Any, url: str, projection: Projection, timeout_seconds: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Brings `projection` to the event store's head as it is now; returns the position.
    `progress(moved, to_go)` is told of every batch applied here."""
    event_log = projection.event_log(application)
    head = event_log.head()
    runner = ProjectionRunner(url, event_log, projection, holder=f"{default_holder()}:report")
    deadline = time.monotonic() + timeout_seconds
    try:
        while True:
            if runner.try_lead():
                to_go = head - runner.position
                try:
                    return runner.catch_up(head, (lambda moved: progress(moved, to_go)) if progress else None)
                except RuntimeError:
                    pass  # another runner took the lease meanwhile: wait for it instead
                finally:
                    runner.release()
            position = projection_status(runner.reader, event_log, projection.name).position
            if position >= head:
                return position
            if time.monotonic() >= deadline:
                raise NotCaughtUp(projection.name, position, head, timeout_seconds)
            time.sleep(0.1)
    finally:
        runner.close()
