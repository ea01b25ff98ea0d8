"""Use case: a store's POS reporting a batch of stock movements.

A batch lands in one atomic save or not at all: one StockMovementsApplied event per SKU
and one entry in the store's POS ledger naming its movement ids,
so a resend is acknowledged as a duplicate and never applied twice, also when two servers
receive it at once: the second save conflicts on the ledger and its retry sees the first.
Orders whose reserved units the counter sold are moved to another location right after the
batch commits (see rerouting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from aggregates.pos_ledger import PosLedger
from aggregates.stock_position import StockPosition
from aggregates.transfer import Transfer
from domain.errors import InvalidInput, MovementIdReused, TransferNotFound
from domain.movements import COUNT, Movement, check_batch
from services.use_cases.application import OmoApplication, RetryDecision
from services.use_cases.network.stores import require_store
from services.use_cases.ordering.backorders import proceed_backorders
from services.use_cases.ordering.rerouting import STOCK_LOST, MoveOutcome, move_losing_orders

APPLIED, DUPLICATE, SUPERSEDED = "APPLIED", "DUPLICATE", "SUPERSEDED"


@dataclass(frozen=True)
class Ack:
    movement_id: str
    outcome: str  # APPLIED, DUPLICATE, or SUPERSEDED (recorded; a later count already holds it)
    sku: str
    on_hand: int  # the position's on hand once the batch is applied


@dataclass
class BatchResult:
    acks: list[Ack]
    moved_orders: list[MoveOutcome] = field(default_factory=list)


def _check_repeats(store_id: str, movements: list[Movement]) -> None:
    """The same id twice in a batch must be the same movement (equal in every field)."""
    first: dict[str, Movement] = {}
    for movement in movements:
        if first.setdefault(movement.movement_id, movement) != movement:
            raise MovementIdReused(store_id, movement.movement_id)


class _Batch:
    """The aggregates one batch touches, loaded once each."""

    def __init__(self, app: OmoApplication, store_id: str):
        self.app = app
        self.store_id = store_id
        self.positions: dict[tuple[str, str], StockPosition] = {}
        self.transfers: dict[str, Transfer] = {}
        self.ledger: PosLedger | None = None

    def position(self, store_id: str, sku: str) -> StockPosition:
        key = (store_id, sku)
        if key not in self.positions:
            # the cached object itself: copying a position costs more than the rest of the
            # batch; a batch that fails forgets every object it loaded
            self.positions[key] = self.app.position_or_new(store_id, sku, shared=True)
        return self.positions[key]

    def transfer(self, transfer_id: str, field_name: str, kind: str) -> Transfer:
        if transfer_id not in self.transfers:
            transfer = self.app.find(Transfer.create_id(transfer_id))
            if not isinstance(transfer, Transfer):
                raise TransferNotFound(transfer_id)
            self.transfers[transfer_id] = transfer
        transfer = self.transfers[transfer_id]
        if self.store_id not in (transfer.from_store_id, transfer.to_store_id):
            # to a store at neither end, another store's transfer is as good as unknown
            raise TransferNotFound(transfer_id)
        end = transfer.from_store_id if kind == "TRANSFER_OUT" else transfer.to_store_id
        if end != self.store_id:
            raise InvalidInput(
                field_name, f"transfer {transfer_id!r} goes from {transfer.from_store_id!r} to {transfer.to_store_id!r}; "
                f"store {self.store_id!r} cannot report its {kind}",
            )
        return transfer

    def step_transfer(self, movement: Movement, field_name: str) -> None:
        """The transfer's side of a TRANSFER_OUT or TRANSFER_IN: checked and recorded."""
        transfer = self.transfer(movement.transfer_id, field_name, movement.kind)
        if movement.kind == "TRANSFER_OUT":
            transfer.ship(movement.sku, movement.quantity)
            if transfer.order_id:
                # the units the source held for the order leave with the goods, before the
                # movement takes them off its shelf; at the store they are the order's
                source = self.position(transfer.from_store_id, movement.sku)
                source.release(transfer.order_id, f"shipped by transfer {transfer.transfer_id}", movement.quantity)
            self.position(transfer.to_store_id, movement.sku).expect_transfer(movement.transfer_id, movement.quantity, transfer.order_id)
        else:
            transfer.receive(movement.sku, movement.quantity)

    def open_ledger(self) -> None:
        """Loads the store's ledger and makes sure the index holds every id it recorded."""
        ledger = self.app.find(PosLedger.create_id(self.store_id))
        if ledger is not None and self.app.index.ledger_version(self.store_id) < ledger.version:
            raise RetryDecision  # another server recorded ids the index has not seen yet
        self.ledger = ledger

    def record(self, fingerprints: dict[str, str]) -> None:
        if self.ledger is None:
            self.ledger = PosLedger(store_id=self.store_id)
        self.ledger.record(fingerprints)

    def aggregates(self) -> list[Any]:
        changed = [*self.positions.values(), *self.transfers.values(), self.ledger]
        return [a for a in changed if a is not None and a.pending_events]


def sync_batch(app: OmoApplication, store_id: str, movements: list[Movement]) -> BatchResult:
    """Applies the batch's new movements in the POS's order, all or none; acknowledges each."""
    require_store(app, store_id)
    check_batch(movements)
    _check_repeats(store_id, movements)
    return apply_movements(app, store_id, movements)


def apply_movements(app: OmoApplication, store_id: str, movements: list[Movement]) -> BatchResult:
    """Applies checked movements in one atomic save: one event per SKU and one for the
    store's ledger, whatever the batch's size. A movement with an id is applied once however
    often it comes; one without (the backbone's own, such as a transfer shipped through the
    API) is applied each time."""
    position_ids = {StockPosition.create_id(store_id, m.sku) for m in movements}
    fingerprints = [m.fingerprint() if m.movement_id else "" for m in movements]

    def plan() -> tuple[list[UUID], None]:
        # a transfer's destination position changes too: lock it with the rest
        transfer_ids = {m.transfer_id for m in movements if m.transfer_id}
        destinations = {
            StockPosition.create_id(t.to_store_id, m.sku)
            for m in movements if m.transfer_id and (t := app.find(Transfer.create_id(m.transfer_id)))
        }
        return [*position_ids, *destinations, *(Transfer.create_id(t) for t in transfer_ids), PosLedger.create_id(store_id)], None

    def decide_batch(_: None) -> tuple[list[Any], list[Ack]]:
        batch = _Batch(app, store_id)
        try:
            return decide(batch)
        except BaseException:
            app.forget(list(batch.positions.values()))  # changed in place, in the cache
            raise

    def decide(batch: _Batch) -> tuple[list[Any], list[Ack]]:
        batch.open_ledger()
        outcomes: list[str] = [DUPLICATE] * len(movements)
        fresh: dict[str, str] = {}
        by_sku: dict[str, list[tuple[int, list]]] = {}
        for i, (movement, fingerprint) in enumerate(zip(movements, fingerprints)):
            mid = movement.movement_id
            if mid:
                if mid in fresh:
                    continue  # repeated within the batch: checked identical
                known = app.index.movement_fingerprint(store_id, mid)
                if known is not None:
                    if known != fingerprint:
                        raise MovementIdReused(store_id, mid)
                    continue
                fresh[mid] = fingerprint
            if movement.transfer_id:
                batch.step_transfer(movement, f"movements[{i}]")
            entry = [mid, movement.kind, movement.quantity, movement.occurred_at_us, movement.transfer_id, movement.reason]
            by_sku.setdefault(movement.sku, []).append((i, entry))
        for sku, items in by_sku.items():
            superseded = batch.position(store_id, sku).apply_movements([entry for _, entry in items])
            for (i, _), stale in zip(items, superseded):
                outcomes[i] = SUPERSEDED if stale else APPLIED
        if fresh:
            batch.record(fresh)
        on_hand = {m.sku: batch.position(store_id, m.sku).on_hand for m in movements}
        return batch.aggregates(), [Ack(m.movement_id, outcome, m.sku, on_hand[m.sku]) for m, outcome in zip(movements, outcomes)]

    acks = app.decide_planned(plan, decide_batch)
    kinds = sorted({m.kind for m in movements if m.kind == COUNT or m.change < 0})
    moved = []
    if kinds:
        reason = f"store {store_id} no longer holds the units reserved for it ({', '.join(kinds)} reported by the store)"
        moved = move_losing_orders(app, store_id, STOCK_LOST, reason)
    if any(m.kind == "TRANSFER_IN" and m.transfer_id for m in movements):
        proceed_backorders(app, store_id)  # units in transit serve the backorders that claimed them
    return BatchResult(acks, moved)
