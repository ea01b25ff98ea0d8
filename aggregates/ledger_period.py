"""A month of the books (China Standard Time), once closed: its statements never change again."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE


class LedgerPeriod(Aggregate):
    @staticmethod
    def create_id(month: str) -> UUID:
        return uuid5(NAMESPACE, f"ledger-period:{month}")

    @classmethod
    def close(cls, month: str, by: str = "") -> LedgerPeriod:
        return cls(month=month, by=by)

    @event("PeriodClosed")
    def __init__(self, month: str, by: str = ""):
        self.month = month
