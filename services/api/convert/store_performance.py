"""GetStorePerformance's request and response between their messages and the use case."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import stores_pb2
from services.api.convert.stock_query import freshness_message
from services.use_cases.reads.store_performance import Figures, Performance, Scope


def scope_of(request: stores_pb2.GetStorePerformanceRequest) -> Scope:
    which = request.WhichOneof("scope")
    if which == "region":
        return Scope(province=request.region.province, city=request.region.city)
    # an empty oneof member counts as not given, so the use case names what is missing
    return Scope(store_id=request.store_id, dealer_id=request.dealer_id)


def figures_message(f: Figures) -> stores_pb2.PerformanceFigures:
    message = stores_pb2.PerformanceFigures(due=f.due, on_time=f.on_time, late=f.late, open=f.open, overdue=f.overdue)
    if (share := f.on_time_per_mille) is not None:
        message.on_time_per_mille = share
    return message


def performance_message(p: Performance) -> stores_pb2.GetStorePerformanceResponse:
    as_of = Timestamp()
    as_of.FromMicroseconds(p.as_of_us)
    return stores_pb2.GetStorePerformanceResponse(
        stores=[
            stores_pb2.StorePerformance(
                store_id=s.store_id, total=figures_message(s.total),
                days=[stores_pb2.StoreDayPerformance(local_day=d.local_day, figures=figures_message(d.figures)) for d in s.days],
            )
            for s in p.stores
        ],
        total=figures_message(p.total), store_count=p.store_count, next_page_token=p.next_page_token,
        as_of=as_of, freshness=freshness_message(p.freshness),
    )
