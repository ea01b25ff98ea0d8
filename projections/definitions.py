"""The projections the runner can run, each described by what it reads and writes.

A projection is a name (its row in the tracking table), the event topics it reads, how to
create its tables (and its tracking row), the tables a rebuild empties, and
`apply_batch(connection, events, end)`, which applies one batch inside the runner's
transaction (the runner moves the position in the same transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, Table

from aggregates.order import Order
from aggregates.stock_position import StockPosition
from aggregates.store import Store
from projections import dealer_ledger, ledger_tables, national_stock, stock_tables
from projections.event_log import EventLog, event_topics


@dataclass(frozen=True)
class Projection:
    name: str
    topics: tuple[str, ...]
    create_tables: Callable[[Engine], None]
    tables: tuple[Table, ...]  # emptied by a rebuild
    apply_batch: Callable[[Connection, Sequence[tuple[int, Any]], int], None]

    def event_log(self, application: Application) -> EventLog:
        return EventLog(application, self.topics)


NATIONAL_STOCK = Projection(
    name=national_stock.NAME,
    topics=event_topics(StockPosition, Store),
    create_tables=lambda engine: stock_tables.create_tables(engine, national_stock.NAME),
    tables=(*stock_tables.FIGURE_TABLES, stock_tables.stores),
    apply_batch=national_stock.apply_batch,
)

DEALER_LEDGER = Projection(
    name=dealer_ledger.NAME,
    topics=tuple(sorted(get_topic(cls) for cls in (Order.ShipmentAttributed, Order.AttributionReversed))),
    create_tables=ledger_tables.create_tables,
    tables=ledger_tables.TABLES,
    apply_batch=dealer_ledger.apply_batch,
)

PROJECTIONS = {p.name: p for p in (NATIONAL_STOCK, DEALER_LEDGER)}


def projection_named(name: str) -> Projection:
    try:
        return PROJECTIONS[name]
    except KeyError:
        raise ValueError(f"no projection {name!r}; there are {', '.join(PROJECTIONS)}") from None
