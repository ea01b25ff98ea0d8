"""How the gRPC server reaches the order writer: in a process of
its own (`omo serve`: the writer's CPU work and the server's do not share one interpreter
lock), or in a thread beside the server (`omo demo`, tests, library use). Both queue the
placements and the writer takes what has queued, up to MAX_BATCH, as one batch.

A caller waits for its own outcome, which the writer sends only after the batch committed.
If the writer process dies, every caller waiting is answered OrderWriterUnavailable (nothing
of theirs was acknowledged: a retry with the same key is safe) and a new writer is started.
If the server process dies, the writer reads the end of its request pipe and exits.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from services.adapters.heap import freeze_survivors_of_full_collections
from services.adapters import tracing
from services.adapters.metrics import WRITER_BATCH, WRITER_CONFLICTS, WRITER_RESTARTS, WRITER_SAVE_SECONDS
from services.adapters.order_writer import MAX_BATCH, BatchFigures, OrderWriter
from services.use_cases.application import OmoApplication
from services.use_cases.ports import OrderWriterUnavailable, Outcome, Placement, Refused

log = logging.getLogger("omo.writer")
START_TIMEOUT_S = 600  # the writer reads the whole log into its index first
# every stock position the writer reserves at stays in memory (a few KB each)
WRITER_CACHE_SIZE = 500_000
RETRY_MESSAGE = "retry with the same idempotency key"
# what a caller waits for: its outcome, and how its batch went (None when it went in none)
Answer = tuple[Outcome, BatchFigures | None]


def _unavailable(why: str) -> Refused:
    return Refused(OrderWriterUnavailable(f"{why}; {RETRY_MESSAGE}"))


def _awaited(future: Future, timeout: float) -> Answer:
    try:
        return future.result(timeout)
    except FutureTimeout:
        # the writer may still commit it: only the same key can tell, and it will
        return _unavailable(f"the order writer did not answer within {timeout:.0f} s"), None


def run_batches(take: Callable[[], list[tuple[Any, Placement]] | None], writer: OrderWriter,
                answer: Callable[[list[tuple[Any, Outcome]], BatchFigures | None], None]) -> None:
    """The writer's loop: a batch of (tag, placement) in, (tag, outcome) out with the batch's
    figures, until take() returns None."""
    while (batch := take()) is not None:
        try:
            outcomes = writer.commit([placement for _, placement in batch])
        except Exception as error:  # noqa: BLE001 - the callers must hear, whatever it was
            log.exception("the order writer could not commit a batch of %d", len(batch))
            outcomes = [_unavailable(f"the order writer could not commit ({type(error).__name__})")] * len(batch)
        answer([(tag, outcome) for (tag, _), outcome in zip(batch, outcomes)], writer.figures)


def counted(figures: BatchFigures | None) -> None:
    """The batch in this process's metrics, wherever the writer ran."""
    if figures is not None:
        WRITER_BATCH.observe(figures.size)
        WRITER_SAVE_SECONDS.observe(figures.seconds)
        WRITER_CONFLICTS.inc(figures.conflicts)


def batch_from(inbox: queue.SimpleQueue) -> list[Any] | None:
    """What has queued: waits for one item, then takes the rest without waiting. None (the
    stop sign) ends the loop once what came before it is done."""
    first = inbox.get()
    if first is None:
        return None
    batch = [first]
    while len(batch) < MAX_BATCH:
        try:
            item = inbox.get(block=False)
        except queue.Empty:
            break
        if item is None:
            inbox.put(None)  # stop after this batch
            break
        batch.append(item)
    return batch


class WriterLink(ABC):
    """What both links share: which orders are with the writer, unanswered. A refused order
    asks the writer for its key only if one is (the placing use case)."""

    def __init__(self) -> None:
        self._in_flight_lock = threading.Lock()
        self._in_flight: Counter = Counter()

    def placing(self, order_id: UUID) -> bool:
        """A placement of this order is with the writer, unanswered."""
        return order_id in self._in_flight

    def place(self, placement: Placement, timeout: float = 60) -> Outcome:
        with self._handed(placement.order_id), tracing.tracer.start_as_current_span(tracing.WRITER_PLACE) as span:
            outcome, figures = self._place(placement, timeout)
            if span.is_recording():
                span.set_attributes({"omo.order_id": str(placement.order_id), "omo.outcome": type(outcome).__name__})
                if figures is not None:
                    tracing.record_batch(figures)
            return outcome

    @abstractmethod
    def _place(self, placement: Placement, timeout: float) -> Answer:
        """Hands the placement to the writer and waits for its outcome."""

    @contextmanager
    def _handed(self, order_id: UUID) -> Iterator[None]:
        with self._in_flight_lock:
            self._in_flight[order_id] += 1
        try:
            yield
        finally:
            with self._in_flight_lock:
                self._in_flight[order_id] -= 1
                if not self._in_flight[order_id]:
                    del self._in_flight[order_id]


class ThreadWriterLink(WriterLink):
    """The writer in a thread of this process, with an application of its own."""

    def __init__(self, make_app: Callable[[], OmoApplication]):
        super().__init__()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._make_app = make_app
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="omo-order-writer", daemon=True)
        self._thread.start()

    @property
    def ready(self) -> bool:
        return not self._closed and self._thread.is_alive()

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        app = self._make_app()
        try:
            run_batches(lambda: batch_from(self._queue), OrderWriter(app), self._answer)
        finally:
            app.close()

    @staticmethod
    def _answer(pairs: list[tuple[Future, Outcome]], figures: BatchFigures | None) -> None:
        counted(figures)
        for future, outcome in pairs:
            future.set_result((outcome, figures))

    def _place(self, placement: Placement, timeout: float) -> Answer:
        if self._closed:
            return _unavailable("the server is shutting down"), None
        future: Future = Future()
        self._queue.put((future, placement))
        return _awaited(future, timeout)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join(timeout=30)


class ProcessWriterLink(WriterLink):
    """The writer in a process of its own, over two pipes; restarted if it dies."""

    def __init__(self, database_url: str, make_app: Callable[[str], OmoApplication], start_timeout: float = START_TIMEOUT_S):
        """`make_app(database_url)` builds the writer's application in the new process: a
        function importable by name (the process is spawned, not forked)."""
        super().__init__()
        self._url = database_url
        self._make_app = make_app
        self._start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()  # guards sending, the waiting callers and restarts
        self._waiting: dict[int, Future] = {}
        self._ids = itertools.count()
        self._closed = False
        self._start()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def queue_depth(self) -> int:
        """Placements handed to the writer and not yet answered."""
        return len(self._waiting)

    @property
    def ready(self) -> bool:
        """Its process is running and taking placements (not dead, not being restarted)."""
        with self._lock:
            return not self._closed and self._process.is_alive() and not self._requests.closed

    def _start(self) -> None:
        requests_in, requests = self._context.Pipe(duplex=False)
        replies, replies_out = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=writer_process, args=(self._make_app, self._url, requests_in, replies_out), name="omo-order-writer", daemon=True,
        )
        process.start()
        # the child holds its own ends now; closing ours lets each side see the other's death
        requests_in.close()
        replies_out.close()
        if not replies.poll(self._start_timeout) or replies.recv() != "ready":
            process.kill()
            raise RuntimeError("the order writer did not start")
        with self._lock:
            self._requests, self._process = requests, process
        log.info("order writer started (pid %d)", process.pid)
        threading.Thread(target=self._receive, args=(replies, process), name="omo-writer-replies", daemon=True).start()

    def _place(self, placement: Placement, timeout: float) -> Answer:
        future: Future = Future()
        with self._lock:
            if self._closed:
                return _unavailable("the server is shutting down"), None
            request_id = next(self._ids)
            self._waiting[request_id] = future
            try:
                self._requests.send((request_id, placement))
            except (OSError, ValueError):
                del self._waiting[request_id]
                return _unavailable("the order writer is restarting"), None
        return _awaited(future, timeout)

    def _receive(self, replies: Any, process: Any) -> None:
        try:
            while True:
                pairs, figures = replies.recv()
                counted(figures)
                for request_id, outcome in pairs:
                    with self._lock:
                        future = self._waiting.pop(request_id, None)
                    if future is not None:
                        future.set_result((outcome, figures))
        except (EOFError, OSError):
            pass  # the writer's process ended: the callers still waiting are answered next
        with self._lock:
            waiting, self._waiting = self._waiting, {}
            self._requests.close()  # callers meanwhile are answered at once, not queued
        for future in waiting.values():
            future.set_result((_unavailable("the order writer stopped before answering"), None))
        process.join(timeout=5)
        if not self._closed:
            WRITER_RESTARTS.inc()
        while not self._closed:
            log.error("the order writer (pid %s) stopped (exit code %s); starting another", process.pid, process.exitcode)
            try:
                self._start()
                return
            except Exception:  # noqa: BLE001 - keep trying: without a writer no order is placed
                log.exception("the order writer did not start; trying again in 5 s")
                time.sleep(5)

    def close(self, timeout: float = 30) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._requests.send(None)
            except (OSError, ValueError):
                pass  # the writer is gone already: there is no one to tell to stop
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()


def writer_process(make_app: Callable[[str], OmoApplication], database_url: str, requests: Any, replies: Any) -> None:
    """The writer process: its own application on the same database, batches until the
    server says stop or goes away."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s[writer]: %(message)s")
    freeze_survivors_of_full_collections()
    app = make_app(database_url)
    inbox: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            while (message := requests.recv()) is not None:
                inbox.put(message)
        except (EOFError, OSError):
            log.warning("the server went away; committing what it had sent, then stopping")
        inbox.put(None)

    threading.Thread(target=read, name="omo-writer-requests", daemon=True).start()
    replies.send("ready")
    try:
        run_batches(lambda: batch_from(inbox), OrderWriter(app), _sender(replies))
    finally:
        app.close()


def _sender(replies: Any) -> Callable[[list[tuple[int, Outcome]], BatchFigures | None], None]:
    def send(pairs: list[tuple[int, Outcome]], figures: BatchFigures | None) -> None:
        try:
            replies.send((pairs, figures))
        except (OSError, ValueError):
            pass  # the server is gone; its callers retry with their keys

    return send
