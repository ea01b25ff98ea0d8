"""The on-time projection's SQL tables, beside the event store (same database, same schema).

`on_time_shipments`: one row per shipment (order, store) that was given a promise. `status`
OPEN (not done yet), ON_TIME or LATE (done at or before / after `promised_us`), GONE (the
order was cancelled or the shipment rerouted away from the store: it no longer counts there),
WAITING (backordered, its stock not all there: not yet due anywhere).
`local_day` is the store-local date of the promise, `promised_us` the promise and `done_at_us`
the moment it was done, in UTC microseconds since the epoch. A row is what lets a later
reroute or cancellation take back what the shipment counted, and what a query finds open
past its promise (overdue).

`on_time_days`: per store and local day, the shipments due there (every row neither GONE nor
WAITING), done on time and late: the sums of the shipment rows, kept as they change.

`on_time_orders`: each order's fulfilment mode (PICKUP is done when picked, the others when
delivered), for the shipments its later events add or move.

`on_time_stores`, `on_time_store_owners`, `on_time_dealers`: where each store is, who owned
it from when, and the dealers registered: what a query's scope (store, dealer, region) is
resolved against.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table

from projections.runtime.database import create_projection_tables

NAME = "on_time"
OPEN, ON_TIME, LATE, GONE, WAITING = "OPEN", "ON_TIME", "LATE", "GONE", "WAITING"

metadata = MetaData()

# The schema version of these tables: bump it whenever they change (a column, a width, a table)
# or the meaning of what the projection writes into them does; tables made at another version
# are refused until `omo projections rebuild` makes them anew.
SCHEMA_VERSION = 1

shipments = Table(
    "on_time_shipments", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("store_id", String(64), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("promised_by", String(40), nullable=False),  # as the order recorded it, with the store's offset
    Column("promised_us", BigInteger, nullable=False),
    Column("local_day", String(10), nullable=False),  # YYYY-MM-DD
    Column("status", String(8), nullable=False),
    Column("done_at_us", BigInteger),  # NULL until done
    Column("updated_position", BigInteger, nullable=False),
    Index("on_time_shipments_store_day", "store_id", "local_day"),
    Index("on_time_shipments_open", "status", "store_id", "local_day"),
)

days = Table(
    "on_time_days", metadata,
    Column("store_id", String(64), primary_key=True),
    Column("local_day", String(10), primary_key=True),
    Column("due", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    Column("late", Integer, nullable=False),
    Column("updated_position", BigInteger, nullable=False),
)

orders = Table(
    "on_time_orders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("mode", String(16), nullable=False),
)

stores = Table(
    "on_time_stores", metadata,
    Column("store_id", String(64), primary_key=True),
    Column("aggregate_id", String(36), nullable=False, unique=True),
    Column("province", String(200), nullable=False),
    Column("city", String(200), nullable=False),
    Index("on_time_stores_region", "province", "city"),
)

owners = Table(
    "on_time_store_owners", metadata,
    Column("store_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),  # of the store's event: the owners' order
    Column("effective_from_us", BigInteger, nullable=False),
    Column("dealer_id", String(200), nullable=False),  # "" for HQ
    Index("on_time_store_owners_dealer", "dealer_id"),
)

dealers = Table(
    "on_time_dealers", metadata,
    Column("dealer_id", String(200), primary_key=True),
)

TABLES = (shipments, days, orders, stores, owners, dealers)


def create_tables(engine: Engine) -> None:
    """Creates them and the projection's tracking row at position 0 in a database without them;
    raises OutdatedTables when they were made at another schema version."""
    create_projection_tables(engine, metadata, NAME, SCHEMA_VERSION)
