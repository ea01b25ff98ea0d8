"""The order writer: the one place orders are created, a batch at a time.

The server routes each order (the placing use case) and hands the writer a Placement: what
to reserve where and the order to record. The writer owns the aggregates it writes in memory
(its own application, cache and index) and decides the placements of a batch one after another
(a later order sees the units an earlier one took), then commits the whole batch in one
atomic save: one transaction, one table lock, for up to `MAX_BATCH` orders (group commit).
Outcomes are handed back only after that commit, so an acknowledged order is a durable one.

A batch that conflicts with another writer (a POS sale, a cancellation, another server's
writer) is thrown away whole, the writer reads what changed and decides it again; nothing of
it was acknowledged. Several conflicts in a row and the placements go one at a time, so one
contended order cannot hold up the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from aggregates.order import Order
from aggregates.pre_sale import PreSale
from aggregates.stock_position import StockPosition, reserve_all, stores_short
from aggregates.store_slot import StoreSlot
from aggregates.transfer import Transfer
from domain.errors import Contention, DomainError, IdempotencyKeyReused
from domain.presales import PreSaleNotFound
from services.use_cases.application import OmoApplication
from services.use_cases.ordering.launches import claim_placement, exhausted_by, quota_ids
from services.use_cases.ports import NotPlaced, Outcome, Placed, Placement, Refused, Reroute

MAX_BATCH = 128
BATCH_ATTEMPTS = 3  # then one placement at a time
SINGLE_ATTEMPTS = 20
# a cached stock position another process changed only costs a conflict and a second try;
# reading the log now and then keeps that rare without a query per batch
CATCH_UP_EVERY_S = 0.5


@dataclass(frozen=True)
class BatchFigures:
    """How one batch went, sent back beside its outcomes for the metrics and the traces of the
    server whose callers it answers (the writer may run in another process). Times are the
    wall clock's nanoseconds, the clock both processes and the tracing SDK share."""

    size: int
    started_ns: int
    ended_ns: int
    conflicts: int = 0  # attempts thrown away on a version conflict
    saved_from_ns: int = 0  # the save that committed it (0: nothing to save)
    saved_until_ns: int = 0

    @property
    def seconds(self) -> float:
        return (self.ended_ns - self.started_ns) / 1e9


@dataclass
class _Batch:
    """What the writer knows while it decides one batch."""

    pending: dict[UUID, Any]  # aggregates this batch changed or made, by id
    existing: set[UUID]  # the batch's order ids that are recorded already
    absent_quotas: set[UUID]  # launch quotas looked for and not found: new buyers
    # slots looked for and not found: the hour's first order at the store opens its slot
    # without asking the database again for each placement
    absent_slots: set[UUID] = field(default_factory=set)
    caught_up: bool = False  # the log was read during this batch


class OrderWriter:
    """Decides and commits batches of placements against `app`, an application of its own."""

    def __init__(self, app: OmoApplication, claims: Callable[..., list[Any]] | None = claim_placement):
        self.app = app
        self._caught_up_at = time.monotonic()
        # per-customer purchase limits: (app, placement, pending) -> quota aggregates changed
        self.claims = claims
        self.figures: BatchFigures | None = None  # the last batch's, once it is decided
        self._conflicts = 0
        self._saved = (0, 0)

    def commit(self, placements: Sequence[Placement]) -> list[Outcome]:
        started = time.time_ns()
        self._conflicts, self._saved = 0, (0, 0)
        try:
            if time.monotonic() - self._caught_up_at > CATCH_UP_EVERY_S:
                self._catch_up()  # drops cached aggregates other processes have changed since
            for _ in range(BATCH_ATTEMPTS):
                try:
                    return self._decide_and_save(placements)
                except IntegrityError:
                    self._conflicts += 1
                    self._catch_up()
            return [self._commit_alone(p) for p in placements]
        finally:
            self.figures = BatchFigures(len(placements), started, time.time_ns(), self._conflicts, *self._saved)

    def _catch_up(self) -> None:
        self.app.catch_up()
        self._caught_up_at = time.monotonic()

    def _commit_alone(self, placement: Placement) -> Outcome:
        for _ in range(SINGLE_ATTEMPTS):
            try:
                return self._decide_and_save([placement])[0]
            except IntegrityError:
                self._conflicts += 1
                self._catch_up()
        return Refused(Contention("the stock involved is changing too fast; retry the request"))

    def _decide_and_save(self, placements: Sequence[Placement]) -> list[Outcome]:
        pending: dict[UUID, Any] = {}  # aggregates this batch changed or made
        existing = self._orders_recorded([p.order_id for p in placements])
        quotas = [quota_id for p in placements if not p.lookup_only for quota_id in quota_ids(p)]
        slots = [StoreSlot.create_id(*key) for p in placements for key in p.slots]
        positions = [StockPosition.create_id(*key) for p in placements for key in (*p.wanted, *p.claims)]
        pre_sales = {PreSale.create_id(p.pre_sale["sku"]) for p in placements if p.pre_sale}
        self.app.preload([*positions, *quotas, *slots, *pre_sales])
        batch = _Batch(pending, existing, absent_quotas=set(self.app.uncached(quotas)), absent_slots=set(self.app.uncached(slots)))
        outcomes: list[Any] = []
        try:
            for placement in placements:
                outcomes.append(self._decide(placement, batch))
            recordings = self._saved_timed(pending) if pending else []
        except BaseException:
            # their in-memory state holds what was not saved: read them again next time
            for aggregate_id in pending:
                self.app.evict(aggregate_id)
            raise
        position = max((r.notification.id for r in recordings), default=0)
        for aggregate in pending.values():
            if isinstance(aggregate, Order):
                self.app.evict(aggregate.id)  # a replay is rare: the cache is for stock positions
        return [Placed(o[0], o[1], position, o[2]) if isinstance(o, tuple) else o for o in outcomes]

    def _saved_timed(self, pending: dict[UUID, Any]) -> list[Any]:
        saved_from = time.time_ns()
        recordings = self.app.save(*pending.values())
        self._saved = (saved_from, time.time_ns())
        return recordings

    def _decide(self, placement: Placement, batch: _Batch) -> Any:
        """(order, replayed, exhausted) to be acknowledged after the save, or an outcome as it is."""
        pending = batch.pending
        order = pending.get(placement.order_id)
        if order is None and placement.order_id in batch.existing:
            order = self.app.find_afresh(placement.order_id)  # as it is now: paid, cancelled...
        if order is not None:
            if order.request_fingerprint != placement.fingerprint:
                return Refused(IdempotencyKeyReused(placement.idempotency_key))
            return order, True, ()
        if placement.lookup_only:
            return NotPlaced()
        positions, short, slots, full = self._read(placement, batch)
        pre_sale, sold_out = self._pre_sale(placement, batch)
        if (short or full or sold_out) and not batch.caught_up:
            # a cached position or slot another process has changed since may understate
            # what is left (a cancellation released units or gave a place back): only what
            # is read as it is now refuses. Reading the log once per batch drops every such
            # aggregate from the cache; on a sold-out SKU that is one read per batch rather
            # than one per order
            self._catch_up()
            batch.caught_up = True
            batch.absent_slots.clear()  # another writer may have opened them meanwhile
            positions, short, slots, full = self._read(placement, batch)
            pre_sale, sold_out = self._pre_sale(placement, batch)
        if sold_out is not None:
            return Refused(sold_out)
        if short:
            return Reroute(short)
        if full:
            return Reroute(frozenset())  # filled since routing counted it: route again, counting it full
        try:
            quotas = self.claims(self.app, placement, pending, batch.absent_quotas) if self.claims else []
        except DomainError as refusal:
            return Refused(refusal)
        order = placement.new_order()
        if pre_sale is not None:
            pre_sale.take(order.order_id, sum(line.quantity for line in placement.lines))
        reserve_all(positions, order.order_id, placement.wanted)
        for key, units in placement.claims.items():
            positions[key].claim(order.order_id, units, placement.not_after_us, placement.transit_arrives_us)
        transfers = [
            Transfer(transfer_id=t["transfer_id"], from_store_id=t["from_store_id"], to_store_id=order.store_ids[0], lines=t["lines"], order_id=order.order_id)
            for t in placement.transfers
        ]
        for key, slot in slots.items():
            if slot is None:
                slots[key] = StoreSlot.open(*key, order.order_id)
            else:
                slot.take(order.order_id)
        for aggregate in (order, *positions.values(), *quotas, *slots.values(), *transfers, *([pre_sale] if pre_sale else [])):
            pending[aggregate.id] = aggregate
        return order, False, exhausted_by(quotas, placement.launches)

    def _read(self, placement: Placement, batch: _Batch) -> tuple[dict, frozenset[str], dict, bool]:
        """(the stock positions it reserves, the stores short of its units, the slots it
        takes (None: not opened yet), whether one of them is full)."""
        pending = batch.pending
        positions = {key: self._position(key, pending) for key in (*placement.wanted, *placement.claims)}
        slots = {key: self._slot(StoreSlot.create_id(*key), batch) for key in placement.slots}
        full = any(slot is not None and not slot.has_room(placement.slots[key]) for key, slot in slots.items())
        return positions, stores_short(positions, placement.wanted) | claims_short(positions, placement), slots, full

    def _pre_sale(self, placement: Placement, batch: _Batch) -> tuple[PreSale | None, DomainError | None]:
        """(the pre-sale a pre-order takes its units of, why it cannot: PreSaleSoldOut);
        (None, None) for any other order. Checked before any buyer's quota is claimed on."""
        if not placement.pre_sale:
            return None, None
        sku = placement.pre_sale["sku"]
        pre_sale = self._existing(PreSale.create_id(sku), batch.pending)
        if pre_sale is None:
            return None, PreSaleNotFound(sku)
        return pre_sale, pre_sale.refusal(str(placement.order_id), sum(line.quantity for line in placement.lines))

    def _slot(self, slot_id: UUID, batch: _Batch) -> StoreSlot | None:
        if slot_id in batch.absent_slots and slot_id not in batch.pending:
            return None
        return self._existing(slot_id, batch.pending)

    def _position(self, key: tuple[str, str], pending: dict[UUID, Any]) -> StockPosition | None:
        return self._existing(StockPosition.create_id(*key), pending)

    def _existing(self, aggregate_id: UUID, pending: dict[UUID, Any]) -> Any:
        if aggregate_id in pending:
            return pending[aggregate_id]
        try:
            # the cached object itself: this writer is its only user, and a failed save evicts it
            return self.app.repository.get(aggregate_id, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            return None

    def _orders_recorded(self, order_ids: list[UUID]) -> set[UUID]:
        """Which of the orders exist already: those in the cache, and one query for the rest."""
        unknown = self.app.uncached(order_ids)
        known = set(order_ids) - set(unknown)
        known |= self.app.recorder.select_created(unknown)
        return known


def claims_short(positions: dict[tuple[str, str], StockPosition | None], placement: Placement) -> frozenset[str]:
    """The stores whose incoming stock can no longer cover what the backorder claims there."""
    return frozenset(
        store_id for (store_id, sku), units in placement.claims.items()
        if (position := positions.get((store_id, sku))) is None
        or position.claimable(placement.not_after_us, placement.transit_arrives_us) < units
    )
