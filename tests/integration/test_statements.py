"""Dealers' statements from the ledger, on SQLite and PostgreSQL: totals that are the sums of
the dealer's entries, pages that cover every line once, periods in Shanghai time, and the
CSV and XLSX exports whose totals rows equal the statement's to the cent."""

from __future__ import annotations

import csv
import itertools
import re
import threading
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import eventsourcing.domain
import pytest
from openpyxl import load_workbook

from domain.errors import InvalidInput
from services.cli.main import main
from services.adapters.statement_export import HEADERS, ZH, export_statement, money_text
from projections.dealer_ledger.reader import LedgerBehind, LedgerReader
from services.use_cases.network.statements import SHANGHAI, TOTALS, get_statement, month, whole_statement
from tests.ledger_builders import PRICES, ledger_runner, ledger_table, sell, trade

MONEY = re.compile(r"^-?\d+\.\d\d$")
# the trade's moment: noon on 15 November 2026 in Shanghai, so every entry of the statements is
# in one month whenever the tests run (a run across a month's end would split them)
TRADED_FROM = datetime(2026, 11, 15, 4, 0, tzinfo=timezone.utc)
PERIOD = "2026-11"


@pytest.fixture
def trading(app, monkeypatch) -> dict[str, str]:
    """The trade, its events (the ledger's entries are dated by them) stamped from
    TRADED_FROM on, a microsecond apart, as are those of the rest of the test."""
    ticks = itertools.count()
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: TRADED_FROM + timedelta(microseconds=next(ticks)))
    return trade(app)


@pytest.fixture
def runner(app):
    r = ledger_runner(app)
    yield r
    r.release()
    r.close()


@pytest.fixture
def reader(app):
    r = LedgerReader.for_application(app)
    yield r
    r.close()


def month_of(occurred_at_us: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=occurred_at_us)).astimezone(SHANGHAI).strftime("%Y-%m")


def the_month(runner) -> str:
    months = {month_of(r["occurred_at_us"]) for r in ledger_table(runner.reader)}
    assert months == {PERIOD}, "the ledger dates an entry otherwise than by its event's moment"
    return PERIOD


def expected_totals(rows: list[dict], party: str) -> dict[str, int]:
    """The totals by their definitions, straight from the ledger rows."""
    t = defaultdict(int)
    for r in rows:
        if party not in (r["debit"], r["credit"]):
            continue
        signed = r["amount_cents"] if r["credit"] == party else -r["amount_cents"]
        kind, reversal = r["kind"], bool(r["reversal"])
        if kind == "SALE":
            t["returns" if reversal else "gross_sales"] += signed
        elif kind == "FULFILMENT_FEE":
            payer = r["credit"] if reversal else r["debit"]
            t["fulfilment_fees_paid" if payer == party else "fulfilment_fees_earned"] += signed
        else:
            t["hq_share" if kind == "HQ_SHARE" else "assistant_commissions"] += signed
        t["net_payable"] += signed
        t["lines"] += 1
    return t


def totals_dict(statement) -> dict[str, int]:
    return {k: v for k, v in statement.totals.__dict__.items() if v}


def test_statement_totals_are_the_sums_of_the_dealer_s_entries(app, trading, runner, reader):
    runner.catch_up()
    rows = ledger_table(runner.reader)
    period = the_month(runner)
    statements = {d: get_statement(reader, d, period, 1000) for d in ("DA", "DB", "HQ")}
    for dealer, statement in statements.items():
        expected = expected_totals(rows, statement.party)
        assert totals_dict(statement) == {k: v for k, v in expected.items() if v}
        assert statement.totals.net_payable == sum(getattr(statement.totals, name) for name in TOTALS)
        assert sum(line.amount_cents for line in statement.lines) == statement.totals.net_payable
        assert len(statement.lines) == statement.totals.lines and statement.next_page_token == ""
        assert statement.freshness.position == statement.freshness.head == app.recorder.max_notification_id()
    da, db, hq = statements["DA"].totals, statements["DB"].totals, statements["HQ"].totals
    assert da.gross_sales == 3 * PRICES["SERUM"] + 2 * PRICES["MASK"] + 3 * PRICES["MASK"]  # orders a and k
    assert da.returns == -PRICES["SERUM"]
    assert da.fulfilment_fees_paid < 0 and da.fulfilment_fees_earned == 0
    # every fee in this trade is paid to DB, whose store fulfilled every order
    assert db.fulfilment_fees_earned == -(da.fulfilment_fees_paid + hq.fulfilment_fees_paid) > 0
    assert hq.hq_share == -(da.hq_share + db.hq_share) > 0
    lines = {(line.kind, line.reversal, line.counterparty) for line in statements["DA"].lines if line.order_id == trading["a"]}
    assert ("FULFILMENT_FEE", False, "DEALER:DB") in lines and ("FULFILMENT_FEE", True, "DEALER:DB") in lines


@pytest.mark.parametrize("page_size", [1, 2, 5])
def test_pages_cover_every_line_exactly_once_with_the_same_totals(app, trading, runner, reader, page_size):
    runner.catch_up()
    period = the_month(runner)
    whole = get_statement(reader, "DA", period, 1000)
    seen, token, pages = [], "", 0
    while True:
        page = get_statement(reader, "DA", period, page_size, token)
        assert len(page.lines) <= page_size and page.totals == whole.totals
        seen += [line.entry_id for line in page.lines]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert seen == [line.entry_id for line in whole.lines]
    assert len(set(seen)) == whole.totals.lines == 15  # order a's 8 entries, their 4 reversed, order k's 3
    assert pages == -(-15 // page_size)
    moments = [line.occurred_at for line in whole.lines]
    assert moments == sorted(moments)


def test_a_statement_s_pages_read_the_ledger_as_it_stood_at_its_first_page(app, trading, runner, reader):
    runner.catch_up()
    period = the_month(runner)
    first = get_statement(reader, "DA", period, 5)
    sell(app, "later", {"LIPSTICK": 1}, cloud_shop="CS-A")  # sale, fee to DB, HQ share
    runner.catch_up()
    _, rest = whole_statement(reader, "DA", period)
    page, ids = first, [line.entry_id for line in first.lines]
    while page.next_page_token:
        page = get_statement(reader, "DA", period, 5, page.next_page_token)
        assert page.totals == first.totals and page.as_of_position == first.as_of_position
        ids += [line.entry_id for line in page.lines]
    assert len(ids) == first.totals.lines == 15
    fresh = get_statement(reader, "DA", period, 1000)
    assert fresh.totals.lines == 18 and fresh.totals.gross_sales == first.totals.gross_sales + PRICES["LIPSTICK"]
    assert len(list(rest)) == 18


def test_a_period_is_a_month_in_shanghai_time_or_a_range(app, trading, runner, reader):
    assert month("2026-11").start == datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)
    assert month("2026-12").end == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)
    runner.catch_up()
    period = the_month(runner)
    year, number = map(int, period.split("-"))
    before = f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"
    assert get_statement(reader, "DA", before).totals.lines == 0
    lines = get_statement(reader, "DA", period, 1000).lines
    moment = lines[0].occurred_at
    at_that_moment = [line.entry_id for line in lines if line.occurred_at == moment]
    assert [line.entry_id for line in get_statement(reader, "DA", (moment, moment + timedelta(microseconds=1))).lines] == at_that_moment
    assert all(line.occurred_at != moment for line in get_statement(reader, "DA", (moment - timedelta(hours=1), moment)).lines)


@pytest.mark.parametrize(
    "dealer, period, page_size, token, field",
    [
        ("DA", "2026-13", 10, "", "period"),
        ("DA", "2026-1", 10, "", "period"),
        ("DA", "november", 10, "", "period"),
        ("DA", (datetime(2026, 11, 2), datetime(2026, 11, 1)), 10, "", "period"),
        ("DA", "2026-11", 1001, "", "page_size"),
        ("DA", "2026-11", 10, "not-a-token", "page_token"),
        ("bad id!", "2026-11", 10, "", "dealer_id"),
    ],
)
def test_refusals_name_the_field(reader, dealer, period, page_size, token, field):
    with pytest.raises(InvalidInput) as refused:
        get_statement(reader, dealer, period, page_size, token)
    assert refused.value.field == field


def test_a_page_token_belongs_to_its_own_statement(app, trading, runner, reader):
    runner.catch_up()
    period = the_month(runner)
    token = get_statement(reader, "DA", period, 1).next_page_token
    assert token
    with pytest.raises(InvalidInput, match="another statement"):
        get_statement(reader, "DB", period, 1, token)


def test_read_your_writes_waits_for_the_ledger_to_reach_a_position(app, trading, reader):
    head = app.recorder.max_notification_id()
    behind = get_statement(reader, "DA", "2026-11")
    assert behind.freshness.position == 0 and behind.freshness.head == head and behind.freshness.lag_events > 0
    with pytest.raises(LedgerBehind, match="dealer ledger reached position 0"):
        get_statement(reader, "DA", "2026-11", min_position=head, wait_timeout_ms=50)
    background = ledger_runner(app)
    background.start()
    try:
        statement = get_statement(reader, "DA", "2026-11", 1000, min_position=head, wait_timeout_ms=30_000)
        assert statement.as_of_position >= head and statement.freshness.lag_events == 0
    finally:
        background.shutdown()


def test_an_engine_can_be_read_instead_of_a_reader(app, trading, runner, reader):
    runner.catch_up()
    period = the_month(runner)
    assert get_statement(runner.reader, "DB", period, 1000).totals == get_statement(reader, "DB", period, 1000).totals


# --- the exports ---------------------------------------------------------------------------


def cents(value) -> int:
    amount = Decimal(str(value)) * 100
    assert amount == amount.to_integral_value(), f"{value} is not a whole number of cents"
    return int(amount)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def read_xlsx(path: Path) -> list[list]:
    sheet = load_workbook(path)["Statement"]
    return [[cell for cell in row] for row in sheet.iter_rows()]


def amount(cell) -> int | None:
    return None if cell in (None, "") else cents(cell)


def check_columns(header, lines, total, statement) -> None:
    """The totals row holds the statement's totals, and each is its column's sum."""
    assert tuple(header) == HEADERS
    assert len(lines) == statement.totals.lines and total[0] == "TOTAL"
    for offset, name in enumerate(["net_payable", *TOTALS]):
        column = HEADERS.index("Amount") + offset
        assert amount(total[column]) == getattr(statement.totals, name), name
        assert sum(amount(row[column]) or 0 for row in lines) == getattr(statement.totals, name), name
    for row, line in zip(lines, statement.lines):
        assert (row[1], row[2], amount(row[HEADERS.index("Amount")])) == (line.order_id, line.sku, line.amount_cents)


@pytest.mark.parametrize("dealer", ["DA", "DB", "HQ"])
def test_csv_and_xlsx_totals_rows_equal_the_statement_s_totals(app, trading, runner, reader, tmp_path, dealer):
    runner.catch_up()
    period = the_month(runner)
    statement = get_statement(reader, dealer, period, 1000)
    export_statement(reader, dealer, period, "csv", tmp_path / "s.csv")
    export_statement(reader, dealer, period, "xlsx", tmp_path / "s.xlsx")

    header, *lines, total = read_csv(tmp_path / "s.csv")
    money_cells = [cell for row in [*lines, total] for cell in row[HEADERS.index("Amount"):] if cell]
    assert money_cells and all(MONEY.fullmatch(cell) for cell in money_cells)
    check_columns(header, lines, total, statement)
    first = statement.lines[0].occurred_at.astimezone(SHANGHAI)
    assert lines[0][0] == first.strftime("%Y-%m-%d %H:%M:%S")

    header, *lines, total = read_xlsx(tmp_path / "s.xlsx")
    money_cells = [cell for row in [*lines, total] for cell in row[HEADERS.index("Amount"):] if cell.value is not None]
    assert all(isinstance(cell.value, (int, float)) and cell.number_format == "0.00" for cell in money_cells)
    values = lambda row: [cell.value for cell in row]  # noqa: E731
    check_columns(values(header), [values(row) for row in lines], values(total), statement)
    assert lines[0][0].value == first.replace(tzinfo=None, microsecond=0)


# --- the command ---------------------------------------------------------------------------


def test_export_brings_the_ledger_up_to_date_first_and_writes_the_file(app, trading, reader, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    monkeypatch.chdir(tmp_path)
    period = PERIOD
    assert reader.position() == 0  # no runner has run
    assert main(["statements", "export", "--dealer", "DA", "--month", period, "--format", "xlsx", "--output", "da.xlsx"]) == 0
    assert reader.position() == app.recorder.max_notification_id()
    statement = get_statement(reader, "DA", period, 1000)
    assert statement.totals.lines == 15  # order a's 8 entries, their 4 reversed, order k's 3
    out = capsys.readouterr().out
    assert f"wrote 15 lines of DEALER:DA's statement for {period} to da.xlsx; net payable {money_text(statement.totals.net_payable)}" in out
    total = [c.value for c in read_xlsx(tmp_path / "da.xlsx")[-1]]
    assert cents(total[HEADERS.index("Amount")]) == statement.totals.net_payable

    assert main(["statements", "export", "--dealer", "HQ", "--month", period]) == 0
    assert f"to statement-HQ-{period}.csv" in capsys.readouterr().out
    assert cents(read_csv(tmp_path / f"statement-HQ-{period}.csv")[-1][HEADERS.index("HQ share")]) == get_statement(reader, "HQ", period).totals.hq_share

    assert main(["statements", "show", "--dealer", "DA", "--dealer", "DB", "--month", period]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0].split()[:2] == ["party", "lines"] and shown[1].split()[0] == "DEALER:DA" and shown[2].split()[0] == "DEALER:DB"
    assert shown[1].split()[-1] == money_text(statement.totals.net_payable)


def test_export_lang_zh_writes_chinese_headings_en_the_same_as_ever_and_another_lang_is_a_usage_error(
    app, trading, tmp_path, monkeypatch, capsys,
):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    command = ["statements", "export", "--dealer", "DA", "--month", PERIOD]
    files = {name: tmp_path / f"{name}.csv" for name in ("default", "en", "zh")}
    assert main([*command, "--output", str(files["default"])]) == 0
    assert main([*command, "--lang", "en", "--output", str(files["en"])]) == 0
    assert main([*command, "--lang", "zh", "--output", str(files["zh"])]) == 0
    assert files["en"].read_bytes() == files["default"].read_bytes()
    (en_header, *en_lines, en_total), (zh_header, *zh_lines, zh_total) = read_csv(files["en"]), read_csv(files["zh"])
    assert tuple(en_header) == HEADERS and en_total[0] == "TOTAL"
    assert zh_header == [ZH[h] for h in HEADERS] and zh_header[:4] == ["时间 (上海)", "订单号", "SKU", "门店"]
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in zh_header if h != "SKU")
    assert zh_total[:1] + zh_total[7:] == ["合计", f"{len(en_lines)} 行", *en_total[8:]]  # the same figures, to the cent
    reversal = HEADERS.index("Reversal")
    assert [r[:reversal] + r[reversal + 1:] for r in zh_lines] == [r[:reversal] + r[reversal + 1:] for r in en_lines]
    assert {r[reversal] for r in zh_lines} == {"是", ""} and {r[reversal] for r in en_lines} == {"yes", ""}
    assert main([*command, "--lang", "zh", "--format", "xlsx", "--output", str(tmp_path / "zh.xlsx")]) == 0
    assert load_workbook(tmp_path / "zh.xlsx").sheetnames == ["对账单", "说明"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:  # argparse: its usage, one line saying what is wrong, exit 2
        main([*command, "--lang", "fr"])
    assert refused.value.code == 2
    assert "argument --lang: invalid choice: 'fr' (choose from" in capsys.readouterr().err

def test_export_waits_for_the_runner_holding_the_ledger_s_lease(app, trading, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    command = ["statements", "export", "--dealer", "DB", "--month", PERIOD, "--output", str(tmp_path / "db.csv")]
    holder = ledger_runner(app, holder="holder")
    try:
        assert holder.try_lead()  # leads, and applies nothing yet
        assert main([*command, "--wait-seconds", "0.3"]) == 1
        assert "another runner holds its lease" in capsys.readouterr().err
        assert not (tmp_path / "db.csv").exists()
        later = threading.Timer(0.5, holder.catch_up)
        later.start()
        assert main([*command, "--wait-seconds", "30"]) == 0
        later.join(30)
        assert holder.position == app.recorder.max_notification_id()
        assert (tmp_path / "db.csv").exists()
    finally:
        holder.release()
        holder.close()
