"""`omo reconcile report` on SQLite and PostgreSQL: the text report, the CSV and the XLSX files
say what GetReconciliation says, to the cent (money as "12.34" text in CSV, Decimal numbers
formatted 0.00 in XLSX, never a float), and bad input is one line and exit 2."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from domain.provider_bills import yuan
from protos.omo.v1 import dealers_pb2 as pb
from services.api.convert.reconciliation import OUTCOMES
from services.adapters.reconciliation_export import DIFFERENCES_HEADER, ZH
from services.cli.main import main
from tests.reconciliation_world import build

OUTCOME_NAMES = {number: name for name, number in OUTCOMES.items()}


@pytest.fixture
def reconciled(client, app, monkeypatch):
    """The world of tests/reconciliation_world.py and GetReconciliation's answer for dealer A."""
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    world = build(client, app)
    return world, client.dealers.GetReconciliation(pb.GetReconciliationRequest(dealer_id="A", month=world.month))


def expected_totals(got: pb.GetReconciliationResponse) -> dict[tuple[str, str], int]:
    """(side, figure) -> cents, as the report names them."""
    ledger = got.ledger
    return {
        ("bill", "payments"): got.bill.payments_cents, ("bill", "refunds"): got.bill.refunds_cents,
        ("bill", "fees"): got.bill.fees_cents, ("bill", "net"): got.bill.net_cents,
        ("orders", "payments"): got.orders.payments_cents, ("orders", "refunds"): got.orders.refunds_cents,
        ("orders", "net"): got.orders.net_cents,
        ("ledger", "gross sales"): ledger.gross_sales_cents, ("ledger", "returns"): ledger.returns_cents,
        ("ledger", "fulfilment fees paid"): ledger.fulfilment_fees_paid_cents,
        ("ledger", "fulfilment fees earned"): ledger.fulfilment_fees_earned_cents,
        ("ledger", "HQ share"): ledger.hq_share_cents, ("ledger", "assistant commissions"): ledger.assistant_commissions_cents,
        ("ledger", "net payable"): ledger.net_payable_cents,
    }


def csv_sections(path) -> dict[str, list[list[str]]]:
    """The CSV's sections by title: their rows, the header first."""
    found: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(path.open(encoding="utf-8-sig")):
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = found.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return found


def test_the_text_report_shows_every_side_and_difference(reconciled, capsys):
    world, got = reconciled
    assert main(["reconcile", "report", "--dealer", "A", "--month", world.month]) == 0
    out = capsys.readouterr().out
    printed = {}
    for text in out.splitlines():
        words = text.split()
        if words and words[0] in ("bill", "orders", "ledger"):  # a row of the totals: side, figure, amount
            printed[(words[0], " ".join(words[1:-1]))] = words[-1]
    assert printed == {k: yuan(c) for k, c in expected_totals(got).items()}
    for difference in got.differences:
        assert f"{OUTCOME_NAMES[difference.outcome]} {difference.kind} order {difference.order_id}" in out
        assert difference.advice in out
    with_hq = {b.counterparty: b for b in got.balances}["HQ"]
    assert any(line.split() == ["HQ", *(yuan(c) for c in (with_hq.opening_cents, with_hq.activity_cents, with_hq.settled_cents,
                                                            with_hq.closing_cents))] for line in out.splitlines())


def test_the_csv_says_what_get_reconciliation_says_to_the_cent(reconciled, tmp_path, capsys):
    world, got = reconciled
    path = tmp_path / "a.csv"
    assert main(["reconcile", "report", "--dealer", "A", "--month", world.month, "--format", "csv", "--output", str(path)]) == 0
    assert f"to {path}" in capsys.readouterr().out
    sections = csv_sections(path)
    header, *totals = sections["Totals"]
    assert header == ["Side", "Figure", "Amount"]
    assert {(side, figure): amount for side, figure, amount in totals} == {k: yuan(c) for k, c in expected_totals(got).items()}
    _, *balances = sections["Balances"]
    assert balances == [
        [b.counterparty, *(yuan(c) for c in (b.opening_cents, b.activity_cents, b.settled_cents, b.closing_cents))] for b in got.balances
    ]
    _, *differences = sections["Differences"]
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[8]) for r in differences] == [
        (OUTCOME_NAMES[d.outcome], d.order_id, d.kind, yuan(d.billed_cents) if d.HasField("billed_cents") else "",
         yuan(d.recorded_cents) if d.HasField("recorded_cents") else "", d.payment_id, d.advice)
        for d in got.differences
    ]


def test_the_xlsx_holds_decimal_amounts_equal_to_get_reconciliation(reconciled, tmp_path):
    from openpyxl import load_workbook

    world, got = reconciled
    path = tmp_path / "a.xlsx"
    assert main(["reconcile", "report", "--dealer", "A", "--month", world.month, "--format", "xlsx", "--output", str(path)]) == 0
    book = load_workbook(path)
    assert book.sheetnames == ["Totals", "Balances", "Differences", "About"]

    def cents(cell) -> int:
        # written as Decimal; read back as the number Excel holds, shortest repr ("12.34")
        assert cell.number_format == "0.00"
        return int(Decimal(str(cell.value)) * 100)

    totals = {(row[0].value, row[1].value): cents(row[2]) for row in book["Totals"].iter_rows(min_row=2)}
    assert totals == expected_totals(got)
    balances = [[row[0].value, *(cents(c) for c in row[1:5])] for row in book["Balances"].iter_rows(min_row=2)]
    assert balances == [[b.counterparty, b.opening_cents, b.activity_cents, b.settled_cents, b.closing_cents] for b in got.balances]
    rows = list(book["Differences"].iter_rows(min_row=2))
    listed = [(OUTCOME_NAMES[d.outcome], d.order_id, d.advice) for d in got.differences]
    assert [(r[0].value, r[1].value, r[8].value) for r in rows] == listed
    billed = [cents(r[3]) if r[3].value is not None else None for r in rows]
    assert billed == [d.billed_cents if d.HasField("billed_cents") else None for d in got.differences]


def test_bad_input_is_one_line_and_exit_2(reconciled, tmp_path, capsys):
    world, _ = reconciled
    assert main(["reconcile", "report", "--dealer", "NOPE", "--month", world.month]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("omo reconcile report: ") and "NOPE" in err[0]
    assert main(["reconcile", "report", "--dealer", "A", "--month", world.month, "--output", str(tmp_path / "x.csv")]) == 2
    assert "--output needs --format" in capsys.readouterr().err
    missing = tmp_path / "no-such-folder" / "x.csv"
    assert main(["reconcile", "report", "--dealer", "A", "--month", world.month, "--format", "csv", "--output", str(missing)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(f"omo reconcile report: cannot write {missing}")
    with pytest.raises(SystemExit) as bad_month:  # argparse: usage and one line, exit 2
        main(["reconcile", "report", "--dealer", "A", "--month", "2026-13"])
    assert bad_month.value.code == 2


def test_lang_zh_writes_chinese_headings_with_the_same_figures_and_another_lang_is_a_usage_error(reconciled, tmp_path, capsys):
    world, got = reconciled
    command = ["reconcile", "report", "--dealer", "A", "--month", world.month, "--format", "csv"]
    en, zh, default = tmp_path / "en.csv", tmp_path / "zh.csv", tmp_path / "default.csv"
    assert main([*command, "--output", str(default)]) == 0
    assert main([*command, "--lang", "en", "--output", str(en)]) == 0
    assert main([*command, "--lang", "zh", "--output", str(zh)]) == 0
    assert en.read_bytes() == default.read_bytes()
    english, chinese = csv_sections(en), csv_sections(zh)
    assert list(chinese) == ["汇总", "往来余额", "差异"]
    assert chinese["汇总"][0] == ["来源", "项目", "金额 (元)"]
    totals = {(ZH[side], ZH[figure]): amount for side, figure, amount in english["Totals"][1:]}
    assert {(side, figure): amount for side, figure, amount in chinese["汇总"][1:]} == totals
    assert ("账单", "手续费") in totals and ("账簿", "应付净额") in totals
    assert chinese["往来余额"][1:] == english["Balances"][1:]
    assert chinese["差异"] == [[ZH[h] for h in DIFFERENCES_HEADER], *english["Differences"][1:]]
    assert len(chinese["差异"]) == len(got.differences) + 1
    assert main([*command[:-2], "--format", "xlsx", "--lang", "zh", "--output", str(tmp_path / "zh.xlsx")]) == 0
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "zh.xlsx").sheetnames == ["汇总", "往来余额", "差异", "说明"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:  # argparse: its usage, one line saying what is wrong, exit 2
        main([*command, "--lang", "jp"])
    assert refused.value.code == 2
    assert "argument --lang: invalid choice: 'jp' (choose from" in capsys.readouterr().err
