"""Use case: how stores keep their promises, from the on-time projection.

The scope is exactly one of a store, a dealer (the stores it owns now) or a region (a
province, or a city in it); the range is store-local days from..to, inclusive, at most
`MAX_DAYS`. Per store (every store of the scope, by id, a page at a time) and per local day
with a shipment due: due, done on time, done late, still open and, of those, overdue (open past
the promise as of the moment asked); totals per store and over the whole scope. The on-time
share is per mille of the shipments whose promise is settled: on time / (on time + late +
overdue), rounded half up; none while nothing is settled.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from domain.errors import DealerNotFound, InvalidInput, NotFound, StoreNotFound
from domain.stock_query_errors import ProjectionBehind
from domain.values import identifier, text
from projections.on_time import reads
from projections.on_time.reader import OnTimeReader
from projections.runtime.reader import Freshness
from services.use_cases.reads.stock_queries import Consistency, wait_for
from services.use_cases import page_tokens

MAX_DAYS = 31
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class NoStoresInRegion(NotFound):
    def __init__(self, where: str):
        super().__init__(f"no store is registered in {where}")


class OnTimeBehind(ProjectionBehind):
    def __init__(self, wanted: int, reached: int, waited_ms: int):
        super().__init__(wanted, reached, waited_ms)
        self.args = (
            f"the on-time figures reached position {reached}, not {wanted}, within {waited_ms} ms; "
            "retry, or read without waiting and check the freshness",
        )


@dataclass(frozen=True)
class Scope:
    """Exactly one: a store, a dealer, or a province (optionally with a city); or, for HQ's
    own report, every store."""

    store_id: str = ""
    dealer_id: str = ""
    province: str = ""
    city: str = ""
    everywhere: bool = False

    def describe(self) -> str:
        if self.everywhere:
            return "every store"
        if self.store_id:
            return f"store {self.store_id!r}"
        if self.dealer_id:
            return f"dealer {self.dealer_id!r}"
        return f"city {self.city!r} in province {self.province!r}" if self.city else f"province {self.province!r}"


def checked_scope(scope: Scope) -> Scope:
    given = [name for name, value in (("store_id", scope.store_id), ("dealer_id", scope.dealer_id), ("region", scope.province or scope.city)) if value]
    if scope.everywhere and not given:
        return scope
    if len(given) != 1:
        raise InvalidInput("scope", f"must be exactly one of store_id, dealer_id or region; got {', '.join(given) or 'none'}")
    if scope.store_id:
        identifier("store_id", scope.store_id)
    elif scope.dealer_id:
        identifier("dealer_id", scope.dealer_id)
    else:
        text("region.province", scope.province, required=True)
        text("region.city", scope.city)
    return scope


def local_day(field: str, value: str) -> date:
    try:
        if not DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"must be a store-local date YYYY-MM-DD such as 2026-12-01, got {value!r}") from None


def checked_range(from_date: str, to_date: str) -> tuple[date, date]:
    first, last = local_day("from_date", from_date), local_day("to_date", to_date)
    if last < first:
        raise InvalidInput("to_date", f"{last} is before from_date {first}; the range is from..to, both included")
    if (days := (last - first).days + 1) > MAX_DAYS:
        raise InvalidInput("to_date", f"{first}..{last} is {days} days; at most {MAX_DAYS} days may be asked at once: split the range")
    return first, last


@dataclass(frozen=True)
class Figures:
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.due - self.on_time - self.late

    @property
    def settled(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def on_time_per_mille(self) -> int | None:
        """None while no promise is settled; rounded half up, in integers."""
        if not self.settled:
            return None
        return (2000 * self.on_time + self.settled) // (2 * self.settled)

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.due + other.due, self.on_time + other.on_time, self.late + other.late, self.overdue + other.overdue)


@dataclass(frozen=True)
class StoreDay:
    local_day: str
    figures: Figures


@dataclass(frozen=True)
class StorePerformance:
    store_id: str
    total: Figures
    days: list[StoreDay]


@dataclass(frozen=True)
class Performance:
    scope: Scope
    first_day: date
    last_day: date
    as_of_us: int  # the moment overdue is counted at
    stores: list[StorePerformance]  # this page's
    total: Figures  # over every store of the scope
    store_count: int  # stores in the scope
    next_page_token: str  # "" on the last page
    freshness: Freshness


def _fingerprint(scope: Scope, first: date, last: date) -> str:
    asked = json.dumps([scope.store_id, scope.dealer_id, scope.province, scope.city, scope.everywhere, str(first), str(last)])
    return hashlib.sha256(asked.encode()).hexdigest()[:16]


def _page_token(after: str, fingerprint: str) -> str:
    return page_tokens.encode({"after": after, "query": fingerprint}) if after else ""


def _after(token: str, fingerprint: str) -> str:
    if not token:
        return ""
    try:
        decoded = page_tokens.decode(token)
        after, query = decoded["after"], decoded["query"]
    except (*page_tokens.MALFORMED, KeyError):
        raise InvalidInput("page_token", "is not a token from a previous response") from None
    if query != fingerprint or not isinstance(after, str):
        raise InvalidInput("page_token", "belongs to another query (scope or dates changed); start again without a token")
    return after


@dataclass(frozen=True)
class OverdueShipments:
    scope: Scope
    first_day: date
    last_day: date
    as_of_us: int  # the moment overdue is counted at
    shipments: list[reads.OverdueShipment]  # the most overdue first, at most the limit asked
    freshness: Freshness


class StorePerformanceQueries:
    """GetStorePerformance and `omo report on-time`, over the on-time projection."""

    def __init__(self, reader: OnTimeReader):
        self.reader = reader

    def wait(self, consistency: Consistency, call_seconds_left: float | None = None) -> None:
        """Returns once the projection has applied what the caller asked for."""
        wait_for(self.reader, consistency, call_seconds_left, OnTimeBehind)

    def performance(
        self, scope: Scope, from_date: str, to_date: str, now_us: int, page_size: int | None = None, page_token: str = "",
    ) -> Performance:
        """`page_size` stores from after the token's (None: every store)."""
        checked_scope(scope)
        first, last = checked_range(from_date, to_date)
        fingerprint = _fingerprint(scope, first, last)
        after = _after(page_token, fingerprint)
        with self.reader.engine.connect() as connection:
            position = reads.position(connection)
            store_ids = self._stores(connection, scope, now_us)
            counted = reads.day_counts(connection, store_ids, str(first), str(last), now_us)
        by_store: dict[str, list[StoreDay]] = {store_id: [] for store_id in store_ids}
        for c in counted:
            by_store[c.store_id].append(StoreDay(c.local_day, Figures(c.due, c.on_time, c.late, c.overdue)))
        totals = {store_id: sum((d.figures for d in found), Figures()) for store_id, found in by_store.items()}
        listed = [store_id for store_id in store_ids if store_id > after]
        page = listed if page_size is None else listed[:page_size]
        more = len(page) < len(listed)
        return Performance(
            scope, first, last, now_us,
            [StorePerformance(store_id, totals[store_id], by_store[store_id]) for store_id in page],
            sum(totals.values(), Figures()), len(store_ids),
            _page_token(page[-1], fingerprint) if more else "", self.reader.freshness(position),
        )

    @staticmethod
    def _stores(connection, scope: Scope, now_us: int) -> list[str]:
        if scope.store_id:
            if not reads.store_known(connection, scope.store_id):
                raise StoreNotFound(scope.store_id)
            return [scope.store_id]
        if scope.dealer_id:
            if not reads.dealer_known(connection, scope.dealer_id):
                raise DealerNotFound(scope.dealer_id)
            return sorted(reads.stores_of_dealer(connection, scope.dealer_id, now_us))
        if scope.everywhere:
            return sorted(reads.every_store(connection))
        found = reads.stores_in_region(connection, scope.province, scope.city)
        if not found:
            raise NoStoresInRegion(scope.describe())
        return sorted(found)  # the page tokens compare ids as Python does, whatever the database's collation

    def overdue_shipments(self, scope: Scope, from_date: str, to_date: str, now_us: int, limit: int = 100) -> OverdueShipments:
        """The shipments of the scope's stores due from..to and open past their promise at
        `now_us`, the most overdue first: at most `limit` of them (the figures count them all)."""
        checked_scope(scope)
        first, last = checked_range(from_date, to_date)
        if limit < 1:
            raise InvalidInput("limit", f"must be at least 1, got {limit}")
        with self.reader.engine.connect() as connection:
            position = reads.position(connection)
            store_ids = self._stores(connection, scope, now_us)
            found = reads.overdue_shipments(connection, store_ids, str(first), str(last), now_us, limit)
        return OverdueShipments(scope, first, last, now_us, found, self.reader.freshness(position))

