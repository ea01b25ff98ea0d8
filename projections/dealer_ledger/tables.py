"""The dealer ledger's SQL tables: plain tables beside the event store (same database, same
schema), for statements and for any BI tool.

`ledger_entries`: one row per double-entry entry of an order's `ShipmentAttributed` or
`AttributionReversed` event. Its key, `entry_id` = "<order id>:<event version>:<index of the
entry in the event>", is derived from the event, so an entry can only be inserted once.
Money moves from the `debit` party to the `credit` party: "CUSTOMER", "HQ",
"DEALER:<dealer id>" or "ASSISTANT:<assistant id>"; `amount_cents` > 0. `occurred_at_us` is
the event's timestamp in UTC microseconds since the epoch (what statements select on);
`occurred_at` the same moment as a timestamp (UTC; on SQLite, text in UTC).

Settlements (`SettlementRecorded`) are entries too, of kind SETTLEMENT: the payer is the debit
party, `order_id`, `line` and `store_id` are "", `reference` is the settlement's. Each entry's
`statement_month` is the month whose statement shows it: the month of its moment (a
settlement's own month), or, when that month was closed before the entry was recorded, the
first open month after it, with `adjusts_month` naming the closed one. `ledger_closed_months`:
one row per closed month (`PeriodClosed`), in the log's order with the entries.

`ledger_attributions`: one row per attributed shipment (order, store), with the parties
and the policy it was attributed by; a reversal's entries carry the brand and policy
version from here.

Both are written in the runner's transactions with the tracking row of projection
"dealer_ledger" in `stock_projection_tracking` (the projections' runtime), which also
holds the writer's lease.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Engine, Index, Integer, MetaData, String, Table

from projections.runtime.database import create_projection_tables

metadata = MetaData()
PARTY = 200

# The schema version of these tables: bump it whenever they change (a column, a width, a table)
# or the meaning of what the projection writes into them does; tables made at another version
# are refused until `omo projections rebuild` makes them anew.
SCHEMA_VERSION = 2  # 2: settlements, statement months and closed months

entries = Table(
    "ledger_entries", metadata,
    Column("entry_id", String(80), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),  # the event's position in the log
    Column("occurred_at_us", BigInteger, nullable=False),  # the event's timestamp, UTC microseconds
    Column("occurred_at", DateTime(timezone=True), nullable=False),  # the same, for people and BI tools
    Column("order_id", String(36), nullable=False),
    Column("event_version", Integer, nullable=False),  # the event's version in the order's stream
    Column("entry_index", Integer, nullable=False),  # the entry's place in the event
    Column("line", String(64), nullable=False),  # the order line's sku
    Column("store_id", String(64), nullable=False),  # the store whose shipment it is
    Column("kind", String(16), nullable=False),  # SALE, HQ_SHARE, FULFILMENT_FEE, COMMISSION
    Column("reversal", Boolean, nullable=False),
    Column("return_id", String(128)),  # the return a reversal belongs to; NULL otherwise
    Column("debit", String(PARTY), nullable=False),  # the party paying
    Column("credit", String(PARTY), nullable=False),  # the party paid
    Column("amount_cents", BigInteger, nullable=False),
    Column("brand_id", String(64), nullable=False),  # the policy the shipment was attributed by
    Column("policy_version", Integer, nullable=False),
    # the month (China Standard Time) whose statement shows it: its own, or when that month
    # was closed before the entry was recorded, the first open month after it
    Column("statement_month", String(7), nullable=False),
    Column("adjusts_month", String(7)),  # the closed month an entry moved out of; NULL otherwise
    Column("reference", String(128)),  # a settlement's reference; NULL for an order's entries
    Index("ledger_entries_debit", "debit", "occurred_at_us"),
    Index("ledger_entries_credit", "credit", "occurred_at_us"),
    Index("ledger_entries_order", "order_id", "store_id", "line"),
    Index("ledger_entries_notification", "notification_id"),
    Index("ledger_entries_month", "statement_month"),
)

attributions = Table(
    "ledger_attributions", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("store_id", String(64), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
    Column("occurred_at_us", BigInteger, nullable=False),
    Column("brand_id", String(64), nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("seller", String(PARTY), nullable=False),
    Column("fulfiller", String(PARTY), nullable=False),
    Column("assistant", String(PARTY), nullable=False),  # "" when no shop assistant
)

closed_months = Table(
    "ledger_closed_months", metadata,
    Column("month", String(7), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),  # the PeriodClosed event's position
    Column("closed_at_us", BigInteger, nullable=False),
)

TABLES = (entries, attributions, closed_months)


def create_tables(engine: Engine, projection: str = "dealer_ledger") -> None:
    """Creates them and the projection's tracking row at position 0 in a database without them;
    raises OutdatedTables when they were made at another schema version."""
    create_projection_tables(engine, metadata, projection, SCHEMA_VERSION)