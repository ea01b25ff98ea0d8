"""StockQueryService: the national stock count, its breakdowns and its changes as they happen."""

from __future__ import annotations

import threading
import time

import grpc

from projections.national_stock.reads import Region
from protos.omo.v1 import stock_query_pb2, stock_query_pb2_grpc
from services.api.convert import common as convert
from services.api.convert.stock_query import (
    area_message, breakdowns_of, consistency_of, figures_message, freshness_message, region_of,
)
from services.api.errors import rpc
from services.api.projection_watch import PositionWatch, Recent
from services.api.stream_limits import StreamExpired, StreamLimits
from services.use_cases.reads.stock_queries import StockQueries, checked_region

HEARTBEAT_SECONDS = 5.0
WATCH_POLL_SECONDS = 0.05
# streams at one position share its freshness (the head of the log, the lag) this long
FRESHNESS_SHARED_SECONDS = 0.5


class StockQueryServicer(stock_query_pb2_grpc.StockQueryServiceServicer):
    def __init__(self, queries: StockQueries, watch_max_seconds: float = StreamLimits.watch_max_seconds):
        self.queries = queries
        self.watch_max_seconds = watch_max_seconds
        # every WatchStock of this server waits on one reader of the projection's position
        self.watch = PositionWatch(queries.position, WATCH_POLL_SECONDS, name="omo-stock-watch")
        self._freshness = Recent(queries.freshness, FRESHNESS_SHARED_SECONDS)

    def close(self) -> None:
        self.watch.stop()

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
        wake = threading.Event()
        context.add_callback(wake.set)  # a call that ends stops its wait at once
        sent_position = 0
        first = True
        last_sent = time.monotonic()
        # a server-side deadline: a watch forgotten by its caller does not hold a thread for ever
        ends_at = last_sent + self.watch_max_seconds
        moved = True
        while True:
            wake.clear()
            if not context.is_active():
                return
            if time.monotonic() >= ends_at:
                _abort_like_rpc(context, StreamExpired(
                    f"a watch lasts at most {self.watch_max_seconds:g} s; open a new one to go on watching"
                ))
            if moved:
                changes, position = self.queries.changes(region, sku, sent_position)
            else:  # a heartbeat is due and nothing moved: no query
                changes, position = [], sent_position
            if first or changes or time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                yield stock_query_pb2.WatchStockResponse(
                    changes=[area_message(a) for a in changes],
                    freshness=freshness_message(self._freshness(position)),
                )
                first, last_sent = False, time.monotonic()
            if position < sent_position:  # a rebuild starts the position again from 0: resend every watched row
                sent_position = 0
                continue
            sent_position = position
            now = time.monotonic()
            moved = self.watch.wait(position, min(last_sent + HEARTBEAT_SECONDS, ends_at) - now, wake)


def _abort_like_rpc(context: grpc.ServicerContext, error: Exception) -> None:
    """The unary calls' error mapping, for a stream's opening checks."""

    @rpc
    def check(_self, _request, _context):
        raise error

    check(None, None, context)
