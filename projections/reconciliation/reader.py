"""Reading the reconciliation's tables beside the event log they are folded from."""

from __future__ import annotations

from sqlalchemy import Engine

from projections.reconciliation import reads
from projections.reconciliation.fold import TOPICS
from projections.reconciliation.tables import create_tables
from projections.runtime.event_log import EventLog
from projections.runtime.reader import ProjectionReader


class ReconciliationReader(ProjectionReader):
    """The engine is opened on first use, or is the one given."""

    def __init__(self, database_url: str, event_log: EventLog | None = None, engine: Engine | None = None):
        super().__init__(database_url, event_log, create_tables, reads.position, engine)

    @classmethod
    def over(cls, engine: Engine) -> ReconciliationReader:
        """A reader on an engine the caller opened (and closes)."""
        return cls(str(engine.url), engine=engine)

    @classmethod
    def for_application(cls, application) -> ReconciliationReader:
        return cls(application.database_url, EventLog(application, TOPICS))
