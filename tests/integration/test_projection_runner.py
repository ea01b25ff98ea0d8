"""Running the projection: exactly once across a kill, one writer at a time, a dropped
connection survived, and the `omo project` / `omo projections` commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg2
import pytest
from sqlalchemy import text

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from projections.definitions import NATIONAL_STOCK
from projections.runtime.runner import projection_status
from projections.national_stock.verify import stored_rows, verify
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from services.cli.main import main
from services.adapters.config import libpq_url
from tests.conftest import postgres_schema_url
from tests.integration.test_national_stock import new_runner, profile


def backlog(app: OmoApplication, stores: int, skus: int, prefix: str = "S") -> None:
    """stores x skus positions of four events each, plus the stores, in few saves."""
    app.save(*[Store.register(profile(f"{prefix}{s}", ("Shanghai", "Zhejiang")[s % 2], ("Shanghai", "Hangzhou")[s % 2], f"D{s % 3}")) for s in range(stores)])
    chunk = []
    for s in range(stores):
        for k in range(skus):
            position = StockPosition(f"{prefix}{s}", f"SKU{k}")
            position.receive(10 + k, occurred_at_us=1)
            position.reserve(f"o{s}-{k}", 1 + k % 3)
            position.set_safety_stock(k % 4)
            chunk.append(position)
            if len(chunk) == 200:
                app.save(*chunk)
                chunk = []
    if chunk:
        app.save(*chunk)


def test_a_runner_that_lost_its_lease_while_paused_cannot_apply_its_batch(app):
    app.save(Store.register(profile("S1")))
    leader, other = new_runner(app, holder="leader"), new_runner(app, holder="other")
    try:
        leader.catch_up()
        position = StockPosition("S1", "A")
        position.receive(5)
        app.save(position)
        # the leader stalls past its lease; the other runner takes over and applies the receipt
        with leader.writer.begin() as connection:
            connection.execute(text("UPDATE stock_projection_tracking SET lease_until_ms = 0"))
        assert other.try_lead()
        other.catch_up()
        # the leader wakes up still believing it leads, with the same batch to apply
        assert leader.leading
        assert leader.step() == 0
        assert not leader.leading
        with leader.reader.connect() as connection:
            assert connection.execute(text("SELECT on_hand FROM stock_national")).scalar_one() == 5
        assert verify(leader.reader, leader.event_log).differences == []
    finally:
        other.release()
        leader.close()
        other.close()


def test_a_second_runner_waits_on_standby_and_takes_over_when_the_first_stops(app):
    first, second = new_runner(app, holder="first"), new_runner(app, holder="second")
    try:
        assert first.try_lead()
        assert not second.try_lead()
        assert second.step() == 0
        first.release()
        assert second.try_lead()
    finally:
        second.release()
        first.close()
        second.close()


def test_two_runners_started_at_once_while_events_arrive_give_correct_figures(app):
    backlog(app, stores=6, skus=10)
    runners = [new_runner(app, holder=f"r{i}", batch_size=7, lease_seconds=0.3) for i in range(2)]
    start = threading.Barrier(3)

    def run(runner):
        start.wait()
        runner.run()

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    start.wait()
    backlog(app, stores=3, skus=10, prefix="T")  # written while both run
    head = app.recorder.max_notification_id()
    deadline = time.monotonic() + 60
    while max(r.position for r in runners) < head:
        assert time.monotonic() < deadline, "the runners did not catch up"
        time.sleep(0.05)
    for r in runners:
        r.stop()
    for t in threads:
        t.join(10)
    try:
        result = verify(runners[0].reader, runners[0].event_log)
        assert result.position == head
        assert result.differences == []
    finally:
        for r in runners:
            r.close()


def wait_for(condition, seconds: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_killing_omo_project_mid_backlog_and_starting_it_again_ends_with_identical_figures(app):
    backlog(app, stores=10, skus=20)  # about 1,600 events
    head = app.recorder.max_notification_id()
    env = {**os.environ, "OMO_DATABASE_URL": app.database_url}
    command = [sys.executable, "-m", "services.cli", "project", "--batch-size", "5", "--poll-interval", "0.01", "--lease-seconds", "1"]
    observer = new_runner(app, holder="observer")
    try:
        status = lambda: projection_status(observer.reader, observer.event_log, NATIONAL_STOCK.name)  # noqa: E731
        process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: status().position > 0, what="the first batch")
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        finally:
            process.kill()
        killed_at = status().position
        assert 0 < killed_at < head, "the kill must land mid-backlog"

        process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            # the killed runner never released its lease: the new one takes over when it expires
            wait_for(lambda: status().position == head, what="the restarted runner to catch up")
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(30) == 0
        assert status().holder is None  # released on SIGTERM
        assert verify(observer.reader, observer.event_log).differences == []
        after_restart = stored_rows(observer.reader)
        observer.rebuild()
        assert stored_rows(observer.reader) == after_restart
    finally:
        observer.close()


@pytest.mark.postgres
def test_the_runner_reconnects_after_its_connections_are_dropped(postgres_database):
    url = postgres_schema_url(postgres_database)
    app = build_application(url)
    runner = new_runner(app)
    runner.start()
    try:
        backlog(app, stores=2, skus=3)
        wait_for(lambda: runner.position == app.recorder.max_notification_id(), 30, "the first catch-up")
        admin = psycopg2.connect(libpq_url(postgres_database))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.rowcount > 0
        admin.close()
        for attempt in range(3):  # the writer's own pooled connections were dropped too
            try:
                backlog(app, stores=2, skus=3, prefix="T")
                break
            except Exception:  # noqa: BLE001 - a dead pooled connection, replaced on retry
                if attempt == 2:
                    raise
        wait_for(lambda: runner.position == app.recorder.max_notification_id(), 30, "the catch-up after reconnecting")
        assert verify(runner.reader, runner.event_log).differences == []
    finally:
        runner.shutdown()
        app.close()


# --- the commands -------------------------------------------------------------------------


def test_status_rebuild_and_verify_commands(app, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    backlog(app, stores=2, skus=3)
    head = app.recorder.max_notification_id()
    assert main(["projections", "status"]) == 0
    assert f"lag         {head} events" in capsys.readouterr().out  # nothing applied yet

    assert main(["projections", "rebuild"]) == 0
    captured = capsys.readouterr()
    assert f"rebuilt national_stock to position {head}" in captured.out
    assert "rebuild: 100%" in captured.err  # the progress bar

    assert main(["projections", "verify"]) == 0
    assert "0 differences" in capsys.readouterr().out

    runner = new_runner(app)
    try:
        with runner.writer.begin() as connection:
            connection.execute(text("UPDATE stock_by_store SET reserved = reserved + 1 WHERE store_id = 'S1' AND sku = 'SKU2'"))
    finally:
        runner.close()
    assert main(["projections", "verify"]) == 1
    out = capsys.readouterr().out
    assert "stock_by_store" in out and "SKU2" in out and "1 differences" in out

