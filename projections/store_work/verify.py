"""Checks the store work tables against the orders themselves.

Every order is rebuilt from its events up to the projection's position (read in one snapshot
with the tables, so it can run beside a live runner), independently of the projection's fold,
and each shipment row is compared with what the order says of that store: its status (CANCELLED
with the order, REROUTED_AWAY once it moved), paid, mode, lines and promise. Then the change
log: each shipment's last change must be the row as it stands. A shipment backordered from
its allocation on is no store's until a BackorderServed leaves it awaiting nothing: until
then it is in no store's rows (whatever becomes of it: moved, flagged, cancelled) but in the
backorders table, with its status, lines and promise, while its order is open.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from aggregates.order import CANCELLED, WAITING, Order
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Verification, events_up_to
from projections.store_work.projection import GONE, NAME, REROUTED_AWAY
from projections.store_work.reads import position as read_position
from projections.store_work.tables import SHIPMENT_COLUMNS, backorders, changes, shipments

Key = tuple[str, str]  # (order id, store id)
COMPARED = ("status", "paid", "mode", "lines", "promised_by")


@dataclass(frozen=True)
class Difference:
    key: Key
    problem: str

    def __str__(self) -> str:
        return f"shipment {self.key[0]}/{self.key[1]}: {self.problem}"


def _lines(shipment: dict[str, Any]) -> list[list[Any]]:
    return [[sku, units] for sku, units in shipment["lines"].items()]


def order_says(order: Order, departed: dict[str, str], unseen: Collection[str] = ()) -> dict[Key, tuple[Any, ...]]:
    """(status, paid, mode, lines, promise) of every shipment the order has or had, by store;
    `departed`: the status of each store's shipment that is no longer the order's, as its last
    departure left it (REROUTED_AWAY, or CANCELLED when its lines were all cancelled);
    `unseen`: the stores whose shipment was backordered and never came to them."""
    said: dict[Key, tuple[Any, ...]] = {(order.order_id, store_id): (status,) for store_id, status in departed.items()}
    for s in order.shipments:
        if s["store_id"] in unseen:
            continue
        status = CANCELLED if order.cancelled else s["status"]
        said[(order.order_id, s["store_id"])] = (status, order.paid, order.fulfilment_mode, _lines(s), s.get("promised_by") or "")
    return said


def waiting_says(order: Order, unseen: set[str]) -> dict[Key, tuple[Any, ...]]:
    """(status, lines, promise) of the order's shipments still kept from their stores."""
    if order.cancelled:
        return {}
    return {
        (order.order_id, s["store_id"]): (s["status"], _lines(s), s.get("promised_by") or "")
        for s in order.shipments if s["store_id"] in unseen
    }


def _orders(event_log: EventLog, position: int) -> Iterator[tuple[Order, dict[str, str], set[str]]]:
    """Each order, how its departed shipments left their stores, and the stores its unseen
    backorders are at, in the order of events."""
    built: dict[str, Order] = {}
    departed: dict[str, dict[str, str]] = {}
    unseen: dict[str, set[str]] = {}
    for e in events_up_to(event_log, position):
        key = str(e.originator_id)
        built[key] = e.mutate(built.get(key))
        hidden = unseen.setdefault(key, set())
        if isinstance(e, (Order.OrderAllocated, Order.OrderRerouted)):
            if isinstance(e, Order.OrderRerouted):
                if e.from_store_id in hidden:
                    hidden.discard(e.from_store_id)
                else:
                    departed.setdefault(key, {})[e.from_store_id] = REROUTED_AWAY
            hidden.update(r["store_id"] for r in e.shipments if r.get("status") in WAITING)
        elif isinstance(e, Order.BackorderServed) and not e.awaiting:
            hidden.discard(e.store_id)
        elif isinstance(e, Order.OrderLinesCancelled):
            emptied = {r["store_id"] for r in e.shipments if r["emptied"]}
            departed.setdefault(key, {}).update({store_id: CANCELLED for store_id in emptied - hidden})
            hidden -= emptied
    for key, order in built.items():
        yield order, departed.get(key, {}), unseen.get(key, set())


def verify(engine: Engine, event_log: EventLog, projection: str = NAME) -> Verification:
    with engine.connect() as connection:
        position = read_position(connection, projection)
        rows = {(r.order_id, r.store_id): r._mapping for r in connection.execute(select(shipments))}
        waiting = {(r.order_id, r.store_id): (r.status, json.loads(r.lines), r.promised_by) for r in connection.execute(select(backorders))}
        last_changes = _last_changes(connection)
    expected: dict[Key, tuple[Any, ...]] = {}
    expected_waiting: dict[Key, tuple[Any, ...]] = {}
    for order, departed, unseen in _orders(event_log, position):
        expected.update(order_says(order, departed, unseen))
        expected_waiting.update(waiting_says(order, unseen))
    differences = [
        Difference(key, f"backordered: expected {expected_waiting.get(key)}, found {waiting.get(key)}")
        for key in sorted(expected_waiting.keys() | waiting.keys()) if expected_waiting.get(key) != waiting.get(key)
    ]
    for key in sorted(expected.keys() | rows.keys()):
        want, row = expected.get(key), rows.get(key)
        if row is None:
            differences.append(Difference(key, "missing"))
            continue
        if want is None:
            differences.append(Difference(key, "no order has it"))
            continue
        found = (row["status"], bool(row["paid"]), row["mode"], json.loads(row["lines"]), row["promised_by"])
        found = found[:len(want)]
        if found != want:
            differences.append(Difference(key, f"expected {dict(zip(COMPARED, want))}, found {dict(zip(COMPARED, found))}"))
        change = last_changes.get(key)
        if change is None or any(change[c] != row[c] for c in SHIPMENT_COLUMNS):
            differences.append(Difference(key, "its last change in the store's log is not the shipment as it stands"))
        elif row["status"] in GONE and change["kind"] not in GONE:
            differences.append(Difference(key, f"is {row['status']} but its last change was {change['kind']}"))
    return Verification(position, len(expected) + len(expected_waiting), differences)


def _last_changes(connection) -> dict[Key, Any]:
    """Each shipment's latest change (the log is read whole: verification is an operator's run)."""
    latest: dict[Key, Any] = {}
    for r in connection.execute(select(changes).order_by(changes.c.position)):
        latest[(r.order_id, r.store_id)] = r._mapping
    return latest
