"""Work the server does on its own: releasing unpaid orders after the payment timeout,
moving orders whose reserved units a store lost, and recording what arriving stock did to
backorders (normally done at once by the call that changed the stock; this catches any a
crash left behind)."""

from __future__ import annotations

from datetime import timedelta

from services.use_cases.application import OmoApplication
from services.use_cases.ordering.fulfilment import DEFAULT_PAYMENT_TIMEOUT, release_unpaid_orders
from services.use_cases.ordering.backorders import move_uncovered_backorders, proceed_backorders
from services.use_cases.ordering.rerouting import STOCK_LOST, move_losing_orders


def tidy(app: OmoApplication, payment_timeout: timedelta = DEFAULT_PAYMENT_TIMEOUT) -> tuple[list[str], int]:
    """One round: (orders released for want of payment, orders moved off lost stock)."""
    released = release_unpaid_orders(app, payment_timeout)
    moved = move_losing_orders(app, None, STOCK_LOST, "the store no longer holds the units reserved for it")
    proceed_backorders(app)
    moved += move_uncovered_backorders(app)
    return released, len(moved)
