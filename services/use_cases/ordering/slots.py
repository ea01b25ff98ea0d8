"""The hourly slots an order's shipments hold at stores with a slot limit: given back when a
shipment is cancelled or moves away, taken at the store it moves to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aggregates.store_slot import StoreSlot
from services.use_cases.application import OmoApplication


def slot_ids(shipments: Iterable[dict[str, Any]]) -> list[UUID]:
    """Of the shipments that took a slot (orders placed before promises took none)."""
    return [StoreSlot.create_id(s["store_id"], s["slot"]) for s in shipments if s.get("slot")]


def given_back(app: OmoApplication, order_id: str, shipments: Iterable[dict[str, Any]]) -> list[StoreSlot]:
    """The slots the shipments held, each giving back the order's place. Only stores with
    a limit have slot aggregates: the others' shipments hold nothing to give back."""
    changed = []
    for slot in (app.find(i) for i in slot_ids(shipments)):
        if slot is not None and order_id in slot.order_ids:
            slot.give_back(order_id)
            changed.append(slot)
    return changed


def taken(app: OmoApplication, order_id: str, limits: dict[tuple[str, str], int]) -> tuple[list[StoreSlot], set[str]]:
    """(the slots with the order's place taken, the stores whose slot is full already)."""
    slots, full = [], set()
    for (store_id, start), limit in limits.items():
        slot = app.find(StoreSlot.create_id(store_id, start))
        if slot is None:
            slots.append(StoreSlot.open(store_id, start, order_id))
        elif slot.has_room(limit):
            slot.take(order_id)
            slots.append(slot)
        else:
            full.add(store_id)
    return slots, full
