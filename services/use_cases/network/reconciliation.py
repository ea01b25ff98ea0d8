"""Use case: a dealer's month reconciled, three sides side by side to the cent.

- the provider's bills and the orders, matched row by row by the reconciliation projection
  (bill_matching: each side's totals, every difference with what to do about it);
- the ledger's statement for the month (its totals, the balances per counterparty with the
  month's settlements, whether the month is closed).

The two sides come from two projections of the same event log, each read as it stands (their
freshness says how current each is); `min_position` waits for both to reach a write.
Who may ask for which dealer is decided before this, by the gate's authorization.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.bill_matching import Item
from domain.errors import InvalidInput
from domain.provider_bills import PAYMENT
from domain.values import identifier
from projections.dealer_ledger.reader import LedgerReader
from projections.reconciliation.reader import ReconciliationReader
from services.use_cases.application import OmoApplication
from services.use_cases.network.bill_matching import Reconciliation, bill_matching
from services.use_cases.network.dealers import registered_dealer
from services.use_cases.network.statements import Statement, get_statement, month as month_of

DEFAULT_WAIT_MS = 5000


@dataclass(frozen=True)
class ReconciliationReport:
    dealer_id: str
    month: str
    bills: Reconciliation  # the bill's and the orders' sides, and the differences between them
    statement: Statement  # the ledger's side: totals, balances, settlements, closed (its lines: not read)


def get_reconciliation(
    app: OmoApplication, bills: ReconciliationReader, ledger: LedgerReader, dealer_id: str, month: str,
    *, min_position: int = 0, wait_timeout_ms: int = DEFAULT_WAIT_MS,
) -> ReconciliationReport:
    """An unknown dealer is NotFound (checked before the month, like GetStatement); a month
    other than "YYYY-MM" is InvalidInput naming `month`."""
    identifier("dealer_id", dealer_id)
    registered_dealer(app, dealer_id)
    if not month:
        raise InvalidInput("month", "is required: a calendar month 'YYYY-MM' (China Standard Time)")
    try:
        month_of(month)
    except InvalidInput:
        raise InvalidInput("month", f"must be a month 'YYYY-MM' such as '2026-11', got {month!r}") from None
    matched = bill_matching(bills, dealer_id, month, min_position=min_position, wait_timeout_ms=wait_timeout_ms)
    # the totals, balances and settlements are on every page: one line is the least to read
    statement = get_statement(ledger, dealer_id, month, 1, min_position=min_position, wait_timeout_ms=wait_timeout_ms)
    return ReconciliationReport(dealer_id, month, matched, statement)


def payment_id_of(item: Item) -> str:
    """The provider's payment id of a difference: the bill row's, else the order's payment's
    (a refund no bill row records has none of the provider's)."""
    if item.billed is not None:
        return item.billed.row.payment_id
    return item.recorded.reference if item.recorded is not None and item.kind == PAYMENT else ""
