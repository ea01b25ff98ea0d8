"""Checks the store work tables against the orders themselves.

Every order is rebuilt from its events up to the projection's position (read in one snapshot
with the tables, so it can run beside a live runner), independently of the projection's fold,
and each shipment row is compared with what the order says of that store: its status (CANCELLED
with the order, REROUTED_AWAY once it moved), paid, mode, lines and promise. Then the change
log: each shipment's last change must be the row as it stands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from aggregates.order import CANCELLED, Order
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Verification, events_up_to
from projections.store_work.projection import GONE, NAME, REROUTED_AWAY
from projections.store_work.reads import position as read_position
from projections.store_work.tables import SHIPMENT_COLUMNS, changes, shipments

Key = tuple[str, str]  # (order id, store id)
COMPARED = ("status", "paid", "mode", "lines", "promised_by")


@dataclass(frozen=True)
class Difference:
    key: Key
    problem: str

    def __str__(self) -> str:
        return f"shipment {self.key[0]}/{self.key[1]}: {self.problem}"


def order_says(order: Order, departed: dict[str, str]) -> dict[Key, tuple[Any, ...]]:
    """(status, paid, mode, lines, promise) of every shipment the order has or had, by store;
    `departed`: the status of each store's shipment that is no longer the order's, as its last
    departure left it (REROUTED_AWAY, or CANCELLED when its lines were all cancelled)."""
    said: dict[Key, tuple[Any, ...]] = {(order.order_id, store_id): (status,) for store_id, status in departed.items()}
    for s in order.shipments:
        status = CANCELLED if order.cancelled else s["status"]
        lines = [[sku, units] for sku, units in s["lines"].items()]
        said[(order.order_id, s["store_id"])] = (status, order.paid, order.fulfilment_mode, lines, s.get("promised_by") or "")
    return said


def _orders(event_log: EventLog, position: int) -> Iterator[tuple[Order, dict[str, str]]]:
    """Each order, and how its departed shipments left their stores, in the order of events."""
    built: dict[str, Order] = {}
    departed: dict[str, dict[str, str]] = {}
    for e in events_up_to(event_log, position):
        key = str(e.originator_id)
        built[key] = e.mutate(built.get(key))
        if isinstance(e, Order.OrderRerouted):
            departed.setdefault(key, {})[e.from_store_id] = REROUTED_AWAY
        elif isinstance(e, Order.OrderLinesCancelled):
            departed.setdefault(key, {}).update({r["store_id"]: CANCELLED for r in e.shipments if r["emptied"]})
    for key, order in built.items():
        yield order, departed.get(key, {})


def verify(engine: Engine, event_log: EventLog, projection: str = NAME) -> Verification:
    with engine.connect() as connection:
        position = read_position(connection, projection)
        rows = {(r.order_id, r.store_id): r._mapping for r in connection.execute(select(shipments))}
        last_changes = _last_changes(connection)
    expected: dict[Key, tuple[Any, ...]] = {}
    for order, departed in _orders(event_log, position):
        expected.update(order_says(order, departed))
    differences = []
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
    return Verification(position, len(expected), differences)


def _last_changes(connection) -> dict[Key, Any]:
    """Each shipment's latest change (the log is read whole: verification is an operator's run)."""
    latest: dict[Key, Any] = {}
    for r in connection.execute(select(changes).order_by(changes.c.position)):
        latest[(r.order_id, r.store_id)] = r._mapping
    return latest
