"""Use cases: an order's way through the store after it is placed - payment, the store's
steps (accept, reject, pick, hand over, deliver) and the release of unpaid orders.

A step that already happened returns the order unchanged (a retried call); a step the
current status does not allow is refused with FAILED_PRECONDITION naming the status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from aggregates.order import CANCELLED, Order
from aggregates.stock_position import StockPosition
from domain.errors import InvalidInput
from domain.values import Money, identifier, text
from services.use_cases.application import OmoApplication, RetryDecision
from services.use_cases.network.dealers import fulfiller_of
from services.use_cases.ordering.orders import order_uuid, cancel_order, get_order, load_order, reserved_position_ids
from services.use_cases.ordering.rerouting import REJECTED_BY_STORE, reroute_shipment

DEFAULT_PAYMENT_TIMEOUT = timedelta(minutes=15)


def _step(
    app: OmoApplication, order_id: str, decide: Callable[[Order, list[StockPosition]], None], positions_at: str | None = None
) -> Order:
    """Loads the order (and, with positions_at, its reserved positions at that store), lets
    `decide` change them, and saves whatever changed in one atomic write."""
    aggregate_id = order_uuid(order_id)

    def plan() -> tuple[list[UUID], list[UUID]]:
        ids = reserved_position_ids(load_order(app, order_id), positions_at) if positions_at else []
        return [aggregate_id, *ids], ids

    def decide_step(ids: list[UUID]) -> tuple[list, Order]:
        order = load_order(app, order_id)
        if positions_at and reserved_position_ids(order, positions_at) != ids:
            raise RetryDecision  # the order moved meanwhile
        positions = [app.repository.get(i) for i in ids]
        decide(order, positions)
        return [order, *positions], order

    return app.decide_planned(plan, decide_step)


def confirm_payment(app: OmoApplication, order_id: str, payment_id: str, amount: Money, by: str = "") -> Order:
    identifier("payment_id", payment_id)

    def decide(order: Order, _: list) -> None:
        if amount.currency != order.currency:
            raise InvalidInput("amount.currency", f"is {amount.currency}; the order is in {order.currency}")
        order.confirm_payment(payment_id, amount.cents, by=by)

    return _step(app, order_id, decide)


def accept_order(app: OmoApplication, order_id: str, store_id: str, by: str = "") -> Order:
    identifier("store_id", store_id)
    return _step(app, order_id, lambda order, _: order.accept(store_id, by=by))


def mark_picked(app: OmoApplication, order_id: str, store_id: str, by: str = "") -> Order:
    """The store took the units off the shelf: its reservations become deductions of on hand."""
    identifier("store_id", store_id)
    at = app.now_us()

    def decide(order: Order, positions: list[StockPosition]) -> None:
        order.mark_picked(store_id, by=by)
        for position in positions:
            position.pick(order.order_id, at)

    return _step(app, order_id, decide, positions_at=store_id)


def hand_over(app: OmoApplication, order_id: str, store_id: str, to: str, pickup_code: str = "", by: str = "") -> Order:
    """The shipment leaves the store, and who earns what of it is recorded with it (the
    store's owner now earns any fulfilment fee)."""
    identifier("store_id", store_id)
    fulfiller = fulfiller_of(app, store_id)

    def decide(order: Order, _: list) -> None:
        order.hand_over(store_id, to, pickup_code, by=by)
        order.attribute(store_id, fulfiller, by=by)

    return _step(app, order_id, decide)


def mark_delivered(app: OmoApplication, order_id: str, store_id: str, by: str = "") -> Order:
    identifier("store_id", store_id)
    return _step(app, order_id, lambda order, _: order.mark_delivered(store_id, by=by))


def reject_order(app: OmoApplication, order_id: str, store_id: str, reason: str, by: str = "") -> Order:
    """The store cannot fulfil its shipment: it moves to the next best location (or is
    flagged for customer service when there is none)."""
    identifier("store_id", store_id)
    text("reason", reason, required=True)
    order = get_order(app, order_id)
    if any(r["store_id"] == store_id and r["cause"] == REJECTED_BY_STORE for r in order.reroutes):
        return order  # rejected already (moved, or flagged with nowhere to go): a retried call
    order.movable_shipment(store_id, "rejected")
    reroute_shipment(app, order.order_id, store_id, REJECTED_BY_STORE, f"store {store_id} rejected it: {reason}", by=by)
    return get_order(app, order_id)


def release_unpaid_orders(app: OmoApplication, timeout: timedelta = DEFAULT_PAYMENT_TIMEOUT) -> list[str]:
    """Cancels every allocated order whose payment was not confirmed within `timeout` of
    placing it, releasing its reservations. Returns their ids."""
    app.catch_up()
    deadline = app.now_us() - int(timeout.total_seconds() * 1_000_000)
    overdue = sorted(str(order_id) for order_id, placed in app.index.unpaid.items() if placed <= deadline)
    reason = f"payment not confirmed within {int(timeout.total_seconds() // 60)} min"
    released = []
    for order_id in overdue:
        order = cancel_order(app, order_id, reason, only_if_unpaid=True)
        if order.status == CANCELLED and order.cancel_reason == reason:
            released.append(order_id)
    return released
