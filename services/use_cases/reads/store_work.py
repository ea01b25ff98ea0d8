"""Use cases: a store's queue, read from the store work projection. One page of the store's
shipments in the order they are due, with the projection's freshness; the store's change log
after a position (what WatchShipments replays); every store's changes after a position (what
the shared feed hands to the open streams)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aggregates.order import ACCEPTED, ALLOCATED, CANCELLED, DELIVERED, HANDED_OVER, PICKED, UNFULFILLABLE
from domain.errors import InvalidInput, StoreNotFound
from domain.stock_query_errors import PositionNotRecorded, ProjectionBehind
from domain.values import identifier
from projections.runtime.event_log import EventLog
from projections.runtime.reader import Freshness, ProjectionReader
from projections.runtime.wakeup import Wakeup, applied_channel, listen
from projections.store_work import reads
from projections.store_work.projection import DONE, NAME, REROUTED_AWAY, TOPICS
from projections.store_work.reads import After, Change, Shipment
from projections.store_work.tables import create_tables
from services.use_cases.reads.stock_queries import Consistency, wait_for
from services.use_cases import page_tokens

STATUSES = (ALLOCATED, ACCEPTED, PICKED, HANDED_OVER, DELIVERED, UNFULFILLABLE, CANCELLED, REROUTED_AWAY)
TO_DO = tuple(s for s in STATUSES if s not in DONE)
MAX_STORES_PER_EVENT = 1_000_000  # far above any order's shipments


class ShipmentsBehind(ProjectionBehind):
    def __init__(self, wanted: int, reached: int, waited_ms: int):
        super().__init__(wanted, reached, waited_ms)
        self.args = (
            f"the store work projection reached position {reached}, not {wanted}, within {waited_ms} ms; "
            "retry, or read without waiting and check the freshness",
        )


@dataclass(frozen=True)
class ShipmentQuery:
    store_id: str
    statuses: tuple[str, ...] = ()  # none: TO_DO
    due_before_us: int | None = None
    overdue_only: bool = False

    def checked(self) -> ShipmentQuery:
        identifier("store_id", self.store_id)
        for i, status in enumerate(self.statuses):
            if status not in STATUSES:
                raise InvalidInput(f"statuses[{i}]", f"must be one of {', '.join(STATUSES)}, got {status!r}")
        return ShipmentQuery(self.store_id, tuple(sorted(set(self.statuses or TO_DO))), self.due_before_us, self.overdue_only)


@dataclass(frozen=True)
class ShipmentPage:
    shipments: list[Shipment]
    next_page_token: str  # "" on the last page
    freshness: Freshness


class StoreWork(ProjectionReader):
    """Reads the store work tables beside the event log they are folded from; `knows_store`
    says whether a store exists (the live index, so no aggregate is loaded); `now_us` is the
    application's clock."""

    def __init__(self, database_url: str, event_log: EventLog | None, knows_store: Callable[[str], bool], now_us: Callable[[], int]):
        super().__init__(database_url, event_log, create_tables, reads.position)
        self.knows_store = knows_store
        self.now_us = now_us  # what "overdue" is measured against

    @classmethod
    def for_application(cls, app) -> StoreWork:
        return cls(app.database_url, EventLog(app, TOPICS), lambda store_id: store_id in app.index.profiles, app.now_us)

    def require_store(self, store_id: str) -> str:
        identifier("store_id", store_id)
        if not self.knows_store(store_id):
            raise StoreNotFound(store_id)
        return store_id

    def wait(self, consistency: Consistency, call_seconds_left: float | None = None) -> None:
        wait_for(self, consistency, call_seconds_left, ShipmentsBehind)

    # --- the queue ----------------------------------------------------------------------

    def list_shipments(self, query: ShipmentQuery, page_size: int, page_token: str, now_us: int) -> ShipmentPage:
        """One page of the store's shipments the query selects, in the order they are due.
        Pages continue after the last shipment of the previous one, so a shipment that
        changed meanwhile may move between pages; the order of the rest holds."""
        query = query.checked()
        after = _untoken(page_token, query) if page_token else None
        self.require_store(query.store_id)
        statuses = [s for s in query.statuses if s not in DONE] if query.overdue_only else query.statuses
        with self.engine.connect() as connection:
            position = reads.position(connection)
            rows = reads.store_shipments(
                connection, query.store_id, statuses, query.due_before_us, now_us if query.overdue_only else None,
                after, page_size + 1,
            )
        more = len(rows) > page_size
        rows = rows[:page_size]
        token = _token(query, After(rows[-1].promised_by_us, rows[-1].order_id)) if more else ""
        return ShipmentPage(rows, token, self.freshness(position))

    # --- the change log -----------------------------------------------------------------

    def check_watch(self, store_id: str, after_position: int) -> str:
        self.require_store(store_id)
        if after_position < 0:
            raise InvalidInput("after_position", f"must be >= 0 (0: the store's whole history), got {after_position}")
        head = self.event_log.head() if self.event_log is not None else 0
        if after_position > head:
            raise PositionNotRecorded(after_position, head)
        return store_id

    def commits(self) -> Wakeup:
        """Wakes when the projection's runner has committed a batch (PostgreSQL)."""
        return listen(self.database_url, applied_channel(NAME))

    def store_changes(self, store_id: str, after_position: int, limit: int, upto: int | None = None) -> list[Change]:
        with self.engine.connect() as connection:
            return reads.store_changes(connection, store_id, after_position, upto, limit)

    def changes_after(self, after_position: int, limit: int) -> tuple[list[Change], int]:
        """Every store's changes after `after_position`, at most `limit`, and the position
        they cover to: every change up to it has been returned (now or before). Read in one
        snapshot with the projection's position, so no change committed later is skipped."""
        with self.engine.connect() as connection:
            position = reads.position(connection)
            found = reads.changes_after(connection, after_position, position, limit)
        if len(found) < limit:
            return found, position
        # a full page may end inside one event's changes: its last position is read again next time
        last = found[-1].position
        kept = [c for c in found if c.position < last]
        if not kept:  # one event touching more stores than a page holds: all of its changes
            with self.engine.connect() as connection:
                return reads.changes_after(connection, after_position, last, MAX_STORES_PER_EVENT), last
        return kept, kept[-1].position


# --- page tokens -----------------------------------------------------------------------------

def _key(query: ShipmentQuery) -> list:
    return [query.store_id, list(query.statuses), query.due_before_us, query.overdue_only]


def _token(query: ShipmentQuery, after: After) -> str:
    return page_tokens.encode([1, *_key(query), after.promised_by_us, after.order_id])


def _untoken(token: str, query: ShipmentQuery) -> After:
    try:
        version, store_id, statuses, due_before_us, overdue_only, promised_by_us, order_id = page_tokens.decode(token)
        # only encoded, not signed: a made-up one may hold what no column can be compared with
        if version != 1 or not isinstance(order_id, str) or not page_tokens.fits_64_bits(promised_by_us):
            raise ValueError
    except page_tokens.MALFORMED:
        raise InvalidInput("page_token", "is not a token this service gave; start again without one") from None
    if [store_id, statuses, due_before_us, overdue_only] != _key(query):
        raise InvalidInput(
            "page_token", "belongs to another query (store, statuses, due_before or overdue_only); "
            "send the same filters as the page it came with, or start again without one",
        )
    return After(promised_by_us, order_id)

