"""An independent reference for stock: each position's on hand, reserved, safety stock,
available, in transit and expected, folded from its recorded events by the plainest rules, to
check the national stock projection, the live index, `verify` and the oversell audit against.

It shares no arithmetic with what it checks: not `stock_change` (what the read models add up),
nor the aggregate's mutators or its `_Shelf`. Every figure is worked out afresh from the facts
the events state, never from the figures they carry (`on_hand`, `previous_on_hand`,
`on_hand_change`, `superseded`, `previous`, `cancelled`):

- on hand, by the rule the StockPosition docstring states: the latest-dated count (the later
  recorded of two at one moment) says what was on hand at its moment; a movement dated after it
  adds to it, one dated at or before it is already inside it. No count: every movement adds.
- reserved: what each order holds, set when reserved, added to when a transfer or incoming
  stock serves it, cut to what a release leaves, gone when released in full or picked.
- safety stock: the last one set. In transit: per transfer, what was dispatched less what
  arrived, never below 0. Expected: per receipt, what the latest announcement or arrival says
  is still to come.

Events that contradict what the reference holds (a release leaving other than what was held
less what it released, a pick of other than what the order held) fail at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from aggregates.stock_position import StockPosition

# what each kind a POS reports does to on hand; COUNT states it instead
SIGNS = {"SALE": -1, "DAMAGE": -1, "TRANSFER_OUT": -1, "RETURN": +1, "RECEIPT": +1, "TRANSFER_IN": +1}
COUNT = "COUNT"
TRANSFER_IN = "TRANSFER_IN"


class InconsistentEvent(AssertionError):
    """An event states something the events before it make impossible."""


@dataclass(frozen=True)
class Figures:
    on_hand: int
    reserved: int
    safety_stock: int
    in_transit: int
    expected: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved - self.safety_stock)

    def as_stored(self) -> tuple[int, ...]:
        """In the order the national stock tables hold them (FIGURES)."""
        return (self.on_hand, self.reserved, self.safety_stock, self.available, self.in_transit, self.expected)


@dataclass(frozen=True)
class _Count:
    recorded: int  # its place in the log: which of two counts at one moment came later
    at: int
    units: int


@dataclass(frozen=True)
class _Movement:
    recorded: int
    at: int  # 0 (or less): undated, as the aggregate takes it
    change: int
    picked: bool = False


def _on_top_of(movement: _Movement, count: _Count) -> bool:
    """Whether the movement adds to what the count says, rather than being inside it."""
    if movement.at > count.at:
        return True
    # Two kinds of movement are placed by when they were recorded, not by their moment alone.
    # An undated one has no moment to compare. A pick is dated by the server as it records it:
    # a count recorded before the pick, however late the POS dated it, was taken while the
    # order still held its units on the shelf, so it counted them, and the pick takes them off
    # it (as the aggregate does: a pick is never superseded). A count recorded after the pick
    # and dated at or after it holds the pick.
    return movement.recorded > count.recorded and (movement.picked or movement.at <= 0)


@dataclass
class _Position:
    store_id: str
    sku: str
    counts: list[_Count] = field(default_factory=list)
    movements: list[_Movement] = field(default_factory=list)
    reservations: dict[str, int] = field(default_factory=dict)  # order id -> units held
    safety_stock: int = 0
    in_transit: dict[str, int] = field(default_factory=dict)  # transfer id -> units on the way
    expected: dict[str, int] = field(default_factory=dict)  # receipt reference -> units to come

    def on_hand(self) -> int:
        if not self.counts:
            return sum(m.change for m in self.movements)
        latest = max(self.counts, key=lambda c: (c.at, c.recorded))
        return latest.units + sum(m.change for m in self.movements if _on_top_of(m, latest))

    def figures(self) -> Figures:
        return Figures(
            self.on_hand(), sum(self.reservations.values()), self.safety_stock,
            sum(self.in_transit.values()), sum(self.expected.values()),
        )

    def arrived(self, transfer_id: str, units: int) -> None:
        if transfer_id:
            self.in_transit[transfer_id] = max(self.in_transit.get(transfer_id, 0) - units, 0)


def _check(holds: bool, e: Any, problem: str) -> None:
    if not holds:
        raise InconsistentEvent(f"{type(e).__qualname__} of position {e.originator_id} v{e.originator_version}: {problem}")


class StockReference:
    """Folds events (in recorded order; other aggregates' are skipped) into every position's
    figures, and the most units each position ever had reserved beyond on hand at a
    reservation."""

    def __init__(self) -> None:
        self._positions: dict[UUID, _Position] = {}
        self._recorded = 0
        self._worst_beyond: dict[UUID, int] = {}

    def apply_all(self, events: Iterable[Any]) -> StockReference:
        for e in events:
            self.apply(e)
        return self

    def apply(self, e: Any) -> None:
        if isinstance(e, StockPosition.StockPositionOpened):
            self._positions[e.originator_id] = _Position(e.store_id, e.sku)
            return
        if not isinstance(e, StockPosition.Event):
            return
        position = self._positions[e.originator_id]
        if isinstance(e, StockPosition.StockMoved):
            self._recorded += 1
            position.movements.append(_Movement(self._recorded, e.occurred_at_us, e.change))
            if e.kind == TRANSFER_IN:
                position.arrived(e.transfer_id, e.change)
        elif isinstance(e, StockPosition.StockMovementsApplied):
            for _, kind, quantity, at, transfer_id, _ in e.entries:
                self._recorded += 1
                if kind == COUNT:
                    position.counts.append(_Count(self._recorded, at, quantity))
                    continue
                position.movements.append(_Movement(self._recorded, at, SIGNS[kind] * quantity))
                if kind == TRANSFER_IN:
                    position.arrived(transfer_id, quantity)
        elif isinstance(e, StockPosition.StockCounted):
            self._recorded += 1
            position.counts.append(_Count(self._recorded, e.occurred_at_us, e.counted))
        elif isinstance(e, StockPosition.StockReserved):
            _check(e.order_id not in position.reservations, e, f"order {e.order_id} already holds units here")
            position.reservations[e.order_id] = e.quantity
            beyond = sum(position.reservations.values()) - position.on_hand()
            self._worst_beyond[e.originator_id] = max(self._worst_beyond.get(e.originator_id, 0), beyond)
        elif isinstance(e, StockPosition.TransferServed):
            position.reservations[e.order_id] = position.reservations.get(e.order_id, 0) + e.quantity
        elif isinstance(e, StockPosition.ClaimsServed):
            for order_id, units in e.served:
                position.reservations[order_id] = position.reservations.get(order_id, 0) + units
        elif isinstance(e, StockPosition.ReservationReleased):
            held = position.reservations.get(e.order_id, 0)
            # events from before lines could be cancelled name no `left`: they released all
            left = getattr(e, "left", 0)
            _check(held - e.quantity == left, e, f"{e.quantity} of {held} released, {left} said to be left")
            if left:
                position.reservations[e.order_id] = left
            else:
                position.reservations.pop(e.order_id, None)
        elif isinstance(e, StockPosition.ReservationPicked):
            held = position.reservations.pop(e.order_id, 0)
            _check(held == e.quantity, e, f"{e.quantity} picked, {held} held")
            self._recorded += 1
            position.movements.append(_Movement(self._recorded, e.occurred_at_us, -e.quantity, picked=True))
        elif isinstance(e, StockPosition.SafetyStockSet):
            position.safety_stock = e.quantity
        elif isinstance(e, StockPosition.TransferDispatched):
            position.in_transit[e.transfer_id] = position.in_transit.get(e.transfer_id, 0) + e.quantity
        elif isinstance(e, StockPosition.ReceiptExpected):
            position.expected[e.reference] = e.quantity
        elif isinstance(e, StockPosition.ExpectedReceiptArrived):
            position.expected[e.reference] = e.left

    def _position(self, store_id: str, sku: str) -> _Position | None:
        return next((position for position in self._positions.values() if (position.store_id, position.sku) == (store_id, sku)), None)

    def figures(self) -> dict[tuple[str, str], Figures]:
        """(store id, sku) -> the position's figures."""
        return {(position.store_id, position.sku): position.figures() for position in self._positions.values()}

    def figures_by_id(self) -> dict[str, Figures]:
        """Position (aggregate) id, as text -> the position's figures."""
        return {str(position_id): position.figures() for position_id, position in self._positions.items()}

    def national(self) -> dict[str, tuple[int, ...]]:
        """sku -> (positions, *figures summed over them) as the national table holds them:
        available summed per position."""
        totals: dict[str, tuple[int, ...]] = {}
        for position in self._positions.values():
            row = (1, *position.figures().as_stored())
            totals[position.sku] = tuple(a + b for a, b in zip(totals.get(position.sku, (0,) * len(row)), row))
        return totals

    def latest_moment(self, store_id: str, sku: str) -> int:
        """The latest moment of the counts and movements recorded at the position (0: none)."""
        position = self._position(store_id, sku)
        return max((fact.at for fact in (*position.counts, *position.movements)), default=0) if position else 0

    def latest_count_moment(self, store_id: str, sku: str) -> int | None:
        """The moment of the position's latest-dated count; None: never counted."""
        position = self._position(store_id, sku)
        return max((count.at for count in position.counts), default=None) if position else None

    def units_reserved_beyond_stock(self) -> int:
        """Summed over positions: the most units ever reserved beyond on hand by a reservation."""
        return sum(max(worst, 0) for worst in self._worst_beyond.values())


def reference_stock(events: Iterable[Any]) -> StockReference:
    return StockReference().apply_all(events)


def differing(expected: dict, found: dict) -> str:
    """The keys whose values differ (the first few), with what was expected and found; "" when equal."""
    keys = sorted((k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k)), key=str)
    return "; ".join(f"{k}: expected {expected.get(k)}, found {found.get(k)}" for k in keys[:3])
