"""A payment provider's bill for one dealer's merchant account: its rows (payments and refunds
with their fees), read from the provider's CSV columns or from an RPC, and checked row by row.

A bill is taken whole or not at all: every bad row is reported with its line, so that the
person fixing the file sees all of it at once. Money is parsed as text into integer cents,
never through a float: "12.3" is 1230 cents, "12.345" is refused (the provider writes cents).

Columns: ours (transaction_time, payment_id, merchant_order_id, kind, amount, fee), or a WeChat
Pay merchant bill's (交易时间, 微信支付单号 / 微信订单号, 商户订单号, 交易类型 or 交易状态, 金额, 手续费; a
bill with 订单金额 and 退款金额 instead of 金额 takes a payment's amount from the first and a
refund's from the second). Other columns are ignored: the provider's bill has many more.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from domain.errors import DomainError, InvalidInput
from domain.values import epoch_us, identifier

CHINA = ZoneInfo("Asia/Shanghai")
PAYMENT, REFUND = "payment", "refund"
MAX_BILL_ROWS = 50_000  # one file; a month of a busy dealer's account fits several times over
MAX_RPC_BILL_ROWS = 1000  # one ImportProviderBill call
MAX_AMOUNT_CENTS = 10**12  # ten billion yuan: no retail row comes near; keeps sums in 64 bits
SHOWN_PROBLEMS = 20  # in an error message; the CLI lists more

FIELDS = ("transaction_time", "payment_id", "merchant_order_id", "kind", "amount", "fee")
# header cell -> field; a header may name a field once
HEADER_NAMES = {
    **{name: name for name in FIELDS},
    "交易时间": "transaction_time",
    "微信支付单号": "payment_id", "微信订单号": "payment_id",
    "商户订单号": "merchant_order_id",
    "交易类型": "kind", "交易状态": "kind",
    "金额": "amount",
    "手续费": "fee",
}
# a bill without one amount column: a payment's amount and a refund's are in columns of their own
PAYMENT_AMOUNT, REFUND_AMOUNT = "订单金额", "退款金额"
KINDS = {"payment": PAYMENT, "refund": REFUND, "支付": PAYMENT, "退款": REFUND, "success": PAYMENT}
# WeChat Pay ends a bill with its summary: the rows end there
SUMMARY_STARTS = ("总交易单数", "总交易笔数")
YUAN = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")


@dataclass(frozen=True)
class BillRow:
    line: int  # where it is in its file (the header is line 1), or its place in an RPC's rows
    at_us: int  # the transaction's moment, UTC microseconds since the epoch
    payment_id: str
    merchant_order_id: str
    kind: str  # PAYMENT or REFUND
    amount_cents: int  # > 0
    fee_cents: int  # >= 0

    def content(self) -> tuple:
        """What the row says, without where it was: the same transaction written twice has the same content."""
        return (self.at_us, self.payment_id, self.merchant_order_id, self.kind, self.amount_cents, self.fee_cents)

    def to_record(self) -> dict:
        return {
            "line": self.line, "at_us": self.at_us, "payment_id": self.payment_id, "merchant_order_id": self.merchant_order_id,
            "kind": self.kind, "amount_cents": self.amount_cents, "fee_cents": self.fee_cents,
        }

    @classmethod
    def from_record(cls, record: dict) -> BillRow:
        return cls(**{name: record[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RawRow:
    """One row as the provider wrote it: text in each field (see FIELDS)."""

    line: int
    transaction_time: str
    payment_id: str
    merchant_order_id: str
    kind: str
    amount: str
    fee: str


class BillRowsRefused(InvalidInput):
    """Rows of a bill are bad, each with its line; nothing of the bill was recorded."""

    def __init__(self, problems: Sequence[tuple[int, str]], what: str = "line"):
        self.problems = list(problems)
        shown = "; ".join(f"{what} {line}: {problem}" for line, problem in self.problems[:SHOWN_PROBLEMS])
        more = f"; and {len(self.problems) - SHOWN_PROBLEMS} more" if len(self.problems) > SHOWN_PROBLEMS else ""
        super().__init__("rows", f"{shown}{more} ({len(self.problems)} bad rows; nothing of the bill was recorded)")


def cents(field: str, text: str, *, positive: bool) -> int:
    """Yuan written with at most two decimals ("12.34", "12.3", "12") as integer cents."""
    value = _cell(text)
    if value.startswith("-"):
        raise InvalidInput(field, f"must not be negative, got {value!r}")
    match = YUAN.fullmatch(value)
    if match is None:
        if re.fullmatch(r"\d+\.\d{3,}", value):
            raise InvalidInput(field, f"has more than two decimals: {value!r}; the bill is in yuan with at most two")
        raise InvalidInput(field, f"must be yuan such as 12.34, got {value!r}")
    whole, fraction = match.groups()
    amount = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    if positive and amount == 0:
        raise InvalidInput(field, "must be more than 0")
    if amount > MAX_AMOUNT_CENTS:
        raise InvalidInput(field, f"is {value}; at most {MAX_AMOUNT_CENTS // 100} allowed")
    return amount


def moment_us(field: str, text: str) -> int:
    """RFC 3339, or "YYYY-MM-DD HH:MM:SS" in China Standard Time as the provider writes it."""
    value = _cell(text)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", value):
            raise ValueError
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(field, f"must be a moment such as 2026-11-03 14:05:09 (China Standard Time) or RFC 3339, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return epoch_us(moment.astimezone(timezone.utc))


def kind_of(text: str) -> str:
    value = _cell(text)
    kind = KINDS.get(value.lower())
    if kind is None:
        raise InvalidInput("kind", f"must be payment or refund (支付 / 退款, SUCCESS / REFUND), got {value!r}")
    return kind


def parse_row(raw: RawRow) -> BillRow:
    """The row checked; InvalidInput names the first field that is wrong."""
    kind = kind_of(raw.kind)
    return BillRow(
        line=raw.line,
        at_us=moment_us("transaction_time", raw.transaction_time),
        payment_id=identifier("payment_id", _cell(raw.payment_id)),
        merchant_order_id=identifier("merchant_order_id", _cell(raw.merchant_order_id)),
        kind=kind,
        amount_cents=cents("amount", raw.amount, positive=True),
        fee_cents=cents("fee", raw.fee or "0", positive=False),
    )


def parse_rows(raw_rows: Sequence[RawRow], what: str = "line") -> list[BillRow]:
    """Every row checked, in their order; BillRowsRefused lists every bad one."""
    if not raw_rows:
        raise InvalidInput("rows", "a bill has at least one row")
    if len(raw_rows) > MAX_BILL_ROWS:
        raise InvalidInput("rows", f"has {len(raw_rows)} rows; at most {MAX_BILL_ROWS} in one bill: split the file by day")
    rows, problems = [], []
    for raw in raw_rows:
        try:
            rows.append(parse_row(raw))
        except DomainError as error:
            problems.append((raw.line, str(error)))
    if problems:
        raise BillRowsRefused(problems, what)
    return rows


def raw_rows_from_table(header: Sequence[str], lines: Iterable[tuple[int, Sequence[str]]]) -> tuple[list[RawRow], list[tuple[int, str]]]:
    """A CSV's rows (header on line 1, then (line, cells)) as RawRows, and what is wrong with
    the lines that cannot be read as rows (a missing column in the header: line 1 alone)."""
    columns, problems = _columns(header)
    if problems:
        return [], problems
    width = len(header)
    rows = []
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if _cell(cells[0]).startswith(SUMMARY_STARTS):
            break
        if len(cells) != width:
            problems.append((line, f"has {len(cells)} cells; the header has {width}"))
            continue
        values = {field: cells[index] for field, index in columns.items()}
        if "amount" not in values:
            refund = KINDS.get(_cell(values["kind"]).lower()) == REFUND
            values["amount"] = cells[columns[REFUND_AMOUNT if refund else PAYMENT_AMOUNT]]
        values.setdefault("fee", "0")
        rows.append(RawRow(line, **{field: values[field] for field in FIELDS}))
    return rows, problems


def _columns(header: Sequence[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    columns: dict[str, int] = {}
    names = [_cell(cell) for cell in header]
    for index, name in enumerate(names):
        if name == "交易类型" and "交易状态" in names:
            continue  # a full WeChat Pay bill: 交易类型 is the payment method (JSAPI), 交易状态 the kind
        field = name if name in (PAYMENT_AMOUNT, REFUND_AMOUNT) else HEADER_NAMES.get(name.lower())
        if field is None:
            continue  # a column the matching does not use
        if field in columns:
            return {}, [(1, f"the header names {field} twice (columns {columns[field] + 1} and {index + 1})")]
        columns[field] = index
    if "amount" not in columns and not {PAYMENT_AMOUNT, REFUND_AMOUNT} <= set(columns):
        return {}, [(1, f"the header has no amount column (amount or 金额, or both {PAYMENT_AMOUNT} and {REFUND_AMOUNT})")]
    missing = [field for field in FIELDS if field not in columns and field not in ("amount", "fee")]
    if missing:
        return {}, [(1, f"the header has no column for {', '.join(missing)}; it must name {', '.join(FIELDS)} (fee optional)")]
    return columns, []


def _cell(text: str) -> str:
    """WeChat Pay writes every cell with a leading backquote so that spreadsheets keep it text."""
    return text.strip().removeprefix("`").strip()


def bill_digest(dealer_id: str, rows: Sequence[BillRow]) -> str:
    """What makes a bill the same bill: its dealer and its rows' content in order (not their
    lines: a blank line or the other header language is the same bill)."""
    digest = hashlib.sha256(dealer_id.encode())
    for row in rows:
        digest.update(repr(row.content()).encode())
    return digest.hexdigest()


def yuan(amount_cents: int) -> str:
    """Cents as the bill writes them: "12.34", "-0.05"."""
    sign = "-" if amount_cents < 0 else ""
    whole, fraction = divmod(abs(amount_cents), 100)
    return f"{sign}{whole}.{fraction:02d}"
