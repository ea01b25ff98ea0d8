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
from projections.dealer_ledger.tables import entries
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


def _of_party(party: str, start_us: int, end_us: int, upto: int):
    return and_(
        or_(entries.c.debit == party, entries.c.credit == party),
        entries.c.occurred_at_us >= start_us, entries.c.occurred_at_us < end_us,
        entries.c.notification_id <= upto,
    )


def party_entries(
    connection: Connection, party: str, start_us: int, end_us: int, upto: int, after: tuple[int, int, int] | None, limit: int,
) -> list[Entry]:
    """The party's entries in [start, end) applied by position `upto`, in time order (then
    in the order of the log and of each event), after the (occurred_at_us, notification_id,
    entry_index) `after`."""
    query = select(*(entries.c[f] for f in Entry.__dataclass_fields__)).where(_of_party(party, start_us, end_us, upto))
    if after is not None:
        moment, notification_id, index = after
        query = query.where(or_(
            entries.c.occurred_at_us > moment,
            and_(entries.c.occurred_at_us == moment, entries.c.notification_id > notification_id),
            and_(entries.c.occurred_at_us == moment, entries.c.notification_id == notification_id, entries.c.entry_index > index),
        ))
    query = query.order_by(entries.c.occurred_at_us, entries.c.notification_id, entries.c.entry_index).limit(limit)
    return [Entry(**{**row._mapping, "reversal": bool(row.reversal), "amount_cents": int(row.amount_cents)}) for row in connection.execute(query)]


def party_sums(connection: Connection, party: str, start_us: int, end_us: int, upto: int) -> list[Sum]:
    """The party's entries in [start, end) applied by position `upto`, summed by kind,
    reversal and side (summed by the database, in integer cents)."""
    debited = case((entries.c.debit == party, 1), else_=0).label("debited")
    query = (
        select(entries.c.kind, entries.c.reversal, debited, func.sum(entries.c.amount_cents), func.count())
        .where(_of_party(party, start_us, end_us, upto))
        .group_by(entries.c.kind, entries.c.reversal, debited)
    )
    return [Sum(kind, bool(reversal), bool(paying), int(total), int(count)) for kind, reversal, paying, total, count in connection.execute(query)]
