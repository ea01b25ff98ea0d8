"""A brand's attribution policy: every version it ever had, so an order sold on an older
version is attributed by it."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.attribution import DEFAULT_TERMS, PolicyTerms


class BrandPolicy(Aggregate):
    @staticmethod
    def create_id(brand_id: str) -> UUID:
        return uuid5(NAMESPACE, f"brand-policy:{brand_id}")

    @event("BrandPolicyStarted")
    def __init__(self, brand_id: str):
        self.brand_id = brand_id
        # version -> terms record; version 0, the default terms, holds until the first is set
        self.versions: dict[int, dict[str, Any]] = {0: DEFAULT_TERMS.to_record()}

    @property
    def current_version(self) -> int:
        return max(self.versions)

    def terms(self, version: int | None = None) -> PolicyTerms:
        return PolicyTerms.from_record(self.versions[self.current_version if version is None else version])

    def set_terms(self, terms: PolicyTerms, note: str) -> bool:
        """A new version with these terms; False when they are the current terms already."""
        if self.current_version > 0 and terms == self.terms():
            return False
        self._version_set(version=self.current_version + 1, terms=terms.to_record(), note=note)
        return True

    @event("PolicyVersionSet")
    def _version_set(self, version: int, terms: dict[str, Any], note: str) -> None:
        self.versions = {**self.versions, version: terms}
