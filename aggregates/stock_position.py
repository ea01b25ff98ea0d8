"""A stock position: one SKU in one store, shared by walk-in and online sales.

Every movement carries the moment it happened (microseconds since the epoch, UTC). A count
states on hand *as of its moment*: a movement that happened before the latest count is
recorded but already inside the count (superseded), and a movement recorded before a count
that happened earlier still applies on top of it. So a POS that resends or reorders what it
had offline never counts a unit twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.errors import ExpectedReceiptNotFound, IncomingShort, InvalidInput, NegativeStock, OutOfStock
from domain.movements import SIGN
from domain.presales import PRESALE_PREFIX
from domain.values import available_units

# kinds of StockMoved: the POS's movements, a manual correction, and what orders do to on hand
SALE, RETURN, RECEIPT, TRANSFER_OUT, TRANSFER_IN, DAMAGE, ADJUSTMENT = (
    "SALE", "RETURN", "RECEIPT", "TRANSFER_OUT", "TRANSFER_IN", "DAMAGE", "ADJUSTMENT",
)
ORDER_PICKED, ORDER_RETURNED = "ORDER_PICKED", "ORDER_RETURNED"
COUNT = "COUNT"


class StockPosition(Aggregate):
    @staticmethod
    @lru_cache(maxsize=100_000)  # a POS batch asks once per movement; uuid5 hashes each time
    def create_id(store_id: str, sku: str) -> UUID:
        return uuid5(NAMESPACE, f"stock:{store_id}:{sku}")

    @event("StockPositionOpened")
    def __init__(self, store_id: str, sku: str):
        self.store_id = store_id
        self.sku = sku
        # below 0 only when a POS reported selling more than the books held; a count mends it
        self.on_hand = 0
        self.safety_stock = 0
        # order id -> units held for it, oldest first; reserved is always their sum
        self.reservations: dict[str, int] = {}
        # orders whose units went over the counter: they are being moved to another store
        self.losing: list[str] = []
        # transfer id -> units shipped here and not yet arrived
        self.in_transit: dict[str, int] = {}
        # reference -> {"quantity": units still to come, "expected_at_us"}: receipts announced
        # for this shelf (a warehouse delivery, a supplier's), each until it has all arrived
        self.expected: dict[str, dict[str, int]] = {}
        # pre-sale reference -> units received under it: how far a pre-sale's plan has come
        # (other receipts are forgotten once all arrived)
        self.received_under: dict[str, int] = {}
        # order id -> units of incoming stock (expected receipts, transfers in transit) the
        # order waits for (backorders), first come first served: arriving units serve the
        # earliest claims, which become reservations
        self.claims: dict[str, int] = {}
        # backordered orders whose claims the incoming stock no longer covers: to be moved
        self.uncovered: list[str] = []
        # transfer id -> the order it brings units for: as they arrive they are that order's
        # reservation, and no backorder may claim them
        self.earmarks: dict[str, str] = {}
        self.counted_at_us = 0  # the moment of the latest count; 0 = never counted
        # [moment, change] of every movement after the latest count, so a count that
        # happened earlier than movements already applied keeps them
        self.after_count: list[list[int]] = []

    @property
    def reserved(self) -> int:
        return sum(self.reservations.values())

    @property
    def available(self) -> int:
        return available_units(self.on_hand, self.reserved, self.safety_stock)

    @property
    def in_transit_units(self) -> int:
        """Shipped towards this shelf by transfers, not yet arrived (what is incoming besides
        the expected receipts)."""
        return sum(self.in_transit.values())

    @property
    def expected_units(self) -> int:
        return sum(receipt["quantity"] for receipt in self.expected.values())

    @property
    def claimed(self) -> int:
        return sum(self.claims.values())

    @property
    def unearmarked_in_transit(self) -> int:
        """In transit for no order: what backorders may claim of the transfers."""
        return sum(units for transfer_id, units in self.in_transit.items() if transfer_id not in self.earmarks)

    @property
    def incoming_units(self) -> int:
        """What backorders may claim: expected receipts and unearmarked transfers."""
        return self.unearmarked_in_transit + self.expected_units

    def claimable(self, not_after_us: int, transit_arrives_us: int) -> int:
        """Units of incoming stock a new claim may still take and have by `not_after_us`:
        the receipts expected by then, the units in transit when transfers arriving at
        `transit_arrives_us` are in time, less what earlier claims take first."""
        receipts = [(r["quantity"], r["expected_at_us"]) for r in self.expected.values()]
        return claimable_units(receipts, self.unearmarked_in_transit, self.claimed, not_after_us, transit_arrives_us)

    def _shelf(self, copy: bool) -> _Shelf:
        """The counting state, as a copy to decide on, or sharing this position's own to
        change it inside an event."""
        if copy:
            return _Shelf(self.on_hand, self.counted_at_us, list(self.after_count), dict(self.in_transit))
        return _Shelf(self.on_hand, self.counted_at_us, self.after_count, self.in_transit)

    def _keep(self, shelf: _Shelf) -> None:
        self.on_hand, self.counted_at_us = shelf.on_hand, shelf.counted_at_us
        self.after_count, self.in_transit = shelf.after_count, shelf.in_transit

    # --- stock coming in and going out -------------------------------------------------

    def move(self, kind: str, change: int, occurred_at_us: int, movement_id: str = "", transfer_id: str = "", note: str = "") -> None:
        """A fact reported by the store: it is recorded even when on hand goes below 0."""
        if change == 0:
            raise InvalidInput("quantity", "must not be 0")
        superseded = self._shelf(copy=True).moved(kind, change, occurred_at_us, transfer_id)
        in_transit = dict(self.in_transit)
        self._stock_moved(
            kind=kind, change=change, movement_id=movement_id, occurred_at_us=occurred_at_us,
            superseded=superseded, transfer_id=transfer_id, note=note,
        )
        self._arrived(in_transit)
        self._detect_oversell(movement_id)

    @event("StockMoved")
    def _stock_moved(self, kind: str, change: int, movement_id: str, occurred_at_us: int, superseded: bool, transfer_id: str, note: str) -> None:
        shelf = self._shelf(copy=False)
        shelf.moved(kind, change, occurred_at_us, transfer_id)
        self._keep(shelf)

    def receive(self, quantity: int, movement_id: str = "", occurred_at_us: int = 0) -> None:
        if quantity <= 0:
            raise InvalidInput("quantity", f"must be > 0, got {quantity}")
        self.move(RECEIPT, quantity, occurred_at_us, movement_id)

    def adjust(self, delta: int, reason: str, movement_id: str = "", occurred_at_us: int = 0) -> None:
        """A manual correction: unlike a reported fact it may not take on hand below 0."""
        if delta == 0:
            raise InvalidInput("delta", "must not be 0")
        if self.on_hand + delta < 0:
            raise NegativeStock(self.store_id, self.sku, self.on_hand, delta)
        self.move(ADJUSTMENT, delta, occurred_at_us, movement_id, note=reason)

    def count(self, counted: int, movement_id: str = "", occurred_at_us: int = 0) -> None:
        """On hand was `counted` at `occurred_at_us`. A count older than the latest one is
        recorded and changes nothing."""
        if counted < 0:
            raise InvalidInput("counted_quantity", f"must be >= 0, got {counted}")
        shelf = self._shelf(copy=True)
        superseded = shelf.counted(counted, occurred_at_us)
        self._stock_counted(
            counted=counted, previous_on_hand=self.on_hand, on_hand=shelf.on_hand,
            movement_id=movement_id, occurred_at_us=occurred_at_us, superseded=superseded,
        )
        self._detect_oversell(movement_id)

    @event("StockCounted")
    def _stock_counted(self, counted: int, previous_on_hand: int, on_hand: int, movement_id: str, occurred_at_us: int, superseded: bool) -> None:
        shelf = self._shelf(copy=False)
        shelf.counted(counted, occurred_at_us)
        self._keep(shelf)

    def apply_movements(self, entries: list[list]) -> list[bool]:
        """A POS batch's movements of this SKU, in the POS's order, as one fact: each entry
        [movement_id, kind, quantity, occurred_at_us, transfer_id, note]; COUNT sets on hand
        as of its moment, the other kinds move it by SIGN[kind] x quantity. Returns, per
        entry, whether a count at a later moment already held it (superseded)."""
        state = self._shelf(copy=True)
        superseded = state.fold(entries)
        in_transit = dict(self.in_transit)
        in_transit_change = sum(state.in_transit.values()) - self.in_transit_units
        self._stock_movements_applied(entries=entries, on_hand_change=state.on_hand - self.on_hand, in_transit_change=in_transit_change)
        self._arrived(in_transit)
        self._detect_oversell(entries[-1][0])
        return superseded

    @event("StockMovementsApplied")
    def _stock_movements_applied(self, entries: list[list], on_hand_change: int, in_transit_change: int) -> None:
        shelf = self._shelf(copy=False)
        shelf.fold(entries)
        self._keep(shelf)

    def set_safety_stock(self, quantity: int) -> None:
        if quantity < 0:
            raise InvalidInput("quantity", f"must be >= 0, got {quantity}")
        if quantity != self.safety_stock:
            self._safety_stock_set(quantity=quantity, previous=self.safety_stock)

    @event("SafetyStockSet")
    def _safety_stock_set(self, quantity: int, previous: int) -> None:
        self.safety_stock = quantity

    # --- transfers between stores ------------------------------------------------------

    def expect_transfer(self, transfer_id: str, quantity: int, order_id: str = "") -> None:
        """Units shipped towards this store: in transit until they arrive; for `order_id`
        (a transfer made for an order), its reservation here when they do."""
        if quantity <= 0:
            raise InvalidInput("quantity", f"must be > 0, got {quantity}")
        self._transfer_dispatched(transfer_id=transfer_id, quantity=quantity, order_id=order_id)

    @event("TransferDispatched")
    def _transfer_dispatched(self, transfer_id: str, quantity: int, order_id: str = "") -> None:
        self.in_transit[transfer_id] = self.in_transit.get(transfer_id, 0) + quantity
        if order_id:
            self.earmarks[transfer_id] = order_id

    def _arrived(self, in_transit_before: dict[str, int]) -> None:
        """Transfers' units arrived: those earmarked for an order become its reservation,
        the others serve the earliest claims."""
        unearmarked = 0
        for transfer_id, units in in_transit_before.items():
            arrived = units - self.in_transit.get(transfer_id, 0)
            if arrived <= 0:
                continue
            if (order_id := self.earmarks.get(transfer_id)) is not None:
                self._transfer_served(transfer_id=transfer_id, order_id=order_id, quantity=arrived, done=transfer_id not in self.in_transit)
            else:
                unearmarked += arrived
        self._serve_claims(unearmarked)

    @event("TransferServed")
    def _transfer_served(self, transfer_id: str, order_id: str, quantity: int, done: bool) -> None:
        """`done`: nothing more of the transfer is in transit."""
        self.reservations[order_id] = self.reservations.get(order_id, 0) + quantity
        if done:
            del self.earmarks[transfer_id]

    # --- receipts announced ------------------------------------------------------------

    def expect_receipt(self, reference: str, quantity: int, expected_at_us: int) -> bool:
        """Announces `quantity` units still to come under `reference`, at `expected_at_us`;
        again under the same reference, changes them; 0 cancels what is still to come. False
        when it changes nothing."""
        if quantity < 0:
            raise InvalidInput("quantity", f"must be >= 0 (0 cancels the receipt), got {quantity}")
        current = self.expected.get(reference)
        if current is None and quantity == 0:
            raise ExpectedReceiptNotFound(self.store_id, self.sku, reference)
        if current == {"quantity": quantity, "expected_at_us": expected_at_us}:
            return False
        self._receipt_expected(
            reference=reference, quantity=quantity, previous=current["quantity"] if current else 0, expected_at_us=expected_at_us,
        )
        self._detect_uncovered_claims()
        return True

    @event("ReceiptExpected")
    def _receipt_expected(self, reference: str, quantity: int, previous: int, expected_at_us: int) -> None:
        if quantity:
            self.expected[reference] = {"quantity": quantity, "expected_at_us": expected_at_us}
        else:
            self.expected.pop(reference, None)

    def receipt_arrived(self, reference: str, quantity: int, final: bool = False) -> None:
        """`quantity` units of the receipt `reference` were received (ReceiveStock naming it):
        they are no longer to come, and serve the earliest claims. More than is still to come
        is refused. `final`: nothing more will come under the reference (a short delivery),
        so the rest expected is cancelled and claims it no longer covers are named."""
        current = self.expected.get(reference)
        if current is None:
            raise ExpectedReceiptNotFound(self.store_id, self.sku, reference)
        if quantity > current["quantity"]:
            raise InvalidInput(
                "lines", f"receipt {reference!r} has {current['quantity']} of sku {self.sku!r} still to come at "
                f"{self.store_id!r}, {quantity} received; receive the extra units without the reference",
            )
        left = current["quantity"] - quantity
        self._expected_receipt_arrived(reference=reference, quantity=quantity, left=0 if final else left, cancelled=left if final else 0)
        self._serve_claims(quantity)
        self._detect_uncovered_claims()
        self._detect_oversell("")

    @event("ExpectedReceiptArrived")
    def _expected_receipt_arrived(self, reference: str, quantity: int, left: int, cancelled: int = 0) -> None:
        """`cancelled`: units no longer to come because the receipt was closed short."""
        if reference.startswith(PRESALE_PREFIX):
            self.received_under[reference] = self.received_under.get(reference, 0) + quantity
        if left:
            self.expected[reference] = dict(self.expected[reference], quantity=left)
        else:
            del self.expected[reference]

    # --- backorders: claims on incoming stock -------------------------------------------

    def claim(self, order_id: str, quantity: int, not_after_us: int, transit_arrives_us: int) -> None:
        """Claims `quantity` incoming units for a backordered order, to be had by
        `not_after_us` (see `claimable`)."""
        if quantity <= 0:
            raise InvalidInput("quantity", f"must be > 0, got {quantity}")
        if order_id in self.claims:
            raise InvalidInput("order_id", f"order {order_id} already holds a claim here")
        if quantity > (claimable := self.claimable(not_after_us, transit_arrives_us)):
            raise IncomingShort(self.store_id, self.sku, quantity, claimable)
        self._incoming_claimed(order_id=order_id, quantity=quantity, not_after_us=not_after_us)

    @event("IncomingClaimed")
    def _incoming_claimed(self, order_id: str, quantity: int, not_after_us: int) -> None:
        self.claims[order_id] = quantity

    def _serve_claims(self, arrived: int) -> None:
        """Units that were incoming arrived: the earliest claims take them, as reservations."""
        served = []
        for order_id, units in self.claims.items():
            if arrived <= 0:
                break
            taken = min(units, arrived)
            served.append([order_id, taken])
            arrived -= taken
        if served:
            self._claims_served(served=served)

    @event("ClaimsServed")
    def _claims_served(self, served: list[list]) -> None:
        """`served`: [order id, units] that became reserved for the order, in claim order."""
        for order_id, units in served:
            left = self.claims[order_id] - units
            if left:
                self.claims[order_id] = left
            else:
                del self.claims[order_id]
                if order_id in self.uncovered:
                    self.uncovered.remove(order_id)
            self.reservations[order_id] = self.reservations.get(order_id, 0) + units

    def _detect_uncovered_claims(self) -> None:
        """When the incoming stock no longer covers the claims (a receipt cancelled, lowered
        or closed short), the newest claims lose theirs (the earliest keep them): named, to
        be moved or flagged."""
        short = self.claimed - self.incoming_units
        if chosen := newest_beyond(self.claims, self.uncovered, short):
            self._claims_uncovered(shortfall=short, order_ids=chosen)

    @event("ClaimsUncovered")
    def _claims_uncovered(self, shortfall: int, order_ids: list[str]) -> None:
        self.uncovered.extend(order_ids)

    # --- reservations for online orders ------------------------------------------------

    def reserve(self, order_id: str, quantity: int) -> None:
        if quantity <= 0:
            raise InvalidInput("quantity", f"must be > 0, got {quantity}")
        if order_id in self.reservations:
            raise InvalidInput("order_id", f"order {order_id} already holds a reservation here")
        if quantity > self.available:
            raise OutOfStock(self.store_id, self.sku, quantity, self.available)
        self._stock_reserved(order_id=order_id, quantity=quantity)

    @event("StockReserved")
    def _stock_reserved(self, order_id: str, quantity: int) -> None:
        self.reservations[order_id] = quantity

    def release(self, order_id: str, reason: str, quantity: int | None = None) -> None:
        """Gives the order's units back: `quantity` of them (lines cancelled), or all; units
        still claimed of incoming stock first, then reserved ones. Releasing what is not
        held does nothing."""
        if quantity is None and (earmarked := sorted(t for t, o in self.earmarks.items() if o == order_id)):
            # its units arriving later are ordinary stock
            self._earmarks_dropped(order_id=order_id, transfer_ids=earmarked, reason=reason)
        claimed = self.claims.get(order_id, 0)
        if claimed:
            dropped = claimed if quantity is None else min(quantity, claimed)
            self._claim_released(order_id=order_id, quantity=dropped, reason=reason, left=claimed - dropped)
            if quantity is not None:
                quantity -= dropped
                if not quantity:
                    return
        held = self.reservations.get(order_id, 0)
        if not held:
            return
        quantity = held if quantity is None else min(quantity, held)
        self._reservation_released(order_id=order_id, quantity=quantity, reason=reason, left=held - quantity)

    @event("ReservationReleased")
    def _reservation_released(self, order_id: str, quantity: int, reason: str, left: int = 0) -> None:
        """`left`: the units the order still holds here (0 in events from before lines could
        be cancelled, which always released all)."""
        if left:
            self.reservations[order_id] = left
            return
        del self.reservations[order_id]
        if order_id in self.losing:
            self.losing.remove(order_id)

    @event("EarmarksDropped")
    def _earmarks_dropped(self, order_id: str, transfer_ids: list[str], reason: str) -> None:
        for transfer_id in transfer_ids:
            del self.earmarks[transfer_id]

    @event("ClaimReleased")
    def _claim_released(self, order_id: str, quantity: int, reason: str, left: int) -> None:
        if left:
            self.claims[order_id] = left
            return
        del self.claims[order_id]
        if order_id in self.uncovered:
            self.uncovered.remove(order_id)

    def pick(self, order_id: str, occurred_at_us: int) -> None:
        """The order's units left the shelf: the reservation becomes a deduction of on hand."""
        if order_id not in self.reservations:
            raise InvalidInput("order_id", f"order {order_id} holds no reservation of {self.sku!r} at {self.store_id!r}")
        self._reservation_picked(order_id=order_id, quantity=self.reservations[order_id], occurred_at_us=occurred_at_us)
        self._detect_oversell("")

    @event("ReservationPicked")
    def _reservation_picked(self, order_id: str, quantity: int, occurred_at_us: int) -> None:
        del self.reservations[order_id]
        if order_id in self.losing:  # the shelf had the units after all
            self.losing.remove(order_id)
        self.on_hand -= quantity
        self.after_count.append([occurred_at_us, -quantity])

    # --- the counter selling what was promised online ----------------------------------

    def _detect_oversell(self, movement_id: str) -> None:
        """When on hand no longer covers the reservations, the newest reservations lost
        their units (the earliest orders keep theirs): they are named, to be moved."""
        short = self.reserved - max(self.on_hand, 0)
        if chosen := newest_beyond(self.reservations, self.losing, short):
            self._stock_oversold(shortfall=short, order_ids=chosen, movement_id=movement_id)

    @event("StockOversold")
    def _stock_oversold(self, shortfall: int, order_ids: list[str], movement_id: str) -> None:
        self.losing.extend(order_ids)


def claimable_units(
    receipts: Iterable[tuple[int, int]], in_transit: int, claimed: int, not_after_us: int, transit_arrives_us: int,
) -> int:
    """What a new claim may take: the receipts ((units, expected at us)) expected by
    `not_after_us`, the unearmarked units in transit when transfers arriving at
    `transit_arrives_us` are in time, less what earlier claims take first. One rule for the
    position deciding and the live index routing."""
    by_then = sum(units for units, at in receipts if at <= not_after_us)
    if transit_arrives_us <= not_after_us:
        by_then += in_transit
    return max(by_then - claimed, 0)


def newest_beyond(held: dict[str, int], named: list[str], short: int) -> list[str]:
    """The orders, newest first, whose units (`held`: order -> units, oldest first) must go
    so that `short` units are freed, beyond those `named` already; [] when they suffice."""
    moving = sum(held[o] for o in named if o in held)
    chosen: list[str] = []
    for order_id in reversed(list(held)):
        if moving >= short:
            break
        if order_id not in named:
            chosen.append(order_id)
            moving += held[order_id]
    return chosen


@dataclass
class _Shelf:
    """What counts and movements do to a position's on hand: one rule for deciding a batch
    and for replaying it."""

    on_hand: int
    counted_at_us: int
    after_count: list[list[int]]
    in_transit: dict[str, int]

    def counted(self, quantity: int, at: int) -> bool:
        """On hand was `quantity` at `at`; True (and nothing changes) when a later count exists."""
        if at < self.counted_at_us:
            return True
        self.on_hand = quantity + sum(change for t, change in self.after_count if t > at)
        self.counted_at_us = at
        self.after_count = [entry for entry in self.after_count if entry[0] > at]
        return False

    def moved(self, kind: str, change: int, at: int, transfer_id: str) -> bool:
        """On hand moved by `change` at `at`; True (on hand unchanged) when the latest count
        already holds it. Units arriving for a transfer leave its in-transit either way."""
        if transfer_id and kind == TRANSFER_IN:
            left = self.in_transit.get(transfer_id, 0) - change
            if left > 0:
                self.in_transit[transfer_id] = left
            else:
                self.in_transit.pop(transfer_id, None)
        if 0 < at <= self.counted_at_us:
            return True
        self.on_hand += change
        self.after_count.append([at, change])
        return False

    def fold(self, entries: list[list]) -> list[bool]:
        """Entries as StockMovementsApplied records them, in order; superseded flags."""
        return [
            self.counted(quantity, at) if kind == COUNT else self.moved(kind, SIGN[kind] * quantity, at, transfer_id)
            for _, kind, quantity, at, transfer_id, _ in entries
        ]


@dataclass(frozen=True)
class StockChange:
    """What one event did to a position's figures; read models add these up."""

    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0
    in_transit: int = 0
    expected: int = 0  # units announced to come (receipts expected), not yet arrived


NO_CHANGE = StockChange()


def stock_change(e: Any) -> StockChange:
    """The change a StockPosition event made to on hand, reserved, safety stock and in
    transit; NO_CHANGE for events that change none of them."""
    if isinstance(e, StockPosition.StockMoved):
        in_transit = -e.change if (e.transfer_id and e.kind == TRANSFER_IN) else 0
        return StockChange(on_hand=0 if e.superseded else e.change, in_transit=in_transit)
    if isinstance(e, StockPosition.StockMovementsApplied):
        return StockChange(on_hand=e.on_hand_change, in_transit=e.in_transit_change)
    if isinstance(e, StockPosition.StockCounted):
        return StockChange(on_hand=e.on_hand - e.previous_on_hand)
    if isinstance(e, StockPosition.StockReserved):
        return StockChange(reserved=e.quantity)
    if isinstance(e, StockPosition.TransferServed):
        return StockChange(reserved=e.quantity)
    if isinstance(e, StockPosition.ClaimsServed):
        return StockChange(reserved=sum(units for _, units in e.served))
    if isinstance(e, StockPosition.ReservationReleased):
        return StockChange(reserved=-e.quantity)
    if isinstance(e, StockPosition.ReservationPicked):
        return StockChange(on_hand=-e.quantity, reserved=-e.quantity)
    if isinstance(e, StockPosition.SafetyStockSet):
        return StockChange(safety_stock=e.quantity - e.previous)
    if isinstance(e, StockPosition.TransferDispatched):
        return StockChange(in_transit=e.quantity)
    if isinstance(e, StockPosition.ReceiptExpected):
        return StockChange(expected=e.quantity - e.previous)
    if isinstance(e, StockPosition.ExpectedReceiptArrived):
        return StockChange(expected=-e.quantity - getattr(e, "cancelled", 0))
    return NO_CHANGE


def stores_short(positions: Mapping[tuple[str, str], StockPosition | None], wanted: Mapping[tuple[str, str], int]) -> frozenset[str]:
    """The stores whose positions cannot give the units wanted of them ((store, sku) ->
    units): the position is missing, or has fewer available."""
    return frozenset(
        store_id for (store_id, sku), units in wanted.items()
        if (position := positions.get((store_id, sku))) is None or position.available < units
    )


def reserve_all(positions: Mapping[tuple[str, str], StockPosition | None], order_id: str, wanted: Mapping[tuple[str, str], int]) -> frozenset[str]:
    """Reserves every unit wanted for the order, or none of them: the stores short of what
    was wanted of them (empty when all is reserved)."""
    short = stores_short(positions, wanted)
    if not short:
        for key, units in wanted.items():
            positions[key].reserve(order_id, units)
    return short
