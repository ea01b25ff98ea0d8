"""Reading the dealer ledger for statements: one party's entries in a time range, in pages,
and their sums by kind and direction. Callers read inside one transaction of the read
engine, so the rows, the sums and the position they report come from one snapshot; every
read is bounded by a position (`upto`), so the pages of one statement, read in different
transactions, all see the same entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, or_, select

from projections.dealer_ledger.projection import NAME
from domain.settlements import SETTLEMENT
from projections.dealer_ledger.tables import closed_months, entries
from projections.runtime.database import tracking


@dataclass(frozen=True)
class Entry:
    entry_id: str
    notification_id: int
    entry_index: int
    occurred_at_us: int
    occurred_at: datetime
    order_id: str
    line: str
    store_id: str
    kind: str
    reversal: bool
    return_id: str | None
    debit: str
    credit: str
    amount_cents: int
    brand_id: str
    policy_version: int
    statement_month: str
    adjusts_month: str | None
    reference: str | None


@dataclass(frozen=True)
class Sum:
    """The party's entries of one kind, reversal or not, on one side."""

    kind: str
    reversal: bool
    debited: bool  # the party pays (is the debit party)
    amount_cents: int
    entries: int


def position(connection: Connection, projection: str = NAME) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()


@dataclass(frozen=True)
class Span:
    """Which entries a statement shows: a month's (by statement month, so a closed month's
    never change), or those whose moment is in [start_us, end_us)."""

    month: str = ""
    start_us: int = 0
    end_us: int = 0


def _of_party(party: str, span: Span, upto: int):
    within = (
        entries.c.statement_month == span.month if span.month
        else and_(entries.c.occurred_at_us >= span.start_us, entries.c.occurred_at_us < span.end_us)
    )
    return and_(
        or_(entries.c.debit == party, entries.c.credit == party), within, entries.c.notification_id <= upto,
        entries.c.kind != SETTLEMENT,  # settlements are the balances' business, not the month's trade
    )


def party_entries(
    connection: Connection, party: str, span: Span, upto: int, after: tuple[int, int, int] | None, limit: int,
) -> list[Entry]:
    """The party's entries in the span applied by position `upto`, in time order (then
    in the order of the log and of each event), after the (occurred_at_us, notification_id,
    entry_index) `after`."""
    query = select(*(entries.c[f] for f in Entry.__dataclass_fields__)).where(_of_party(party, span, upto))
    if after is not None:
        moment, notification_id, index = after
        query = query.where(or_(
            entries.c.occurred_at_us > moment,
            and_(entries.c.occurred_at_us == moment, entries.c.notification_id > notification_id),
            and_(entries.c.occurred_at_us == moment, entries.c.notification_id == notification_id, entries.c.entry_index > index),
        ))
    query = query.order_by(entries.c.occurred_at_us, entries.c.notification_id, entries.c.entry_index).limit(limit)
    return [Entry(**{**row._mapping, "reversal": bool(row.reversal), "amount_cents": int(row.amount_cents)}) for row in connection.execute(query)]


def party_sums(connection: Connection, party: str, span: Span, upto: int) -> list[Sum]:
    """The party's entries in the span applied by position `upto`, summed by kind,
    reversal and side (summed by the database, in integer cents)."""
    debited = case((entries.c.debit == party, 1), else_=0).label("debited")
    query = (
        select(entries.c.kind, entries.c.reversal, debited, func.sum(entries.c.amount_cents), func.count())
        .where(_of_party(party, span, upto))
        .group_by(entries.c.kind, entries.c.reversal, debited)
    )
    return [Sum(kind, bool(reversal), bool(paying), int(total), int(count)) for kind, reversal, paying, total, count in connection.execute(query)]


@dataclass(frozen=True)
class CounterpartySum:
    """The party's entries with one counterparty, signed from the party's side (received
    positive, paid negative): before the month, and in it, trade and settlements apart."""

    counterparty: str
    before_trade: int
    before_settled: int
    month_trade: int
    month_settled: int


def counterparty_sums(connection: Connection, party: str, month: str, upto: int) -> list[CounterpartySum]:
    """By counterparty, the party's entries of statement months up to `month` applied by `upto`."""
    counterparty = case((entries.c.debit == party, entries.c.credit), else_=entries.c.debit).label("counterparty")
    signed = case((entries.c.debit == party, -entries.c.amount_cents), else_=entries.c.amount_cents)
    settled = entries.c.kind == SETTLEMENT
    now = entries.c.statement_month == month

    def total(*conditions):
        return func.coalesce(func.sum(case((and_(*conditions), signed), else_=0)), 0)

    query = (
        select(
            counterparty, total(~now, ~settled), total(~now, settled), total(now, ~settled), total(now, settled),
        )
        .where(or_(entries.c.debit == party, entries.c.credit == party), entries.c.statement_month <= month, entries.c.notification_id <= upto)
        .group_by(counterparty)
        .order_by(counterparty)
    )
    return [CounterpartySum(row[0], *(int(v) for v in row[1:])) for row in connection.execute(query)]


def closed_month_list(connection: Connection) -> list[str]:
    return list(connection.execute(select(closed_months.c.month).order_by(closed_months.c.month)).scalars())


def party_settlements(connection: Connection, party: str, month: str, upto: int) -> list[Entry]:
    """The settlements the party paid or received shown in the month's statement, in time order."""
    query = (
        select(*(entries.c[f] for f in Entry.__dataclass_fields__))
        .where(or_(entries.c.debit == party, entries.c.credit == party), entries.c.kind == SETTLEMENT,
               entries.c.statement_month == month, entries.c.notification_id <= upto)
        .order_by(entries.c.occurred_at_us, entries.c.notification_id)
    )
    return [Entry(**{**row._mapping, "reversal": bool(row.reversal), "amount_cents": int(row.amount_cents)}) for row in connection.execute(query)]
