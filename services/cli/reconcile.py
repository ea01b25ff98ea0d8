"""`omo reconcile report`: a dealer's month reconciled (the provider's bills, the orders and the
ledger side by side, and every difference with what to do), printed, and with --format written
as a file a bookkeeper opens in Excel. Both projections it reads (the dealer ledger and the
reconciliation of bills) are first brought up to the event store's head."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from domain.errors import DomainError
from services.adapters.config import DATABASE_URL_VARIABLE, application_env, database_url
from services.adapters.projection_runners import EventStore
from services.adapters.reconciliation_export import FORMATS, export_reconciliation, report_text
from services.adapters.statement_export import LANGUAGES
from services.cli.statements import LANG_HELP, WAIT_HELP, _catch_up, _month


def add_parsers(commands: argparse._SubParsersAction) -> None:
    reconcile = commands.add_parser(
        "reconcile", help="dealers' months reconciled: provider bills, orders and ledger side by side",
        description=f"Dealers' reconciliations, read beside the event store named by {DATABASE_URL_VARIABLE}. The "
        "dealer ledger and the reconciliation of provider bills are first brought up to the event store's head "
        "(here, or by the runner holding each one's lease).",
    )
    actions = reconcile.add_subparsers(dest="reconcile_command", required=True, metavar="ACTION")
    report = actions.add_parser(
        "report", help="print (and write) one dealer's reconciliation for a month",
        description="Print a dealer's reconciliation for a calendar month (China Standard Time): the totals per "
        "side (the provider's bills: payments, refunds, fees, net; the orders: payments, refunds, net; the ledger: "
        "the statement's totals), the balances per counterparty, and every difference between the bills and the "
        "orders with what to do about it. With --format, also write it as a file to open in Excel: the totals, "
        "the balances and the differences as sections (CSV, amounts such as 12.34) or sheets (XLSX, numbers "
        "formatted 0.00). Figures equal DealerService.GetReconciliation's to the cent.",
    )
    report.add_argument("--dealer", required=True, help="the dealer id")
    report.add_argument("--month", required=True, type=_month, help="the calendar month, YYYY-MM (China Standard Time)")
    report.add_argument("--format", choices=FORMATS, help="also write the report as csv or xlsx")
    report.add_argument(
        "--output", type=Path, help="the file to write (default reconciliation-DEALER-MONTH.FORMAT here; needs --format)",
    )
    report.add_argument("--lang", choices=LANGUAGES, default="en", help=f"{LANG_HELP}; the printed report is English")
    report.add_argument("--wait-seconds", type=float, default=60.0, help=WAIT_HELP)


def reconcile(args: argparse.Namespace) -> int:
    from projections.dealer_ledger.reader import LedgerReader
    from projections.definitions import RECONCILIATION
    from projections.reconciliation.reader import ReconciliationReader
    from services.adapters.projection_catch_up import caught_up
    from services.bootstrap import build_application
    from services.use_cases.network.reconciliation import get_reconciliation

    if args.output is not None and args.format is None:
        print("omo reconcile report: --output needs --format csv or xlsx", file=sys.stderr)
        return 2
    url = database_url()
    app = build_application(url, order_writer=None)
    ledger, bills = LedgerReader.for_application(app), ReconciliationReader.for_application(app)
    try:
        store = EventStore(env=application_env(url))
        try:
            _catch_up(store, url, args.wait_seconds)
            caught_up(store, url, RECONCILIATION, args.wait_seconds)
        finally:
            store.close()
        report = get_reconciliation(app, bills, ledger, args.dealer, args.month)
        print(report_text(report))
        if args.format:
            path = args.output or Path(f"reconciliation-{args.dealer}-{args.month}.{args.format}")
            export_reconciliation(report, args.format, path, args.lang)
            print(f"wrote the reconciliation of {args.dealer} for {args.month} to {path}")
        return 0
    except DomainError as error:
        print(f"omo reconcile report: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the file could not be written: say which and why, in one line
        print(f"omo reconcile report: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    finally:
        ledger.close()
        bills.close()
        app.close()
