"""The movement ids a store's POS has reported, one event per batch. Every batch a store
syncs extends its ledger, so two servers applying overlapping batches at once conflict on
the ledger's version: the retry sees the ids the other recorded and answers DUPLICATE.
The ids themselves are looked up in the live index, which follows these events."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE


class PosLedger(Aggregate):
    @staticmethod
    def create_id(store_id: str) -> UUID:
        return uuid5(NAMESPACE, f"pos-ledger:{store_id}")

    @event("PosLedgerOpened")
    def __init__(self, store_id: str):
        self.store_id = store_id

    def record(self, fingerprints: dict[str, str]) -> None:
        """`fingerprints`: movement id -> what makes a resend the same movement."""
        self._movements_recorded(fingerprints=fingerprints)

    @event("MovementsRecorded")
    def _movements_recorded(self, fingerprints: dict[str, str]) -> None:
        pass  # the ids live in the live index; the version is what serialises writers
