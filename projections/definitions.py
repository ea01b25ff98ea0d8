"""The projections there are: the national stock count, the dealer ledger, the on-time figures, the
order list and the stores' work."""

from __future__ import annotations


from aggregates.stock_position import StockPosition
from aggregates.store import Store
from projections.dealer_ledger import projection as dealer_ledger, tables as ledger_tables
from projections.national_stock import projection as national_stock, tables as stock_tables
from projections.on_time import projection as on_time, tables as on_time_tables
from projections.order_list import fold as order_fold, projection as order_list, tables as order_tables
from projections.reconciliation import projection as reconciliation, tables as reconciliation_tables
from projections.runtime.event_log import event_topics
from projections.runtime.projection import Projection
from projections.store_work import projection as store_work, tables as work_tables


NATIONAL_STOCK = Projection(
    name=national_stock.NAME,
    topics=event_topics(StockPosition, Store),
    create_tables=lambda engine: stock_tables.create_tables(engine, national_stock.NAME),
    tables=(*stock_tables.FIGURE_TABLES, stock_tables.stores),
    apply_batch=national_stock.apply_batch,
    schema_version=stock_tables.SCHEMA_VERSION,
)

DEALER_LEDGER = Projection(
    name=dealer_ledger.NAME,
    topics=dealer_ledger.TOPICS,
    create_tables=ledger_tables.create_tables,
    tables=ledger_tables.TABLES,
    apply_batch=dealer_ledger.apply_batch,
    schema_version=ledger_tables.SCHEMA_VERSION,
)

ON_TIME = Projection(
    name=on_time.NAME,
    topics=on_time.TOPICS,
    create_tables=on_time_tables.create_tables,
    tables=on_time_tables.TABLES,
    apply_batch=on_time.apply_batch,
    schema_version=on_time_tables.SCHEMA_VERSION,
)

ORDER_LIST = Projection(
    name=order_list.NAME,
    topics=order_fold.TOPICS,
    create_tables=order_tables.create_tables,
    tables=order_tables.TABLES,
    apply_batch=order_list.apply_batch,
    schema_version=order_tables.SCHEMA_VERSION,
)

STORE_WORK = Projection(
    name=store_work.NAME,
    topics=store_work.TOPICS,
    create_tables=work_tables.create_tables,
    tables=work_tables.TABLES,
    apply_batch=store_work.apply_batch,
    schema_version=work_tables.SCHEMA_VERSION,
    follows_closely=True,
)

RECONCILIATION = Projection(
    name=reconciliation.NAME,
    topics=reconciliation.TOPICS,
    create_tables=reconciliation_tables.create_tables,
    tables=reconciliation_tables.TABLES,
    apply_batch=reconciliation.apply_batch,
    schema_version=reconciliation_tables.SCHEMA_VERSION,
)

PROJECTIONS = {p.name: p for p in (NATIONAL_STOCK, DEALER_LEDGER, ON_TIME, ORDER_LIST, STORE_WORK, RECONCILIATION)}


def projection_named(name: str) -> Projection:
    try:
        return PROJECTIONS[name]
    except KeyError:
        raise ValueError(f"no projection {name!r}; there are {', '.join(PROJECTIONS)}") from None
