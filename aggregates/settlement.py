"""A settlement: what one party paid another, recorded once under the payment's reference."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.settlements import SettlementTerms
from domain.values import Money


class Settlement(Aggregate):
    @staticmethod
    def create_id(reference: str) -> UUID:
        return uuid5(NAMESPACE, f"settlement:{reference}")

    @classmethod
    def record(cls, terms: SettlementTerms, by: str = "") -> Settlement:
        return cls(reference=terms.reference, terms=terms.to_record(), by=by)

    @event("SettlementRecorded")
    def __init__(self, reference: str, terms: dict[str, Any], by: str = ""):
        self.reference = reference
        self.terms_record = terms

    @property
    def terms(self) -> SettlementTerms:
        r = self.terms_record
        return SettlementTerms(self.reference, r["from_party"], r["to_party"], Money(r["amount_cents"], r["currency"]), r["month"])
