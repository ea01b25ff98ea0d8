"""The shared watcher of a projection's position, without a database or a server: one read per
interval however many streams wait, only the streams it moved away from are woken, a stream's
own wake-up ends its wait, and the watcher's thread ends when nobody waits (the watch streams
themselves are tested through the real server)."""

from __future__ import annotations

import threading
import time

from services.api.projection_watch import PositionWatch, Recent
from tests.unit.test_deadlines import wait_until

INTERVAL = 0.02


class Projection:
    """A position that the test moves; counts its reads."""

    def __init__(self, position: int = 10):
        self.position = position
        self.reads = 0

    def read(self) -> int:
        self.reads += 1
        return self.position


def watchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "test-watch"]


class Waiter:
    def __init__(self, watch: PositionWatch, position: int, timeout: float = 10):
        self.wake = threading.Event()
        self.woken_at: float | None = None
        self.moved: bool | None = None
        self.thread = threading.Thread(target=self._wait, args=(watch, position, timeout), daemon=True)
        self.thread.start()

    def _wait(self, watch: PositionWatch, position: int, timeout: float) -> None:
        self.moved = watch.wait(position, timeout, self.wake)
        self.woken_at = time.monotonic()

    @property
    def woken(self) -> bool:
        return self.woken_at is not None


def test_many_waiting_streams_cost_one_read_per_interval():
    projection = Projection()
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    waiters = [Waiter(watch, 10) for _ in range(50)]
    assert wait_until(lambda: watch.waiting == 50)
    reads_before = projection.reads
    time.sleep(0.4)
    # about 20 intervals went by: 50 streams polling would have read 1,000 times
    assert 5 <= projection.reads - reads_before <= 25
    assert not any(w.woken for w in waiters)
    watch.stop()
    assert wait_until(lambda: all(w.woken for w in waiters))


def test_a_move_wakes_the_streams_behind_it_and_no_other():
    projection = Projection()
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    behind, level, ahead = Waiter(watch, 10), Waiter(watch, 12), Waiter(watch, 15)
    assert wait_until(lambda: watch.waiting == 3)
    projection.position = 12
    assert wait_until(lambda: behind.woken)
    assert behind.moved is True
    time.sleep(5 * INTERVAL)
    assert not level.woken and not ahead.woken
    projection.position = 15
    assert wait_until(lambda: level.woken)
    time.sleep(5 * INTERVAL)
    assert not ahead.woken
    watch.stop()


def test_a_stream_that_arrives_after_a_move_does_not_wait():
    projection = Projection(20)
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    first = Waiter(watch, 20, timeout=0.2)
    first.thread.join(5)
    started = time.monotonic()
    assert watch.wait(12, timeout=5, wake=threading.Event()) is True  # the watcher has read 20 already
    assert time.monotonic() - started < 0.1
    watch.stop()


def test_a_rebuild_wakes_every_stream():
    projection = Projection(30)
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    first = Waiter(watch, 30)
    assert wait_until(lambda: projection.reads >= 1)
    projection.position = 0  # rebuilt: the projection starts again
    assert wait_until(lambda: first.woken)
    assert first.moved is True
    watch.stop()


def test_a_stream_whose_call_ends_stops_waiting_at_once():
    projection = Projection()
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    waiter = Waiter(watch, 10)
    assert wait_until(lambda: watch.waiting == 1)
    set_at = time.monotonic()
    waiter.wake.set()
    assert wait_until(lambda: waiter.woken)
    assert waiter.woken_at - set_at < 0.5
    assert watch.waiting == 0
    watch.stop()


def test_a_heartbeat_wait_runs_out_and_says_nothing_moved():
    projection = Projection()
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    started = time.monotonic()
    assert watch.wait(10, timeout=0.2, wake=threading.Event()) is False
    assert 0.2 <= time.monotonic() - started < 1
    watch.stop()


def test_the_watcher_thread_runs_only_while_streams_wait():
    projection = Projection()
    watch = PositionWatch(projection.read, INTERVAL, name="test-watch")
    assert not watchers()
    watch.wait(10, timeout=0.1, wake=threading.Event())
    assert wait_until(lambda: not watchers())
    reads = projection.reads
    time.sleep(5 * INTERVAL)
    assert projection.reads == reads  # nobody waits: nothing is read
    watch.wait(10, timeout=0.1, wake=threading.Event())  # starts again for the next stream
    assert projection.reads > reads
    watch.stop()


def test_a_failing_read_is_retried_at_the_next_interval():
    projection = Projection()
    failures = iter([RuntimeError("the database is restarting")] * 2)

    def flaky() -> int:
        if (failure := next(failures, None)) is not None:
            raise failure
        return projection.read()

    watch = PositionWatch(flaky, INTERVAL, name="test-watch")
    waiter = Waiter(watch, 5)
    assert wait_until(lambda: waiter.woken)  # read 10 after two failures
    watch.stop()


def test_recent_values_are_shared_per_key_for_their_age():
    computed = []

    def compute(key: int) -> str:
        computed.append(key)
        return f"at {key}"

    recent = Recent(compute, max_age=0.2)
    assert [recent(1), recent(1), recent(2), recent(2)] == ["at 1", "at 1", "at 2", "at 2"]
    assert computed == [1, 2]
    time.sleep(0.25)
    assert recent(2) == "at 2"
    assert computed == [1, 2, 2]
