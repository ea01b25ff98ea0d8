"""Use case: a customer returning a delivered order's lines, whole or in part, at any store.
The units go back on hand there, the refund is recorded per line at the price paid, and the
returned units' share of the original attribution is reversed."""

from __future__ import annotations

from aggregates.order import Order
from aggregates.stock_position import ORDER_RETURNED, StockPosition
from domain.values import checked_lines, identifier
from services.use_cases.application import OmoApplication
from services.use_cases.network.stores import require_store
from services.use_cases.ordering.orders import order_uuid, load_order


def return_order(
    app: OmoApplication, order_id: str, return_id: str, store_id: str, lines: list[tuple[str, int]], by: str = "",
) -> Order:
    """Records the return and puts the units back on hand at `store_id` in one atomic save.
    The same return_id with the same lines returns the order unchanged."""
    aggregate_id = order_uuid(order_id)
    identifier("return_id", return_id)
    require_store(app, store_id)
    units = dict(checked_lines(lines))
    position_ids = [StockPosition.create_id(store_id, sku) for sku in units]

    def decide() -> tuple[list, Order]:
        order = load_order(app, order_id)
        if not order.record_return(return_id, store_id, units, by=by):
            return [], order
        order.reverse_attribution(return_id, by=by)
        at = app.now_us()
        positions = []
        for sku, quantity in units.items():
            position = app.position_or_new(store_id, sku)
            position.move(ORDER_RETURNED, quantity, at, note=f"return {return_id} of order {order.order_id}")
            positions.append(position)
        return [order, *positions], order

    return app.decide([aggregate_id, *position_ids], decide)
