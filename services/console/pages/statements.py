"""Dealers' statements for a month, on screen and as the CSV or XLSX `omo statements export`
writes (the console's picture of DealerService/GetStatement)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.errors import InvalidInput
from projections.dealer_ledger.reader import LedgerReader
from protos.omo.v1 import dealers_pb2
from services.adapters.statement_export import export_statement
from services.console.access import Visit
from services.console.params import dealer_id as checked_dealer_id, this_month
from services.use_cases.network.dealers import get_dealer
from services.use_cases.network.statements import HQ, TOTALS, dealer_statement, month

DOWNLOADS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class StatementPages:
    def __init__(self, console):
        self.console = console
        self.ledger = LedgerReader.for_application(console.app)

    def close(self) -> None:
        self.ledger.close()

    def routes(self) -> list[Route]:
        return [
            Route("/dealers", self.dealers),
            Route("/dealers/{dealer_id}/statement", self.statement),
            Route("/dealers/{dealer_id}/statement.{file_format}", self.statement_download),
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

    def statement(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        dealer_id, chosen = self._statement_request(request, visit)
        statement = dealer_statement(self.console.app, self.ledger, dealer_id, chosen, wait_timeout_ms=0)
        return self.console.render(request, "statement.html", visit, statement=statement, month=chosen, totals=TOTALS)

    def statement_download(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        file_format = request.path_params["file_format"]
        if file_format not in DOWNLOADS:
            raise InvalidInput("format", f"must be csv or xlsx, got {file_format!r}")
        dealer_id, chosen = self._statement_request(request, visit)
        if dealer_id != HQ:
            get_dealer(self.console.app, dealer_id)  # an unknown dealer is a 404, not an empty file
        with tempfile.TemporaryDirectory(prefix="omo-console-") as folder:
            path = Path(folder) / f"statement.{file_format}"
            export_statement(self.ledger, dealer_id, chosen, file_format, path)  # as `omo statements export` writes it
            body = path.read_bytes()
        name = f"statement-{dealer_id}-{chosen}.{file_format}"
        return Response(body, media_type=DOWNLOADS[file_format], headers={"content-disposition": f'attachment; filename="{name}"'})

    def _statement_request(self, request: Request, visit: Visit) -> tuple[str, str]:
        dealer_id = checked_dealer_id(request.path_params["dealer_id"])
        chosen = request.query_params.get("month", "").strip() or this_month()
        month(chosen)  # a 400 for what is no month
        self.console.access.allowed(
            visit.caller, "omo.v1.DealerService/GetStatement", dealers_pb2.GetStatementRequest(dealer_id=dealer_id, month=chosen),
        )
        return dealer_id, chosen
