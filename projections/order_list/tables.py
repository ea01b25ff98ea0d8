"""The order list's SQL tables, beside the event store (same database, same schema).

`order_list_orders`: one row per order, as ListOrders shows it: its customer, status (the
order's, see `aggregates.order.order_status`), mode, when it was placed (the `OrderPlaced`
event's timestamp, UTC microseconds), total, whether it is paid, and the earliest promise
of its open shipments ("" when none promised).

`order_list_shipments`: one row per shipment an order has now, in the order's own order
(`shipment_index`); a shipment rerouted away is gone, its replacements are there. It carries
the order's `placed_at_us`, so a store's orders of a local day are one index range.

`order_list_stores`: every store's time zone, so a store-local date becomes a UTC range when
read (a store that changes its time zone moves its days with it), and whether a store exists.

All three are written in the runner's transactions with the tracking row of projection
"order_list" in `stock_projection_tracking`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Engine, Index, Integer, MetaData, String, Table

from projections.runtime.database import create_projection_tables

NAME = "order_list"
metadata = MetaData()

# The schema version of these tables: bump it whenever they change (a column, a width, a table)
# or the meaning of what the projection writes into them does; tables made at another version
# are refused until `omo projections rebuild` makes them anew.
SCHEMA_VERSION = 1

orders = Table(
    "order_list_orders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("placed_at_us", BigInteger, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("paid", Boolean, nullable=False),
    Column("promised_by", String(40), nullable=False),  # RFC 3339 in the store's offset; "" none
    Column("updated_position", BigInteger, nullable=False),
    Index("order_list_by_customer", "customer_id", "placed_at_us", "order_id"),
    Index("order_list_by_status", "status", "placed_at_us", "order_id"),
    Index("order_list_by_time", "placed_at_us", "order_id"),
)

shipments = Table(
    "order_list_shipments", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("store_id", String(64), primary_key=True),
    Column("shipment_index", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("promised_by", String(40), nullable=False),
    Column("placed_at_us", BigInteger, nullable=False),
    Index("order_list_by_store", "store_id", "placed_at_us", "order_id"),
)

stores = Table(
    "order_list_stores", metadata,
    Column("store_id", String(64), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("time_zone", String(64), nullable=False),
)

TABLES = (orders, shipments, stores)


def create_tables(engine: Engine, projection: str = NAME) -> None:
    """Creates them and the projection's tracking row at position 0 in a database without them;
    raises OutdatedTables when they were made at another schema version."""
    create_projection_tables(engine, metadata, projection, SCHEMA_VERSION)
