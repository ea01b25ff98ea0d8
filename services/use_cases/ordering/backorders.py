"""Use cases: backorders going ahead as their stock arrives, or moving when it will not.

Arriving units serve the earliest claims as reservations in the same save as the arrival
(the stock position decides it); the order then records it (`proceed_backorders`, right after
the arrival and again by housekeeping, so a crash between the two loses nothing). Claims the
incoming stock no longer covers (a receipt cancelled, lowered or closed short) are moved, as a
lost reservation is: routed elsewhere when stock is there now, otherwise flagged for customer
service (`move_uncovered_backorders`). How a backorder is placed: backorder_routing.
"""

from __future__ import annotations

import logging
from uuid import UUID

from aggregates.order import WAITING, Order
from aggregates.stock_position import StockPosition
from domain.errors import DomainError
from services.use_cases.application import OmoApplication
from services.use_cases.ordering.rerouting import MoveOutcome, move_shipments

INCOMING_SHORT = "INCOMING_SHORT"  # the incoming stock a backorder waited for will not all come
log = logging.getLogger("omo.backorders")


def proceed_backorders(app: OmoApplication, store_id: str | None = None) -> list[str]:
    """Records, in each backordered order whose claims arriving stock served (at one store,
    or all), what is now reserved for it; those reserved in full are ALLOCATED and go to
    their store. Returns the orders that went ahead."""
    app.catch_up()
    served = sorted((s, o) for s, o in app.index.backorders_served if store_id in (None, s))
    ready = []
    for at_store, order_id in served:
        try:
            if _record_served(app, order_id, at_store):
                ready.append(order_id)
        except DomainError:
            # the arrival is committed whatever happens here; housekeeping tries again
            log.exception("could not record the stock served to backorder %s at store %s", order_id, at_store)
    return ready


def _record_served(app: OmoApplication, order_id: str, store_id: str) -> bool:
    aggregate_id = UUID(order_id)

    def decide() -> tuple[list, bool]:
        order = app.repository.get(aggregate_id)
        if not isinstance(order, Order) or store_id not in order.store_ids:
            app.index.backorders_served.discard((store_id, order_id))  # moved or gone: nothing to record
            return [], False
        lines = order.shipment_from(store_id)["lines"]
        reserved = {
            sku: position.reservations.get(order_id, 0)
            for sku in lines if (position := app.find(StockPosition.create_id(store_id, sku))) is not None
        }
        if not order.backorder_served(store_id, reserved):
            app.index.backorders_served.discard((store_id, order_id))
            return [], False
        return [order], order.shipment_from(store_id)["status"] not in WAITING

    return app.decide([aggregate_id], decide)


def move_uncovered_backorders(app: OmoApplication, store_id: str | None = None) -> list[MoveOutcome]:
    """Moves every backordered shipment whose claims the incoming stock no longer covers (at
    one store, or all): elsewhere if stock is there now, else flagged for customer service."""
    app.catch_up()
    uncovered = sorted({(s, o) for s, o, _ in app.index.uncovered_claims if store_id in (None, s)})
    return move_shipments(
        app, uncovered, INCOMING_SHORT, lambda store: f"the stock store {store!r} expected for the backorder will not all come",
    )
