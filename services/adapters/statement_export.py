"""A dealer's statement as a file a dealer opens in Excel: CSV or XLSX.

One row per statement line, in time order: when (Shanghai time), order, SKU, store, kind,
reversal, return, counterparty, the signed amount, and the amount again in the column of
the total it counts in (gross sales, returns, fulfilment fees paid, fulfilment fees earned,
HQ share, assistant commissions). The last row, TOTAL, holds get_statement's totals: net
payable under the amount, each total under its column; each equals the sum of its column.

Headings and labels are English by default (`lang="en"`, as they always were) or Chinese
(`lang="zh"`), from the one table ZH; the cells' values (ids, kinds, parties) are the same in both.

Money is never a float in our code: CSV cells are "-12.34" strings made by integer
arithmetic on cents; XLSX cells are Decimal(cents) / 100, written as numbers with the
number format 0.00.

Before reading, `ledger_caught_up` brings the ledger to the event store's head: in this
process when no runner holds the ledger's lease, otherwise by waiting for the runner that
does.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from projections.definitions import DEALER_LEDGER
from projections.dealer_ledger.reader import LedgerReader
from services.adapters.projection_catch_up import caught_up
from services.adapters.workbooks import save_reproducibly
from services.use_cases.network.statements import SHANGHAI, TOTALS, Statement, StatementLine, Totals, whole_statement

FORMATS = ("csv", "xlsx")
HEADERS = (
    "Time (Shanghai)", "Order", "SKU", "Store", "Kind", "Reversal", "Return", "Counterparty", "Amount",
    "Gross sales", "Returns", "Fulfilment fees paid", "Fulfilment fees earned", "HQ share", "Assistant commissions",
)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
LANGUAGES = ("en", "zh")
# every heading and label a statement shows, on screen or in its files: English -> Chinese
ZH = {
    "Time (Shanghai)": "时间 (上海)", "Order": "订单号", "SKU": "SKU", "Store": "门店", "Kind": "类型", "Reversal": "冲销",
    "Return": "退货单号", "Counterparty": "对方", "Amount": "金额 (元)", "Gross sales": "销售额", "Returns": "退货",
    "Fulfilment fees paid": "已付履约费", "Fulfilment fees earned": "已收履约费", "HQ share": "总部分成",
    "Assistant commissions": "导购佣金", "TOTAL": "合计", "{} lines": "{} 行", "yes": "是",
    # the XLSX's sheets and its About sheet
    "Statement": "对账单", "About": "说明", "Dealer": "经销商", "Ledger party": "账户主体", "Period": "期间",
    "From (Shanghai)": "起 (上海)", "To, excluded (Shanghai)": "止, 不含 (上海)", "Ledger position": "账簿位置",
    "Lines": "行数", "Amounts": "金额",
    "signed from the dealer's side: received positive, paid negative": "以经销商为准: 收入为正, 支出为负",
    # on screen only
    "Net payable": "应付净额", "Opening": "期初余额", "Trade": "本月交易", "Settled": "已结算", "Closing": "期末余额",
    "Reference": "结算参考号", "Recorded (Shanghai)": "记录时间 (上海)",
}


def heading(text: str, lang: str = "en") -> str:
    """`text` (English, one of ZH's) in `lang`."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return text if lang == "en" else ZH[text]


def ledger_caught_up(application: Any, url: str, timeout_seconds: float = 60.0, progress: Callable[[int, int], None] | None = None) -> int:
    """Brings the ledger to the event store's head as it is now; returns the position.
    `progress(moved, to_go)` is told of every batch applied here."""
    return caught_up(application, url, DEALER_LEDGER, timeout_seconds, progress)


def money_text(cents: int) -> str:
    """-1234 -> "-12.34", by integer arithmetic."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def money(cents: int) -> Decimal:
    return Decimal(cents) / 100  # exact: a Decimal division by 100 never rounds


def _cells(line: StatementLine, lang: str = "en") -> tuple[list[Any], list[int | None]]:
    """(the text cells, the money cells in cents) of one line."""
    local = line.occurred_at.astimezone(SHANGHAI).replace(tzinfo=None, microsecond=0)
    reversal = heading("yes", lang) if line.reversal else ""
    text = [local, line.order_id, line.sku, line.store_id, line.kind, reversal, line.return_id, line.counterparty]
    return text, [line.amount_cents, *(line.amount_cents if line.total == name else None for name in TOTALS)]


def _total_cells(totals: Totals, lang: str = "en") -> tuple[list[Any], list[int]]:
    label, count = heading("TOTAL", lang), heading("{} lines", lang).format(totals.lines)
    return [label, "", "", "", "", "", "", count], [totals.net_payable, *(getattr(totals, name) for name in TOTALS)]


def write_csv(
    path: Path, statement: Statement, lines: Iterable[StatementLine], written: Callable[[], None] = lambda: None, lang: str = "en",
) -> None:
    # utf-8 with a byte order mark: what Excel needs to read it as UTF-8
    with path.open("w", newline="", encoding="utf-8-sig") as file:
        out = csv.writer(file)
        out.writerow([heading(h, lang) for h in HEADERS])
        for line in lines:
            text, amounts = _cells(line, lang)
            out.writerow([text[0].strftime(TIME_FORMAT), *text[1:], *("" if c is None else money_text(c) for c in amounts)])
            written()
        text, amounts = _total_cells(statement.totals, lang)
        out.writerow([*text, *(money_text(c) for c in amounts)])


def write_xlsx(
    path: Path, statement: Statement, lines: Iterable[StatementLine], written: Callable[[], None] = lambda: None, lang: str = "en",
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(heading("Statement", lang))
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLMNO", (20, 38, 16, 10, 16, 9, 14, 22, 12, 12, 12, 12, 12, 12, 12)):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)

    def row(text: list[Any], amounts: list[int | None], font: Font | None = None) -> list[WriteOnlyCell]:
        cells = []
        for value in text:
            cell = WriteOnlyCell(sheet, value=value)
            if hasattr(value, "year"):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            cells.append(cell)
        for cents in amounts:
            cell = WriteOnlyCell(sheet, value=None if cents is None else money(cents))
            cell.number_format = "0.00"
            cells.append(cell)
        if font is not None:
            for cell in cells:
                cell.font = font
        return cells

    sheet.append(row([heading(h, lang) for h in HEADERS], [], bold))
    for line in lines:
        sheet.append(row(*_cells(line, lang)))
        written()
    sheet.append(row(*_total_cells(statement.totals, lang), bold))

    about = book.create_sheet(heading("About", lang))
    period = statement.period
    for label, value in (
        ("Dealer", statement.dealer_id), ("Ledger party", statement.party), ("Period", period.label),
        ("From (Shanghai)", period.start.astimezone(SHANGHAI).strftime(TIME_FORMAT)),
        ("To, excluded (Shanghai)", period.end.astimezone(SHANGHAI).strftime(TIME_FORMAT)),
        ("Ledger position", statement.as_of_position), ("Lines", statement.totals.lines),
        ("Amounts", heading("signed from the dealer's side: received positive, paid negative", lang)),
    ):
        about.append([heading(label, lang), value])
    save_reproducibly(book, path, statement.period.end)


@dataclass(frozen=True)
class Export:
    path: Path
    statement: Statement  # the first page, with the totals


def export_statement(
    reader: LedgerReader, dealer_id: str, period: Any, file_format: str, path: Path,
    written: Callable[[], None] = lambda: None, lang: str = "en",
) -> Export:
    """Writes the whole statement (every page, all read at one ledger position) to `path`,
    its headings in `lang` (en or zh). `written()` is called after each line."""
    if file_format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {file_format!r}")
    heading("Amount", lang)  # a ValueError for another language, before anything is read
    statement, lines = whole_statement(reader, dealer_id, period)
    (write_csv if file_format == "csv" else write_xlsx)(path, statement, lines, written, lang)
    return Export(path, statement)


def totals_table(statements: list[Statement]) -> str:
    """The statements' totals as a text table, one row per dealer (for the demo and `omo
    statements show`)."""
    columns = ("party", "lines", *TOTALS, "net_payable")
    rows = [[s.party, str(s.totals.lines), *(money_text(getattr(s.totals, c)) for c in (*TOTALS, "net_payable"))] for s in statements]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(columns, widths)))]
    lines += ["  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join(lines)
