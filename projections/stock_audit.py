"""Recomputes from the events how far reservations ever ran beyond stock: the proof that
nothing was oversold, independent of the code that made the reservations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aggregates.stock_position import StockPosition


def oversold_units(events: Iterable[Any]) -> int:
    """Sum over stock positions of the most units that were ever reserved beyond on hand.
    `events` must be in recorded order (the notification log)."""
    on_hand: dict[UUID, int] = {}
    reserved: dict[UUID, int] = {}
    worst: dict[UUID, int] = {}
    for e in events:
        key = e.originator_id
        if isinstance(e, StockPosition.StockPositionOpened):
            on_hand[key], reserved[key], worst[key] = 0, 0, 0
            continue
        if isinstance(e, StockPosition.StockReceived):
            on_hand[key] += e.quantity
        elif isinstance(e, StockPosition.StockAdjusted):
            on_hand[key] += e.delta
        elif isinstance(e, StockPosition.StockCounted):
            on_hand[key] = e.counted
        elif isinstance(e, StockPosition.StockReserved):
            reserved[key] += e.quantity
            # only a reservation can oversell; a count below the reservations is the
            # counter selling (a later issue reroutes those orders)
            worst[key] = max(worst[key], reserved[key] - on_hand[key])
        elif isinstance(e, StockPosition.ReservationReleased):
            reserved[key] -= e.quantity
    return sum(worst.values())
