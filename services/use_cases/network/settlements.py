"""Use cases: settlements between parties, recorded by HQ operations, and closing a month of
the books.

A settlement is recorded once per reference: the same settlement again is a replay, the
reference with other terms is refused. Closing a month is refused, with every reason at once,
until the month has ended and the dealer ledger has applied every event up to the head: a
month closed on a ledger still behind would leave entries of that month to land after it
closed, as adjustments of the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aggregates.ledger_period import LedgerPeriod
from aggregates.settlement import Settlement
from domain.errors import IdempotencyKeyReused
from domain.settlements import MonthNotClosable, SettlementTerms, checked_month
from projections.dealer_ledger.reader import LedgerReader
from projections.runtime.moments import in_utc
from projections.reconciliation import reads as reconciliation_reads
from projections.reconciliation.reader import ReconciliationReader
from services.use_cases.application import OmoApplication
from services.use_cases.network.bill_matching import bill_matching
from services.use_cases.network.dealers import registered_dealer
from services.use_cases.network.statements import month


class SettlementReferenceReused(IdempotencyKeyReused):
    def __init__(self, reference: str):
        IdempotencyKeyReused.__init__(self, reference)
        self.args = (f"reference {reference!r} was already used for another settlement; a new payment needs a new reference",)


@dataclass(frozen=True)
class Recorded:
    terms: SettlementTerms
    recorded_at: datetime  # UTC
    replayed: bool


def record_settlement(app: OmoApplication, terms: SettlementTerms, by: str = "") -> Recorded:
    """Records what one party paid another; the same settlement again returns the first."""
    for party in (terms.from_party, terms.to_party):
        if party.startswith("DEALER:"):
            registered_dealer(app, party.removeprefix("DEALER:"))

    def decide() -> tuple[Settlement, Recorded]:
        settlement = app.find(Settlement.create_id(terms.reference))
        if settlement is not None:
            if settlement.terms != terms:
                raise SettlementReferenceReused(terms.reference)
            return settlement, Recorded(settlement.terms, in_utc(settlement.created_on), True)
        settlement = Settlement.record(terms, by=by)
        return settlement, Recorded(terms, in_utc(settlement.created_on), False)

    return app.change_one(Settlement.create_id(terms.reference), decide)


def close_month(
    app: OmoApplication, reader: LedgerReader, value: str, by: str = "", bills: ReconciliationReader | None = None,
    tolerance_cents: int = 0,
) -> bool:
    """Closes the month (China Standard Time); False when it was closed already. With `bills`,
    also refused while a dealer's provider bills of the month leave more than `tolerance_cents`
    unmatched (the differences' amounts, each counted once, whatever their sign)."""
    period = month(checked_month("month", value))
    app.catch_up()
    if app.find(LedgerPeriod.create_id(value)) is not None:
        return False
    reasons = []
    if (now := app.clock()) < period.end:
        reasons.append(f"it has not ended (it ends {period.end.isoformat()}, it is now {now.astimezone(period.end.tzinfo).isoformat()})")
    freshness = reader.freshness(reader.position())
    if freshness.lag_events:
        reasons.append(
            f"the dealer ledger is {freshness.lag_events} events behind the event log (at {freshness.position}, the head at "
            f"{freshness.head}): let the projections catch up (omo project) and close it again"
        )
    if bills is not None:
        reasons += _unmatched_bills(bills, period, tolerance_cents)
    if reasons:
        raise MonthNotClosable(value, reasons)

    def decide() -> tuple[LedgerPeriod, bool]:
        if (closed := app.find(LedgerPeriod.create_id(value))) is not None:
            return closed, False
        return LedgerPeriod.close(value, by=by), True

    return app.change_one(LedgerPeriod.create_id(value), decide)


def _unmatched_bills(bills: ReconciliationReader, period, tolerance_cents: int) -> list[str]:
    freshness = bills.freshness(bills.position())
    if freshness.lag_events:
        return [f"the reconciliation projection is {freshness.lag_events} events behind the event log: let it catch up and close it again"]
    with bills.engine.connect() as connection:
        dealers = reconciliation_reads.dealers_billed(connection, period.start_us, period.end_us)
    reasons = []
    for dealer_id in dealers:
        matching = bill_matching(bills, dealer_id, period.label)
        unmatched = sum(abs(item.difference_cents) for item in matching.differences)
        if unmatched > tolerance_cents:
            reasons.append(
                f"dealer {dealer_id}'s provider bills leave {unmatched} cents unmatched in {len(matching.differences)} differences "
                f"(tolerance {tolerance_cents}): see its reconciliation"
            )
    return reasons


def _billed(item) -> int:
    return item.billed.row.amount_cents if item.billed is not None else 0


def _recorded(item) -> int:
    return item.recorded.amount_cents if item.recorded is not None else 0

