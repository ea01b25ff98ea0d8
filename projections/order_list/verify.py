"""Checks the order list against the event store: every order and shipment row, and every
store's time zone, recomputed by folding the log in one pass up to the list's position (read
in one snapshot with the tables, so it can run beside a live runner) and compared column by
column. What this catches is the tables drifting from the events: a batch applied twice or
lost, a row written by hand, a fold that depends on how the log was cut."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from aggregates.order import Order
from projections.order_list.fold import STORE_EVENTS, Listed, apply
from projections.order_list.projection import order_row, shipment_rows
from projections.order_list.tables import NAME, orders, shipments, stores
from projections.runtime.database import tracking
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Verification, compare, events_up_to

Rows = dict[str, dict[str, Any]]


def recompute(event_log: EventLog, position: int) -> tuple[Rows, Rows, Rows]:
    """(orders, shipments, stores) as the tables should hold them at `position`."""
    listed: dict[str, Listed] = {}
    store_ids: dict[str, str] = {}
    found_stores: Rows = {}
    for e in events_up_to(event_log, position):
        if isinstance(e, STORE_EVENTS):
            aggregate_id = str(e.originator_id)
            store_id = store_ids.setdefault(aggregate_id, getattr(e, "store_id", ""))
            found_stores[store_id] = {"store_id": store_id, "aggregate_id": aggregate_id, "time_zone": e.details["time_zone"]}
        elif isinstance(e, Order.Event):
            apply(listed, e)
    order_rows = {o.order_id: _without_position(order_row(o, 0)) for o in listed.values()}
    ships = {f"{r['order_id']}/{r['store_id']}": r for o in listed.values() for r in shipment_rows(o)}
    return order_rows, ships, found_stores


def _without_position(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "updated_position"}


def stored(engine: Engine, projection: str = NAME) -> tuple[int, Rows, Rows, Rows]:
    with engine.connect() as connection:
        position = connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()
        order_rows = {r.order_id: _without_position({**r._mapping, "paid": bool(r.paid)}) for r in connection.execute(select(orders))}
        ships = {f"{r.order_id}/{r.store_id}": dict(r._mapping) for r in connection.execute(select(shipments))}
        found_stores = {r.store_id: dict(r._mapping) for r in connection.execute(select(stores))}
    return position, order_rows, ships, found_stores


def verify(engine: Engine, event_log: EventLog, projection: str = NAME) -> Verification:
    position, found_orders, found_shipments, found_stores = stored(engine, projection)
    expected_orders, expected_shipments, expected_stores = recompute(event_log, position)
    differences = compare("order", expected_orders, found_orders)
    differences += compare("shipment", expected_shipments, found_shipments)
    differences += compare("store", expected_stores, found_stores)
    return Verification(position, len(expected_orders), differences)
