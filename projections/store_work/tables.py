"""The store work read model's SQL tables, beside the event store (same database, same schema).

`store_work_shipments`: one row per shipment, (order, store), as it stands now: the order's
mode, the shipment's status as the store sees it (REROUTED_AWAY once it moved to another
store, CANCELLED once the order was), whether the order is paid, its lines, its promise
(`promised_by` as the customer was told it, in the store's local offset, and `promised_by_us`,
the same moment in UTC microseconds, NULL without a promise, for ordering and filtering), the
moments of its steps (UTC microseconds, NULL until taken) and `position`, the notification id
of the event that last changed it.

`store_work_changes`: one row per (store, position): what an event changed for that store
(`kind`) and the store's shipment as it stood after the change (the same columns). An event
touches a store at most once, so the pair is a key; the log of a store in position order is
what WatchShipments replays.

`store_work_orders`: per order, what its shipments inherit: the mode (recorded when placed,
before any shipment), paid and cancelled.

`store_work_backorders`: the backordered shipments and those awaiting a transfer, kept out of the two tables above until
their stock is all there (then they come in as an allocation): their status (BACKORDERED,
AWAITING_TRANSFER, or UNFULFILLABLE once flagged while waiting), lines and promise. A store never sees one that
moves, is flagged or is cancelled while waiting, so its rows change no store's log.

All are written in the runner's transactions with the tracking row of projection
"store_work" in the projections' tracking table.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Engine, Index, MetaData, String, Table, Text

from projections.runtime.database import create_projection_tables

metadata = MetaData()

# The schema version of these tables: bump it whenever they change (a column, a width, a table)
# or the meaning of what the projection writes into them does; tables made at another version
# are refused until `omo projections rebuild` makes them anew.
SCHEMA_VERSION = 1
MOMENT = 40  # an RFC 3339 moment with its offset

STEPS = ("allocated", "accepted", "picked", "handed_over", "delivered")
STEP_COLUMNS = tuple(f"{step}_at_us" for step in STEPS)


def _shipment_columns(keyed: bool) -> list[Column]:
    return [
        Column("order_id", String(36), primary_key=keyed, nullable=False),
        Column("store_id", String(64), primary_key=True, nullable=False),
        Column("mode", String(16), nullable=False),  # DELIVERY, PICKUP or EXPRESS
        Column("status", String(16), nullable=False),
        Column("paid", Boolean, nullable=False),
        Column("lines", Text, nullable=False),  # JSON [[sku, units], ...] in the order's order
        Column("promised_by", String(MOMENT), nullable=False),  # "" without a promise
        Column("promised_by_us", BigInteger),  # the promise in UTC microseconds; NULL without one
        Column("slot", String(MOMENT), nullable=False),  # the store's hourly slot it takes; "" without
        *(Column(name, BigInteger) for name in STEP_COLUMNS),
        Column("position", BigInteger, primary_key=not keyed, nullable=False),  # its last change
    ]


SHIPMENT_COLUMNS = tuple(c.name for c in _shipment_columns(True))

shipments = Table(
    "store_work_shipments", metadata,
    *_shipment_columns(True),
    Index("store_work_shipments_due", "store_id", "promised_by_us", "order_id"),
)

changes = Table(
    "store_work_changes", metadata,
    *_shipment_columns(False),
    Column("kind", String(20), nullable=False),
    # the shared feed reads every store's changes after a position
    Index("store_work_changes_position", "position"),
)

orders = Table(
    "store_work_orders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("paid", Boolean, nullable=False),
    Column("cancelled", Boolean, nullable=False),
)

backorders = Table(
    "store_work_backorders", metadata,
    Column("order_id", String(36), primary_key=True),
    Column("store_id", String(64), primary_key=True),
    Column("status", String(24), nullable=False),
    Column("lines", Text, nullable=False),
    Column("promised_by", String(MOMENT), nullable=False),
    Column("slot", String(MOMENT), nullable=False),
)

TABLES = (shipments, changes, orders, backorders)


def create_tables(engine: Engine, projection: str = "store_work") -> None:
    """Creates them and the projection's tracking row at position 0 in a database without them;
    raises OutdatedTables when they were made at another schema version."""
    create_projection_tables(engine, metadata, projection, SCHEMA_VERSION)
