"""`omo project` and `omo projections status|rebuild|verify`, and the projection runner
that `omo serve` starts beside the gRPC server."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from uuid import UUID

from eventsourcing.application import Application

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from projections.event_log import EventLog, event_topics
from projections.national_stock import NAME
from projections.projection_runner import ProjectionRunner, projection_status
from projections.stock_tables import create_tables, read_engine, write_engine
from projections.stock_verify import verify
from services.config import DATABASE_URL_VARIABLE, application_env, database_url, redact

log = logging.getLogger("omo.projection")
MAX_LISTED_DIFFERENCES = 50


class EventStore(Application[UUID]):
    """The OMO event store, opened only to read its notification log (no live index)."""

    name = "omo"  # the same tables as services.application.OmoApplication


def stock_event_log(application: Application) -> EventLog:
    return EventLog(application, event_topics(StockPosition, Store))


def new_runner(application: Application, url: str, **options) -> ProjectionRunner:
    return ProjectionRunner(url, stock_event_log(application), **options)


def start_in_server(application: Application, url: str) -> ProjectionRunner:
    """The projection runner `omo serve` starts by default, on a thread of its own."""
    runner = new_runner(application, url)
    runner.start()
    log.info("projecting %s in this server (runner %s)", NAME, runner.holder)
    return runner


# --- the command line ------------------------------------------------------------------

def add_parsers(commands: argparse._SubParsersAction) -> None:
    project = commands.add_parser(
        "project", help="run the national stock projection in a process of its own",
        description=f"Follow the event store named by {DATABASE_URL_VARIABLE} and keep the national stock tables "
        "current, until SIGTERM or SIGINT. Only one runner writes at a time: another one started meanwhile "
        "(or `omo serve`'s) waits on standby and takes over when this one stops. Survives a dropped database "
        "connection by reconnecting.",
    )
    project.add_argument("--poll-interval", type=float, default=0.05, help="seconds between polls when caught up (default 0.05)")
    project.add_argument("--batch-size", type=int, default=2000, help="events applied per transaction (default 2000)")
    project.add_argument("--lease-seconds", type=float, default=10.0, help="how long the writer's lease lasts without renewal (default 10)")

    projections = commands.add_parser(
        "projections", help="status, rebuild and verify of the national stock projection",
        description="Operate the national stock projection (its SQL tables beside the event store).",
    )
    actions = projections.add_subparsers(dest="projections_command", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status", help="position, head, lag in events and seconds, the runner holding the lease",
        description="Print the projection's position, the event store's head, the lag in events and seconds, "
        "and which runner holds the writer's lease.",
    )
    status.add_argument("--json", action="store_true", help="print one JSON object")
    actions.add_parser(
        "rebuild", help="empty the tables and apply every event again, with a progress bar",
        description="Empty the national stock tables and apply every event from the first, with a progress bar. "
        "Takes the writer's lease from any running runner, which waits on standby until the rebuild is done. "
        "The result is identical to the incrementally built tables.",
    )
    actions.add_parser(
        "verify", help="recompute every figure from the event store and list differences",
        description="Recompute every figure from the event store up to the projection's position and list every "
        "difference from the tables. Exit status 1 when there is any.",
    )


def project(args: argparse.Namespace) -> int:
    url = database_url()
    store = EventStore(env=application_env(url))
    runner = new_runner(store, url, poll_interval=args.poll_interval, batch_size=args.batch_size, lease_seconds=args.lease_seconds)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    log.info("projecting %s from %s (runner %s)", NAME, redact(url), runner.holder)
    try:
        runner.run()
    finally:
        runner.close()
        store.close()
    log.info("stopped at position %d", runner.position)
    return 0


def projections(args: argparse.Namespace) -> int:
    url = database_url()
    store = EventStore(env=application_env(url))
    try:
        return {"status": _status, "rebuild": _rebuild, "verify": _verify}[args.projections_command](args, store, url)
    finally:
        store.close()


def _status(args: argparse.Namespace, store: EventStore, url: str) -> int:
    setup = write_engine(url)
    create_tables(setup, NAME)
    setup.dispose()
    engine = read_engine(url)
    try:
        s = projection_status(engine, stock_event_log(store))
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(s.__dict__))
        return 0
    holder = f"{s.holder} (lease {'expired' if s.lease_left_seconds < 0 else f'{s.lease_left_seconds:.1f} s left'})" if s.holder else "none"
    print(f"projection  {s.projection}")
    print(f"position    {s.position}")
    print(f"head        {s.head}")
    print(f"lag         {s.lag_events} events, {s.lag_seconds:.1f} s")
    print(f"runner      {holder}")
    return 0


def _rebuild(args: argparse.Namespace, store: EventStore, url: str) -> int:
    from tqdm import tqdm

    runner = new_runner(store, url)
    began = time.perf_counter()
    bar = None

    def progress(moved: int, head: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=head, unit="id", desc="rebuild", file=sys.stderr)
        bar.update(moved)

    try:
        position = runner.rebuild(progress)
    finally:
        if bar is not None:
            bar.close()
        runner.close()
    print(f"rebuilt {NAME} to position {position} in {time.perf_counter() - began:.1f} s")
    return 0


def _verify(args: argparse.Namespace, store: EventStore, url: str) -> int:
    setup = write_engine(url)
    create_tables(setup, NAME)
    setup.dispose()
    engine = read_engine(url)
    try:
        result = verify(engine, stock_event_log(store))
    finally:
        engine.dispose()
    for difference in result.differences[:MAX_LISTED_DIFFERENCES]:
        print(difference)
    if len(result.differences) > MAX_LISTED_DIFFERENCES:
        print(f"... and {len(result.differences) - MAX_LISTED_DIFFERENCES} more")
    print(f"verified {result.rows} rows at position {result.position}: {len(result.differences)} differences")
    return 1 if result.differences else 0
