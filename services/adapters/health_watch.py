"""Health that tells the truth: a thread that looks, every second, at what a server needs to
place orders (its database answering, its order writer running) and at how far each
projection is behind, and sets the gRPC health service's statuses from it. A load balancer
asking the overall service ("") stops sending traffic while the server could only answer
UNAVAILABLE, and sends it again by itself once the database or the writer is back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from grpc_health.v1 import health, health_pb2

from projections.definitions import PROJECTIONS
from projections.runtime.database import read_engine
from projections.runtime.runner import projection_status
from services.use_cases.application import OmoApplication

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
PROJECTION_SERVICE = "omo.projection.{}"  # each projection's health service name
DEFAULT_MAX_LAG = 10_000  # events a projection may be behind and still report SERVING
log = logging.getLogger("omo.health")


class HealthWatch:
    def __init__(
        self, app: OmoApplication, servicer: health.HealthServicer, services: Iterable[str],
        max_lag: int = DEFAULT_MAX_LAG, interval_s: float = 1.0,
    ):
        self.app, self.servicer, self.services = app, servicer, ("", *services)
        self.max_lag, self.interval_s = max_lag, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="omo-health", daemon=True)
        self._engine = read_engine(app.database_url)
        self._last: dict[str, int] = {}
        self.why = ""  # what made the server NOT_SERVING, "" while serving

    def start(self) -> HealthWatch:
        self.look()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._engine.dispose()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.look()
            except Exception:  # noqa: BLE001 - the watch must outlive any one look
                log.exception("health check failed")

    def look(self) -> None:
        """Sets every status from what is seen now."""
        why = self._why_not_serving()
        for service in self.services:
            self._set(service, NOT_SERVING if why else SERVING, why)
        for name, projection in PROJECTIONS.items():
            behind = "" if why else self._projection_behind(projection)
            self._set(PROJECTION_SERVICE.format(name), NOT_SERVING if why or behind else SERVING, why or behind)
        self.why = why

    def _why_not_serving(self) -> str:
        if not self.app.order_writer_ready():
            return "the order writer is not running"
        try:
            self.app.recorder.max_notification_id()
        except Exception as error:  # noqa: BLE001 - whatever the driver says, the database is not answering
            return f"the database does not answer ({type(error).__name__})"
        return ""

    def _projection_behind(self, projection) -> str:
        try:
            status = projection_status(self._engine, projection.event_log(self.app), projection.name)
        except Exception as error:  # noqa: BLE001 - a projection whose tables are not made yet is not serving
            return f"its status cannot be read ({type(error).__name__})"
        return f"{status.lag_events} events behind (more than {self.max_lag})" if status.lag_events > self.max_lag else ""

    def _set(self, service: str, status: int, why: str) -> None:
        if self._last.get(service) != status:
            name = service or "the server"
            if status == NOT_SERVING:
                log.warning("%s is NOT_SERVING: %s", name, why)
            elif service in self._last:  # back again, not just started
                log.info("%s is SERVING again", name)
            self._last[service] = status
        self.servicer.set(service, status)
