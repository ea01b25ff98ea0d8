"""Stock figures, regions and consistency between their messages and the use cases' values."""

from __future__ import annotations

from domain.errors import InvalidInput
from projections.national_stock.reads import AreaFigures, Figures, Region
from protos.omo.v1 import stock_query_pb2
from projections.runtime.reader import Freshness
from services.use_cases.reads.stock_queries import Consistency

BREAKDOWN_NAMES = {
    stock_query_pb2.BY_PROVINCE: "province",
    stock_query_pb2.BY_CITY: "city",
    stock_query_pb2.BY_DEALER: "dealer",
    stock_query_pb2.BY_STORE: "store",
}


def figures_message(f: Figures) -> stock_query_pb2.StockFigures:
    return stock_query_pb2.StockFigures(
        on_hand=f.on_hand, reserved=f.reserved, safety_stock=f.safety_stock, available=f.available,
        in_transit=f.in_transit, positions=f.positions, expected=f.expected, incoming=f.incoming,
    )


def area_message(a: AreaFigures) -> stock_query_pb2.AreaStock:
    return stock_query_pb2.AreaStock(
        area=stock_query_pb2.StockArea(province=a.province, city=a.city, dealer=a.dealer, store_id=a.store_id),
        sku=a.sku, figures=figures_message(a.figures),
    )


def freshness_message(f: Freshness) -> stock_query_pb2.Freshness:
    return stock_query_pb2.Freshness(position=f.position, head=f.head, lag_events=f.lag_events, lag_ms=f.lag_ms)


def consistency_of(message: stock_query_pb2.Consistency) -> Consistency:
    return Consistency(message.min_position, message.up_to_date, message.wait_timeout_ms)


def region_of(message: stock_query_pb2.StockRegion) -> Region:
    return Region(message.province, message.city, message.dealer, message.store_id)


def breakdowns_of(values) -> list[str]:
    names = []
    for i, value in enumerate(values):
        if value not in BREAKDOWN_NAMES:
            raise InvalidInput(f"breakdown[{i}]", "must be BY_PROVINCE, BY_CITY, BY_DEALER or BY_STORE")
        names.append(BREAKDOWN_NAMES[value])
    return names
