"""What the order events do to the shipments the on-time figures count, in memory: the
projection folds each batch here between reading and writing its rows, and verify folds the
whole log here from nothing.

A shipment with a promise counts at its store on the store-local date of the promise. It is
done when DELIVERED (DELIVERY, EXPRESS) or when PICKED, ready at the counter (PICKUP): on
time when the event's moment is at or before the promise. A cancellation, or a reroute away
from the store, takes back whatever it counted there; the store it moved to counts its own
shipment with its own promise. A shipment without a promise ("") counts nowhere.

A backordered shipment is WAITING, counted nowhere, until a BackorderServed leaves it awaiting
nothing: from then it is due at its store, on the day of the promise its record holds (made
from the stock's expected arrival), as any allocated shipment. A store is not measured on
work it never had: one moved, flagged or cancelled while it waits counts nowhere, and none is
overdue before the store could start it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from aggregates.order import DELIVERED, WAITING as WAITING_SHIPMENTS, Order
from domain.values import FulfilmentMode, epoch_us
from projections.on_time.tables import GONE, LATE, ON_TIME, OPEN, WAITING
from projections.runtime.moments import event_us, recorded_promise

log = logging.getLogger("omo.projection")
PICKUP = FulfilmentMode.PICKUP.value
ORDER_EVENTS = (
    Order.OrderPlaced, Order.OrderAllocated, Order.OrderRerouted, Order.OrderCancelled,
    Order.ShipmentPicked, Order.ShipmentHandedOver, Order.ShipmentDelivered, Order.OrderLinesCancelled, Order.BackorderServed,
)


@dataclass(frozen=True)
class Shipment:
    order_id: str
    store_id: str
    mode: str
    promised_by: str
    promised_us: int
    local_day: str
    status: str
    done_at_us: int | None = None

    def counts(self) -> tuple[int, int, int]:
        """What it adds to its store's day: (due, on time, late)."""
        if self.status in (GONE, WAITING):
            return (0, 0, 0)
        return (1, int(self.status == ON_TIME), int(self.status == LATE))


def promise_of(order_id: str, record: dict[str, Any]) -> tuple[int, str] | None:
    """(the promise in UTC microseconds, its store-local date) of a shipment record; None
    without a promise."""
    promised_by = record.get("promised_by") or ""
    if not promised_by:
        return None
    moment = recorded_promise(promised_by)
    if moment is None or moment.tzinfo is None:
        # a record the order writer could not have made: counted nowhere rather than halting
        # every later figure behind it
        log.warning("order %s: promised_by %r at %s is no RFC 3339 moment with an offset; not counted",
                    order_id, promised_by, record.get("store_id"))
        return None
    return epoch_us(moment), moment.date().isoformat()


class Fold:
    """The shipments of the orders a batch touches (`by_order`, as loaded) and the modes of
    their orders; `apply` changes them and records which changed and what that did to the
    days' counts."""

    def __init__(self, by_order: dict[str, dict[str, Shipment]], modes: dict[str, str]):
        self.by_order = by_order
        self.modes = modes
        self.placed: dict[str, str] = {}  # orders placed in this fold: order id -> mode
        self.changed: set[tuple[str, str]] = set()  # (order id, store id)
        self.deltas: dict[tuple[str, str], list[int]] = {}  # (store id, local day) -> [due, on time, late]

    def apply(self, e: Any) -> None:
        order_id = str(e.originator_id)
        if isinstance(e, Order.OrderPlaced):
            self.modes[order_id] = self.placed[order_id] = e.fulfilment_mode
        elif isinstance(e, Order.OrderAllocated):
            for record in e.shipments:
                self._promised(order_id, record)
        elif isinstance(e, Order.OrderRerouted):
            self._gone(order_id, e.from_store_id)
            for record in e.shipments:
                self._promised(order_id, record)
        elif isinstance(e, Order.OrderCancelled):
            for store_id in list(self.by_order.get(order_id, {})):
                self._gone(order_id, store_id)
        elif isinstance(e, Order.OrderLinesCancelled):
            for record in e.shipments:
                if record["emptied"]:  # nothing left to do there: no longer due
                    self._gone(order_id, record["store_id"])
        elif isinstance(e, Order.BackorderServed):
            shipment = self.by_order.get(order_id, {}).get(e.store_id)
            if not e.awaiting and shipment is not None and shipment.status == WAITING:
                self._set(replace(shipment, status=OPEN))
        elif isinstance(e, Order.ShipmentPicked):
            if self._mode(order_id) == PICKUP:
                self._done(order_id, e.store_id, event_us(e))
        elif isinstance(e, Order.ShipmentHandedOver):
            if getattr(e, "status", "") == DELIVERED:  # to the customer at the counter
                self._done(order_id, e.store_id, event_us(e))
        elif isinstance(e, Order.ShipmentDelivered):
            if self._mode(order_id) != PICKUP:
                self._done(order_id, e.store_id, event_us(e))

    def _mode(self, order_id: str) -> str:
        try:
            return self.modes[order_id]
        except KeyError:
            raise LookupError(f"order {order_id}: an event of it comes before its OrderPlaced") from None

    def _promised(self, order_id: str, record: dict[str, Any]) -> None:
        store_id = record["store_id"]
        promise = promise_of(order_id, record)
        if promise is None:
            self._gone(order_id, store_id)  # a shipment here before, moved back without a promise
            return
        promised_us, local_day = promise
        status = WAITING if record.get("status") in WAITING_SHIPMENTS else OPEN
        self._set(Shipment(order_id, store_id, self._mode(order_id), record["promised_by"], promised_us, local_day, status))

    def _gone(self, order_id: str, store_id: str) -> None:
        shipment = self.by_order.get(order_id, {}).get(store_id)
        if shipment is not None and shipment.status != GONE:
            self._set(replace(shipment, status=GONE))

    def _done(self, order_id: str, store_id: str, at_us: int) -> None:
        shipment = self.by_order.get(order_id, {}).get(store_id)
        if shipment is not None and shipment.status == OPEN:
            self._set(replace(shipment, status=ON_TIME if at_us <= shipment.promised_us else LATE, done_at_us=at_us))

    def _set(self, shipment: Shipment) -> None:
        stores = self.by_order.setdefault(shipment.order_id, {})
        before = stores.get(shipment.store_id)
        if before is not None:
            self._add((before.store_id, before.local_day), before.counts(), -1)
        self._add((shipment.store_id, shipment.local_day), shipment.counts(), 1)
        stores[shipment.store_id] = shipment
        self.changed.add((shipment.order_id, shipment.store_id))

    def _add(self, day: tuple[str, str], counts: tuple[int, int, int], sign: int) -> None:
        row = self.deltas.setdefault(day, [0, 0, 0])
        for i, value in enumerate(counts):
            row[i] += sign * value
