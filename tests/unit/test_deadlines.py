"""Server-side deadlines without a server: the stream reader ends a stream that goes quiet or
lasts too long, and its thread with it; `omo serve` takes the limits; PostgreSQL URLs get the
timeouts (through the real server: tests/e2e/test_deadlines.py; the database's timeouts:
tests/integration/test_deadlines.py)."""

from __future__ import annotations

import threading
import time

import pytest

from services.api.stream_limits import StreamExpired, StreamLimits, paced
from services.cli.main import build_parser
from services.adapters.database_timeouts import with_database_timeouts


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "omo-stream-reader"]


def wait_until(condition, seconds: float = 5.0) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# --- paced: the stream reader --------------------------------------------------------------

def test_a_stream_passes_through_whole_and_its_reader_ends():
    assert list(paced(iter(range(5)), idle_seconds=1, max_seconds=5)) == [0, 1, 2, 3, 4]
    assert wait_until(lambda: not readers())


def test_a_quiet_stream_ends_after_the_idle_time_and_its_reader_with_it():
    release = threading.Event()

    def quiet():
        yield "first"
        release.wait(10)  # a client that sends nothing more (until its call ends)

    stream = paced(quiet(), idle_seconds=0.2, max_seconds=60)
    assert next(stream) == "first"
    started = time.monotonic()
    with pytest.raises(StreamExpired, match="nothing was sent for 0.2 s"):
        next(stream)
    assert 0.15 <= time.monotonic() - started < 2
    release.set()  # what gRPC does when the call ends: the iterator stops
    assert wait_until(lambda: not readers())


def test_a_busy_stream_ends_after_its_maximum_time():
    def steady():
        while True:
            time.sleep(0.05)
            yield "batch"

    started = time.monotonic()
    with pytest.raises(StreamExpired, match="at most 0.4 s"):
        for _ in paced(steady(), idle_seconds=5, max_seconds=0.4):
            pass
    assert 0.35 <= time.monotonic() - started < 2
    assert wait_until(lambda: not readers())


def test_an_error_reading_the_stream_is_raised_to_the_servicer():
    def broken():
        yield 1
        raise ValueError("no more")

    stream = paced(broken(), idle_seconds=1, max_seconds=5)
    assert next(stream) == 1
    with pytest.raises(ValueError, match="no more"):
        next(stream)


def test_omo_serve_takes_the_stream_limits():
    from services.cli.serve import chosen_limits

    defaults = StreamLimits()
    _, limits, max_bytes, _ = chosen_limits(build_parser().parse_args(["serve"]))
    assert (limits, max_bytes) == (defaults, 4 * 1024 * 1024)
    args = build_parser().parse_args([
        "serve", "--watch-max-seconds", "60", "--sync-idle-seconds", "30", "--sync-max-seconds", "600",
        "--sync-max-movements", "5000", "--max-message-bytes", "1048576", "--max-streams", "20000",
    ])
    _, limits, max_bytes, _ = chosen_limits(args)
    assert (limits, max_bytes) == (StreamLimits(60, 30, 600, 5000, max_streams=20000), 1048576)
    for refused in (["--sync-idle-seconds", "0"], ["--max-streams", "0"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["serve", *refused])


def test_omo_serve_takes_the_buyers_budget():
    from decimal import Decimal

    from services.api.gate.buyer_guard import BuyerLimits
    from services.cli.serve import chosen_limits

    assert chosen_limits(build_parser().parse_args(["serve"]))[3] == BuyerLimits()
    args = build_parser().parse_args(["serve", "--buyer-rate", "0.5/3", "--buyer-memory", "1000"])
    assert chosen_limits(args)[3] == BuyerLimits(orders_per_second=Decimal("0.5"), burst=3, max_buyers=1000)
    for wrong in ("5", "0/5", "2/0", "x/5"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["serve", "--buyer-rate", wrong])


# --- the database -------------------------------------------------------------------------

def test_postgresql_urls_get_the_timeouts_merged_with_their_options():
    assert with_database_timeouts("sqlite:////tmp/omo.db") == "sqlite:////tmp/omo.db"
    url = with_database_timeouts("postgresql+psycopg2://u:secret@db:5432/omo?options=-csearch_path%3Dt1")
    assert url.startswith("postgresql+psycopg2://u:secret@db:5432/omo?options=")
    from sqlalchemy.engine import make_url

    assert make_url(url).query["options"] == "-csearch_path=t1 -c statement_timeout=10000 -c lock_timeout=5000"
    own = with_database_timeouts("postgresql://u@db/omo?options=-c%20statement_timeout%3D30000")
    assert make_url(own).query["options"] == "-c statement_timeout=30000 -c lock_timeout=5000"
