"""The one place that builds the application from the configuration and wires the adapters
to it: the event store and its recorder, the concurrency primitives, the order writer (in a
thread or a process of its own), the housekeeper and the projection runners. `omo serve`,
`omo project`, the demo, the benchmarks and the tests all build through here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from routing.policy import RoutingPolicy
from services.adapters.config import AGGREGATE_CACHE, application_env, database_url as configured_database_url
from services.adapters.database_timeouts import with_database_timeouts
from services.adapters.housekeeper import Housekeeper
from services.adapters.locks import Threads
from services.adapters.projection_runners import EventStore, Runners, start_in_server
from services.adapters.recorder import CoreSqlRecorder
from services.adapters.writer_links import WRITER_CACHE_SIZE, ProcessWriterLink, ThreadWriterLink
from services.use_cases.application import OmoApplication, utc_now
from services.use_cases.ordering.fulfilment import DEFAULT_PAYMENT_TIMEOUT
from services.use_cases.ports import OrderWriterPort

WriterPlacement = Literal["thread", "process"] | None


def build_application(
    database_url: str | None = None, *, order_writer: WriterPlacement = "thread",
    clock: Callable[[], datetime] = utc_now, routing: RoutingPolicy | None = None, cache_size: int | None = None,
) -> OmoApplication:
    """The application on `database_url` (OMO_DATABASE_URL, or the embedded SQLite default).

    `order_writer`: where PlaceOrder's placements are recorded: "thread", a writer thread
    with an application of its own, started on first use; "process", a writer process
    started now (the writer's work and the server's do not share one interpreter lock);
    None, no writer (the writer's own application, or one that places no orders)."""
    url = database_url or configured_database_url()
    # the server's connections, not `omo projections` and `omo statements` (long reads)
    env = application_env(with_database_timeouts(url))
    if cache_size is not None:
        env["AGGREGATE_CACHE_MAXSIZE"] = str(cache_size)
    writer: Callable[[], OrderWriterPort] | None = None
    if order_writer == "thread":
        writer = lambda: ThreadWriterLink(lambda: build_application(url, order_writer=None))  # noqa: E731
    app = OmoApplication(
        url, env, Threads(), recorder_class=CoreSqlRecorder, clock=clock, routing=routing, order_writer=writer,
    )
    if order_writer == "process":
        app.use_order_writer(ProcessWriterLink(url, writer_application))
    return app


def in_memory_application(
    *, order_writer: OrderWriterPort | None = None, clock: Callable[[], datetime] = utc_now,
    routing: RoutingPolicy | None = None,
) -> OmoApplication:
    """The application on the event sourcing library's in-memory event store: no database, for
    the use cases' own tests, with `order_writer` standing in for the real one."""
    app = OmoApplication(
        "memory://", {"PERSISTENCE_MODULE": "eventsourcing.popo", **AGGREGATE_CACHE}, Threads(), clock=clock, routing=routing,
    )
    if order_writer is not None:
        app.use_order_writer(order_writer)
    return app


def writer_application(database_url: str) -> OmoApplication:
    """The order writer's own application in its process: every stock position it reserves
    at stays in its cache (a writer thread's application keeps the usual cache)."""
    return build_application(database_url, order_writer=None, cache_size=WRITER_CACHE_SIZE)


def event_store(database_url: str | None = None) -> EventStore:
    """The event store opened only to read its notification log (projections, statements)."""
    return EventStore(env=application_env(database_url or configured_database_url()))


@dataclass
class BackgroundWork:
    """What a server runs beside its RPCs."""

    housekeeper: Housekeeper
    projections: Runners | None

    def stop(self) -> None:
        self.housekeeper.stop()
        if self.projections is not None:
            self.projections.shutdown()


def start_background_work(
    app: OmoApplication, payment_timeout: timedelta = DEFAULT_PAYMENT_TIMEOUT, projections: bool = True,
) -> BackgroundWork:
    """The housekeeper (unpaid orders released, orders moved off lost stock) and, unless
    told otherwise, the projection runners, on threads of this process."""
    housekeeper = Housekeeper(app, payment_timeout=payment_timeout).start()
    runners = start_in_server(app, app.database_url) if projections else None
    return BackgroundWork(housekeeper, runners)
