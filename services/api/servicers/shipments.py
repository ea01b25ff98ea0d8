"""FulfilmentService's store queue: ListShipments (a page of a store's shipments in the order
they are due) and WatchShipments (a store's changes from a position, then live, from the
server's shared feed)."""

from __future__ import annotations

import time

from protos.omo.v1 import fulfilment_pb2
from services.adapters.shipment_feed import BEHIND, ShipmentFeed, Subscription
from services.api.convert import common as convert
from services.api.convert.shipments import change_message, shipment_message, shipment_query
from services.api.convert.stock_query import consistency_of, freshness_message
from services.api.errors import rpc, stream_rpc
from services.api.stream_limits import StreamExpired, StreamFellBehind, StreamLimits
from services.use_cases.reads.store_work import StoreWork

HEARTBEAT_SECONDS = 5.0
REPLAY_PAGE = 500  # changes read per transaction while replaying


class StoreQueue:
    """The two RPCs, for FulfilmentServicer; `close()` stops the feed with the server."""

    def __init__(
        self, work: StoreWork, feed: ShipmentFeed | None = None, watch_max_seconds: float = StreamLimits.watch_max_seconds,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ):
        self.work = work
        self.feed = feed or ShipmentFeed(work.changes_after, work.freshness, wakeup=work.commits())
        self.watch_max_seconds = watch_max_seconds
        self.heartbeat_seconds = heartbeat_seconds

    def close(self) -> None:
        self.feed.stop()
        self.work.close()

    @rpc
    def ListShipments(self, request, context):
        query = shipment_query(request)
        size = convert.page_size(request.page_size)
        self.work.wait(consistency_of(request.consistency), context.time_remaining())
        page = self.work.list_shipments(query, size, request.page_token, self.work.now_us())
        return fulfilment_pb2.ListShipmentsResponse(
            shipments=[shipment_message(s) for s in page.shipments], next_page_token=page.next_page_token,
            freshness=freshness_message(page.freshness),
        )

    @stream_rpc
    def WatchShipments(self, request, context):
        store_id = self.work.check_watch(request.store_id, request.after_position)
        ends_at = time.monotonic() + self.watch_max_seconds
        sent = request.after_position
        # the history first, before subscribing, so the live queue only gathers what comes meanwhile
        for change in self._replay(store_id, sent, None, context, ends_at):
            sent = change.position
            yield change_message(change)
        subscription, live_from = self.feed.subscribe(store_id)
        context.add_callback(lambda: self.feed.unsubscribe(subscription))  # a cancelled call wakes its stream
        try:
            for change in self._replay(store_id, sent, live_from, context, ends_at):
                sent = change.position
                yield change_message(change)
            yield self._heartbeat()
            yield from self._follow(subscription, sent, context, ends_at)
        finally:
            self.feed.unsubscribe(subscription)

    def _replay(self, store_id: str, after: int, upto: int | None, context, ends_at: float):
        """The store's changes after `after` (up to `upto`), a page per short transaction:
        no connection is held while a page is sent."""
        while upto is None or after < upto:
            self._check_time(ends_at, after)
            page = self.work.store_changes(store_id, after, REPLAY_PAGE, upto)
            yield from page
            if len(page) < REPLAY_PAGE or not context.is_active():
                return
            after = page[-1].position

    def _follow(self, subscription: Subscription, sent: int, context, ends_at: float):
        quiet_since = time.monotonic()
        while context.is_active():
            self._check_time(ends_at, sent)
            wait = min(self.heartbeat_seconds - (time.monotonic() - quiet_since), ends_at - time.monotonic())
            change = subscription.next(max(0.0, wait))
            if subscription.ended == BEHIND:
                raise StreamFellBehind(
                    f"this stream fell {self.feed.queue_size:,} changes behind (the client reads too slowly); "
                    f"reconnect with after_position={sent} to go on without missing any"
                )
            if subscription.ended:
                return  # the server is stopping, or the call ended: the client reconnects
            if change is not None and change.position > sent:  # a rebuild sends positions again
                sent = change.position
                yield change_message(change)
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= self.heartbeat_seconds:
                yield self._heartbeat()
                quiet_since = time.monotonic()

    def _heartbeat(self) -> fulfilment_pb2.WatchShipmentsResponse:
        return fulfilment_pb2.WatchShipmentsResponse(freshness=freshness_message(self.feed.freshness()))

    def _check_time(self, ends_at: float, sent: int) -> None:
        if time.monotonic() >= ends_at:
            raise StreamExpired(
                f"a watch lasts at most {self.watch_max_seconds:g} s; open a new one with after_position={sent} to go on"
            )

