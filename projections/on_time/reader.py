"""Reading the on-time tables beside the event log they are folded from."""

from __future__ import annotations

from sqlalchemy import Engine

from projections.on_time import reads
from projections.on_time.projection import TOPICS
from projections.on_time.tables import create_tables
from projections.runtime.event_log import EventLog
from projections.runtime.reader import ProjectionReader


class OnTimeReader(ProjectionReader):
    """The engine is opened on first use (creating the tables when no runner has yet), or is
    the one given."""

    def __init__(self, database_url: str, event_log: EventLog | None = None, engine: Engine | None = None):
        super().__init__(database_url, event_log, create_tables, reads.position, engine)

    @classmethod
    def for_application(cls, application) -> OnTimeReader:
        return cls(application.database_url, EventLog(application, TOPICS))
