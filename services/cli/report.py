"""`omo report on-time`: how stores kept their promises over a range of store-local days,
read from the on-time projection after bringing it up to the event store's head; a table per
store and a total, or CSV."""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime, timezone
from pathlib import Path

from domain.errors import DomainError
from domain.values import epoch_us
from projections.definitions import ON_TIME
from projections.on_time.reader import OnTimeReader
from projections.runtime.runner import DATABASE_ERRORS
from services.adapters.config import (
    DATABASE_URL_VARIABLE, ConfigurationError, application_env, checked_database_url, database_url, reachable, redact,
)
from services.adapters.projection_catch_up import caught_up
from services.adapters.projection_runners import EventStore
from services.use_cases.reads.store_performance import MAX_DAYS, Figures, Performance, Scope, StorePerformanceQueries

COLUMNS = ("Due", "On time", "Late", "Open", "Overdue", "On time %")
CSV_HEADERS = ("store_id", "local_day", "due", "on_time", "late", "open", "overdue", "on_time_per_mille")


def add_parsers(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report", help="reports read from the projections: on-time",
        description=f"Reports read from the projections beside the event store named by {DATABASE_URL_VARIABLE}.",
    )
    kinds = report.add_subparsers(dest="report_command", required=True, metavar="REPORT")
    on_time = kinds.add_parser(
        "on-time", help="per store: shipments due, on time, late and overdue over a range of days",
        description="How stores kept their promises over a range of store-local days (both included, at most "
        f"{MAX_DAYS}): per store the shipments promised for those days (due), done on time, done late, still open "
        "and, of those, past their promise now (overdue), and the on-time share: on time / (on time + late + "
        "overdue). DELIVERY and EXPRESS are done when delivered, PICKUP when picked (ready at the counter). "
        "Cancelled shipments and those rerouted away do not count at their store. Without --store, --dealer or "
        "--province: every store. The on-time projection is first brought up to the event store's head.",
    )
    on_time.add_argument("--from", dest="from_date", metavar="YYYY-MM-DD", help="the first local day (required)")
    on_time.add_argument("--to", dest="to_date", metavar="YYYY-MM-DD", help="the last local day, included (required)")
    on_time.add_argument("--store", default="", help="one store")
    on_time.add_argument("--dealer", default="", help="the stores this dealer owns now")
    on_time.add_argument("--province", default="", help="the stores of a province")
    on_time.add_argument("--city", default="", help="with --province: the stores of one city in it")
    on_time.add_argument("--csv", type=Path, metavar="FILE", help="write CSV there (a row per store and day, per store, and TOTAL) instead of the table")
    on_time.add_argument("--database", metavar="URL", help=f"the event store (default: {DATABASE_URL_VARIABLE}, else ./var/omo.db)")
    on_time.add_argument("--wait-seconds", type=float, default=60.0, help="seconds to wait for another runner to bring the figures up to date (default 60)")


class UsageError(Exception):
    """A mistake in the command line, told in one line."""


def _scope(args: argparse.Namespace) -> Scope:
    if args.city and not args.province:
        raise UsageError("--city needs --province (city names repeat across provinces)")
    given = [name for name in ("store", "dealer", "province") if getattr(args, name)]
    if len(given) > 1:
        raise UsageError(f"give one of --store, --dealer or --province, not {' and '.join('--' + g for g in given)}")
    return Scope(store_id=args.store, dealer_id=args.dealer, province=args.province, city=args.city, everywhere=not given)


def report(args: argparse.Namespace) -> int:
    try:
        for option, value in (("--from", args.from_date), ("--to", args.to_date)):
            if not value:
                raise UsageError(f"{option} YYYY-MM-DD is required (a store-local date)")
        scope = _scope(args)
        url = reachable(checked_database_url(args.database, "--database")) if args.database else reachable(database_url())
        env = application_env(url)
    except (UsageError, ValueError, ConfigurationError) as error:
        told = str(error).replace(DATABASE_URL_VARIABLE, "--database") if args.database else str(error)
        print(f"omo report on-time: {told}", file=sys.stderr)
        return 2
    try:
        store = EventStore(env=env)
    except DATABASE_ERRORS as error:
        print(f"omo report on-time: cannot open the event store at {redact(url)}: {_first_line(error)}", file=sys.stderr)
        return 1
    reader = OnTimeReader(url, ON_TIME.event_log(store))
    try:
        caught_up(store, url, ON_TIME, args.wait_seconds)
        found = StorePerformanceQueries(reader).performance(scope, args.from_date, args.to_date, epoch_us(datetime.now(timezone.utc)))
        if args.csv:
            rows = write_csv(found, args.csv)
            print(f"wrote {rows} rows for {len(found.stores)} stores ({found.scope.describe()}, {found.first_day}..{found.last_day}) to {args.csv}")
        else:
            print(table(found))
        return 0
    except DomainError as error:
        print(f"omo report on-time: {error}", file=sys.stderr)
        return 1
    except DATABASE_ERRORS as error:
        print(f"omo report on-time: cannot read {redact(url)}: {_first_line(error)}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"omo report on-time: cannot write {args.csv}: {error.strerror}", file=sys.stderr)
        return 1
    finally:
        reader.close()
        store.close()


def _first_line(error: Exception) -> str:
    """The driver's own words, without SQLAlchemy's background links."""
    cause = getattr(error, "orig", None) or error
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(error).__name__


def share_text(f: Figures) -> str:
    """Per mille as a percentage with one decimal, by integer arithmetic; "-" when unsettled."""
    share = f.on_time_per_mille
    return "-" if share is None else f"{share // 10}.{share % 10}%"


def _cells(f: Figures) -> list[str]:
    return [str(f.due), str(f.on_time), str(f.late), str(f.open), str(f.overdue), share_text(f)]


def table(found: Performance) -> str:
    rows = [["Store", *COLUMNS]]
    rows += [[s.store_id, *_cells(s.total)] for s in found.stores]
    rows.append(["TOTAL", *_cells(found.total)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"On time, {found.scope.describe()}, {found.first_day}..{found.last_day} (store-local days)"]
    for i, row in enumerate(rows):
        if i == len(rows) - 1:
            lines.append("  ".join("-" * w for w in widths))
        lines.append("  ".join(cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


def _csv_row(store_id: str, day: str, f: Figures) -> list[object]:
    share = f.on_time_per_mille
    return [store_id, day, f.due, f.on_time, f.late, f.open, f.overdue, "" if share is None else share]


def write_csv(found: Performance, path: Path) -> int:
    """A row per store and day with a shipment due, a row per store over the range (local_day
    "ALL") and a TOTAL row; returns the rows written below the header."""
    rows = [_csv_row(s.store_id, d.local_day, d.figures) for s in found.stores for d in s.days]
    rows += [_csv_row(s.store_id, "ALL", s.total) for s in found.stores]
    rows.append(_csv_row("TOTAL", "ALL", found.total))
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_HEADERS)
        writer.writerows(rows)
    return len(rows)
