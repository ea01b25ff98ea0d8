"""`omo project` and `omo projections status|rebuild|verify`: the projections (the national
stock, the dealer ledger, the on-time figures, the order list and the stores' work) run, inspected, rebuilt and verified."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time

from projections.dealer_ledger import verify as ledger_verify
from projections.national_stock import verify as stock_verify
from projections.on_time import verify as on_time_verify
from projections.order_list import verify as order_list_verify
from projections.reconciliation import verify as reconciliation_verify
from projections.definitions import DEALER_LEDGER, NATIONAL_STOCK, ON_TIME, ORDER_LIST, PROJECTIONS, STORE_WORK
from projections.store_work import verify as work_verify
from projections.runtime.projection import Projection, refuse_other_versions
from projections.runtime.runner import projection_status
from projections.runtime.database import NO_ROW, OutdatedTables, found_schema_version, read_engine, write_engine
from services.adapters.config import DATABASE_URL_VARIABLE, database_url, redact
from services.adapters.heap import freeze_survivors_of_full_collections
from services.cli.log_setup import add_logging_options, add_metrics_options
from services.adapters.projection_runners import APPLIED, AppliedReports, EventStore, new_runner, start_runners
from services.adapters.child_processes import ChildCommand, parent_gone
from services.bootstrap import event_store

log = logging.getLogger("omo.projection")
MAX_LISTED_DIFFERENCES = 50
ALL = "all"


def chosen(args: argparse.Namespace) -> list[Projection]:
    return list(PROJECTIONS.values()) if args.projection == ALL else [PROJECTIONS[args.projection]]


# --- the command line ------------------------------------------------------------------

def _projection_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--projection", choices=[*PROJECTIONS, ALL], default=ALL,
        help=f"which projection to {what}: {', '.join(PROJECTIONS)} or {ALL} (default {ALL})",
    )


def add_parsers(commands: argparse._SubParsersAction) -> None:
    project = commands.add_parser(
        "project", help="run the projections (national stock, dealer ledger, on time, order list, store work, reconciliation) in a process of their own",
        description=f"Follow the event store named by {DATABASE_URL_VARIABLE} and keep the projections' tables "
        "current (the national stock count, the dealer ledger, the on-time figures, the order list and the stores' work), until SIGTERM or SIGINT. Only one runner "
        "writes each projection at a time: another one started meanwhile (or `omo serve`'s) waits on standby "
        "and takes over when this one stops. Survives a dropped database connection by reconnecting.",
    )
    _projection_option(project, "run")
    add_logging_options(project)
    add_metrics_options(project)
    project.add_argument("--poll-interval", type=float, default=0.05, help=(
        "seconds to wait after a batch that emptied the backlog (default 0.05): longer gathers more events "
        "into each transaction, for less CPU per event and more lag (0.25 under launch load)"
    ))
    project.add_argument("--batch-size", type=int, default=2000, help="events applied per transaction (default 2000)")
    project.add_argument("--lease-seconds", type=float, default=10.0, help="how long the writer's lease lasts without renewal (default 10)")
    project.add_argument("--one-process", action="store_true", help=(
        "run every projection as a thread of this process; by default the stores' work (which open "
        "WatchShipments streams wait on) runs in a child process of its own, started again if it exits"
    ))
    project.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)  # a child stops with its parent
    project.add_argument("--report-fd", type=int, default=0, help=argparse.SUPPRESS)  # a child's events applied, to its parent's metrics

    projections = commands.add_parser(
        "projections", help="status, rebuild and verify of the projections (national stock, dealer ledger, on time, order list, store work, reconciliation)",
        description="Operate the projections: the national stock count, the dealer ledger, the on-time figures, the order list and the stores' work (SQL tables beside "
        "the event store).",
    )
    actions = projections.add_subparsers(dest="projections_command", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status", help="schema version, position, head, lag in events and seconds, the runner holding the lease",
        description="Print each projection's tables' schema version (found and wanted: tables of another version "
        "are refused until rebuilt), position, the event store's head, the lag in events and seconds, "
        "and which runner holds the writer's lease.",
    )
    _projection_option(status, "show")
    status.add_argument("--json", action="store_true", help="print one JSON object per projection, one a line")
    rebuild = actions.add_parser(
        "rebuild", help="make the tables anew and apply every event again, with a progress bar",
        description="Make the projection's tables anew at this version's schema (dropped and created, whatever "
        "version or layout they had) and apply every event from the first, with a progress bar. "
        "Takes the writer's lease from any running runner, which waits on standby until the rebuild is done. "
        "The result is identical to the incrementally built tables.",
    )
    _projection_option(rebuild, "rebuild")
    verify = actions.add_parser(
        "verify", help="recompute every figure or entry from the event store and list differences",
        description="Recompute the national stock figures, the dealer ledger's entries, the on-time shipments and days, the order list's orders and the stores' shipments from the event store up "
        "to each projection's position and list every difference from the tables; the ledger is also checked "
        "to balance, with a positive amount and two different parties on every entry; the stores' shipments are "
        "checked against the orders rebuilt from their events. Exit status 1 when "
        "there is any difference.",
    )
    _projection_option(verify, "verify")


def project(args: argparse.Namespace) -> int:
    url = database_url()
    # first, before the database is opened, so a signal during start-up still ends in a clean shutdown
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    # here, before a child or a runner thread starts: refused in one line, not logged by each
    refuse_other_versions(url, chosen(args))
    store = event_store(url)
    freeze_survivors_of_full_collections()
    projections = chosen(args)
    # with others beside them, the projections that follow the log closely get processes of
    # their own (see child_processes)
    apart = [p for p in projections if p.follows_closely] if len(projections) > 1 and not args.one_process else []
    options = [
        "--poll-interval", str(args.poll_interval), "--batch-size", str(args.batch_size), "--lease-seconds", str(args.lease_seconds),
        "--log-format", args.log_format, "--log-level", args.log_level,
    ]
    on_report = APPLIED.add_report if args.metrics_port else None
    children = [ChildCommand(f"projecting {p.name}", ["project", "--projection", p.name, *options], on_report).start() for p in apart]
    reports = AppliedReports(args.report_fd) if args.report_fd else None
    runners = start_runners(
        store, url, [p for p in projections if p not in apart],
        poll_interval=args.poll_interval, batch_size=args.batch_size, lease_seconds=args.lease_seconds,
    )
    for runner in runners:
        log.info("projecting %s from %s (runner %s)", runner.projection, redact(url), runner.holder)
    if args.metrics_port:  # the children's projections too: positions from the tracking table, events applied from their reports
        from services.adapters import metrics

        metrics.watch(metrics.projection_readings(store, url))
        metrics.serve_metrics(args.metrics_host, args.metrics_port)
        log.info("metrics on http://%s:%d/metrics", args.metrics_host, args.metrics_port)
    try:
        while not stopping.wait(0.5):
            if parent_gone(args.parent_pid):
                log.warning("the omo project that started this one is gone; stopping")
                break
            for child in children:
                child.check()
            if reports is not None:
                reports.send()
    finally:
        for child in children:
            child.stop(timeout=30)
        runners.shutdown(timeout=30)
        if reports is not None:
            reports.send()
        store.close()
    for runner in runners:
        log.info("%s stopped at position %d", runner.projection, runner.position)
    return 0


def projections(args: argparse.Namespace) -> int:
    url = database_url()
    store = event_store(url)
    command = {"status": _status, "rebuild": _rebuild, "verify": _verify}[args.projections_command]
    try:
        return max(command(args, store, url, projection) for projection in chosen(args))
    finally:
        store.close()


def _reader(url: str, projection: Projection):
    setup = write_engine(url)
    try:
        projection.create_tables(setup)
    finally:
        setup.dispose()
    return read_engine(url)


def _status(args: argparse.Namespace, store: EventStore, url: str, projection: Projection) -> int:
    try:
        engine, refused = _reader(url, projection), None
    except OutdatedTables as outdated:  # shown, not refused: status is how one finds out
        engine, refused = read_engine(url), outdated
    try:
        with engine.connect() as connection:
            found = found_schema_version(connection, projection.name)
        # tables without a tracking row have no position to show
        s = None if found is NO_ROW else projection_status(engine, projection.event_log(store), projection.name)
    finally:
        engine.dispose()
    found = None if found is NO_ROW else found
    wanted = projection.schema_version
    if args.json:
        shown = s.__dict__ if s is not None else {"projection": projection.name}
        print(json.dumps({**shown, "schema_version": found, "schema_version_wanted": wanted}))
        return 0
    schema = f"{'none' if found is None else found} (wanted {wanted})"
    if refused is not None:
        why = ", ".join(refused.others[0].differences)
        schema += f"; refused{f' ({why})' if why else ''}: run `omo projections rebuild --projection {projection.name}`"
    print(f"projection  {projection.name}")
    print(f"schema      {schema}")
    if s is None:
        return 0
    holder = f"{s.holder} (lease {'expired' if s.lease_left_seconds < 0 else f'{s.lease_left_seconds:.1f} s left'})" if s.holder else "none"
    print(f"position    {s.position}")
    print(f"head        {s.head}")
    print(f"lag         {s.lag_events} events, {s.lag_seconds:.1f} s")
    print(f"runner      {holder}")
    return 0


def _rebuild(args: argparse.Namespace, store: EventStore, url: str, projection: Projection) -> int:
    from tqdm import tqdm

    runner = new_runner(store, url, projection, make_tables=False)  # whatever version they are at
    began = time.perf_counter()
    bar = None

    def progress(moved: int, head: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=head, unit="id", desc=f"{projection.name} rebuild", file=sys.stderr)
        bar.update(moved)

    try:
        position = runner.rebuild(progress)
    finally:
        if bar is not None:
            bar.close()
        runner.close()
    print(f"rebuilt {projection.name} to position {position} in {time.perf_counter() - began:.1f} s")
    return 0


# each projection's recomputation from the events, and what it counts
VERIFIERS = {
    NATIONAL_STOCK.name: (stock_verify.verify, "rows"),
    DEALER_LEDGER.name: (ledger_verify.verify, "entries"),
    ON_TIME.name: (on_time_verify.verify, "rows"),
    ORDER_LIST.name: (order_list_verify.verify, "orders"),
    STORE_WORK.name: (work_verify.verify, "shipments"),
    "reconciliation": (reconciliation_verify.verify, "orders, refunds and bill rows"),
}


def _verify(args: argparse.Namespace, store: EventStore, url: str, projection: Projection) -> int:
    engine = _reader(url, projection)
    verifier, what = VERIFIERS[projection.name]
    try:
        result = verifier(engine, projection.event_log(store))
    finally:
        engine.dispose()
    for difference in result.differences[:MAX_LISTED_DIFFERENCES]:
        print(difference)
    if len(result.differences) > MAX_LISTED_DIFFERENCES:
        print(f"... and {len(result.differences) - MAX_LISTED_DIFFERENCES} more")
    print(f"{projection.name}: verified {result.rows} {what} at position {result.position}: {len(result.differences)} differences")
    return 1 if result.differences else 0
