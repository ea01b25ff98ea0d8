"""The projection runners: the national stock and the dealer ledger, each on a thread of its
own with its own position and lease, in `omo project` or beside the gRPC server; and the events
each projection applied, counted for the metrics."""

from __future__ import annotations

import json
import logging
import threading
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from projections.definitions import NATIONAL_STOCK, PROJECTIONS
from projections.runtime.projection import Projection
from projections.runtime.event_log import EventLog
from projections.runtime.runner import ProjectionRunner
from services.adapters.child_processes import ReportsToParent
from services.adapters.recorder import CoreSqlRecorder

log = logging.getLogger("omo.projection")


class EventStore(Application[UUID]):
    """The OMO event store, opened only to read its notification log (no live index)."""

    name = "omo"  # the same tables as the OmoApplication

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        # the log is read as rows, not ORM objects: the projections read every notification
        factory = super().construct_factory(env)
        factory.application_recorder_class = CoreSqlRecorder
        return factory


class AppliedEvents:
    """Events each projection applied in this process (counted as their batches commit), and
    those its children reported applying: only ever added to, like a Prometheus counter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def add(self, projection: str, events: int) -> None:
        with self._lock:
            self._counts[projection] = self._counts.get(projection, 0) + events

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def add_report(self, line: str) -> None:
        """A child's report (AppliedReports.send)."""
        for projection, events in json.loads(line).items():
            self.add(projection, int(events))


APPLIED = AppliedEvents()


class AppliedReports:
    """A child's reports to its parent (`omo project`'s) of the events its runners applied: a
    child's figures are counted in its own process, and its parent is the one Prometheus scrapes.
    Each report says only what was applied since the last, so a child started again after dying
    starts from nothing while its parent's totals still only grow."""

    def __init__(self, fd: int):
        self.pipe = ReportsToParent(fd)
        self.sent: dict[str, int] = {}

    def send(self) -> None:
        now = APPLIED.counts()
        increase = {p: n - self.sent.get(p, 0) for p, n in now.items() if n != self.sent.get(p, 0)}
        if increase:
            self.pipe.send(json.dumps(increase))
        self.sent = now


def stock_event_log(application: Application) -> EventLog:
    return NATIONAL_STOCK.event_log(application)


def new_runner(application: Application, url: str, projection: Projection = NATIONAL_STOCK, **options) -> ProjectionRunner:
    options.setdefault("on_applied", APPLIED.add)
    return ProjectionRunner(url, projection.event_log(application), projection, **options)


class Runners(list):
    """Projection runners on threads of their own."""

    def stop(self) -> None:
        for runner in self:
            runner.stop()

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop()
        for runner in self:
            runner.shutdown(timeout)


def start_runners(application: Application, url: str, projections: list[Projection] | None = None, **options) -> Runners:
    runners = Runners()
    for projection in projections or list(PROJECTIONS.values()):
        runner = new_runner(application, url, projection, **options)
        runner.start()
        runners.append(runner)
    return runners


def start_in_server(application: Application, url: str) -> Runners:
    """The projection runners `omo serve` starts by default, each on a thread of its own."""
    runners = start_runners(application, url)
    for runner in runners:
        log.info("projecting %s in this server (runner %s)", runner.projection, runner.holder)
    return runners
