"""What the runner needs to know of a projection.

A projection is a name (its row in the tracking table), the event topics it reads, how to
create its tables (and its tracking row), the tables a rebuild empties, and
`apply_batch(connection, events, end)`, which applies one batch inside the runner's
transaction (the runner moves the position in the same transaction), and whether its runner
follows the log closely (wakes on every commit) or gathers events for a poll interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table

from projections.runtime.event_log import EventLog


@dataclass(frozen=True)
class Projection:
    name: str
    topics: tuple[str, ...]
    create_tables: Callable[[Engine], None]
    tables: tuple[Table, ...]  # emptied by a rebuild
    apply_batch: Callable[[Connection, Sequence[tuple[int, Any]], int], None]
    # its runner wakes on each commit of the event store instead of gathering events for a
    # poll interval: for a read model someone waits on live (a store's open stream)
    follows_closely: bool = False

    def event_log(self, application: Application) -> EventLog:
        return EventLog(application, self.topics)
