"""Use case: listing orders (ListOrders) from the order list projection, never from the
aggregates: by customer, by store and the store's local day, by status, or any of these
together; newest first, in pages, with the projection's freshness.

Who may list what is decided before this, by the gate: a checkout names the customer it acts
for, a store's POS or a dealer one of its stores; ops may list everything. A page token
carries the query it was given for, so it continues only that query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aggregates import order as order_statuses
from domain.errors import InvalidInput, StoreNotFound
from domain.stock_query_errors import ProjectionBehind
from domain.values import epoch_us, optional_identifier
from projections.order_list import reads
from projections.order_list.fold import TOPICS
from projections.order_list.reads import ListedOrder, Selection
from projections.order_list.tables import NAME, create_tables
from projections.runtime.event_log import EventLog
from projections.runtime.reader import Freshness, ProjectionReader
from services.use_cases.reads.stock_queries import Consistency, wait_for
from services.use_cases import page_tokens

STATUSES = (
    order_statuses.PLACED, order_statuses.ALLOCATED, order_statuses.ACCEPTED, order_statuses.PICKED,
    order_statuses.HANDED_OVER, order_statuses.DELIVERED, order_statuses.CANCELLED, order_statuses.NEEDS_ATTENTION,
    order_statuses.BACKORDERED, order_statuses.AWAITING_TRANSFER, order_statuses.PRE_ORDERED,
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TOKEN_VERSION = 1
RESTART = "start again without page_token"


class OrderListBehind(ProjectionBehind):
    """A read-your-writes wait ran out before the order list reached the position."""

    def __init__(self, wanted: int, reached: int, waited_ms: int):
        super().__init__(wanted, reached, waited_ms)
        self.args = (
            f"the order list reached position {reached}, not {wanted}, within {waited_ms} ms; "
            "retry, or read without waiting and check the freshness",
        )


@dataclass(frozen=True)
class OrderQuery:
    """Empty fields select everything. `date`: the store's local day, 'YYYY-MM-DD'."""

    customer_id: str = ""
    store_id: str = ""
    date: str = ""
    status: str = ""

    def checked(self) -> OrderQuery:
        optional_identifier("customer_id", self.customer_id)
        optional_identifier("store_id", self.store_id)
        if self.status and self.status not in STATUSES:
            raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}, or unset for every status")
        if self.date:
            local_day(self.date)
            if not self.store_id:
                raise InvalidInput("date", "needs store_id: a date is the local day of the store it names")
        return self

    def key(self) -> list[str]:
        return [self.customer_id, self.store_id, self.date, self.status]


@dataclass(frozen=True)
class OrderPage:
    orders: list[ListedOrder]
    next_page_token: str  # "" on the last page
    freshness: Freshness


def local_day(value: str) -> date:
    try:
        if DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise InvalidInput("date", f"must be a calendar date 'YYYY-MM-DD' (the store's local day), got {value[:20]!r}")


def day_in_utc(day: date, time_zone: str) -> tuple[int, int]:
    """[start, end) of the local day in the time zone, in UTC microseconds (a day of a clock
    change is 23 or 25 hours long)."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return epoch_us(start), epoch_us(end)


# --- page tokens -----------------------------------------------------------------------------

def _token(query: OrderQuery, last: ListedOrder) -> str:
    return page_tokens.encode([TOKEN_VERSION, *query.key(), last.placed_at_us, last.order_id])


def _untoken(token: str, query: OrderQuery) -> tuple[int, str]:
    """The (placed_at_us, order_id) of the last order of the previous page of this query."""
    try:
        version, *key, moment, order_id = page_tokens.decode(token)
        # only encoded, not signed: a made-up token may hold what no column can be compared with
        if version != TOKEN_VERSION or len(key) != 4 or not isinstance(moment, int) or not -(2**63) <= moment < 2**63:
            raise ValueError
        if not isinstance(order_id, str) or len(order_id) > 36:
            raise ValueError
    except page_tokens.MALFORMED:
        raise InvalidInput("page_token", f"is not a token this service gave; {RESTART}") from None
    if key != query.key():
        raise InvalidInput(
            "page_token", f"was given for another query (customer_id, store_id, date or status differ); {RESTART}",
        )
    return moment, order_id


# --- reading ---------------------------------------------------------------------------------

class OrderList(ProjectionReader):
    """Reads the order list's tables beside the event log they are folded from."""

    def __init__(self, database_url: str, event_log: EventLog | None, projection: str = NAME):
        super().__init__(
            database_url, event_log, lambda engine: create_tables(engine, projection),
            lambda connection: reads.position(connection, projection),
        )
        self.projection = projection

    @classmethod
    def for_application(cls, application) -> OrderList:
        return cls(application.database_url, EventLog(application, TOPICS))

    def list_orders(
        self, query: OrderQuery, page_size: int, page_token: str = "", consistency: Consistency | None = None,
        call_seconds_left: float | None = None,
    ) -> OrderPage:
        """One page (`page_size` orders at most) of the query's orders, newest first; first,
        when asked, waits for the list to apply a position (read-your-writes)."""
        query = query.checked()
        after = _untoken(page_token, query) if page_token else None
        wait_for(self, consistency or Consistency(), call_seconds_left, OrderListBehind)
        with self.engine.connect() as connection:
            position = reads.position(connection, self.projection)
            selection = Selection(query.customer_id, query.store_id, query.status)
            if query.store_id:
                time_zone = reads.time_zone(connection, query.store_id)
                if time_zone is None:
                    raise StoreNotFound(query.store_id)
                if query.date:
                    start_us, end_us = day_in_utc(local_day(query.date), time_zone)
                    selection = Selection(query.customer_id, query.store_id, query.status, start_us, end_us)
            found = reads.page(connection, selection, after, page_size + 1)
        more = len(found) > page_size
        found = found[:page_size]
        return OrderPage(found, _token(query, found[-1]) if more else "", self.freshness(position))
