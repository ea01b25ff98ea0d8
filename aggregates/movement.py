"""A stock movement a store reported (a goods receipt, an adjustment, a count), kept so
that a movement id is applied once per store however often it is resent."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE


class StockMovement(Aggregate):
    @staticmethod
    def create_id(store_id: str, movement_id: str) -> UUID:
        return uuid5(NAMESPACE, f"movement:{store_id}:{movement_id}")

    @event("StockMovementAccepted")
    def __init__(self, store_id: str, movement_id: str, kind: str, lines: list[dict[str, Any]], fingerprint: str):
        self.store_id = store_id
        self.movement_id = movement_id
        self.kind = kind
        self.lines = lines
        self.fingerprint = fingerprint
