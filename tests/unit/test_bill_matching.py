"""Refund rows alike on a bill: as many as the order refunded that amount pair with its
refunds, and only those beyond are duplicates."""

from __future__ import annotations

from domain.bill_matching import DUPLICATED_IN_BILL, MATCHED, BilledRow, OrderFacts, Recorded, match_order
from domain.provider_bills import PAYMENT, REFUND, BillRow

DEALER = "DEALER:DA"


def facts(*refunds: int) -> OrderFacts:
    return OrderFacts(
        "o1", DEALER, Recorded(PAYMENT, "WX-1", 9_000, 1),
        tuple(Recorded(REFUND, f"return:R{i}", cents, 10 + i) for i, cents in enumerate(refunds)),
    )


def bill(*rows: tuple[str, int]) -> list[BilledRow]:
    return [BilledRow("b1", i, BillRow(i + 2, 1_000, "WX-1", "o1", kind, cents, 0)) for i, (kind, cents) in enumerate(rows)]


def outcomes(found) -> list[tuple[str, str]]:
    return sorted((item.outcome, item.kind) for item in found)


def test_two_refunds_of_one_amount_billed_in_one_second_both_match():
    found = match_order(DEALER, "o1", facts(2_990, 2_990), bill((PAYMENT, 9_000), (REFUND, 2_990), (REFUND, 2_990)))
    assert outcomes(found) == [(MATCHED, PAYMENT), (MATCHED, REFUND), (MATCHED, REFUND)]


def test_a_refund_row_alike_beyond_the_orders_refunds_of_that_amount_is_a_duplicate():
    found = match_order(DEALER, "o1", facts(2_990), bill((PAYMENT, 9_000), (REFUND, 2_990), (REFUND, 2_990)))
    assert outcomes(found) == [(DUPLICATED_IN_BILL, REFUND), (MATCHED, PAYMENT), (MATCHED, REFUND)]
    found = match_order(DEALER, "o1", facts(2_990, 2_990), bill((REFUND, 2_990), (REFUND, 2_990), (REFUND, 2_990), (PAYMENT, 9_000)))
    assert outcomes(found) == [(DUPLICATED_IN_BILL, REFUND), (MATCHED, PAYMENT), (MATCHED, REFUND), (MATCHED, REFUND)]
