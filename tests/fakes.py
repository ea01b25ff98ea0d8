"""In-memory stand-ins for the use cases' ports."""

from __future__ import annotations

from collections import deque
from uuid import UUID

from aggregates.order import Order
from services.use_cases.ports import NotPlaced, Outcome, Placed, Placement


class FakeOrderWriter:
    """The order writer port without a database: it records every placement it is handed and
    answers with the outcomes queued for it, or else places the order as decided (in memory,
    reserving nothing). An order placed under a key is given back to a retry of that key."""

    def __init__(self) -> None:
        self.placements: list[Placement] = []
        self.answers: deque[Outcome] = deque()
        self.in_flight: set[UUID] = set()
        self.orders: dict[UUID, Order] = {}
        self.closed = False

    def place(self, placement: Placement, timeout: float = 60) -> Outcome:
        self.placements.append(placement)
        if self.answers:
            return self.answers.popleft()
        if placement.order_id in self.orders:
            return Placed(self.orders[placement.order_id], replayed=True, position=0)
        if placement.lookup_only:
            return NotPlaced()
        order = placement.new_order()
        self.orders[placement.order_id] = order
        return Placed(order, replayed=False, position=0)

    def placing(self, order_id: UUID) -> bool:
        return order_id in self.in_flight

    def close(self) -> None:
        self.closed = True

    def stores_reserved_at(self) -> list[set[str]]:
        """For each placement handed over, the stores it reserves at."""
        return [{store_id for store_id, _ in p.wanted} for p in self.placements]
