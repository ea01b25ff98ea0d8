"""The demo's reconciliation: one dealer's month set side by side, as its bookkeeper would.

The payment provider's bill for the dealer's merchant account is generated from what the
orders say the account received and refunded this month, then a few differences are planted in
it, one of each kind: a payment left off, an amount altered, a row repeated, a row for an order
nobody placed, a row for an order another party sold. The bill is imported (ImportProviderBill),
the dealer pays HQ what it owes it (RecordSettlement), and GetReconciliation must report each
planted difference exactly once, and the balance with HQ settled. A check that fails raises."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from domain.settlements import CHINA
from protos.omo.v1 import common_pb2, dealers_pb2 as pb, orders_pb2
from services.adapters.projection_catch_up import caught_up
from services.adapters.statement_export import ledger_caught_up, money_text
from services.client.client import OmoClient

PLANTED = (
    pb.OUTCOME_MISSING_FROM_BILL, pb.OUTCOME_AMOUNT_DIFFERS, pb.OUTCOME_DUPLICATED_IN_BILL, pb.OUTCOME_MISSING_FROM_ORDERS,
    pb.OUTCOME_WRONG_MERCHANT_ACCOUNT,
)
FEE_BP = 60  # the provider's fee, 0.6%


class ReconciliationCheckFailed(AssertionError):
    pass


@dataclass(frozen=True)
class ReconciliationRound:
    dealer_id: str
    month: str
    rows: int
    differences: dict[str, int]  # outcome name -> count
    settled_cents: int
    closing_with_hq_cents: int


def _yuan(cents: int) -> str:
    return money_text(cents)


def _row(when: str, payment_id: str, order_id: str, kind: str, cents: int) -> pb.ProviderBillRow:
    return pb.ProviderBillRow(
        transaction_time=when, payment_id=payment_id, merchant_order_id=order_id, kind=kind, amount=_yuan(cents),
        fee=_yuan(cents * FEE_BP // 10_000 if kind == "payment" else 0),
    )


def _reconciliation(app, client: OmoClient, dealer_id: str, month: str) -> pb.GetReconciliationResponse:
    from projections.definitions import RECONCILIATION

    ledger_caught_up(app, app.database_url)
    caught_up(app, app.database_url, RECONCILIATION)
    return client.dealers.GetReconciliation(pb.GetReconciliationRequest(dealer_id=dealer_id, month=month))


def run_reconciliation(app, client: OmoClient, dealer_id: str, other_sellers_order_id: str) -> ReconciliationRound | None:
    """`other_sellers_order_id`: an order another party sold, whose row lands on this bill.
    None when the dealer has too few paid orders this month to plant the differences in."""
    today = datetime.now(CHINA)
    month = today.strftime("%Y-%m")
    noon = today.replace(hour=12, minute=0, second=0, microsecond=0)

    def when(i: int) -> str:  # each row its own second of today, as a real bill has them
        return (noon + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")

    # before any bill, every payment and refund of the dealer's month is missing from the bill
    owed = [d for d in _reconciliation(app, client, dealer_id, month).differences if d.outcome == pb.OUTCOME_MISSING_FROM_BILL]
    payments = [d for d in owed if d.kind == "payment"]
    if len(payments) < 3:
        return None
    rows = [_row(when(i), d.payment_id or _paid_by(client, d.order_id), d.order_id, d.kind, d.recorded_cents) for i, d in enumerate(owed)]
    left_off, altered, repeated = (owed.index(p) for p in payments[:3])
    rows[altered] = _row(when(altered), payments[1].payment_id, payments[1].order_id, "payment", payments[1].recorded_cents + 100)
    rows += [
        rows[repeated],
        _row(when(len(owed)), f"WX-{uuid.uuid4().hex[:12]}", str(uuid.uuid4()), "payment", 4_990),  # an order nobody placed
        _row(when(len(owed) + 1), f"WX-{uuid.uuid4().hex[:12]}", other_sellers_order_id, "payment", 12_300),  # another seller's
    ]
    del rows[left_off]
    for start in range(0, len(rows), 1000):
        client.dealers.ImportProviderBill(pb.ImportProviderBillRequest(dealer_id=dealer_id, rows=rows[start:start + 1000]))

    statement = client.dealers.GetStatement(pb.GetStatementRequest(dealer_id=dealer_id, month=month, page_size=1))
    with_hq = next((b for b in statement.balances if b.counterparty == "HQ"), None)
    owed_hq = -with_hq.closing_cents if with_hq is not None else 0
    if owed_hq > 0:
        client.dealers.RecordSettlement(pb.RecordSettlementRequest(
            from_party=f"DEALER:{dealer_id}", to_party="HQ", amount=common_pb2.Money(cents=owed_hq, currency="CNY"),
            month=month, reference=f"DEMO-BANK-{uuid.uuid4().hex[:10]}",
        ))

    found = _reconciliation(app, client, dealer_id, month)
    counts = {pb.ReconciliationOutcome.Name(c.outcome): c.count for c in found.counts if c.outcome != pb.OUTCOME_MATCHED}
    for outcome in PLANTED:
        name = pb.ReconciliationOutcome.Name(outcome)
        _check(counts.get(name) == 1, f"the planted {name} is reported {counts.get(name, 0)} times, not once")
    _check(sum(counts.values()) == len(PLANTED), f"differences beyond the planted ones: {counts}")
    closing = next((b.closing_cents for b in found.balances if b.counterparty == "HQ"), 0)
    _check(owed_hq <= 0 or closing == 0, f"the balance with HQ is {closing} cents after the settlement")
    return ReconciliationRound(dealer_id, month, len(rows), counts, owed_hq if owed_hq > 0 else 0, closing)


def _paid_by(client: OmoClient, order_id: str) -> str:
    """The payment a refund gives back part of: the provider bills a refund under it."""
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order.payment_id


def print_reconciliation(round_: ReconciliationRound | None, out: TextIO) -> None:
    if round_ is None:
        print("  reconciliation: no dealer has three paid orders this month to plant a bill's differences in", file=out)
        return
    planted = ", ".join(f"{name.removeprefix('OUTCOME_').lower()} {n}" for name, n in sorted(round_.differences.items()) if n)
    print(
        f"  reconciliation of dealer {round_.dealer_id} for {round_.month}: a bill of {round_.rows} rows with 5 planted "
        f"differences, each reported once ({planted}); paid HQ {money_text(round_.settled_cents)}, balance with HQ now "
        f"{money_text(round_.closing_with_hq_cents)}",
        file=out,
    )


def _check(condition: bool, message: str) -> None:
    if not condition:  # not `assert`: the demo's checks hold under `python -O` too
        raise ReconciliationCheckFailed(f"reconciliation: {message}")
