"""The event-sourced application: persistence, the live index and the retry discipline
shared by every use case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from domain.errors import Contention
from projections.live_index import LiveIndex
from routing.policy import RoutingPolicy
from services.config import application_env
from services.locks import StripedLocks

T = TypeVar("T")
MAX_ATTEMPTS = 20


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def epoch_us(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


class RetryDecision(Exception):
    """Raised inside an attempt when the state read is outdated: decide again."""


class OmoApplication(Application[UUID]):
    name = "omo"  # tables: omo_events

    def __init__(self, database_url: str, clock: Callable[[], datetime] = utc_now, routing: RoutingPolicy | None = None):
        super().__init__(env=application_env(database_url))
        self.database_url = database_url
        self.clock = clock
        self.index = LiveIndex()
        self.locks = StripedLocks()
        self.routing = routing or RoutingPolicy()
        self.catch_up()

    def now_us(self) -> int:
        """The application clock in microseconds since the epoch: the moment of a movement."""
        return epoch_us(self.clock())

    # --- the live index -----------------------------------------------------------------

    def catch_up(self) -> int:
        return self.index.catch_up(self._events_after, self._forget_if_outdated)

    def _forget_if_outdated(self, domain_event: Any) -> None:
        """Drops a cached aggregate older than an event in the log: another process changed it."""
        cache = self.repository.cache
        if cache is None:
            return
        try:
            cached = cache.get(domain_event.originator_id)
        except KeyError:
            return
        if cached.version < domain_event.originator_version:
            self.forget([cached])

    def _events_after(self, position: int, limit: int) -> Sequence[tuple[int, Any]]:
        notifications = self.recorder.select_notifications(start=position, limit=limit, inclusive_of_start=False)
        return [(n.id, self.mapper.to_domain_event(n)) for n in notifications]

    # --- loading ------------------------------------------------------------------------

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate as this process knows it (call catch_up first to see other
        processes' latest changes)."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def position_or_new(self, store_id: str, sku: str, shared: bool = False) -> StockPosition:
        """The stock position, or a new one when the live index has never seen it. A
        position opened elsewhere meanwhile makes the save conflict, and the retry loads it.
        `shared`: the cached object itself rather than a copy (see `forget`)."""
        if self.index.has_position(store_id, sku):
            return self.repository.get(StockPosition.create_id(store_id, sku), deepcopy_from_cache=not shared)
        return StockPosition(store_id=store_id, sku=sku)

    def forget(self, aggregates: Sequence[Any]) -> None:
        """Drops aggregates from the cache: a caller that changed the cached objects
        themselves and did not save them must, or the next reader sees unsaved changes."""
        cache = self.repository.cache
        for aggregate in aggregates:
            try:
                cache.get(aggregate.id, evict=True)
            except KeyError:
                pass

    def store_exists(self, store_id: str) -> bool:
        return store_id in self.index.profiles or self.find(Store.create_id(store_id)) is not None

    # --- deciding and committing --------------------------------------------------------

    def decide_and_save(self, attempt: Callable[[], T]) -> T:
        """Runs attempt() - load, decide, save - again from the start whenever the state it
        read turned out outdated: a version conflict with another writer, or RetryDecision.
        attempt() holds self.locks for the aggregates it loads."""
        for _ in range(MAX_ATTEMPTS):
            try:
                result = attempt()
            except (IntegrityError, RetryDecision):
                self.catch_up()
                continue
            self.catch_up()
            return result
        raise Contention("the stock involved is changing too fast; retry the request")
