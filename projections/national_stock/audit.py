"""Recomputes from the events how far reservations ever ran beyond stock: the proof that
nothing was oversold, independent of the checks that made the reservations and of the read
models' arithmetic (`stock_change`): each position is replayed from its own events, and the
rules below are checked on the state each event leaves it in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aggregates.stock_position import StockPosition


def oversold_units(events: Iterable[Any]) -> int:
    """Sum over stock positions of the most units that were ever reserved beyond on hand,
    plus the units backorders were served that had not arrived. `events` must be in
    recorded order (the notification log), each position's from its opening."""
    positions: dict[UUID, StockPosition] = {}
    worst: dict[UUID, int] = {}
    # units that stopped being incoming and landed with the position's latest event: what the
    # claims served right after it may take, and no more
    arrived: dict[UUID, int] = {}
    unbacked = 0
    for e in events:
        key = e.originator_id
        if isinstance(e, StockPosition.StockPositionOpened):
            positions[key], worst[key], arrived[key] = e.mutate(None), 0, 0
            continue
        if not isinstance(e, StockPosition.Event):
            continue
        position = positions[key]
        in_transit_before, reserved_before = position.in_transit_units, position.reserved
        e.mutate(position)
        if isinstance(e, StockPosition.StockReserved):
            # only a reservation can oversell; the counter selling reserved units is
            # detected and rerouted (StockOversold), not an oversell by us
            worst[key] = max(worst[key], position.reserved - position.on_hand)
        if isinstance(e, StockPosition.ClaimsServed):
            # arrived units become reservations without a check of on hand: on hand short of
            # them is the counter's doing (detected, as above); serving what never came is ours
            unbacked += max(position.reserved - reserved_before - arrived[key], 0)
            arrived[key] = 0
        elif isinstance(e, StockPosition.ExpectedReceiptArrived):
            arrived[key] = e.quantity
        else:
            arrived[key] = max(in_transit_before - position.in_transit_units, 0)
    return sum(worst.values()) + unbacked
