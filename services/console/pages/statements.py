"""Dealers' statements and reconciliations for a month, on screen and as the CSV or XLSX files
`omo statements export` and `omo reconcile report --format` write (the console's pictures of
DealerService/GetStatement and DealerService/GetReconciliation).

`?lang=zh` gives Chinese headings on screen and in the files, from the exports' own tables of
headings; en (English) is the default. The statement shows a page of lines at a time behind
GetStatement's page token; its download has every line. Neither page brings a projection up to
date first: each shows how current it is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import InvalidInput
from projections.dealer_ledger.reader import LedgerReader
from projections.reconciliation.reader import ReconciliationReader
from projections.runtime.database import OutdatedTables
from protos.omo.v1 import dealers_pb2
from services.adapters import reconciliation_export, statement_export
from services.adapters.reconciliation_export import Cents, export_reconciliation, headed_sections
from services.adapters.statement_export import LANGUAGES, export_statement, money_text
from services.console.access import Visit
from services.console.params import dealer_id as checked_dealer_id, this_month
from services.use_cases.network.dealers import get_dealer
from services.use_cases.network.reconciliation import ReconciliationReport, get_reconciliation
from services.use_cases.network.statements import (
    DEFAULT_PAGE_SIZE, HQ, TOTALS, check_page_token, dealer_statement, month,
)

DOWNLOADS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
GET_STATEMENT = "omo.v1.DealerService/GetStatement"
GET_RECONCILIATION = "omo.v1.DealerService/GetReconciliation"
TOTAL_HEADINGS = ("Gross sales", "Returns", "Fulfilment fees paid", "Fulfilment fees earned", "HQ share", "Assistant commissions")
MAX_TOKEN = 1000  # characters: a page token this service gives is far shorter


class ReconciliationUnavailable(Exception):
    """The reconciliation projection cannot say anything yet: a 503 page saying why."""


class StatementPages:
    page_size = DEFAULT_PAGE_SIZE  # statement lines on one page on screen (the downloads have every line)

    def __init__(self, console):
        self.console = console
        self.ledger = LedgerReader.for_application(console.app)
        self.bills = ReconciliationReader.for_application(console.app)

    def close(self) -> None:
        self.ledger.close()
        self.bills.close()

    def routes(self) -> list[Route]:
        return [
            Route("/dealers", self.dealers),
            Route("/dealers/{dealer_id}/statement", self.statement),
            Route("/dealers/{dealer_id}/statement.{file_format}", self.statement_download),
            Route("/dealers/{dealer_id}/reconciliation", self.reconciliation),
            Route("/dealers/{dealer_id}/reconciliation.{file_format}", self.reconciliation_download),
        ]

    def dealers(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        dealer_id = request.query_params.get("dealer_id", "").strip() or visit.caller.dealer_id
        chosen = request.query_params.get("month", "").strip() or this_month()
        if not dealer_id:
            return self.console.render(request, "home.html", visit, month=chosen)
        checked_dealer_id(dealer_id)
        month(chosen)
        return RedirectResponse(f"/dealers/{dealer_id}/statement?month={chosen}", status_code=303)

    # --- the statement -----------------------------------------------------------------------------

    def statement(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        dealer_id, chosen, lang = self._request(request, visit, GET_STATEMENT)
        token = request.query_params.get("page_token", "").strip()
        if token:  # a 400 for a token this statement did not give, before anything is read
            if len(token) > MAX_TOKEN:
                raise InvalidInput("page_token", "is not a token this service gave; start again without one")
            check_page_token(token, dealer_id, chosen)
        statement = dealer_statement(self.console.app, self.ledger, dealer_id, chosen, self.page_size, token, wait_timeout_ms=0)
        reconcile = dealer_id != HQ and self.console.access.may(
            visit.caller, GET_RECONCILIATION, dealers_pb2.GetReconciliationRequest(dealer_id=dealer_id, month=chosen),
        )
        return self.console.render(
            request, "statement.html", visit, statement=statement, month=chosen, totals=TOTALS, lang=lang, page_token=token,
            reconcile=reconcile, h=_in(statement_export.heading, lang), total_headings=TOTAL_HEADINGS,
        )

    def statement_download(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        file_format = _format(request)
        dealer_id, chosen, lang = self._request(request, visit, GET_STATEMENT)
        if dealer_id != HQ:
            get_dealer(self.console.app, dealer_id)  # an unknown dealer is a 404, not an empty file
        # as `omo statements export --lang` writes it
        body = _written(file_format, lambda path: export_statement(self.ledger, dealer_id, chosen, file_format, path, lang=lang))
        return _download(body, f"statement-{dealer_id}-{chosen}", file_format)

    # --- the reconciliation ------------------------------------------------------------------------

    def reconciliation(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        dealer_id, chosen, lang = self._request(request, visit, GET_RECONCILIATION)
        try:
            report = self._report(dealer_id, chosen)
        except ReconciliationUnavailable as error:
            return self._unavailable(request, visit, error)
        # the export's three tables (totals, balances, differences), their headings in `lang`
        tables = [(header, [[_cell(v) for v in row] for row in rows]) for _, header, rows in headed_sections(report, lang)]
        return self.console.render(
            request, "reconciliation.html", visit, report=report, month=chosen, lang=lang, tables=tables, sides=_sides(report),
            h=_in(reconciliation_export.heading, lang),
        )

    def reconciliation_download(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        file_format = _format(request)
        dealer_id, chosen, lang = self._request(request, visit, GET_RECONCILIATION)
        try:
            report = self._report(dealer_id, chosen)
        except ReconciliationUnavailable as error:
            return self._unavailable(request, visit, error)
        # as `omo reconcile report --format --lang` writes it
        body = _written(file_format, lambda path: export_reconciliation(report, file_format, path, lang))
        return _download(body, f"reconciliation-{dealer_id}-{chosen}", file_format)

    def _report(self, dealer_id: str, chosen: str) -> ReconciliationReport:
        """GetReconciliation's report as the projections stand (no wait): unavailable when
        the reconciliation's tables are of another schema version, or it has applied nothing
        of the events it has to."""
        try:
            report = get_reconciliation(self.console.app, self.bills, self.ledger, dealer_id, chosen, wait_timeout_ms=0)
        except OutdatedTables as error:
            raise ReconciliationUnavailable(str(error)) from None
        fresh = report.bills.freshness
        if fresh.position == 0 and fresh.lag_events:
            raise ReconciliationUnavailable(
                f"the reconciliation projection has not applied any of the event log's {fresh.lag_events} events yet: "
                "no runner has made its tables or brought them up to date. Start one (`omo serve` runs the projections, "
                "or `omo project --projection reconciliation`), or run `omo reconcile report`, which brings it up to date first"
            )
        return report

    def _unavailable(self, request: Request, visit: Visit, error: ReconciliationUnavailable) -> Response:
        return self.console.render(
            request, "error.html", visit, 503, title="Reconciliation not available yet", message=f"{error}.",
        )

    def _request(self, request: Request, visit: Visit, method: str) -> tuple[str, str, str]:
        """The dealer, the month and the language, checked (a 400 for what is none), and the
        access rule of `method` asked about them."""
        dealer_id = checked_dealer_id(request.path_params["dealer_id"])
        chosen = request.query_params.get("month", "").strip() or this_month()
        month(chosen)  # a 400 for what is no month
        lang = request.query_params.get("lang", "").strip() or "en"
        if lang not in LANGUAGES:
            raise InvalidInput("lang", f"must be one of {', '.join(LANGUAGES)}, got {lang[:40]!r}")
        asked = (dealers_pb2.GetStatementRequest if method == GET_STATEMENT else dealers_pb2.GetReconciliationRequest)
        self.console.access.allowed(visit.caller, method, asked(dealer_id=dealer_id, month=chosen))
        return dealer_id, chosen, lang


def _in(heading: Callable[[str, str], str], lang: str) -> Callable[[str], str]:
    return lambda text: heading(text, lang)


def _format(request: Request) -> str:
    file_format = request.path_params["file_format"]
    if file_format not in DOWNLOADS:
        raise InvalidInput("format", f"must be csv or xlsx, got {file_format[:40]!r}")
    return file_format


def _written(file_format: str, write: Callable[[Path], object]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="omo-console-") as folder:
        path = Path(folder) / f"download.{file_format}"
        write(path)
        return path.read_bytes()


def _download(body: bytes, stem: str, file_format: str) -> Response:
    return Response(
        body, media_type=DOWNLOADS[file_format], headers={"content-disposition": f'attachment; filename="{stem}.{file_format}"'},
    )


def _cell(value: object) -> tuple[str, bool]:
    """(the text of a reconciliation cell, whether it is money)."""
    if isinstance(value, Cents):
        return money_text(value), True
    return ("" if value is None else str(value)), False


def _sides(report: ReconciliationReport) -> list[tuple[str, int, int]]:
    """(side, how many rows or entries, its net in cents) for the bill, the orders and the ledger."""
    items, totals = report.bills.items, report.bills.totals
    return [
        ("bill", sum(1 for i in items if i.billed is not None), totals.bill_net_cents),
        ("orders", sum(1 for i in items if i.recorded is not None), totals.orders_net_cents),
        ("ledger", report.statement.totals.lines, report.statement.totals.net_payable),
    ]
