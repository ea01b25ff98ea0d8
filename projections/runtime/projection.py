"""What the runner needs to know of a projection.

A projection is a name (its row in the tracking table), the event topics it reads, how to
create its tables (and its tracking row), its tables (all of them: a rebuild makes them anew),
`apply_batch(connection, events, end)`, which applies one batch inside the runner's
transaction (the runner moves the position in the same transaction), the schema version of its
tables, and whether its runner follows the log closely (wakes on every commit) or gathers
events for a poll interval.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, MetaData, Table

from projections.runtime.database import OutdatedTables, read_engine, schema_mismatch
from projections.runtime.event_log import EventLog


@dataclass(frozen=True)
class Projection:
    name: str
    topics: tuple[str, ...]
    create_tables: Callable[[Engine], None]
    tables: tuple[Table, ...]  # every table of its own, made anew by a rebuild
    apply_batch: Callable[[Connection, Sequence[tuple[int, Any]], int], None]
    # its tables module's SCHEMA_VERSION (bumped whenever the tables or the meaning of their
    # contents change); the tracking table records the version the tables were made at
    schema_version: int
    # its runner wakes on each commit of the event store instead of gathering events for a
    # poll interval: for a read model someone waits on live (a store's open stream)
    follows_closely: bool = False

    def event_log(self, application: Application) -> EventLog:
        return EventLog(application, self.topics)

    @property
    def metadata(self) -> MetaData:
        [metadata] = {table.metadata for table in self.tables}  # a projection's tables share one
        return metadata


def refuse_other_versions(database_url: str, projections: Iterable[Projection]) -> None:
    """Raises OutdatedTables naming every one of `projections` whose tables are at another
    schema version, before anything starts that would read or write them; tables not made yet
    pass (they are made at this version). Only reads."""
    engine = read_engine(database_url)
    try:
        with engine.connect() as connection:
            others = [
                other for projection in projections
                if (other := schema_mismatch(connection, projection.metadata, projection.name, projection.schema_version))
            ]
    finally:
        engine.dispose()
    if others:
        raise OutdatedTables(others)
