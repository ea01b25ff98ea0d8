"""Reading the reconciliation's tables for one dealer's month: which orders it involves, and
everything about those orders (the facts and every bill row of the dealer naming them, in any
month). Callers read inside one transaction of the read engine, so all of it, and the position
reported with it, come from one snapshot."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, select, union

from domain.bill_matching import BilledRow, Recorded, OrderFacts
from domain.provider_bills import PAYMENT, REFUND, BillRow
from projections.reconciliation.projection import NAME
from projections.reconciliation.tables import bill_rows, orders, refunds
from projections.runtime.database import in_chunks, tracking


def position(connection: Connection, projection: str = NAME) -> int:
    return connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()


def order_ids_of_month(connection: Connection, dealer_id: str, party: str, start_us: int, end_us: int) -> list[str]:
    """The merchant order ids of the dealer's bill rows in [start, end), and the orders the dealer
    sold that were paid or refunded then: every order a difference of the month can be about."""
    billed = select(bill_rows.c.merchant_order_id.label("order_id")).where(and_(
        bill_rows.c.dealer_id == dealer_id, bill_rows.c.at_us >= start_us, bill_rows.c.at_us < end_us,
    ))
    paid = select(orders.c.order_id).where(and_(
        orders.c.seller == party, orders.c.paid_at_us >= start_us, orders.c.paid_at_us < end_us, orders.c.payment_id != "",
    ))
    refunded = select(refunds.c.order_id).where(and_(
        refunds.c.seller == party, refunds.c.refunded_at_us >= start_us, refunds.c.refunded_at_us < end_us,
    ))
    return sorted(row[0] for row in connection.execute(union(billed, paid, refunded)))


def order_facts(connection: Connection, order_ids: Sequence[str]) -> dict[str, OrderFacts]:
    """The orders known among `order_ids`, with their payment and refunds."""
    found: dict[str, dict] = {}
    refunds_of: dict[str, list[Recorded]] = {}
    for chunk in in_chunks(list(order_ids)):
        for row in connection.execute(select(orders).where(orders.c.order_id.in_(chunk))):
            found[row.order_id] = {"seller": row.seller, "payment": (
                Recorded(PAYMENT, row.payment_id, int(row.payment_cents), int(row.paid_at_us)) if row.payment_id else None
            )}
        query = select(refunds).where(refunds.c.order_id.in_(chunk)).order_by(refunds.c.refunded_at_us, refunds.c.notification_id)
        for row in connection.execute(query):
            refunds_of.setdefault(row.order_id, []).append(Recorded(REFUND, row.reference, int(row.amount_cents), int(row.refunded_at_us)))
    return {
        order_id: OrderFacts(order_id, facts["seller"], facts["payment"], tuple(refunds_of.get(order_id, ())))
        for order_id, facts in found.items()
    }


def billed_rows(connection: Connection, dealer_id: str, order_ids: Sequence[str]) -> dict[str, list[BilledRow]]:
    """Every row of the dealer's bills naming one of `order_ids`, by order, in import order."""
    found: dict[str, list[BilledRow]] = {}
    for chunk in in_chunks(list(order_ids)):
        query = (
            select(bill_rows)
            .where(and_(bill_rows.c.dealer_id == dealer_id, bill_rows.c.merchant_order_id.in_(chunk)))
            .order_by(bill_rows.c.notification_id, bill_rows.c.row_index)
        )
        for row in connection.execute(query):
            bill_row = BillRow(
                line=row.line, at_us=int(row.at_us), payment_id=row.payment_id, merchant_order_id=row.merchant_order_id,
                kind=row.kind, amount_cents=int(row.amount_cents), fee_cents=int(row.fee_cents),
            )
            found.setdefault(row.merchant_order_id, []).append(BilledRow(row.bill_id, row.row_index, bill_row))
    return found


def dealers_billed(connection: Connection, start_us: int, end_us: int) -> list[str]:
    """The dealers with a bill row in [start, end)."""
    query = select(bill_rows.c.dealer_id).where(bill_rows.c.at_us >= start_us, bill_rows.c.at_us < end_us).distinct()
    return sorted(connection.execute(query).scalars())
