"""The store work projection: the Order events folded into each store's shipments and each
store's change log (see the tables).

What an event changes for a store (`kind`):
- ALLOCATED: the order was allocated to the store; REROUTED_TO: a shipment moved to it from
  another store; REROUTED_AWAY: its shipment moved to another store;
- PAID, CANCELLED: the order was paid or cancelled (each store with a live shipment of it);
- ACCEPTED, PICKED, HANDED_OVER, DELIVERED, UNFULFILLABLE: the store's shipment took that step
  (a PICKUP order handed to the customer at the counter is DELIVERED);
- PROMISE_CHANGED: an event naming the store and a new `promised_by` for its shipment;
- LINES_CANCELLED: some of the shipment's units were cancelled (one left with none is
  CANCELLED for its store).

A backordered shipment is no store's work until its stock is all there: it is kept apart
(the backorders table) and comes in with the BackorderServed that leaves it awaiting nothing,
as ALLOCATED, exactly as an allocation would. Moving it, flagging it, cancelling it or its
lines while it waits changes no store's log: the store never saw it.

`apply_batch` runs inside the runner's transaction, which also moves the tracking position.
Change rows are inserted, never upserted, so a change applied twice would fail the batch on
its key rather than appear twice in a store's log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timezone
from typing import Any

from sqlalchemy import Connection, delete, select

from aggregates.order import ACCEPTED, ALLOCATED, CANCELLED, WAITING, DELIVERED, PICKED, UNFULFILLABLE, Order
from domain.values import epoch_us
from projections.runtime.event_log import event_topics
from projections.store_work.tables import backorders, changes, orders, shipments
from projections.runtime.database import in_chunks
from projections.runtime.moments import event_us, recorded_promise

NAME = "store_work"
# every Order event, found rather than listed: an event added later (a promise moved) is read too
TOPICS = event_topics(Order)

REROUTED_TO = "REROUTED_TO"
REROUTED_AWAY = "REROUTED_AWAY"
PAID = "PAID"
PROMISE_CHANGED = "PROMISE_CHANGED"
LINES_CANCELLED = "LINES_CANCELLED"
# shipments the store no longer works on
GONE = frozenset({CANCELLED, REROUTED_AWAY})
DONE = frozenset({DELIVERED, CANCELLED, REROUTED_AWAY})
# events that change nothing a store works on (money after the hand-over, returns)
UNRELATED = (Order.OrderLinesReturned, Order.ShipmentAttributed, Order.AttributionReversed)
STEP_OF = {Order.ShipmentAccepted: ACCEPTED, Order.ShipmentPicked: PICKED, Order.ShipmentDelivered: DELIVERED}
# events that never concern a backorder still waiting: an order with only these in a batch has
# its backorders neither read nor written (under checkout, most batches)
NOT_WAITING = (Order.PaymentConfirmed, Order.ShipmentAccepted, Order.ShipmentPicked, Order.ShipmentHandedOver, Order.ShipmentDelivered)
Row = dict[str, Any]


def promise_us(promised_by: str) -> int | None:
    """The promise as UTC microseconds (one without an offset read as UTC); None without one
    (or one no moment can be read from)."""
    moment = recorded_promise(promised_by)
    if moment is None:
        return None
    return epoch_us(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))


class Fold:
    """The rows of the orders a batch touches, loaded once, changed event by event in memory.
    `order_ids`: the orders placed before the batch (an order placed in it has no rows yet,
    so nothing is read or deleted for it: under checkout, most batches are only new orders);
    `backorder_ids`: those of them whose backorders the batch may change (see NOT_WAITING)."""

    def __init__(self, connection: Connection, order_ids: list[str], backorder_ids: list[str]):
        self.orders: dict[str, Row] = {}
        self.shipments: dict[str, dict[str, Row]] = {}  # order id -> store id -> row
        self.waiting: dict[str, dict[str, Row]] = {}  # order id -> store id -> backordered shipment
        for chunk in in_chunks(order_ids):
            for row in connection.execute(select(orders).where(orders.c.order_id.in_(chunk))):
                self.orders[row.order_id] = dict(row._mapping)
            for row in connection.execute(select(shipments).where(shipments.c.order_id.in_(chunk))):
                self.shipments.setdefault(row.order_id, {})[row.store_id] = dict(row._mapping)
        for chunk in in_chunks(backorder_ids):
            for row in connection.execute(select(backorders).where(backorders.c.order_id.in_(chunk))):
                self.waiting.setdefault(row.order_id, {})[row.store_id] = dict(row._mapping)
        self.stored = set(self.orders)  # every order with rows has its orders row
        self.backorders_read = set(self.waiting)  # their rows are written again, whole
        self.changed: list[Row] = []
        self.touched: set[str] = set()

    def apply(self, position: int, e: Any) -> None:
        order_id = str(e.originator_id)
        at = event_us(e)
        if isinstance(e, Order.OrderPlaced):
            self.orders[order_id] = {"order_id": order_id, "mode": e.fulfilment_mode, "paid": False, "cancelled": False}
            self.touched.add(order_id)
        elif isinstance(e, Order.OrderAllocated):
            for record in e.shipments:
                self._new(order_id, record, at, position, ALLOCATED)
        elif isinstance(e, Order.OrderRerouted):
            if self._waiting(order_id, e.from_store_id) is not None:
                del self.waiting[order_id][e.from_store_id]
            else:
                self._change(order_id, e.from_store_id, position, REROUTED_AWAY, status=REROUTED_AWAY)
            for record in e.shipments:
                self._new(order_id, record, at, position, REROUTED_TO)
        elif isinstance(e, Order.BackorderServed):
            self._served(order_id, e.store_id, e.awaiting, at, position)
        elif isinstance(e, Order.PaymentConfirmed):
            self._order(order_id)["paid"] = True
            for store_id in self._live(order_id):
                self._change(order_id, store_id, position, PAID, paid=True)
        elif isinstance(e, Order.OrderCancelled):
            self._order(order_id)["cancelled"] = True
            self.waiting.pop(order_id, None)
            for store_id in self._live(order_id):
                self._change(order_id, store_id, position, CANCELLED, status=CANCELLED)
        elif isinstance(e, Order.ShipmentUnfulfillable):
            if (waiting := self._waiting(order_id, e.store_id)) is not None:
                waiting["status"] = UNFULFILLABLE
            else:
                self._change(order_id, e.store_id, position, UNFULFILLABLE, status=UNFULFILLABLE)
        elif isinstance(e, Order.OrderLinesCancelled):
            for record in e.shipments:
                self._lines_cancelled(order_id, record, position)
        elif isinstance(e, Order.ShipmentHandedOver):
            steps = {"handed_over_at_us": at, **({"delivered_at_us": at} if e.status == DELIVERED else {})}
            self._change(order_id, e.store_id, position, e.status, status=e.status, **steps)
        elif type(e) in STEP_OF:
            step = STEP_OF[type(e)]
            self._change(order_id, e.store_id, position, step, status=step, **{f"{step.lower()}_at_us": at})
        elif isinstance(getattr(e, "store_id", None), str) and isinstance(getattr(e, "promised_by", None), str):
            if (waiting := self._waiting(order_id, e.store_id)) is not None:
                waiting.update(promised_by=e.promised_by, **({"slot": e.slot} if isinstance(getattr(e, "slot", None), str) else {}))
                return
            self._change(
                order_id, e.store_id, position, PROMISE_CHANGED, promised_by=e.promised_by,
                promised_by_us=promise_us(e.promised_by), **({"slot": e.slot} if isinstance(getattr(e, "slot", None), str) else {}),
            )

    def _lines_cancelled(self, order_id: str, record: dict[str, Any], position: int) -> None:
        waiting = self._waiting(order_id, record["store_id"])
        row = waiting if waiting is not None else self.shipments.get(order_id, {}).get(record["store_id"])
        if row is None:
            raise LookupError(f"order {order_id}: lines cancelled from a shipment from {record['store_id']!r} never allocated")
        taken = record["lines"]
        left = json.dumps([[sku, units - taken.get(sku, 0)] for sku, units in json.loads(row["lines"]) if units > taken.get(sku, 0)])
        if waiting is not None:
            if record["emptied"]:
                del self.waiting[order_id][record["store_id"]]
            else:
                waiting["lines"] = left
        elif record["emptied"]:
            self._change(order_id, record["store_id"], position, CANCELLED, status=CANCELLED, lines=left)
        else:
            self._change(order_id, record["store_id"], position, LINES_CANCELLED, lines=left)

    def _order(self, order_id: str) -> Row:
        if order_id not in self.orders:
            raise LookupError(f"order {order_id}: an event of an order never placed")
        self.touched.add(order_id)
        return self.orders[order_id]

    def _live(self, order_id: str) -> list[str]:
        return [store_id for store_id, row in self.shipments.get(order_id, {}).items() if row["status"] not in GONE]

    def _new(self, order_id: str, record: dict[str, Any], at: int, position: int, kind: str) -> None:
        self._order(order_id)
        lines = json.dumps([[sku, units] for sku, units in record["lines"].items()])
        waiting = {
            "order_id": order_id, "store_id": record["store_id"], "status": record.get("status"), "lines": lines,
            "promised_by": record.get("promised_by") or "", "slot": record.get("slot") or "",
        }
        if record.get("status") in WAITING:
            self.waiting.setdefault(order_id, {})[record["store_id"]] = waiting
        else:
            self._show(waiting, at, position, kind)

    def _served(self, order_id: str, store_id: str, awaiting: dict[str, int], at: int, position: int) -> None:
        waiting = self._waiting(order_id, store_id)
        if waiting is None:
            raise LookupError(f"order {order_id}: a backorder served of a shipment from {store_id!r} not backordered")
        if not awaiting:  # its stock is all there: the store gets it as it gets any allocation
            del self.waiting[order_id][store_id]
            self._show(waiting, at, position, ALLOCATED)

    def _show(self, shipment: Row, at: int, position: int, kind: str) -> None:
        """A shipment the store starts working on, as `kind` of change (ALLOCATED or REROUTED_TO)."""
        order_id = shipment["order_id"]
        order = self._order(order_id)
        row = {
            "order_id": order_id, "store_id": shipment["store_id"], "mode": order["mode"], "status": ALLOCATED,
            "paid": order["paid"], "lines": shipment["lines"], "promised_by": shipment["promised_by"],
            "promised_by_us": promise_us(shipment["promised_by"]), "slot": shipment["slot"],
            "allocated_at_us": at, "accepted_at_us": None, "picked_at_us": None, "handed_over_at_us": None,
            "delivered_at_us": None, "position": position,
        }
        self.shipments.setdefault(order_id, {})[shipment["store_id"]] = row
        self.changed.append(dict(row, kind=kind))

    def _waiting(self, order_id: str, store_id: str) -> Row | None:
        """The order's backordered shipment from the store, marking the order touched; None
        when the store's shipment is not waiting."""
        waiting = self.waiting.get(order_id, {}).get(store_id)
        if waiting is not None:
            self._order(order_id)
        return waiting

    def _change(self, order_id: str, store_id: str, position: int, kind: str, **values: Any) -> None:
        self._order(order_id)
        row = self.shipments.get(order_id, {}).get(store_id)
        if row is None:
            raise LookupError(f"order {order_id}: a {kind} of a shipment from {store_id!r} never allocated")
        row.update(values, position=position)
        self.changed.append(dict(row, kind=kind))

    def write(self, connection: Connection) -> None:
        touched = sorted(self.touched)
        for chunk in in_chunks(sorted(self.touched & self.stored)):
            connection.execute(delete(shipments).where(shipments.c.order_id.in_(chunk)))
            connection.execute(delete(orders).where(orders.c.order_id.in_(chunk)))
        for chunk in in_chunks(sorted(self.touched & self.backorders_read)):
            connection.execute(delete(backorders).where(backorders.c.order_id.in_(chunk)))
        if touched:
            connection.execute(orders.insert(), [self.orders[o] for o in touched])
            rows = [row for o in touched for row in self.shipments.get(o, {}).values()]
            if rows:
                connection.execute(shipments.insert(), rows)
            waiting = [row for o in touched for row in self.waiting.get(o, {}).values()]
            if waiting:
                connection.execute(backorders.insert(), waiting)
        if self.changed:
            connection.execute(changes.insert(), self.changed)


def apply_batch(connection: Connection, events: Sequence[tuple[int, Any]], end: int) -> None:
    """Folds the batch's Order events (notification id order) into the tables."""
    events = [(position, e) for position, e in events if not isinstance(e, UNRELATED)]
    if not events:
        return
    placed_here = {str(e.originator_id) for _, e in events if isinstance(e, Order.OrderPlaced)}
    fold = Fold(
        connection, sorted({str(e.originator_id) for _, e in events} - placed_here),
        sorted({str(e.originator_id) for _, e in events if not isinstance(e, NOT_WAITING)} - placed_here),
    )
    for position, e in events:
        fold.apply(position, e)
    fold.write(connection)

