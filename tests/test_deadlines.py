"""Server-side deadlines: a POS stream that goes quiet, or lasts too long, and a watch that
lasts too long, end with DEADLINE_EXCEEDED saying why; the thread reading a stream ends with
it; on PostgreSQL the server's connections carry statement_timeout and lock_timeout, and a
call cut short by either is answered UNAVAILABLE."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import pos_pb2, stock_query_pb2
from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.errors import rpc
from services.api.server import start_server
from services.api.stream_limits import StreamExpired, StreamLimits, paced
from services.bootstrap import build_application
from services.cli.main import build_parser
from services.adapters.config import libpq_url
from services.adapters.database_timeouts import database_connection_lost, database_timed_out, with_database_timeouts
from tests.builders import PEOPLES_SQUARE, position, receipt, store
from tests.conftest import postgres_schema_url


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
        "--sync-max-movements", "5000", "--max-message-bytes", "1048576",
    ])
    _, limits, max_bytes, _ = chosen_limits(args)
    assert (limits, max_bytes) == (StreamLimits(60, 30, 600, 5000), 1048576)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--sync-idle-seconds", "0"])


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


# --- through gRPC -------------------------------------------------------------------------

@pytest.fixture
def hurried(app) -> Iterator[OmoClient]:
    """Watches last 0.5 s; POS streams 0.3 s without a message, 1.5 s in all."""
    running = start_server(app, port=0, stream_limits=StreamLimits(watch_max_seconds=0.5, sync_idle_seconds=0.3, sync_max_seconds=1.5))
    with OmoClient(f"127.0.0.1:{running.port}", tokens=Cast(app, label="deadline-tests")) as client:
        client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
        client.inventory.ReceiveStock(receipt("S1", {"SERUM": 10}))
        yield client
    running.stop(grace=1)


def sale(i: int) -> pos_pb2.SyncStockRequest:
    return pos_pb2.SyncStockRequest(store_id="S1", movements=[
        pos_pb2.StockMovement(movement_id=f"m{i}", kind=pos_pb2.SALE, sku="SERUM", quantity=1, occurred_at=Timestamp(seconds=1_790_000_000 + i)),
    ])


def test_a_pos_stream_that_goes_quiet_is_ended_with_deadline_exceeded(hurried):
    release = threading.Event()

    def one_then_quiet():
        yield sale(1)
        release.wait(10)

    try:
        call = hurried.pos.SyncStock(one_then_quiet(), timeout=10)
        assert next(call).applied == 1
        with pytest.raises(grpc.RpcError) as caught:
            next(call)
    finally:
        release.set()
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "nothing was sent for 0.3 s" in caught.value.details()
    assert position(hurried, "S1", "SERUM").on_hand == 9  # what was acknowledged stays applied
    assert wait_until(lambda: not readers())


def test_a_pos_stream_that_lasts_too_long_is_ended(hurried):
    def steady():
        for i in range(100):
            time.sleep(0.1)
            yield sale(i)

    started = time.monotonic()
    acked = 0
    with pytest.raises(grpc.RpcError) as caught:
        for response in hurried.pos.SyncStock(steady(), timeout=10):
            acked += response.applied
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "at most 1.5 s" in caught.value.details()
    assert 1.5 <= time.monotonic() - started < 5
    assert position(hurried, "S1", "SERUM").on_hand == 10 - acked


def test_a_watch_ends_after_its_maximum_duration(hurried):
    started = time.monotonic()
    stream = hurried.stock.WatchStock(stock_query_pb2.WatchStockRequest(), timeout=10)
    with pytest.raises(grpc.RpcError) as caught:
        for _ in stream:
            pass
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "a watch lasts at most 0.5 s" in caught.value.details()
    assert 0.5 <= time.monotonic() - started < 5


# --- the database -------------------------------------------------------------------------

def test_postgresql_urls_get_the_timeouts_merged_with_their_options():
    assert with_database_timeouts("sqlite:////tmp/omo.db") == "sqlite:////tmp/omo.db"
    url = with_database_timeouts("postgresql+psycopg2://u:secret@db:5432/omo?options=-csearch_path%3Dt1")
    assert url.startswith("postgresql+psycopg2://u:secret@db:5432/omo?options=")
    from sqlalchemy.engine import make_url

    assert make_url(url).query["options"] == "-csearch_path=t1 -c statement_timeout=10000 -c lock_timeout=5000"
    own = with_database_timeouts("postgresql://u@db/omo?options=-c%20statement_timeout%3D30000")
    assert make_url(own).query["options"] == "-c statement_timeout=30000 -c lock_timeout=5000"


@pytest.mark.postgres
def test_the_servers_postgresql_connections_carry_the_timeouts(postgres_database):
    app = build_application(postgres_schema_url(postgres_database))
    try:
        with app.recorder.datastore.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "10s"
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "5s"
    finally:
        app.close()


def answered(error: Exception):
    """The context a servicer method wrapped by `rpc` aborts with when it raises `error`."""

    class Context:
        def abort(self, code, details):
            self.code, self.details = code, details
            raise RuntimeError("aborted")

    @rpc
    def call(_self, _request, _context):
        raise error

    context = Context()
    with pytest.raises(RuntimeError, match="aborted"):
        call(None, None, context)
    return context


@pytest.mark.postgres
def test_a_statement_over_the_timeout_is_cancelled_and_answered_unavailable(postgres_database):
    url = postgres_schema_url(postgres_database).replace("?options=", "?options=-c%20statement_timeout%3D500%20")
    app = build_application(url)
    try:
        with pytest.raises(Exception) as caught, app.recorder.datastore.engine.connect() as connection:
            connection.exec_driver_sql("SELECT pg_sleep(3)")
        assert database_timed_out(caught.value)
    finally:
        app.close()

    context = answered(caught.value)
    assert context.code == grpc.StatusCode.UNAVAILABLE and "retry" in context.details
    assert not database_timed_out(ValueError("not the database"))


@pytest.mark.postgres
def test_a_call_that_meets_a_dropped_database_connection_is_answered_unavailable_and_the_next_succeeds(postgres_database):
    import psycopg2

    app = build_application(postgres_schema_url(postgres_database))
    try:
        app.catch_up()  # a pooled connection the database will drop
        held = app.recorder.datastore.engine.raw_connection()
        with held.dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        held.close()
        admin = psycopg2.connect(libpq_url(postgres_database))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        admin.close()

        with pytest.raises(Exception) as caught:
            app.recorder.select_notifications(start=0, limit=1)
        assert database_connection_lost(caught.value)
        assert not database_timed_out(caught.value)
        assert app.recorder.select_notifications(start=0, limit=1) is not None  # the pool reconnected
    finally:
        app.close()

    context = answered(caught.value)
    assert context.code == grpc.StatusCode.UNAVAILABLE and "connection to the database was lost" in context.details
    assert not database_connection_lost(ValueError("not the database"))
