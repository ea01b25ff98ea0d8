"""The console's statement and reconciliation pages (`omo console`), on SQLite and PostgreSQL:
what GetStatement and GetReconciliation give, a page of statement lines at a time, Chinese or
English headings, the downloads byte for byte what `omo statements export` and `omo reconcile
report` write, and the access rules of their RPCs."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from domain.callers import DEALER, OPS, POS
from domain.bill_matching import MATCHED
from projections.dealer_ledger.reader import LedgerReader
from projections.definitions import RECONCILIATION
from projections.reconciliation.reader import ReconciliationReader
from projections.runtime.database import write_engine
from services.adapters import reconciliation_export, statement_export
from services.adapters.projection_catch_up import caught_up
from services.adapters.reconciliation_export import BALANCES_HEADER, DIFFERENCES_HEADER, TOTALS_HEADER, difference_rows
from services.adapters.statement_export import HEADERS, ledger_caught_up, money_text
from services.cli.main import main
from services.console.pages.statements import StatementPages
from services.console.params import shanghai
from services.console.web import Console
from services.use_cases.network.reconciliation import get_reconciliation
from services.use_cases.network.statements import get_statement
from tests.integration import test_console
from tests.integration.test_console import PERIOD, signed_in, table
from tests.reconciliation_world import JINGAN_TEMPLE, _sold, build

# the fixtures of the console's own tests: the console, and trade in PERIOD with the ledger caught up
console, orders = test_console.console, test_console.orders
LINES_HEADINGS = ["Time (Shanghai)", "Order", "SKU", "Store", "Kind", "Reversal", "Counterparty", "Amount"]  # as before ?lang
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def reconciled(client, app, monkeypatch):
    """The world of tests/reconciliation_world.py (dealer A's month with a difference of every
    kind), both projections caught up, and the use case's report of it."""
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    world = build(client, app)
    return world, report_of(app, "A", world.month)


def report_of(app, dealer_id: str, month: str):
    bills, ledger = ReconciliationReader.for_application(app), LedgerReader.for_application(app)
    try:
        return get_reconciliation(app, bills, ledger, dealer_id, month)
    finally:
        bills.close()
        ledger.close()


def headings(page, table_id: str) -> list[str]:
    found = re.search(rf'<table[^>]*id="{table_id}"[^>]*>.*?<tr[^>]*>(.*?)</tr>', page.text, re.S)
    assert found, f"no table {table_id} on the page"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", found.group(1), re.S)]


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrf" value="[^"]+"', "", page)


def shown(value) -> str:
    return money_text(value) if isinstance(value, reconciliation_export.Cents) else "" if value is None else str(value)


def workbook(content: bytes) -> dict[str, list[list[tuple]]]:
    """Every sheet's cells: (value, number format), in order."""
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def as_the_command_writes(client, command: list[str], page: str, month: str, lang: str, tmp_path) -> tuple[list[list[str]], dict]:
    """The console's CSV and XLSX downloads at `page`.csv|xlsx, each checked against the file
    `omo` + `command` writes (--lang only when not en: its default), byte for byte. Returns
    the CSV's rows and the workbook's sheets."""
    got, (_, _, dealer, name) = {}, page.split("/")
    for file_format in ("csv", "xlsx"):
        path = tmp_path / f"{lang}.{file_format}"
        languages = ["--lang", lang] if lang != "en" else []
        assert main([*command, "--month", month, "--format", file_format, "--output", str(path), *languages]) == 0
        download = client.get(f"{page}.{file_format}", params={"month": month, "lang": lang})
        assert download.status_code == 200
        assert f'filename="{name}-{dealer}-{month}.{file_format}"' in download.headers["content-disposition"]
        got[file_format] = download.content
        assert download.content == path.read_bytes()
    return list(csv.reader(io.StringIO(got["csv"].decode("utf-8-sig")))), workbook(got["xlsx"])


# --- the reconciliation on screen ---------------------------------------------------------------


def test_the_reconciliation_page_shows_the_differences_sides_balances_and_settlements(console, cast, reconciled, app):
    world, _ = reconciled
    tokens = (cast.token(OPS), cast.token(DEALER, dealer_id="A"))  # issuing one is an event: before catching up
    ledger_caught_up(app, app.database_url)
    caught_up(app, app.database_url, RECONCILIATION)
    report = report_of(app, "A", world.month)
    assert any(item.outcome != MATCHED for item in report.bills.items)
    for token in tokens:
        client = signed_in(console, token)
        page = client.get("/dealers/A/reconciliation", params={"month": world.month})
        assert page.status_code == 200, page.text
        assert table(page, "differences") == [[shown(v) for v in row] for row in difference_rows(report)]
        assert sorted((row[0], row[1], row[2]) for row in table(page, "differences")) == sorted(
            (o, order_id, kind) for o, order_id, kind in world.expected if o != MATCHED
        )
        assert all(row[-1] for row in table(page, "differences"))  # every difference says what to do
        assert table(page, "outcomes") == [[o, str(n)] for o, n in report.bills.counts().items()]
        assert table(page, "totals") == [[side, figure, money_text(c)] for side, figure, c in reconciliation_export.totals_rows(report)]
        statement = report.statement
        assert table(page, "sides") == [
            ["bill", str(len(world.bill)), money_text(report.bills.totals.bill_net_cents)],
            ["orders", str(sum(1 for i in report.bills.items if i.recorded)), money_text(report.bills.totals.orders_net_cents)],
            ["ledger", str(statement.totals.lines), money_text(statement.totals.net_payable)],
        ]
        assert [row[0] for row in table(page, "balances")] == [b.counterparty for b in statement.balances]
        assert [(row[0], row[3]) for row in table(page, "settlements")] == [("BANK-1", "-9.95")]
        for fresh, what in ((report.bills.freshness, "the reconciliation of bills"), (statement.freshness, "the dealer ledger")):
            assert f"{what} at position {fresh.position} of the event log" in page.text
        assert 'id="behind"' not in page.text
        back = re.search(r'id="statement" href="([^"]+)"', page.text).group(1)
        statement_page = client.get(back.replace("&amp;", "&"))
        assert statement_page.status_code == 200
        assert f'/dealers/A/reconciliation?month={world.month}' in statement_page.text  # and there again


def test_a_reconciliation_behind_the_event_log_says_so(console, cast, reconciled, client):
    world, report = reconciled
    late = _sold(client, "k-late", "CS-A", JINGAN_TEMPLE, 1, "PAY-LATE")  # paid, on no bill: a difference to be
    page = signed_in(console, cast.token(OPS)).get("/dealers/A/reconciliation", params={"month": world.month})
    assert page.status_code == 200
    fresh = report_of(console.app, "A", world.month).bills.freshness  # the test's server runs no projection
    assert fresh.position == report.bills.freshness.position and fresh.lag_events > 0
    assert 'id="behind"' in page.text and f"is {fresh.lag_events} events behind the event log" in page.text
    assert late.order_id not in page.text
    assert len(table(page, "differences")) == len(report.bills.differences)


def test_a_dealer_cannot_open_another_dealer_s_reconciliation_whether_or_not_it_exists(console, cast, reconciled):
    world, _ = reconciled
    dealer = signed_in(console, cast.token(DEALER, dealer_id="B"))
    other, missing = (dealer.get(f"/dealers/{d}/reconciliation", params={"month": world.month}) for d in ("A", "NOPE"))
    assert other.status_code == missing.status_code == 403
    assert without_csrf(other.text).replace("dealer A ", "dealer X ") == without_csrf(missing.text).replace("dealer NOPE ", "dealer X ")
    for path in ("/dealers/A/reconciliation.csv", "/dealers/A/reconciliation.xlsx"):
        assert dealer.get(path, params={"month": world.month}).status_code == 403
    own = dealer.get("/dealers/B/statement", params={"month": world.month})
    assert own.status_code == 200 and "/dealers/B/reconciliation" in own.text
    assert signed_in(console, cast.token(POS, store_id="S-A")).get("/dealers/A/reconciliation").status_code == 403
    ops = signed_in(console, cast.token(OPS))
    assert ops.get("/dealers/NOPE/reconciliation", params={"month": world.month}).status_code == 404
    assert 'id="reconciliation"' not in ops.get("/dealers/HQ/statement", params={"month": world.month}).text  # HQ has none


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_reconciliation_downloads_are_what_omo_reconcile_report_writes(console, cast, reconciled, tmp_path, lang):
    world, _ = reconciled
    client = signed_in(console, cast.token(DEALER, dealer_id="A"))
    command = ["reconcile", "report", "--dealer", "A"]
    rows, sheets = as_the_command_writes(client, command, "/dealers/A/reconciliation", world.month, lang, tmp_path)
    headers = [TOTALS_HEADER, BALANCES_HEADER, DIFFERENCES_HEADER]
    if lang == "en":  # as before --lang
        assert [row for row in rows if tuple(row) in headers] == [list(h) for h in headers]
        assert list(sheets) == ["Totals", "Balances", "Differences", "About"]
    else:
        chinese = [[reconciliation_export.ZH[h] for h in header] for header in headers]
        assert [row for row in rows if row in chinese] == chinese
        assert all(CHINESE.search(cell) for header in chinese for cell in header)
        assert list(sheets) == ["汇总", "往来余额", "差异", "说明"]
        assert [[v for v, _ in row] for row in sheets["差异"][:1]] == [chinese[2]]
        assert [rows[0][0], rows[1][0]] == ["经销商", "月份"]


# --- the statement: headings, pages, downloads ---------------------------------------------------


def test_headings_on_screen_are_english_by_default_and_chinese_with_lang_zh(console, cast, reconciled):
    world, _ = reconciled
    client = signed_in(console, cast.token(OPS))
    pages = {
        (path, lang): client.get(f"/dealers/A/{path}", params={"month": world.month, **({"lang": lang} if lang else {})})
        for path in ("statement", "reconciliation") for lang in ("", "zh")
    }
    english, chinese = pages["statement", ""], pages["statement", "zh"]
    assert headings(english, "lines") == LINES_HEADINGS
    assert headings(english, "totals")[:5] == ["Gross sales", "Returns", "Fulfilment fees paid", "Fulfilment fees earned", "HQ share"]
    assert headings(chinese, "lines") == [statement_export.ZH[h] for h in LINES_HEADINGS]
    assert headings(chinese, "lines")[:2] == ["时间 (上海)", "订单号"]
    assert [[cell.replace("是", "yes") for cell in row] for row in table(chinese, "lines")] == table(english, "lines")
    assert f"/dealers/A/statement.csv?month={world.month}&amp;lang=zh" in chinese.text  # the downloads keep the language
    assert headings(pages["reconciliation", ""], "differences") == list(DIFFERENCES_HEADER)
    recon = pages["reconciliation", "zh"]
    assert headings(recon, "differences") == [reconciliation_export.ZH[h] for h in DIFFERENCES_HEADER]
    assert table(recon, "differences") == table(pages["reconciliation", ""], "differences")
    for page, ids in ((chinese, ("lines", "totals", "balances", "settlements")),
                      (recon, ("differences", "outcomes", "sides", "totals", "balances", "settlements"))):
        assert page.status_code == 200
        for table_id in ids:
            assert all(CHINESE.search(h) for h in headings(page, table_id) if h != "SKU"), table_id


def test_statement_pages_hold_every_line_once_in_order(console, cast, orders, app, monkeypatch):
    monkeypatch.setattr(StatementPages, "page_size", 4)
    reader = LedgerReader.for_application(app)
    try:
        whole = get_statement(reader, "DA", PERIOD, 1000)
    finally:
        reader.close()
    assert whole.totals.lines > 2 * StatementPages.page_size  # three pages at least
    client = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    page = client.get("/dealers/DA/statement", params={"month": PERIOD})
    assert 'id="first-page"' not in page.text
    seen, pages = [], 0
    while True:
        pages += 1
        assert page.status_code == 200
        rows = table(page, "lines")
        assert 0 < len(rows) <= StatementPages.page_size
        assert table(page, "totals")[0][-1] == str(whole.totals.lines)  # the whole month's totals on every page
        seen += rows
        following = re.search(r'id="next-page" href="([^"]+)"', page.text)
        if following is None:
            break
        page = client.get(following.group(1).replace("&amp;", "&"))
        assert 'id="first-page"' in page.text
    assert pages == -(-whole.totals.lines // StatementPages.page_size)
    assert seen == [
        [shanghai(line.occurred_at), line.order_id, line.sku, line.store_id, line.kind,
         f"yes {line.return_id}" if line.reversal else "", line.counterparty, money_text(line.amount_cents)]
        for line in whole.lines
    ]
    assert len({line.entry_id for line in whole.lines}) == len(seen)  # none twice


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_statement_downloads_are_what_omo_statements_export_writes_in_either_language(
    console, cast, orders, app, tmp_path, monkeypatch, lang,
):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    monkeypatch.setattr(StatementPages, "page_size", 2)  # the download has every line all the same
    client = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    rows, sheets = as_the_command_writes(client, ["statements", "export", "--dealer", "DA"], "/dealers/DA/statement", PERIOD, lang, tmp_path)
    header, *lines, total = rows
    first = list(sheets)[0]
    if lang == "en":
        assert tuple(header) == HEADERS and total[0] == "TOTAL" and list(sheets) == ["Statement", "About"]
    else:
        assert header == [statement_export.ZH[h] for h in HEADERS] and header[:2] == ["时间 (上海)", "订单号"]
        assert all(CHINESE.search(h) for h in header if h != "SKU")
        assert total[0] == "合计" and list(sheets) == ["对账单", "说明"]
    assert len(lines) == len(sheets[first]) - 2 > 2  # every line, not a page of them
    assert Decimal(total[HEADERS.index("Amount")]) == Decimal(str(sheets[first][-1][HEADERS.index("Amount")][0]))


# --- what cannot be shown --------------------------------------------------------------------------


def test_bad_languages_and_page_tokens_are_400_before_any_query(console, cast, orders, app, monkeypatch):
    reader = LedgerReader.for_application(app)
    try:
        token, foreign = (get_statement(reader, dealer, PERIOD, 1).next_page_token for dealer in ("DA", "DB"))
    finally:
        reader.close()
    assert token and foreign
    client = signed_in(console, cast.token(OPS))
    assert client.get("/dealers/DA/statement", params={"month": PERIOD, "page_token": token}).status_code == 200

    def no_query(*_, **__):
        raise AssertionError("a malformed parameter reached a query")

    for name in ("dealer_statement", "export_statement", "get_reconciliation", "export_reconciliation", "get_dealer"):
        monkeypatch.setattr(f"services.console.pages.statements.{name}", no_query)
    bad = [
        ("/dealers/DA/statement", {"month": PERIOD, "lang": "fr"}), ("/dealers/DA/statement.csv", {"month": PERIOD, "lang": "EN"}),
        ("/dealers/DA/statement.xlsx", {"month": PERIOD, "lang": "zh-CN"}), ("/dealers/DA/reconciliation", {"month": PERIOD, "lang": "de"}),
        ("/dealers/DA/reconciliation.csv", {"month": PERIOD, "lang": "x" * 500}), ("/dealers/DA/reconciliation.pdf", {"month": PERIOD}),
        ("/dealers/DA/reconciliation", {"month": "2026-13"}), ("/dealers/bad dealer!/reconciliation", {"month": PERIOD}),
        ("/dealers/DA/statement", {"month": PERIOD, "page_token": "not a token"}),
        ("/dealers/DA/statement", {"month": PERIOD, "page_token": "e30"}),  # "{}": no token this service gives
        ("/dealers/DA/statement", {"month": PERIOD, "page_token": "A" * 5000}),
        ("/dealers/DA/statement", {"month": "2026-10", "page_token": token}),  # another month's
        ("/dealers/DA/statement", {"month": PERIOD, "page_token": foreign}),  # another dealer's
    ]
    for path, params in bad:
        answer = client.get(path, params=params)
        assert answer.status_code == 400, (path, params, answer.status_code)
        assert "Malformed request" in answer.text


def test_a_reconciliation_no_runner_has_brought_up_to_date_is_a_clear_page(console, cast, orders):
    client = signed_in(console, cast.token(OPS))
    for path in ("/dealers/DA/reconciliation", "/dealers/DA/reconciliation.csv"):
        page = client.get(path, params={"month": PERIOD})
        assert page.status_code == 503 and "Reconciliation not available yet" in page.text
        assert "has not applied any of the event log" in page.text and "omo reconcile report" in page.text
        assert "Traceback" not in page.text


def test_reconciliation_tables_of_another_schema_version_are_a_clear_page(app, cast, reconciled):
    engine = write_engine(app.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE stock_projection_tracking SET schema_version = 999 WHERE projection = :p"),
                               {"p": RECONCILIATION.name})
    finally:
        engine.dispose()
    web = Console(app)
    try:
        page = signed_in(web, cast.token(OPS)).get("/dealers/A/reconciliation", params={"month": reconciled[0].month})
    finally:
        web.close()
    assert page.status_code == 503 and "omo projections rebuild --projection reconciliation" in page.text
