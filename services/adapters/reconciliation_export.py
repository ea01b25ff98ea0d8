"""A dealer's reconciliation as text, or as a file a bookkeeper opens in Excel (CSV or XLSX).

Three parts, each a sheet of the XLSX and a section of the CSV (a title row, a header row,
the rows, a blank row): the totals per side (the bill's, the orders', the ledger's), the
balances per counterparty (opening, activity, settled, closing), and one row per difference
between the bills and the orders with what to do about it.

Headings, titles and labels are English by default (`lang="en"`, as they always were) or
Chinese (`lang="zh"`), from the one table ZH; ids, outcomes and the advice are the same in both.
The text report for a terminal is English.

Money is never a float: CSV cells are "-12.34" strings made by integer arithmetic on cents;
XLSX cells are Decimal(cents) / 100 with the number format 0.00 (statement_export's rules).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.adapters.statement_export import LANGUAGES, money, money_text
from services.adapters.workbooks import save_reproducibly
from services.use_cases.network.reconciliation import ReconciliationReport, payment_id_of

FORMATS = ("csv", "xlsx")
TOTALS_HEADER = ("Side", "Figure", "Amount")
BALANCES_HEADER = ("Counterparty", "Opening", "Activity", "Settled", "Closing")
DIFFERENCES_HEADER = ("Outcome", "Order", "Kind", "Billed", "Recorded", "Payment id", "Bill", "Bill line", "What to do")
AMOUNTS = "ledger and balances signed from the dealer's side: received positive, paid negative"
# every heading, title and label a reconciliation shows, on screen or in its files: English -> Chinese
ZH = {
    # the sections (the XLSX's sheets) and their headers
    "Totals": "汇总", "Balances": "往来余额", "Differences": "差异", "About": "说明",
    "Side": "来源", "Figure": "项目", "Amount": "金额 (元)",
    "Counterparty": "对方", "Opening": "期初余额", "Activity": "本月发生", "Settled": "已结算", "Closing": "期末余额",
    "Outcome": "核对结果", "Order": "订单号", "Kind": "类型", "Billed": "账单金额 (元)", "Recorded": "订单金额 (元)",
    "Payment id": "支付单号", "Bill": "账单编号", "Bill line": "账单行号", "What to do": "处理建议",
    # the totals' sides and figures
    "bill": "账单", "orders": "订单", "ledger": "账簿", "payments": "收款", "refunds": "退款", "fees": "手续费", "net": "净额",
    "gross sales": "销售额", "returns": "退货", "fulfilment fees paid": "已付履约费", "fulfilment fees earned": "已收履约费",
    "HQ share": "总部分成", "assistant commissions": "导购佣金", "net payable": "应付净额",
    # the About sheet
    "Dealer": "经销商", "Month": "月份", "Closed": "已结账", "yes": "是", "no": "否", "Outcomes": "核对结果统计",
    "Reconciliation position": "对账投影位置", "Ledger position": "账簿位置", "Amounts": "金额",
    AMOUNTS: "账簿与往来余额以经销商为准: 收入为正, 支出为负",
    # on screen only
    "Count": "笔数", "Net": "净额", "Reference": "结算参考号", "Recorded (Shanghai)": "记录时间 (上海)",
}


def heading(text: str, lang: str = "en") -> str:
    """`text` (English, one of ZH's) in `lang`."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return text if lang == "en" else ZH[text]


class Cents(int):
    """An amount in cents: a money cell, however the file writes money."""


def totals_rows(report: ReconciliationReport) -> list[tuple[str, str, Cents]]:
    sides, ledger = report.bills.totals, report.statement.totals
    return [
        ("bill", "payments", Cents(sides.bill_payments_cents)),
        ("bill", "refunds", Cents(sides.bill_refunds_cents)),
        ("bill", "fees", Cents(sides.bill_fees_cents)),
        ("bill", "net", Cents(sides.bill_net_cents)),
        ("orders", "payments", Cents(sides.order_payments_cents)),
        ("orders", "refunds", Cents(sides.order_refunds_cents)),
        ("orders", "net", Cents(sides.orders_net_cents)),
        ("ledger", "gross sales", Cents(ledger.gross_sales)),
        ("ledger", "returns", Cents(ledger.returns)),
        ("ledger", "fulfilment fees paid", Cents(ledger.fulfilment_fees_paid)),
        ("ledger", "fulfilment fees earned", Cents(ledger.fulfilment_fees_earned)),
        ("ledger", "HQ share", Cents(ledger.hq_share)),
        ("ledger", "assistant commissions", Cents(ledger.assistant_commissions)),
        ("ledger", "net payable", Cents(ledger.net_payable)),
    ]


def balance_rows(report: ReconciliationReport) -> list[tuple[Any, ...]]:
    return [
        (b.counterparty, Cents(b.opening_cents), Cents(b.activity_cents), Cents(b.settled_cents), Cents(b.closing_cents))
        for b in report.statement.balances
    ]


def difference_rows(report: ReconciliationReport) -> list[tuple[Any, ...]]:
    rows = []
    for item in report.bills.differences:
        billed, recorded = item.billed, item.recorded
        rows.append((
            item.outcome, item.order_id, item.kind, Cents(billed.row.amount_cents) if billed else None,
            Cents(recorded.amount_cents) if recorded else None, payment_id_of(item), billed.bill_id if billed else "",
            billed.row.line if billed else None, item.advice,
        ))
    return rows


def sections(report: ReconciliationReport) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    return [
        ("Totals", TOTALS_HEADER, totals_rows(report)),
        ("Balances", BALANCES_HEADER, balance_rows(report)),
        ("Differences", DIFFERENCES_HEADER, difference_rows(report)),
    ]


def headed_sections(report: ReconciliationReport, lang: str = "en") -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    """`sections`, the titles, headers and the totals' sides and figures in `lang`."""
    found = []
    for title, header, rows in sections(report):
        if title == "Totals":
            rows = [(heading(side, lang), heading(figure, lang), amount) for side, figure, amount in rows]
        found.append((heading(title, lang), tuple(heading(h, lang) for h in header), rows))
    return found


def _about(report: ReconciliationReport, lang: str = "en") -> list[tuple[str, Any]]:
    counts = ", ".join(f"{outcome} {n}" for outcome, n in report.bills.counts().items())
    return [
        (heading(label, lang), value) for label, value in (
            ("Dealer", report.dealer_id), ("Month", report.month),
            ("Closed", heading("yes" if report.statement.closed else "no", lang)), ("Outcomes", counts),
            ("Reconciliation position", report.bills.freshness.position), ("Ledger position", report.statement.as_of_position),
            ("Amounts", heading(AMOUNTS, lang)),
        )
    ]


def write_csv(path: Path, report: ReconciliationReport, lang: str = "en") -> None:
    # utf-8 with a byte order mark: what Excel needs to read it as UTF-8
    with path.open("w", newline="", encoding="utf-8-sig") as file:
        out = csv.writer(file)
        for label, value in _about(report, lang):
            out.writerow([label, value])
        for title, header, rows in headed_sections(report, lang):
            out.writerow([])
            out.writerow([title])
            out.writerow(header)
            for row in rows:
                out.writerow([money_text(v) if isinstance(v, Cents) else "" if v is None else v for v in row])


def write_xlsx(path: Path, report: ReconciliationReport, lang: str = "en") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for (title, header, rows), (_, english, _) in zip(headed_sections(report, lang), sections(report)):
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([money(v) if isinstance(v, Cents) else v for v in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if isinstance(value, Cents):
                    cell.number_format = "0.00"
        for column, header_text in zip("ABCDEFGHI", english):
            sheet.column_dimensions[column].width = 60 if header_text == "What to do" else 18
    about = book.create_sheet(heading("About", lang))
    for label, value in _about(report, lang):
        about.append([label, value])
    save_reproducibly(book, path, report.statement.period.end)


def export_reconciliation(report: ReconciliationReport, file_format: str, path: Path, lang: str = "en") -> None:
    """Writes the report to `path`, its headings in `lang` (en or zh)."""
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {file_format!r}")
    heading("Amount", lang)  # a ValueError for another language, before the file is opened
    writer: Callable[[Path, ReconciliationReport, str], None] = write_csv if file_format == "csv" else write_xlsx
    writer(path, report, lang)


def report_text(report: ReconciliationReport) -> str:
    """The totals per side, the balances and the differences, for a terminal."""
    lines = [f"reconciliation of dealer {report.dealer_id} for {report.month}" + (" (closed)" if report.statement.closed else "")]
    for title, header, rows in sections(report):
        lines += ["", f"{title}:"]
        if not rows:
            lines.append("  none")
            continue
        if title == "Differences":
            for outcome, order_id, kind, billed, recorded, _payment_id, _bill_id, _line, advice in rows:
                amounts = f"billed {_or_dash(billed)}, recorded {_or_dash(recorded)}"
                lines.append(f"  {outcome} {kind} order {order_id} ({amounts}): {advice}")
            continue
        lines += _table(header, rows)
    counts = ", ".join(f"{outcome} {n}" for outcome, n in report.bills.counts().items() if n)
    lines += ["", f"outcomes: {counts or 'no bill rows, payments or refunds this month'}"]
    return "\n".join(lines)


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """Columns padded to their widest cell; money right-aligned."""
    texts = [[money_text(v) if isinstance(v, Cents) else str(v) for v in row] for row in rows]
    widths = [max(len(text) for text in column) for column in zip(header, *texts)]
    right = [any(isinstance(row[i], Cents) for row in rows) for i in range(len(header))]
    return [
        "  " + "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()
        for cells in (list(header), *texts)
    ]


def _or_dash(cents: Cents | None) -> str:
    return "-" if cents is None else money_text(cents)
