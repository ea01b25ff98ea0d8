"""A limited-edition launch: its SKUs, how many units one buyer may order, and when the
limits apply. HQ operations schedule it and may replace its terms at any time; orders placed
from then on are limited by the new terms."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.launches import LaunchTerms


class Launch(Aggregate):
    @staticmethod
    def create_id(launch_id: str) -> UUID:
        return uuid5(NAMESPACE, f"launch:{launch_id}")

    @classmethod
    def schedule(cls, terms: LaunchTerms) -> Launch:
        return cls(launch_id=terms.launch_id, terms=terms.to_record())

    @event("LaunchScheduled")
    def __init__(self, launch_id: str, terms: dict[str, Any]):
        self.launch_id = launch_id
        self.terms_record = terms

    @property
    def terms(self) -> LaunchTerms:
        return LaunchTerms.from_record(self.launch_id, self.terms_record)

    def change(self, terms: LaunchTerms) -> bool:
        """False when these are its terms already (a retried SetLaunch)."""
        if terms == self.terms:
            return False
        self._changed(terms=terms.to_record())
        return True

    @event("LaunchChanged")
    def _changed(self, terms: dict[str, Any]) -> None:
        self.terms_record = terms
