"""StockQueryService: the national stock count, its breakdowns and its changes as they happen."""

from __future__ import annotations

import time

import grpc

from projections.national_stock.reads import Region
from protos.omo.v1 import stock_query_pb2, stock_query_pb2_grpc
from services.api.convert import common as convert
from services.api.convert.stock_query import (
    area_message, breakdowns_of, consistency_of, figures_message, freshness_message, region_of,
)
from services.api.errors import rpc
from services.api.stream_limits import StreamExpired, StreamLimits
from services.use_cases.stock_queries import StockQueries, checked_region

HEARTBEAT_SECONDS = 5.0
WATCH_POLL_SECONDS = 0.05


class StockQueryServicer(stock_query_pb2_grpc.StockQueryServiceServicer):
    def __init__(self, queries: StockQueries, watch_max_seconds: float = StreamLimits.watch_max_seconds):
        self.queries = queries
        self.watch_max_seconds = watch_max_seconds

    @rpc
    def GetNationalStock(self, request, context):
        breakdowns = breakdowns_of(request.breakdown)
        consistency = consistency_of(request.consistency)
        self.queries.wait(consistency, context.time_remaining())
        found = self.queries.national_stock(request.sku, breakdowns)
        parts = {f"by_{by}": [area_message(a) for a in rows] for by, rows in found.breakdowns.items()}
        return stock_query_pb2.GetNationalStockResponse(
            sku=found.sku, national=figures_message(found.national), freshness=freshness_message(found.freshness), **parts,
        )

    @rpc
    def ListLowStock(self, request, context):
        size = convert.page_size(request.page_size)
        after = convert.decode_page_token(request.page_token)
        consistency = consistency_of(request.consistency)
        self.queries.wait(consistency, context.time_remaining())
        rows, last, freshness = self.queries.low_stock(region_of(request.region), request.threshold, after, size)
        return stock_query_pb2.ListLowStockResponse(
            items=[area_message(a) for a in rows], next_page_token=convert.encode_page_token(last),
            freshness=freshness_message(freshness),
        )

    def WatchStock(self, request, context):
        try:
            region = checked_region(region_of(request.region))
            consistency = consistency_of(request.consistency)
            self.queries.wait(consistency, context.time_remaining())
            self.queries.check_watch(region, request.sku)
        except Exception as error:  # noqa: BLE001 - mapped exactly as the unary calls are
            _abort_like_rpc(context, error)
        yield from self._follow(region, request.sku, context)

    def _follow(self, region: Region, sku: str, context):
        sent_position = 0
        first = True
        last_sent = time.monotonic()
        # a server-side deadline: a watch forgotten by its caller does not hold a worker for ever
        ends_at = last_sent + self.watch_max_seconds
        while context.is_active():
            if time.monotonic() >= ends_at:
                _abort_like_rpc(context, StreamExpired(
                    f"a watch lasts at most {self.watch_max_seconds:g} s; open a new one to go on watching"
                ))
            changes, position = self.queries.changes(region, sku, sent_position)
            if first or changes or time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                yield stock_query_pb2.WatchStockResponse(
                    changes=[area_message(a) for a in changes],
                    freshness=freshness_message(self.queries.freshness(position)),
                )
                first, last_sent = False, time.monotonic()
            # a rebuild starts the position again from 0: then every watched row is resent
            sent_position = 0 if position < sent_position else position
            time.sleep(WATCH_POLL_SECONDS)


def _abort_like_rpc(context: grpc.ServicerContext, error: Exception) -> None:
    """The unary calls' error mapping, for a stream's opening checks."""

    @rpc
    def check(_self, _request, _context):
        raise error

    check(None, None, context)
