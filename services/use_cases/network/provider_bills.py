"""Use case: importing a payment provider's bill for a dealer's merchant account, all rows or
none, once (see aggregates/provider_bill.py for why importing it again changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aggregates.provider_bill import ROWS_PER_PART, ProviderBill, bill_id
from domain.provider_bills import BillRow, RawRow, bill_digest, parse_rows
from domain.values import identifier
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import registered_dealer


@dataclass(frozen=True)
class ImportedBill:
    bill_id: str
    rows: int
    imported: bool  # False: this bill had been imported before, nothing was recorded again


def import_provider_bill(app: OmoApplication, dealer_id: str, raw_rows: Sequence[RawRow], what: str = "line", by: str = "") -> ImportedBill:
    """Checks every row (BillRowsRefused lists each bad one with its `what` and number, and
    nothing is recorded), then records the bill in one atomic write unless it is there already.
    An unknown dealer is NotFound before any row is read."""
    registered_dealer(app, identifier("dealer_id", dealer_id))
    rows = parse_rows(raw_rows, what)
    return record_bill(app, dealer_id, rows, by)


def record_bill(app: OmoApplication, dealer_id: str, rows: Sequence[BillRow], by: str = "") -> ImportedBill:
    bill = bill_id(dealer_id, bill_digest(dealer_id, rows))
    starts = range(0, len(rows), ROWS_PER_PART)
    part_ids = [ProviderBill.create_id(bill, part) for part in range(len(starts))]

    def decide() -> tuple[list[ProviderBill], ImportedBill]:
        # the parts are saved together, so the first one there means the whole bill is
        if app.find(part_ids[0]) is not None:
            return [], ImportedBill(bill, len(rows), False)
        parts = [
            ProviderBill(
                bill_id=bill, dealer_id=dealer_id, part=part, parts=len(starts), first_index=start,
                rows=[row.to_record() for row in rows[start:start + ROWS_PER_PART]], by=by,
            )
            for part, start in enumerate(starts)
        ]
        return parts, ImportedBill(bill, len(rows), True)

    return app.decide(part_ids, decide)
