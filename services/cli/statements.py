"""`omo statements export` and `omo statements show`: dealers' statements from the dealer
ledger, after bringing it up to the event store's head."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from domain.errors import DomainError
from services.adapters.config import DATABASE_URL_VARIABLE, application_env, database_url
from services.adapters.projection_runners import EventStore
from services.adapters.statement_export import FORMATS, LANGUAGES, export_statement, ledger_caught_up, money_text, totals_table
from projections.dealer_ledger.reader import LedgerReader
from services.use_cases.network.statements import get_statement, month

WAIT_HELP = "seconds to wait for another runner to bring the ledger up to date (default 60)"
LANG_HELP = "the language of the file's column headings and labels: en (English, the default) or zh (Chinese)"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    statements = commands.add_parser(
        "statements", help="dealers' statements from the dealer ledger: export to CSV or XLSX, show totals",
        description=f"Dealers' statements, read from the dealer ledger beside the event store named by "
        f"{DATABASE_URL_VARIABLE}. The ledger is first brought up to the event store's head (here, or by the "
        "runner holding its lease).",
    )
    actions = statements.add_subparsers(dest="statements_command", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", help="write one dealer's statement for a month as CSV or XLSX",
        description="Write a dealer's statement for a calendar month (Shanghai time) as a file to open in Excel: "
        "one row per ledger entry with its amount signed from the dealer's side (received positive, paid "
        "negative) and again under the column of the total it counts in, then a TOTAL row whose figures equal "
        "GetStatement's totals to the cent (net payable under Amount).",
    )
    export.add_argument("--dealer", required=True, help="the dealer id, or HQ for headquarters")
    export.add_argument("--month", required=True, type=_month, help="the calendar month, YYYY-MM (Shanghai time)")
    export.add_argument("--format", choices=FORMATS, default="csv", help="csv or xlsx (default csv)")
    export.add_argument("--output", type=Path, help="the file to write (default statement-DEALER-MONTH.FORMAT here)")
    export.add_argument("--lang", choices=LANGUAGES, default="en", help=LANG_HELP)
    export.add_argument("--wait-seconds", type=float, default=60.0, help=WAIT_HELP)

    show = actions.add_parser(
        "show", help="print the totals of dealers' statements for a month",
        description="Print a table of the statements' totals for a calendar month (Shanghai time), one row per "
        "dealer, in yuan.",
    )
    show.add_argument("--dealer", required=True, action="append", help="a dealer id, or HQ; repeat for more")
    show.add_argument("--month", required=True, type=_month, help="the calendar month, YYYY-MM (Shanghai time)")
    show.add_argument("--wait-seconds", type=float, default=60.0, help=WAIT_HELP)


def _month(value: str) -> str:
    try:
        month(value)
    except DomainError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _catch_up(store: EventStore, url: str, seconds: float) -> None:
    from tqdm import tqdm

    bar = None

    def progress(moved: int, to_go: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=to_go, unit="id", desc="dealer_ledger catch-up", file=sys.stderr)
        bar.update(moved)

    try:
        ledger_caught_up(store, url, seconds, progress)
    finally:
        if bar is not None:
            bar.close()


def statements(args: argparse.Namespace) -> int:
    url = database_url()
    store = EventStore(env=application_env(url))
    reader = LedgerReader(url, None)
    try:
        _catch_up(store, url, args.wait_seconds)
        return _export(args, reader) if args.statements_command == "export" else _show(args, reader)
    except DomainError as error:
        print(f"omo statements: {error}", file=sys.stderr)
        return 1
    finally:
        reader.close()
        store.close()


def _export(args: argparse.Namespace, reader: LedgerReader) -> int:
    from tqdm import tqdm

    path = args.output or Path(f"statement-{args.dealer}-{args.month}.{args.format}")
    first = get_statement(reader, args.dealer, args.month, 1)
    with tqdm(total=first.totals.lines, unit="line", desc="export", file=sys.stderr) as bar:
        done = export_statement(reader, args.dealer, args.month, args.format, path, written=lambda: bar.update(1), lang=args.lang)
    totals = done.statement.totals
    print(f"wrote {totals.lines} lines of {done.statement.party}'s statement for {args.month} to {path}; "
          f"net payable {money_text(totals.net_payable)}")
    return 0


def _show(args: argparse.Namespace, reader: LedgerReader) -> int:
    print(totals_table([get_statement(reader, dealer, args.month, 1) for dealer in args.dealer]))
    return 0
