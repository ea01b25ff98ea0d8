"""Reading the dealer ledger's tables beside the event log they are folded from, with the
read-your-writes wait."""

from __future__ import annotations

from sqlalchemy import Engine

from domain.errors import InvalidInput
from domain.stock_query_errors import ProjectionBehind
from projections.dealer_ledger import reads as ledger_reads
from projections.dealer_ledger.projection import TOPICS
from projections.dealer_ledger.tables import create_tables
from projections.runtime.event_log import EventLog
from projections.runtime.reader import ProjectionReader

MAX_WAIT_MS = 60_000


class LedgerBehind(ProjectionBehind):
    """A read-your-writes wait ran out before the ledger reached the position."""

    def __init__(self, wanted: int, reached: int, waited_ms: int):
        super().__init__(wanted, reached, waited_ms)
        self.args = (
            f"the dealer ledger reached position {reached}, not {wanted}, within {waited_ms} ms; "
            "retry, or read without waiting and check the freshness",
        )


class LedgerReader(ProjectionReader):
    """Reads the ledger tables beside the event log they are folded from; the engine is
    opened on first use, or is the one given."""

    def __init__(self, database_url: str, event_log: EventLog | None = None, engine: Engine | None = None):
        super().__init__(database_url, event_log, create_tables, ledger_reads.position, engine)

    @classmethod
    def over(cls, engine: Engine) -> LedgerReader:
        """A reader on an engine the caller opened (and closes)."""
        return cls(str(engine.url), engine=engine)

    @classmethod
    def for_application(cls, application) -> LedgerReader:
        return cls(application.database_url, EventLog(application, TOPICS))

    def wait_for(self, min_position: int, wait_timeout_ms: int) -> None:
        """Returns once the ledger has applied `min_position` (read-your-writes)."""
        if not min_position:
            return
        if not 0 <= wait_timeout_ms <= MAX_WAIT_MS:
            raise InvalidInput("wait_timeout_ms", f"must be between 0 and {MAX_WAIT_MS}, got {wait_timeout_ms}")
        if (reached := self.wait_until(min_position, wait_timeout_ms)) < min_position:
            raise LedgerBehind(min_position, reached, wait_timeout_ms)
