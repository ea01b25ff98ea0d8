"""The one shared feed of the stores' changes in a server: a single thread reads the store
work change log after the last position it read, for every store at once, and hands each
change to the subscriptions of its store. An open WatchShipments stream waits on its own
subscription's queue, holding no database connection; a thousand idle streams cost their
threads and nothing else.

A subscription's queue is bounded. When a client reads too slowly and its queue is full,
the feed ends that subscription (it says so, `behind`) instead of waiting: the feed and the
other stores never wait for one slow reader, and the stream, told to reconnect from the last
position it sent, loses nothing.

The feed starts on the first subscription (a server nobody watches reads nothing) and stops
with the server, ending every subscription (`stopped`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from projections.runtime.reader import Freshness
from projections.runtime.wakeup import Wakeup
from projections.store_work.reads import Change
from projections.runtime.runner import DATABASE_ERRORS

log = logging.getLogger("omo.api")

QUEUE_SIZE = 1000  # changes waiting for one stream before it is ended as too slow
# why a subscription ended
BEHIND, STOPPED, CLOSED = "behind", "stopped", "closed"
_WAKE = object()


class Subscription:
    """One stream's share of the feed: the changes of its store, in log order."""

    def __init__(self, store_id: str, capacity: int):
        self.store_id = store_id
        self._queue: queue.Queue = queue.Queue(maxsize=capacity)
        self.ended = ""  # BEHIND, STOPPED or CLOSED once it has

    def offer(self, change: Change) -> bool:
        """False when the queue is full (the reader is too slow)."""
        try:
            self._queue.put_nowait(change)
            return True
        except queue.Full:
            return False

    def end(self, why: str) -> None:
        if not self.ended:
            self.ended = why
        try:  # wakes a reader waiting on an empty queue; a full one has something to take
            self._queue.put_nowait(_WAKE)
        except queue.Full:
            pass

    def next(self, timeout: float) -> Change | None:
        """The next change, or None when none came within `timeout` or the subscription ended
        (check `ended`)."""
        if self.ended:
            return None
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        return None if item is _WAKE or self.ended else item


class ShipmentFeed:
    """`read(after, limit)` returns every store's changes after a position and the position
    they cover to; `freshness(position)` how fresh that position is. With a `wakeup` on the
    projection's commits the feed reads as soon as the projection has applied something, and
    `poll_seconds` is only its longest wait."""

    def __init__(
        self, read: Callable[[int, int], tuple[list[Change], int]], freshness: Callable[[int], Freshness],
        poll_seconds: float = 0.05, batch: int = 1000, queue_size: int | None = None, freshness_seconds: float = 1.0,
        wakeup: Wakeup | None = None,
    ):
        self._read = read
        self._freshness_of = freshness
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.queue_size = queue_size or QUEUE_SIZE
        self.freshness_seconds = freshness_seconds
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[Subscription]] = {}
        self._position = 0
        self._freshness = Freshness(0, 0, 0, 0)
        self._freshness_at = 0.0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wakeup = wakeup or Wakeup()

    # --- the streams' side --------------------------------------------------------------

    def subscribe(self, store_id: str) -> tuple[Subscription, int]:
        """A subscription to the store's changes after the position returned: every later
        change reaches it, and every one up to that position is already in the change log."""
        self._start()
        subscription = Subscription(store_id, self.queue_size)
        with self._lock:
            if self._stopping.is_set():
                subscription.end(STOPPED)
            else:
                self._subscribers.setdefault(store_id, set()).add(subscription)
            return subscription, self._position

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.end(CLOSED)
        with self._lock:
            self._remove(subscription)

    def freshness(self) -> Freshness:
        """How fresh the projection was when last checked (within a second or so)."""
        return self._freshness

    @property
    def subscriptions(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscribers.values())

    # --- the thread ---------------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            # the first read, on the subscriber's thread: where the feed starts following from
            _, self._position = self._read(_LATEST, 1)
            self._thread = threading.Thread(target=self._run, name="omo-shipment-feed", daemon=True)
        self._refresh_freshness(force=True)
        self._thread.start()

    def _run(self) -> None:
        backoff = self.poll_seconds
        while not self._stopping.is_set():
            try:
                full = self.step()
                self._refresh_freshness()
                backoff = self.poll_seconds
            except DATABASE_ERRORS as error:
                log.warning("shipment feed: database unavailable (%s); retrying in %.1f s", type(error).__name__, backoff)
                full, backoff = False, min(backoff * 2, 5.0)
            if not full and not self._stopping.is_set():
                self._wakeup.wait(backoff)

    def step(self) -> bool:
        """Reads the next changes and hands them out; True when the page was full (more wait)."""
        found, position = self._read(self._position, self.batch)
        with self._lock:
            for change in found:
                for subscription in tuple(self._subscribers.get(change.store_id, ())):
                    if not subscription.offer(change):
                        subscription.end(BEHIND)
                        self._remove(subscription)
            # a rebuild empties the log and starts it again from 0: follow it down (streams
            # skip the positions they sent already)
            self._position = position
        return len(found) >= self.batch

    def _refresh_freshness(self, force: bool = False) -> None:
        if not force and (not self._subscribers or time.monotonic() - self._freshness_at < self.freshness_seconds):
            return
        self._freshness = self._freshness_of(self._position)
        self._freshness_at = time.monotonic()

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.store_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.store_id]

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the thread and ends every subscription (their streams end; clients reconnect)."""
        self._stopping.set()
        self._wakeup.interrupt()
        with self._lock:
            for subscribers in self._subscribers.values():
                for subscription in subscribers:
                    subscription.end(STOPPED)
            self._subscribers.clear()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._wakeup.close()


_LATEST = 2**62  # "after" no change has: only the position comes back
