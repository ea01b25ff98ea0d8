"""Work the server does on its own: releasing unpaid orders after the payment timeout,
and moving orders whose reserved units a store lost (normally moved at once by the batch
that lost them; this catches any a crash left behind)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from services.application import OmoApplication
from services.fulfilment import DEFAULT_PAYMENT_TIMEOUT, release_unpaid_orders
from services.reroute import STOCK_LOST, move_losing_orders

log = logging.getLogger("omo.housekeeping")


def tidy(app: OmoApplication, payment_timeout: timedelta = DEFAULT_PAYMENT_TIMEOUT) -> tuple[list[str], int]:
    """One round: (orders released for want of payment, orders moved off lost stock)."""
    released = release_unpaid_orders(app, payment_timeout)
    moved = move_losing_orders(app, None, STOCK_LOST, "the store no longer holds the units reserved for it")
    return released, len(moved)


class Housekeeper:
    """Runs `tidy` every `interval` seconds in a daemon thread until stopped."""

    def __init__(self, app: OmoApplication, payment_timeout: timedelta = DEFAULT_PAYMENT_TIMEOUT, interval: float = 30.0):
        self.app = app
        self.payment_timeout = payment_timeout
        self.interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="omo-housekeeping", daemon=True)

    def start(self) -> Housekeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            try:
                released, moved = tidy(self.app, self.payment_timeout)
                if released or moved:
                    log.info("released %d unpaid orders, moved %d orders off lost stock", len(released), moved)
            except Exception:  # noqa: BLE001 - the next round tries again; the server keeps serving
                log.exception("housekeeping round failed")
