"""The projection runners: the national stock and the dealer ledger, each on a thread of its
own with its own position and lease, in `omo project` or beside the gRPC server."""

from __future__ import annotations

import logging
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from projections.definitions import NATIONAL_STOCK, PROJECTIONS
from projections.runtime.projection import Projection
from projections.runtime.event_log import EventLog
from projections.runtime.runner import ProjectionRunner
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


def stock_event_log(application: Application) -> EventLog:
    return NATIONAL_STOCK.event_log(application)


def new_runner(application: Application, url: str, projection: Projection = NATIONAL_STOCK, **options) -> ProjectionRunner:
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
