"""A dealer's reconciliation (the use case's report) as GetReconciliationResponse."""

from __future__ import annotations

from domain import bill_matching as outcomes
from domain.bill_matching import Item
from protos.omo.v1 import dealers_pb2
from services.api.convert.dealers import statement_message
from services.api.convert.stock_query import freshness_message
from services.use_cases.network.reconciliation import ReconciliationReport, payment_id_of

OUTCOMES = {
    outcomes.MATCHED: dealers_pb2.OUTCOME_MATCHED,
    outcomes.MISSING_FROM_BILL: dealers_pb2.OUTCOME_MISSING_FROM_BILL,
    outcomes.MISSING_FROM_ORDERS: dealers_pb2.OUTCOME_MISSING_FROM_ORDERS,
    outcomes.AMOUNT_DIFFERS: dealers_pb2.OUTCOME_AMOUNT_DIFFERS,
    outcomes.WRONG_MERCHANT_ACCOUNT: dealers_pb2.OUTCOME_WRONG_MERCHANT_ACCOUNT,
    outcomes.DUPLICATED_IN_BILL: dealers_pb2.OUTCOME_DUPLICATED_IN_BILL,
}


def difference_message(item: Item) -> dealers_pb2.ReconciliationDifference:
    message = dealers_pb2.ReconciliationDifference(
        outcome=OUTCOMES[item.outcome], order_id=item.order_id, kind=item.kind, payment_id=payment_id_of(item),
        reference=item.recorded.reference if item.recorded else "", advice=item.advice,
    )
    if item.billed is not None:
        message.billed_cents = item.billed.row.amount_cents
        message.bill_id, message.bill_line = item.billed.bill_id, item.billed.row.line
    if item.recorded is not None:
        message.recorded_cents = item.recorded.amount_cents
    return message


def reconciliation_message(report: ReconciliationReport) -> dealers_pb2.GetReconciliationResponse:
    sides = report.bills.totals
    # the ledger's side is the statement's, converted the way GetStatement converts it
    statement = statement_message(report.month, report.statement)
    return dealers_pb2.GetReconciliationResponse(
        dealer_id=report.dealer_id, month=report.month,
        bill=dealers_pb2.BillTotals(
            payments_cents=sides.bill_payments_cents, refunds_cents=sides.bill_refunds_cents, fees_cents=sides.bill_fees_cents,
            net_cents=sides.bill_net_cents,
        ),
        orders=dealers_pb2.OrderPaymentTotals(
            payments_cents=sides.order_payments_cents, refunds_cents=sides.order_refunds_cents, net_cents=sides.orders_net_cents,
        ),
        ledger=statement.totals, balances=statement.balances, settlements=statement.settlements,
        differences=[difference_message(item) for item in report.bills.differences],
        counts=[dealers_pb2.OutcomeCount(outcome=OUTCOMES[o], count=n) for o, n in report.bills.counts().items()],
        closed=report.statement.closed,
        reconciliation_freshness=freshness_message(report.bills.freshness),
        ledger_freshness=freshness_message(report.statement.freshness),
    )
