"""The event-sourced application: persistence, the live index and the one helper for
locking and retrying on a version conflict that every use case decides through."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, IntegrityError, Recording
from eventsourcing.utils import Environment

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from domain.errors import Contention
from domain.values import epoch_us
from projections.live_index.index import LiveIndex
from routing.policy import RoutingPolicy
from services.use_cases.ports import Concurrency, OrderWriterPort

T = TypeVar("T")
P = TypeVar("P")
MAX_ATTEMPTS = 20


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class RetryDecision(Exception):
    """Raised inside an attempt when the state read is outdated: decide again."""


class OmoApplication(Application[UUID]):
    """Built by the bootstrap, which chooses the event store (`env`, `recorder_class`), the
    concurrency primitives and the order writer."""

    name = "omo"  # tables: omo_events

    def __init__(
        self, database_url: str, env: dict[str, str], concurrency: Concurrency, *,
        recorder_class: type[ApplicationRecorder] | None = None, clock: Callable[[], datetime] = utc_now,
        routing: RoutingPolicy | None = None, order_writer: Callable[[], OrderWriterPort] | None = None,
    ):
        self._recorder_class = recorder_class
        super().__init__(env=env)
        self.database_url = database_url
        self.clock = clock
        self.index = LiveIndex()
        # per caller: how many saves, and how many of them the live index could not
        # follow directly (see _notify)
        self._saves = concurrency.per_caller()
        self.locks = concurrency.aggregate_locks()
        self.routing = routing or RoutingPolicy()
        self._make_order_writer = order_writer
        self._order_writer: OrderWriterPort | None = None
        self._catch_up_lock = concurrency.mutex()
        self._catch_ups_started = self._catch_ups_done = 0
        self._order_writer_lock = concurrency.mutex()
        self.catch_up()

    @property
    def order_writer(self) -> OrderWriterPort:
        """Where PlaceOrder's placements go: the writer given with `use_order_writer`, or else
        the one the bootstrap's factory makes on first use."""
        with self._order_writer_lock:
            if self._order_writer is None:
                if self._make_order_writer is None:
                    raise RuntimeError("this application was built without an order writer")
                self._order_writer = self._make_order_writer()
            return self._order_writer

    @property
    def started_order_writer(self) -> OrderWriterPort | None:
        """The order writer if one has been made, without making one."""
        return self._order_writer

    def order_writer_ready(self) -> bool:
        """Whether the order writer can take placements now: not while it restarts (none made
        yet, as for a reading process, counts as ready)."""
        writer = self._order_writer
        return writer is None or getattr(writer, "ready", True)

    def use_order_writer(self, writer: OrderWriterPort) -> None:
        with self._order_writer_lock:
            self._order_writer = writer

    def close(self) -> None:
        with self._order_writer_lock:
            writer, self._order_writer = self._order_writer, None
        if writer is not None:
            writer.close()
        super().close()

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        if self._recorder_class is not None:
            factory.application_recorder_class = self._recorder_class
        return factory

    def now_us(self) -> int:
        """The application clock in microseconds since the epoch: the moment of a movement."""
        return epoch_us(self.clock())

    # --- the live index -----------------------------------------------------------------

    def catch_up(self) -> int:
        """Reads the log to its head as it is now, as of this call. Callers that arrive while a
        read is under way wait for the next one and share it: a read that started after a
        caller arrived is as fresh as the caller's own would be, and one query serves them all."""
        arrived = self._catch_ups_started
        with self._catch_up_lock:
            if self._catch_ups_done > arrived:
                return 0  # one that started after this caller arrived has finished
            self._catch_ups_started += 1
            try:
                return self.index.catch_up(self._events_after, self._forget_if_outdated)
            finally:
                self._catch_ups_done = self._catch_ups_started

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording]:
        """Application.save (eventsourcing 9.5.6, pinned) for the usual case of aggregates
        only: their pending events are collected without the library's runtime Protocol
        checks, which cost more than the collecting itself and add up over a POS batch of
        many positions. Anything else (events, keyword arguments) goes the library's way."""
        if kwargs or not all(obj is None or isinstance(obj, BaseAggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            if aggregate is not None:
                processing_event.events.extend(aggregate.collect_events())
                processing_event.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # deprecated hook, called as Application.save does
        return recordings

    def _notify(self, recordings: list[Recording]) -> None:
        """Right after a save commits: the live index applies the events just saved, as
        saved, instead of reading them back from the database, when they are the very next
        notifications after its position. Otherwise (another process or thread recorded
        something first, or a rolled-back insert left a gap) it leaves them to catch_up,
        which reads the log in order as before."""
        super()._notify(recordings)
        if not recordings:
            return  # nothing was written
        counts = self._saves
        counts.saved = getattr(counts, "saved", 0) + 1
        if not self.index.follow_saved([(r.notification.id, r.domain_event) for r in recordings]):
            counts.unfollowed = getattr(counts, "unfollowed", 0) + 1

    def _save_counts(self) -> tuple[int, int]:
        return getattr(self._saves, "saved", 0), getattr(self._saves, "unfollowed", 0)

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

    def find(self, aggregate_id: UUID, shared: bool = False) -> Any | None:
        """The aggregate as this process knows it (call catch_up first to see other
        processes' latest changes). `shared`: the cached object itself rather than a copy,
        for a caller that only reads it."""
        try:
            return self.repository.get(aggregate_id, deepcopy_from_cache=not shared)
        except AggregateNotFoundError:
            return None

    def find_settled(self, aggregate_id: UUID) -> Any | None:
        """`find`, copied under the aggregate's lock: a writer of this process may be changing
        the cached object itself (a POS batch changes the positions it holds in place)."""
        with self.locks.holding([aggregate_id]):
            return self.find(aggregate_id)

    def preload(self, aggregate_ids: Sequence[UUID]) -> None:
        """Puts the aggregates not in the cache there, read in one query rather than one each
        (the order writer, for a batch's stock positions)."""
        missing = self.uncached(aggregate_ids)
        if not missing:
            return
        aggregates: dict[UUID, Any] = {}
        for stored in self.recorder.select_stored_events(missing):
            domain_event = self.mapper.to_domain_event(stored)
            aggregates[domain_event.originator_id] = domain_event.mutate(aggregates.get(domain_event.originator_id))
        for aggregate_id, aggregate in aggregates.items():
            self.repository.cache.put(aggregate_id, aggregate)

    def uncached(self, aggregate_ids: Sequence[UUID]) -> list[UUID]:
        """The ids whose aggregates are not in the cache, in order."""
        cache = self.repository.cache
        missing = []
        for aggregate_id in aggregate_ids:
            try:
                cache.get(aggregate_id)
            except KeyError:
                missing.append(aggregate_id)
        return missing

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
        for aggregate in aggregates:
            self.evict(aggregate.id)

    def find_afresh(self, aggregate_id: UUID) -> Any | None:
        """`find`, read from the event store rather than the cache: for a decision another
        process's latest change must count in (a revoked token, a store's new owner)."""
        self.evict(aggregate_id)
        return self.find(aggregate_id)

    def evict(self, aggregate_id: UUID) -> None:
        """Drops the aggregate from the cache, if there: the next find reads the event store."""
        try:
            self.repository.cache.get(aggregate_id, evict=True)
        except KeyError:
            pass

    def store_exists(self, store_id: str) -> bool:
        return store_id in self.index.profiles or self.find(Store.create_id(store_id)) is not None

    # --- deciding and committing --------------------------------------------------------

    def decide(self, lock_ids: Iterable[UUID], decide: Callable[[], tuple[Iterable[Any], T]]) -> T:
        """The one way a use case writes: load, decide, save. Holds the per-aggregate locks of
        `lock_ids` while decide() loads them, decides and returns (the aggregates it changed,
        its result); those that recorded events are saved in one atomic write. When what it
        read turns out outdated (a version conflict with another writer, or RetryDecision
        from decide()) it all runs again. Returns the result."""
        return self.decide_planned(lambda: (lock_ids, None), lambda _: decide())

    def decide_planned(
        self, plan: Callable[[], tuple[Iterable[UUID], P]], decide: Callable[[P], tuple[Iterable[Any], T]],
    ) -> T:
        """`decide` for a use case that must first read which aggregates take part: plan()
        reads without locks and returns (their ids, what it read); decide(what it read) runs
        under their locks and raises RetryDecision if that has changed meanwhile."""

        def attempt() -> T:
            lock_ids, planned = plan()
            with self.locks.holding(lock_ids):
                changed, result = decide(planned)
                pending = [aggregate for aggregate in changed if aggregate.pending_events]
                if pending:
                    try:
                        self.save(*pending)
                    except BaseException:
                        self.forget(pending)  # their unsaved changes must not outlive the attempt
                        raise
                return result

        return self._attempts(attempt)

    def change_one(self, aggregate_id: UUID, decide: Callable[[], tuple[Any, T]]) -> T:
        """`decide` for one aggregate: decide() loads (or makes) it and changes it, returning
        (aggregate, result)."""

        def decide_one() -> tuple[list[Any], T]:
            aggregate, result = decide()
            return [aggregate], result

        return self.decide([aggregate_id], decide_one)

    def create_or_change(self, aggregate_id: UUID, create: Callable[[], Any], change: Callable[[Any], None]) -> tuple[Any, bool]:
        """(aggregate, created): made by create() when there is none, else the one there
        changed by change(); saved as `change_one` saves."""

        def decide() -> tuple[Any, tuple[Any, bool]]:
            aggregate = self.find(aggregate_id)
            if aggregate is None:
                aggregate = create()
                return aggregate, (aggregate, True)
            change(aggregate)
            return aggregate, (aggregate, False)

        return self.change_one(aggregate_id, decide)

    def _attempts(self, attempt: Callable[[], T]) -> T:
        """Runs attempt() - load, decide, save - again from the start whenever the state it
        read turned out outdated: a version conflict with another writer, or RetryDecision."""
        for _ in range(MAX_ATTEMPTS):
            saved, unfollowed = self._save_counts()
            try:
                result = attempt()
            except (IntegrityError, RetryDecision):
                self.catch_up()
                continue
            # the index has followed every save of this attempt already (see _notify):
            # nothing to read back; otherwise (or when nothing was saved) read the log
            now_saved, now_unfollowed = self._save_counts()
            if now_saved == saved or now_unfollowed != unfollowed:
                self.catch_up()
            return result
        raise Contention("the stock involved is changing too fast; retry the request")
