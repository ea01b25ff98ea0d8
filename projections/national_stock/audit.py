"""Recomputes from the events how far reservations ever ran beyond stock: the proof that
nothing was oversold, independent of the code that made the reservations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aggregates.stock_position import StockPosition, stock_change


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
        if not isinstance(e, StockPosition.Event):
            continue
        change = stock_change(e)
        on_hand[key] += change.on_hand
        reserved[key] += change.reserved
        if isinstance(e, StockPosition.StockReserved):
            # only a reservation can oversell; the counter selling reserved units is
            # detected and rerouted (StockOversold), not an oversell by us
            worst[key] = max(worst[key], reserved[key] - on_hand[key])
    return sum(worst.values())
