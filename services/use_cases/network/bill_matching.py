"""Use case: a dealer's provider bills matched against its orders for one month, read from the
reconciliation projection (see domain/bill_matching.py for how rows pair).

The month is "YYYY-MM" in China Standard Time. Every bill row and every payment and refund of
the dealer's own sales appears once, in the month of the dealer's payment or refund it pairs
with (the month its statement counts it in), or of the bill row when there is none: so a
payment confirmed at 23:59 on the 30th and billed at 00:01 on the 1st is MATCHED in its
sale's month, not missing from two.

Totals per side are over the month's items: the bill's (payments, refunds, fees: every row the
bill lists, duplicates and other dealers' sales included) and the orders' (the dealer's own
payments and refunds). The bill's total less the orders' is exactly the sum of the differences;
the provider's fees are the dealer's cost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from domain.attribution import dealer_party
from domain.bill_matching import MATCHED, OUTCOMES, Item, match_order
from domain.provider_bills import PAYMENT
from domain.stock_query_errors import ProjectionBehind
from domain.values import identifier
from projections.reconciliation import reads
from projections.reconciliation.reader import ReconciliationReader
from projections.runtime.reader import Freshness
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import registered_dealer
from services.use_cases.network.statements import month as month_of

MAX_WAIT_MS = 60_000


class ReconciliationBehind(ProjectionBehind):
    """A read-your-writes wait ran out before the reconciliation projection reached the position."""

    def __init__(self, wanted: int, reached: int, waited_ms: int):
        super().__init__(wanted, reached, waited_ms)
        self.args = (
            f"the reconciliation projection reached position {reached}, not {wanted}, within {waited_ms} ms; "
            "retry, or read without waiting and check the freshness",
        )


@dataclass(frozen=True)
class SideTotals:
    bill_payments_cents: int = 0
    bill_refunds_cents: int = 0
    bill_fees_cents: int = 0  # the provider's fees: the dealer's cost
    order_payments_cents: int = 0
    order_refunds_cents: int = 0

    @property
    def bill_net_cents(self) -> int:
        """What the account keeps: payments less refunds and fees."""
        return self.bill_payments_cents - self.bill_refunds_cents - self.bill_fees_cents

    @property
    def orders_net_cents(self) -> int:
        return self.order_payments_cents - self.order_refunds_cents

    @classmethod
    def of(cls, items: list[Item]) -> SideTotals:
        sums: Counter[str] = Counter()
        for item in items:
            if item.billed is not None:
                sums[f"bill_{item.kind}s_cents"] += item.billed.row.amount_cents
                sums["bill_fees_cents"] += item.billed.row.fee_cents
            if item.recorded is not None:
                sums[f"order_{item.kind}s_cents"] += item.recorded.amount_cents
        return cls(**sums)


@dataclass(frozen=True)
class Reconciliation:
    dealer_id: str
    month: str
    items: tuple[Item, ...]  # in time order (of the moment that places each in the month)
    totals: SideTotals
    freshness: Freshness = field(default=Freshness(0, 0, 0, 0))

    @property
    def differences(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.outcome != MATCHED)

    @property
    def fees_cost_cents(self) -> int:
        return self.totals.bill_fees_cents

    def counts(self) -> dict[str, int]:
        counted = Counter(item.outcome for item in self.items)
        return {outcome: counted[outcome] for outcome in OUTCOMES}


def bill_matching(
    reader, dealer_id: str, month: str, *, app: OmoApplication | None = None, min_position: int = 0, wait_timeout_ms: int = 0,
) -> Reconciliation:
    """`reader`: a ReconciliationReader, or an engine on the event store's database. With
    `app`, an unknown dealer is NotFound; `min_position`: wait (at most `wait_timeout_ms`)
    until the projection has applied that position (read-your-writes)."""
    identifier("dealer_id", dealer_id)
    if app is not None:
        registered_dealer(app, dealer_id)
    period = month_of(month)
    if not isinstance(reader, ReconciliationReader):
        reader = ReconciliationReader.over(reader)
    if min_position:
        waited = max(0, min(wait_timeout_ms, MAX_WAIT_MS))
        if (reached := reader.wait_until(min_position, waited)) < min_position:
            raise ReconciliationBehind(min_position, reached, waited)
    party = dealer_party(dealer_id)
    start, end = period.start_us, period.end_us
    with reader.engine.connect() as connection:
        position = reads.position(connection)
        order_ids = reads.order_ids_of_month(connection, dealer_id, party, start, end)
        facts = reads.order_facts(connection, order_ids)
        billed = reads.billed_rows(connection, dealer_id, order_ids)
    items = [
        item
        for order_id in order_ids
        for item in match_order(party, order_id, facts.get(order_id), billed.get(order_id, []))
        if start <= item.month_us(party) < end
    ]
    items.sort(key=lambda i: (i.month_us(party), i.order_id, i.kind != PAYMENT, i.billed.index if i.billed else -1))
    return Reconciliation(dealer_id, period.label, tuple(items), SideTotals.of(items), reader.freshness(position))

