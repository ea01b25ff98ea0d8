"""Use case: a dealer's statement for a period, read from the dealer ledger projection.

The period is a calendar month "YYYY-MM" in Shanghai time, or any [start, end) range of
aware datetimes; an entry belongs to it by the moment of the event that recorded it. The
lines are the entries where the dealer's party ("DEALER:<id>"; "HQ" for headquarters) is
debit or credit, each with its amount signed from the dealer's side: money received
positive, money paid negative. Pages come in time order behind an opaque token, and every
page of one statement reads the ledger as it stood at the first page, so pages never skip
or repeat a line, and the totals (over the whole period, on every page) are the same.

Totals, signed the same way, each the net of its entries and their reversals:
gross_sales (sales credited), returns (sales reversed), fulfilment_fees_paid (to the
fulfiller of the dealer's sales), fulfilment_fees_earned (for fulfilling others' sales),
hq_share, assistant_commissions, and net_payable, the sum of all the dealer's entries,
which is also the sum of the other totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo


from domain.attribution import COMMISSION, CUSTOMER, FULFILMENT_FEE, HQ, HQ_SHARE, SALE, dealer_party
from domain.settlements import MONTH
from domain.errors import InvalidInput
from domain.values import epoch_us, identifier
from projections.dealer_ledger import reads as ledger_reads
from projections.dealer_ledger.reader import LedgerReader
from projections.runtime.moments import in_utc
from projections.runtime.reader import Freshness
from services.use_cases import page_tokens
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import get_dealer

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
TOTALS = ("gross_sales", "returns", "fulfilment_fees_paid", "fulfilment_fees_earned", "hq_share", "assistant_commissions")


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive, aware
    end: datetime  # exclusive, aware
    label: str  # "2026-11", or the range

    @property
    def start_us(self) -> int:
        return epoch_us(self.start)

    @property
    def end_us(self) -> int:
        return epoch_us(self.end)

    @property
    def span(self) -> ledger_reads.Span:
        """A month's statement shows the entries of its statement month (a closed month's
        never change); a range's, those whose moment is in it."""
        if MONTH.fullmatch(self.label):
            return ledger_reads.Span(month=self.label)
        return ledger_reads.Span(start_us=self.start_us, end_us=self.end_us)


def month(value: str) -> Period:
    """A calendar month "YYYY-MM" in Shanghai time."""
    try:
        year, number = (int(part) for part in value.split("-"))
        if len(value) != 7 or not 1 <= number <= 12 or year < 1970:
            raise ValueError
        start = datetime(year, number, 1, tzinfo=SHANGHAI)
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=SHANGHAI)  # ValueError for 9999-12
    except ValueError:
        raise InvalidInput("period", f"must be a month 'YYYY-MM' such as '2026-11', got {value!r}") from None
    return Period(start, end, value)


def period_of(value: str | Period | tuple[datetime, datetime]) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return month(value)
    start, end = value
    if start.tzinfo is None or end.tzinfo is None or not start < end:
        raise InvalidInput("period", "must be a month or a range [start, end) of aware datetimes with start before end")
    return Period(start, end, f"{start.isoformat()}/{end.isoformat()}")


def party_of(dealer_id: str) -> str:
    """The ledger party a statement is for: "HQ", or the dealer's."""
    return HQ if dealer_id == HQ else dealer_party(identifier("dealer_id", dealer_id))


# --- lines and totals --------------------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    entry_id: str
    occurred_at: datetime  # UTC
    order_id: str
    sku: str
    store_id: str  # the store whose shipment the entry is
    kind: str  # SALE, HQ_SHARE, FULFILMENT_FEE, COMMISSION
    reversal: bool
    return_id: str  # "" unless a reversal
    counterparty: str
    amount_cents: int  # signed: received positive, paid negative
    total: str  # which of TOTALS it counts in
    brand_id: str
    policy_version: int
    adjusts_month: str = ""  # recorded after that month closed: shown in this one instead


def total_of(kind: str, reversal: bool, debited: bool) -> str:
    """Which total an entry of the party counts in."""
    if kind == SALE:
        return "returns" if reversal else "gross_sales"
    if kind == FULFILMENT_FEE:
        # the payer is the debit party, of a reversal the credit party
        return "fulfilment_fees_paid" if debited != reversal else "fulfilment_fees_earned"
    if kind == HQ_SHARE:
        return "hq_share"
    if kind == COMMISSION:
        return "assistant_commissions"
    raise ValueError(f"unknown entry kind {kind!r}")


@dataclass(frozen=True)
class Totals:
    gross_sales: int = 0
    returns: int = 0
    fulfilment_fees_paid: int = 0
    fulfilment_fees_earned: int = 0
    hq_share: int = 0
    assistant_commissions: int = 0
    net_payable: int = 0
    lines: int = 0  # entries in the period

    @classmethod
    def of(cls, sums: list[ledger_reads.Sum]) -> Totals:
        totals = dict.fromkeys(TOTALS, 0)
        for s in sums:
            totals[total_of(s.kind, s.reversal, s.debited)] += -s.amount_cents if s.debited else s.amount_cents
        return cls(**totals, net_payable=sum(totals.values()), lines=sum(s.entries for s in sums))


@dataclass(frozen=True)
class Statement:
    dealer_id: str
    party: str
    period: Period
    lines: list[StatementLine]
    next_page_token: str  # "" on the last page
    totals: Totals
    as_of_position: int  # the ledger position every page of this statement reads at
    freshness: Freshness = field(default=Freshness(0, 0, 0, 0))
    # a month's statement only: per counterparty, and the settlements shown in it
    balances: list[Balance] = field(default_factory=list)
    settlements: list[SettlementLine] = field(default_factory=list)
    closed: bool = False  # the month is closed: this statement never changes


@dataclass(frozen=True)
class Balance:
    """What the party and one counterparty owe each other, signed from the party's side:
    positive, the counterparty owes the party; negative, the party owes the counterparty.
    closing = opening + activity (the month's trade) - settled (paid negative, received
    positive: paying off a debt raises the balance towards zero)."""

    counterparty: str
    opening_cents: int
    activity_cents: int
    settled_cents: int
    closing_cents: int


@dataclass(frozen=True)
class SettlementLine:
    reference: str
    occurred_at: datetime  # UTC: when it was recorded
    counterparty: str
    amount_cents: int  # signed from the party's side: paid negative, received positive
    adjusts_month: str = ""


def balances_of(party: str, sums: list[ledger_reads.CounterpartySum]) -> list[Balance]:
    """Per counterparty but the customers (who pay at the checkout, through the provider)."""
    found = []
    for s in sums:
        if s.counterparty == CUSTOMER:
            continue
        opening = s.before_trade - s.before_settled
        found.append(Balance(s.counterparty, opening, s.month_trade, s.month_settled, opening + s.month_trade - s.month_settled))
    return found


def _settlement_line(party: str, e: ledger_reads.Entry) -> SettlementLine:
    paid = e.debit == party
    return SettlementLine(
        e.reference or "", in_utc(e.occurred_at), e.credit if paid else e.debit, -e.amount_cents if paid else e.amount_cents,
        e.adjusts_month or "",
    )



def _line(party: str, e: ledger_reads.Entry) -> StatementLine:
    debited = e.debit == party
    return StatementLine(
        e.entry_id, in_utc(e.occurred_at),
        e.order_id, e.line, e.store_id, e.kind, e.reversal, e.return_id or "", e.credit if debited else e.debit,
        -e.amount_cents if debited else e.amount_cents, total_of(e.kind, e.reversal, debited), e.brand_id, e.policy_version,
        e.adjusts_month or "",
    )


# --- page tokens -----------------------------------------------------------------------------

def _token(party: str, period: Period, upto: int, after: tuple[int, int, int]) -> str:
    return page_tokens.encode([1, party, period.start_us, period.end_us, upto, *after])


def _untoken(token: str, party: str, period: Period) -> tuple[int, tuple[int, int, int]]:
    """(position the statement reads at, last line seen) from a token of this statement."""
    try:
        version, p, start, end, upto, *after = page_tokens.decode(token)
        # the token is only encoded, not signed: a made-up one may hold numbers no database
        # column (64-bit) can be compared with
        if version != 1 or len(after) != 3 or not all(isinstance(v, int) and -(2**63) <= v < 2**63 for v in (upto, *after)):
            raise ValueError
    except page_tokens.MALFORMED:
        raise InvalidInput("page_token", "is not a token this service gave; start again without one") from None
    if (p, start, end) != (party, period.start_us, period.end_us):
        raise InvalidInput("page_token", "belongs to another statement (dealer or period); start again without one")
    return upto, tuple(after)


def check_page_token(token: str, dealer_id: str, month_text: str) -> None:
    """Refuses (InvalidInput) a page token that is not one of this dealer's month's statement,
    before anything is read."""
    _untoken(token, party_of(dealer_id), month(month_text))


# --- reading ---------------------------------------------------------------------------------

def get_statement(
    reader: LedgerReader,  # or an engine on the ledger's database
    dealer_id: str,
    period: str | Period | tuple[datetime, datetime],
    page_size: int = DEFAULT_PAGE_SIZE,
    page_token: str = "",
    *,
    min_position: int = 0,
    wait_timeout_ms: int = 5000,
) -> Statement:
    """One page of `dealer_id`'s statement (dealer id, or "HQ") for `period` ("YYYY-MM" in
    Shanghai time, or [start, end)), with the totals of the whole period. `page_size` 0 is
    the default (100), at most 1000. `min_position`: first wait up to `wait_timeout_ms` for
    the ledger to apply that position (a write's notification id).
    Who may read which statement is decided before this, by the gate's authorization."""
    if not isinstance(reader, LedgerReader):
        reader = LedgerReader.over(reader)
    party = party_of(dealer_id)
    chosen = period_of(period)
    if not 0 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput("page_size", f"must be between 0 and {MAX_PAGE_SIZE}, got {page_size}")
    size = page_size or DEFAULT_PAGE_SIZE
    upto, after = _untoken(page_token, party, chosen) if page_token else (None, None)
    reader.wait_for(min_position, wait_timeout_ms)
    with reader.engine.connect() as connection:
        position = ledger_reads.position(connection)
        upto = position if upto is None else upto
        span = chosen.span
        rows = ledger_reads.party_entries(connection, party, span, upto, after, size + 1)
        totals = Totals.of(ledger_reads.party_sums(connection, party, span, upto))
        balances, settlements, closed = [], [], False
        if span.month:
            balances = balances_of(party, ledger_reads.counterparty_sums(connection, party, span.month, upto))
            settlements = [_settlement_line(party, e) for e in ledger_reads.party_settlements(connection, party, span.month, upto)]
            closed = span.month in ledger_reads.closed_month_list(connection)
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows else None
    token = _token(party, chosen, upto, (last.occurred_at_us, last.notification_id, last.entry_index)) if more else ""
    return Statement(
        dealer_id, party, chosen, [_line(party, e) for e in rows], token, totals, upto, reader.freshness(position),
        balances, settlements, closed,
    )


def dealer_statement(
    app: OmoApplication, reader: LedgerReader, dealer_id: str, month: str, page_size: int = DEFAULT_PAGE_SIZE,
    page_token: str = "", *, min_position: int = 0, wait_timeout_ms: int = 5000,
) -> Statement:
    """`get_statement` for a month, asked by a caller: an unknown dealer is NOT_FOUND rather
    than an empty statement."""
    if dealer_id != HQ:
        get_dealer(app, dealer_id)
    if not month:
        raise InvalidInput("month", "is required: a calendar month 'YYYY-MM' (China Standard Time)")
    return get_statement(
        reader, dealer_id, month, page_size, page_token, min_position=min_position, wait_timeout_ms=wait_timeout_ms,
    )


def whole_statement(reader: LedgerReader, dealer_id: str, period, page_size: int = MAX_PAGE_SIZE):
    """Every page of the statement, in order: (first page's statement, iterator of lines)."""
    first = get_statement(reader, dealer_id, period, page_size, "")

    def lines():
        page = first
        yield from page.lines
        while page.next_page_token:
            page = get_statement(reader, dealer_id, period, page_size, page.next_page_token)
            yield from page.lines

    return first, lines()
