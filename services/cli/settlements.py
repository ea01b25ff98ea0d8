"""`omo settlements`: the money between a dealer's merchant account and the business.
`omo settlements import --dealer D --file BILL.csv` records a payment provider's bill, all or nothing."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from domain.errors import DomainError
from domain.provider_bills import BillRowsRefused, parse_rows, raw_rows_from_table
from services.adapters.config import DATABASE_URL_VARIABLE, database_url

SHOWN_PROBLEMS = 50  # a file bad throughout is summed up after these
ENCODINGS = ("utf-8-sig", "gb18030")  # WeChat Pay's downloads are UTF-8; a bill saved from Excel in China is often GB


def add_parsers(commands: argparse._SubParsersAction) -> None:
    settlements = commands.add_parser(
        "settlements", help="dealers' merchant accounts: import a payment provider's bill",
        description=f"Money between dealers' merchant accounts and the business, in the event store named by {DATABASE_URL_VARIABLE}.",
    )
    actions = settlements.add_subparsers(dest="action", required=True, metavar="ACTION")
    imported = actions.add_parser(
        "import", help="record a payment provider's bill (CSV) for a dealer's merchant account, all or nothing",
        description="Record the rows of a payment provider's bill for the dealer's merchant account. The CSV's header "
        "names transaction_time, payment_id, merchant_order_id, kind (payment or refund), amount and fee (yuan, at most "
        "two decimals), or a WeChat Pay merchant bill's columns (交易时间, 微信支付单号, 商户订单号, 交易类型, 金额, 手续费); other "
        "columns are ignored. Every bad row is reported with its line number, and then nothing of the file is recorded. "
        "Importing the same bill again changes nothing. The reconciliation projection matches the rows to the orders.",
    )
    imported.add_argument("--dealer", required=True, help="the dealer whose merchant account the bill is")
    imported.add_argument("--file", required=True, type=Path, help="the CSV file (UTF-8 or GB18030; - for standard input)")


def settlements(args: argparse.Namespace) -> int:
    return {"import": import_bill}[args.action](args)


def import_bill(args: argparse.Namespace) -> int:
    from services.bootstrap import build_application
    from services.use_cases.network.provider_bills import import_provider_bill

    try:
        header, lines = read_table(args.file)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        print(f"omo settlements import: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    raw_rows, problems = raw_rows_from_table(header, lines)
    if raw_rows:  # every bad row at once: those of the wrong width and those with a bad value
        try:
            parse_rows(raw_rows)
        except BillRowsRefused as refused:
            problems = sorted(problems + refused.problems)
        except DomainError as error:
            print(f"omo settlements import: {args.file}: {error}", file=sys.stderr)
            return 2
    elif not problems:
        print(f"omo settlements import: {args.file} has no rows", file=sys.stderr)
        return 2
    if problems:
        return _refused(args.file, problems)
    app = build_application(database_url())
    try:
        bill = import_provider_bill(app, args.dealer, raw_rows, by="cli")
    except BillRowsRefused as refused:
        return _refused(args.file, refused.problems)
    except DomainError as error:
        print(f"omo settlements import: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()
    if bill.imported:
        print(f"imported bill {bill.bill_id}: {bill.rows} rows for dealer {args.dealer}")
    else:
        print(f"bill {bill.bill_id} ({bill.rows} rows) was imported before: nothing changed")
    return 0


def read_table(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the (line, cells) after it; line 1 is the header."""
    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            if encoding == ENCODINGS[-1]:
                raise
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    return header, [(reader.line_num, cells) for cells in reader]


def _refused(path: Path, problems: list[tuple[int, str]]) -> int:
    for line, problem in problems[:SHOWN_PROBLEMS]:
        print(f"{path}:{line}: {problem}", file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"... and {len(problems) - SHOWN_PROBLEMS} more bad rows", file=sys.stderr)
    print(f"omo settlements import: {len(problems)} bad rows in {path}; nothing was recorded", file=sys.stderr)
    return 2

