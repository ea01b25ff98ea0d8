"""Checks the reconciliation's tables against the events: every order, refund and bill row
recomputed from the events up to the projection's position (read in one snapshot with the
tables, so it can run beside a live runner) and compared column by column."""

from __future__ import annotations

from sqlalchemy import Engine, select

from projections.reconciliation.fold import fold
from projections.reconciliation.projection import NAME
from projections.reconciliation.tables import bill_rows, orders, refunds
from projections.runtime.database import tracking
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Verification, compare, notifications_up_to

ORDER_COLUMNS = ("seller", "total_cents", "payment_id", "payment_cents", "paid_at_us")
REFUND_COLUMNS = ("order_id", "seller", "reference", "amount_cents", "refunded_at_us", "notification_id")
BILL_COLUMNS = ("line", "dealer_id", "at_us", "payment_id", "merchant_order_id", "kind", "amount_cents", "fee_cents", "notification_id")


def _keyed(rows, key, columns) -> dict:
    return {key(r): tuple(r[c] for c in columns) for r in rows}


def verify(engine: Engine, event_log: EventLog, projection: str = NAME) -> Verification:
    with engine.connect() as connection:
        position = connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()
        found_orders = _keyed([r._mapping for r in connection.execute(select(orders))], lambda r: r["order_id"], ORDER_COLUMNS)
        found_refunds = _keyed([r._mapping for r in connection.execute(select(refunds))], lambda r: r["refund_id"], REFUND_COLUMNS)
        found_bills = _keyed(
            [r._mapping for r in connection.execute(select(bill_rows))], lambda r: f"{r['bill_id']}:{r['row_index']}", BILL_COLUMNS,
        )
    folded = fold(notifications_up_to(event_log, position), {})
    expected_orders = _keyed([o.values() for o in folded.orders.values()], lambda r: r["order_id"], ORDER_COLUMNS)
    expected_refunds = _keyed(folded.refunds, lambda r: r["refund_id"], REFUND_COLUMNS)
    expected_bills = _keyed(folded.bill_rows, lambda r: f"{r['bill_id']}:{r['row_index']}", BILL_COLUMNS)
    differences = compare("order", expected_orders, found_orders, ORDER_COLUMNS)
    differences += compare("refund", expected_refunds, found_refunds, REFUND_COLUMNS)
    differences += compare("bill row", expected_bills, found_bills, BILL_COLUMNS)
    rows = len(expected_orders) + len(expected_refunds) + len(expected_bills)
    return Verification(position, rows, differences)
