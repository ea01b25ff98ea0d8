"""A payment provider's bill for a dealer's merchant account, as imported.

Its id derives from the dealer and the rows' content (`domain.provider_bills.bill_digest`), so
the same bill imported twice, by two people at once even, is one stream: the second creation
conflicts in the event store, never a second copy. A long bill is kept in parts of at most
ROWS_PER_PART rows (each an aggregate of its own, all saved in one write), so that no event
grows with the file.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE

ROWS_PER_PART = 1000


def bill_id(dealer_id: str, digest: str) -> str:
    """The bill's id, as the import answers it."""
    return str(uuid5(NAMESPACE, f"provider_bill:{dealer_id}:{digest}"))


class ProviderBill(Aggregate):
    """One part of a bill: rows `first_index` onwards of the bill's rows, in file order."""

    @staticmethod
    def create_id(bill_id: str, part: int) -> UUID:  # named as __init__'s arguments: the library passes them
        return uuid5(NAMESPACE, f"provider_bill_part:{bill_id}:{part}")

    @event("ProviderBillImported")
    def __init__(
        self, bill_id: str, dealer_id: str, part: int, parts: int, first_index: int, rows: list[dict[str, Any]], by: str = "",
    ):
        """`rows`: each `domain.provider_bills.BillRow.to_record()`. `by`: the caller who imported it."""
        self.bill_id = bill_id
        self.dealer_id = dealer_id
        self.part = part
        self.parts = parts
        self.first_index = first_index
        self.rows = rows
