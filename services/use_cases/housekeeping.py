"""Work the server does on its own: releasing unpaid orders after the payment timeout,
and moving orders whose reserved units a store lost (normally moved at once by the batch
that lost them; this catches any a crash left behind)."""

from __future__ import annotations

from datetime import timedelta

from services.use_cases.application import OmoApplication
from services.use_cases.ordering.fulfilment import DEFAULT_PAYMENT_TIMEOUT, release_unpaid_orders
from services.use_cases.ordering.rerouting import STOCK_LOST, move_losing_orders


def tidy(app: OmoApplication, payment_timeout: timedelta = DEFAULT_PAYMENT_TIMEOUT) -> tuple[list[str], int]:
    """One round: (orders released for want of payment, orders moved off lost stock)."""
    released = release_unpaid_orders(app, payment_timeout)
    moved = move_losing_orders(app, None, STOCK_LOST, "the store no longer holds the units reserved for it")
    return released, len(moved)
