"""Use case: cancelling some lines (or some units of a line) of an order before they are
picked, releasing exactly those units."""

from __future__ import annotations

from uuid import UUID

from aggregates.order import Order
from aggregates.stock_position import StockPosition
from domain.values import checked_lines, identifier, text
from services.use_cases.application import OmoApplication, RetryDecision
from services.use_cases.ordering.orders import MAX_IDEMPOTENCY_KEY_LENGTH, load_order, order_uuid
from services.use_cases.ordering.slots import given_back, slot_ids

# (store, sku, units): the units released at one stock position
Release = tuple[str, str, int]


def _releases(order: Order, units: dict[str, int]) -> tuple[list[Release], list[dict]]:
    """What cancelling `units` releases: the units at each stock position still holding them,
    and the shipments it empties (their slots are given back)."""
    holding = {s["store_id"] for s in order.holding_reservations()}
    releases, emptied = [], []
    for taken in order.units_to_cancel(units):
        if taken["store_id"] in holding:
            releases += [(taken["store_id"], sku, n) for sku, n in sorted(taken["lines"].items())]
        if taken["emptied"]:
            emptied.append(order.shipment_from(taken["store_id"]))
    return releases, emptied


def cancel_order_lines(
    app: OmoApplication, order_id: str, idempotency_key: str, lines: list[tuple[str, int]], reason: str, by: str = "",
) -> tuple[Order, int]:
    """Cancels `units` (sku -> units) of the order and releases them, in one atomic save;
    returns the order and the refund the cancellation owes the customer (0 when unpaid). A
    retry with the same key returns the order as it stands and the first answer's refund."""
    aggregate_id = order_uuid(order_id)
    identifier("idempotency_key", idempotency_key, max_length=MAX_IDEMPOTENCY_KEY_LENGTH)
    text("reason", reason)
    units = dict(checked_lines(lines))

    def plan() -> tuple[list[UUID], list[Release]]:
        order = load_order(app, order_id)
        if idempotency_key in order.line_cancellations:
            return [aggregate_id], []
        releases, emptied = _releases(order, units)
        positions = [StockPosition.create_id(store_id, sku) for store_id, sku, _ in releases]
        return [aggregate_id, *positions, *slot_ids(emptied)], releases

    def decide(planned: list[Release]) -> tuple[list, tuple[Order, int]]:
        order = load_order(app, order_id)
        if idempotency_key in order.line_cancellations:
            order.cancel_lines(idempotency_key, units, reason, by=by)  # a retry: refused if its lines differ
            return [], (order, order.line_cancellations[idempotency_key]["refund_cents"])
        releases, emptied = _releases(order, units)
        if releases != planned:
            raise RetryDecision  # the order moved since its positions were chosen
        positions = [app.repository.get(StockPosition.create_id(store_id, sku)) for store_id, sku, _ in releases]
        slots = given_back(app, order.order_id, emptied)
        order.cancel_lines(idempotency_key, units, reason, by=by)
        for position, (_, _, released) in zip(positions, releases):
            position.release(order.order_id, reason, quantity=released)
        return [order, *positions, *slots], (order, order.line_cancellations[idempotency_key]["refund_cents"])

    return app.decide_planned(plan, decide)
