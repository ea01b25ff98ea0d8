"""Server-side deadlines and budgets for streams, so that no caller holds a stream's thread (and
what it holds) for ever:

- the server holds at most `max_streams` streams at once, and refuses one more;
- a WatchStock stream ends after `watch_max_seconds`;
- a SyncStock stream ends when its POS has sent nothing for `sync_idle_seconds`, after
  `sync_max_seconds` in all, or when it would carry more than `sync_max_movements`.

Each ends with a status saying which limit it met and that a new stream may carry on:
DEADLINE_EXCEEDED for time (StreamExpired), RESOURCE_EXHAUSTED for the movements
(StreamExhausted) and for a server full of streams (TooManyStreams). What a stream applied
before stays applied and acknowledged.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError


class StreamExpired(DomainError):
    """A stream met its server-side time limit."""


class StreamExhausted(DomainError):
    """A stream would carry more than it may."""


class StreamFellBehind(StreamExhausted):
    """A server stream's client read so slowly that what waited for it filled its buffer: the
    stream ends, and the client reconnects from the last position it received."""
class TooManyStreams(StreamExhausted):
    """The server holds as many streams as it may: this one is not opened."""

    def __init__(self, max_streams: int):
        super().__init__(
            f"this server holds its maximum of {max_streams:,} streams; retry later or on another server"
        )


@dataclass(frozen=True)
class StreamLimits:
    watch_max_seconds: float = 3600.0
    sync_idle_seconds: float = 300.0  # a POS with nothing to send closes its stream
    sync_max_seconds: float = 3600.0
    sync_max_movements: int = 100_000
    max_streams: int = 4000  # held at once, every kind together

    def __post_init__(self) -> None:
        for name in ("watch_max_seconds", "sync_idle_seconds", "sync_max_seconds", "sync_max_movements", "max_streams"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")


class StreamBudget:
    """Counts what one stream has carried against its limit."""

    def __init__(self, limit: int, what: str = "movements"):
        self.limit = limit
        self.what = what
        self.carried = 0

    def spend(self, count: int) -> None:
        """Raises StreamExhausted, counting nothing, when `count` more would pass the limit."""
        if self.carried + count > self.limit:
            raise StreamExhausted(
                f"this stream has carried {self.carried:,} {self.what} and may carry at most {self.limit:,}: "
                f"these {count:,} were not applied; send them on a new stream"
            )
        self.carried += count


_END = object()
_HAND_OVER_POLL_SECONDS = 0.25


def paced(requests: Iterator[Any], idle_seconds: float, max_seconds: float, clock: Callable[[], float] = time.monotonic) -> Iterator[Any]:
    """The messages of a client stream, raising StreamExpired when the next one does not come
    within `idle_seconds`, or the stream has lasted `max_seconds`.

    gRPC's request iterator blocks until the client sends or closes, so it is read on a
    thread of its own, one message ahead, and waited for with a timeout here. That thread
    ends when the call does (the iterator then stops or raises), or at once when this
    generator is closed."""
    inbox: queue.Queue = queue.Queue(maxsize=1)
    closed = threading.Event()
    threading.Thread(target=_read, args=(requests, inbox, closed), name="omo-stream-reader", daemon=True).start()
    ends_at = clock() + max_seconds
    try:
        while True:
            left = ends_at - clock()
            if left <= 0:
                raise _lasted_too_long(max_seconds)
            try:
                item, error = inbox.get(timeout=min(idle_seconds, left))
            except queue.Empty:
                if clock() >= ends_at:
                    raise _lasted_too_long(max_seconds) from None
                raise StreamExpired(f"nothing was sent for {idle_seconds:g} s; open a new stream when there is more to send") from None
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        closed.set()


def _lasted_too_long(max_seconds: float) -> StreamExpired:
    return StreamExpired(f"a stream may last at most {max_seconds:g} s; open a new one to send more")


def _read(requests: Iterator[Any], inbox: queue.Queue, closed: threading.Event) -> None:
    try:
        for request in requests:
            if not _hand_over(inbox, (request, None), closed):
                return
        _hand_over(inbox, (_END, None), closed)
    except BaseException as error:  # noqa: BLE001 - handed to the servicer's thread, raised there
        _hand_over(inbox, (None, error), closed)


def _hand_over(inbox: queue.Queue, item: tuple[Any, BaseException | None], closed: threading.Event) -> bool:
    """Puts the item for the consumer; False when the consumer has gone."""
    while not closed.is_set():
        try:
            inbox.put(item, timeout=_HAND_OVER_POLL_SECONDS)
            return True
        except queue.Full:
            continue
    return False
