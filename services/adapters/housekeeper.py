"""The server's own work on a timer: a housekeeping round every so often, in a thread."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from services.use_cases.application import OmoApplication
from services.use_cases.ordering.fulfilment import DEFAULT_PAYMENT_TIMEOUT
from services.use_cases.housekeeping import tidy

log = logging.getLogger("omo.housekeeping")


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
