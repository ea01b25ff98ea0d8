"""`omo periods close MONTH` and `omo periods list`: closing months of the books, so that their
statements never change again."""

from __future__ import annotations

import argparse
import sys

from domain.errors import DomainError
from services.adapters.config import DATABASE_URL_VARIABLE, application_env, database_url
from services.adapters.projection_runners import EventStore
from services.cli.statements import WAIT_HELP, _catch_up, _month


def add_parsers(commands: argparse._SubParsersAction) -> None:
    periods = commands.add_parser(
        "periods", help="close months of the books: their statements never change again",
        description=f"Months of the dealer ledger beside the event store named by {DATABASE_URL_VARIABLE} (calendar "
        "months, China Standard Time).",
    )
    actions = periods.add_subparsers(dest="periods_command", required=True, metavar="ACTION")
    close = actions.add_parser(
        "close", help="close a month",
        description="Close a calendar month: from then on its statements never change; anything recorded later "
        "for it (a settlement naming it, an entry dated in it) lands in the first open month as an adjustment "
        "naming it. The dealer ledger is brought up to the event store's head first (here, or by the runner "
        "holding its lease), and so is the reconciliation of provider bills. Refused, with every reason, while "
        "the month has not ended, the ledger is behind, or a dealer's provider bills of the month leave more "
        "than --tolerance-cents unmatched. Closing a closed month changes nothing.",
    )
    close.add_argument("month", type=_month, help="the month, YYYY-MM")
    close.add_argument(
        "--tolerance-cents", type=int, default=0,
        help="what a dealer's bills may leave unmatched, in cents, for the month to close (default 0)",
    )
    close.add_argument("--wait-seconds", type=float, default=60.0, help=WAIT_HELP)
    actions.add_parser("list", help="print the closed months", description="Print the closed months, oldest first.")


def periods(args: argparse.Namespace) -> int:
    from projections.dealer_ledger import reads as ledger_reads
    from projections.dealer_ledger.reader import LedgerReader
    from projections.definitions import RECONCILIATION
    from projections.reconciliation.reader import ReconciliationReader
    from services.adapters.projection_catch_up import caught_up
    from services.bootstrap import build_application
    from services.use_cases.network.settlements import close_month

    url = database_url()
    app = build_application(url, order_writer=None)
    reader, bills = LedgerReader.for_application(app), ReconciliationReader.for_application(app)
    try:
        if args.periods_command == "list":
            with reader.engine.connect() as connection:
                for month in ledger_reads.closed_month_list(connection):
                    print(month)
            return 0
        store = EventStore(env=application_env(url))
        try:
            _catch_up(store, url, args.wait_seconds)
            caught_up(store, url, RECONCILIATION, args.wait_seconds)
        finally:
            store.close()
        closed = close_month(app, reader, args.month, bills=bills, tolerance_cents=args.tolerance_cents)
        print(f"closed {args.month}" if closed else f"{args.month} was closed already: nothing changed")
        return 0
    except DomainError as error:
        print(f"omo periods {args.periods_command}: {error}", file=sys.stderr)
        return 2
    finally:
        reader.close()
        bills.close()
        app.close()
