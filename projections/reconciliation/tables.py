"""The reconciliation projection's SQL tables: what the orders say was paid and refunded, and
what the providers' bills say, side by side in the event store's database.

`reconciliation_orders`: one row per order: the party that sold it (whose merchant account the
customer pays), its total now, and its confirmed payment ("" / 0 until paid; `paid_at_us` the
PaymentConfirmed event's moment, UTC microseconds).

`reconciliation_refunds`: one row per refund an order owes its customer: a return (reference
"return:<return id>"), a line cancellation of a paid order ("cancellation:<key>"), or the
cancellation of a paid order ("order_cancelled", its whole total then), at its event's moment.

`reconciliation_bill_rows`: one row per row of every imported provider bill, keyed by the bill
and the row's place in it (a row the provider wrote twice is two rows here, as on the bill).

All three are written in the runner's transactions with the projection's tracking row, and
only inserted or updated from events, so a rebuild gives the same rows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table

from projections.runtime.database import create_projection_tables

metadata = MetaData()
PARTY = 200

# Bump whenever the tables change or the meaning of what the projection writes into them does;
# tables made at another version are refused until `omo projections rebuild` makes them anew.
SCHEMA_VERSION = 1

orders = Table(
    "reconciliation_orders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("seller", String(PARTY), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("payment_id", String(128), nullable=False),  # "" until paid
    Column("payment_cents", BigInteger, nullable=False),
    Column("paid_at_us", BigInteger, nullable=False),  # 0 until paid
    Index("reconciliation_orders_paid", "seller", "paid_at_us"),
)

refunds = Table(
    "reconciliation_refunds", metadata,
    Column("refund_id", String(240), primary_key=True),  # "<order id>:<reference>"
    Column("order_id", String(36), nullable=False),
    Column("seller", String(PARTY), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("refunded_at_us", BigInteger, nullable=False),
    Column("notification_id", BigInteger, nullable=False),
    Index("reconciliation_refunds_seller", "seller", "refunded_at_us"),
    Index("reconciliation_refunds_order", "order_id"),
)

bill_rows = Table(
    "reconciliation_bill_rows", metadata,
    Column("bill_id", String(36), primary_key=True),
    Column("row_index", Integer, primary_key=True),  # the row's place in its bill, from 0
    Column("line", Integer, nullable=False),  # its line in the file (or place in the RPC's rows)
    Column("dealer_id", String(64), nullable=False),  # whose merchant account the bill is
    Column("at_us", BigInteger, nullable=False),  # the transaction's moment, UTC microseconds
    Column("payment_id", String(64), nullable=False),
    Column("merchant_order_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # payment, refund
    Column("amount_cents", BigInteger, nullable=False),
    Column("fee_cents", BigInteger, nullable=False),
    Column("notification_id", BigInteger, nullable=False),
    Index("reconciliation_bill_rows_moment", "dealer_id", "at_us"),
    Index("reconciliation_bill_rows_order", "dealer_id", "merchant_order_id"),
)

TABLES = (orders, refunds, bill_rows)


def create_tables(engine: Engine, projection: str = "reconciliation") -> None:
    """Creates them and the projection's tracking row at position 0 in a database without them;
    raises OutdatedTables when they were made at another schema version."""
    create_projection_tables(engine, metadata, projection, SCHEMA_VERSION)
