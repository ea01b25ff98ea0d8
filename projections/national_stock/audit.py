"""Recomputes from the events how far reservations ever ran beyond stock: the proof that
nothing was oversold, independent of the code that made the reservations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aggregates.stock_position import StockPosition, stock_change


def oversold_units(events: Iterable[Any]) -> int:
    """Sum over stock positions of the most units that were ever reserved beyond on hand,
    plus the units backorders were served that had not arrived. `events` must be in
    recorded order (the notification log)."""
    on_hand: dict[UUID, int] = {}
    reserved: dict[UUID, int] = {}
    worst: dict[UUID, int] = {}
    # units that stopped being incoming and landed with the position's latest event: what the
    # claims served right after it may take, and no more
    arrived: dict[UUID, int] = {}
    unbacked = 0
    for e in events:
        key = e.originator_id
        if isinstance(e, StockPosition.StockPositionOpened):
            on_hand[key], reserved[key], worst[key], arrived[key] = 0, 0, 0, 0
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
        if isinstance(e, StockPosition.ClaimsServed):
            # arrived units become reservations without a check of on hand: on hand short of
            # them is the counter's doing (detected, as above); serving what never came is ours
            unbacked += max(change.reserved - arrived[key], 0)
            arrived[key] = 0
        elif isinstance(e, StockPosition.ExpectedReceiptArrived):
            arrived[key] = e.quantity
        else:
            arrived[key] = max(-change.in_transit, 0)
    return sum(worst.values()) + unbacked
