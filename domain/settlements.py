"""Settlements between parties, and the months the books close.

A settlement is money one party actually paid another (a bank transfer) against what the
ledger says one owes the other: a dealer and HQ, two dealers, a dealer and a shop assistant.
It is recorded as a ledger entry of its own kind, SETTLEMENT, with the payer as the debit party
(money moves from debit to credit), in the month it settles. A party's balance with a
counterparty is what the trade entries between them say one owes the other, less what has
been settled: positive, the counterparty owes the party; negative, the party owes it.

A closed month's statements never change: an entry that would fall in a closed month lands in
the first open month after it, as an adjustment naming the month it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.attribution import HQ
from domain.errors import InvalidInput, RuleViolation
from domain.values import MAX_UNIT_PRICE_CENTS, Money, identifier

SETTLEMENT = "SETTLEMENT"
CHINA = ZoneInfo("Asia/Shanghai")  # the books' months are China Standard Time's
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# one payment between two parties: far above any month's balance, far below 2**63 cents
MAX_SETTLEMENT_CENTS = MAX_UNIT_PRICE_CENTS * 1_000_000
PARTY_KINDS = ("DEALER:", "ASSISTANT:")


def checked_month(field: str, value: str) -> str:
    """A calendar month "YYYY-MM" (China Standard Time)."""
    if not MONTH.fullmatch(value or "") or int(value[:4]) < 1970:
        raise InvalidInput(field, f"must be a month 'YYYY-MM' such as '2026-11', got {value!r}")
    return value


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def checked_party(field: str, party: str) -> str:
    """"HQ", "DEALER:<dealer id>" or "ASSISTANT:<assistant id>"."""
    if party == HQ:
        return party
    for kind in PARTY_KINDS:
        if party.startswith(kind):
            identifier(field, party.removeprefix(kind))
            return party
    raise InvalidInput(field, f"must be 'HQ', 'DEALER:<dealer id>' or 'ASSISTANT:<assistant id>', got {party!r}")


@dataclass(frozen=True)
class SettlementTerms:
    reference: str  # the payment's own reference: one settlement per reference
    from_party: str  # the payer
    to_party: str  # the payee
    amount: Money
    month: str  # the month it settles

    @classmethod
    def create(cls, reference: str, from_party: str, to_party: str, amount: Money, month: str) -> SettlementTerms:
        identifier("reference", reference)
        checked_party("from_party", from_party)
        checked_party("to_party", to_party)
        if from_party == to_party:
            raise InvalidInput("to_party", f"is the payer too ({from_party}): a settlement is between two parties")
        if not (from_party.startswith("DEALER:") or to_party.startswith("DEALER:")):
            raise InvalidInput("from_party", "or to_party must be a dealer: settlements are a dealer's with HQ, another dealer or a shop assistant")
        if not 0 < amount.cents <= MAX_SETTLEMENT_CENTS:
            raise InvalidInput("amount.cents", f"must be between 1 and {MAX_SETTLEMENT_CENTS}, got {amount.cents}")
        return cls(reference, from_party, to_party, amount, checked_month("month", month))

    def to_record(self) -> dict:
        return {
            "from_party": self.from_party, "to_party": self.to_party, "amount_cents": self.amount.cents,
            "currency": self.amount.currency, "month": self.month,
        }


class MonthNotClosable(RuleViolation):
    """A month cannot be closed yet: the message lists every reason."""

    def __init__(self, month: str, reasons: list[str]):
        super().__init__(f"month {month} cannot be closed: " + "; ".join(reasons))
        self.reasons = reasons


def month_of(moment: datetime) -> str:
    """The calendar month (China Standard Time) an aware moment falls in."""
    return moment.astimezone(CHINA).strftime("%Y-%m")


def first_open(month: str, closed: Collection[str]) -> str:
    """`month`, or the first month after it not closed."""
    while month in closed:
        month = next_month(month)
    return month
