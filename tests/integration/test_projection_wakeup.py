"""Waking on commits: a projection that follows the log closely applies a save long before its
poll interval, its runner announces each batch it commits, the stores' feed reads when woken,
and `omo project` keeps such a projection in a child process it starts again when it dies."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time

import psycopg2
import pytest

from projections.definitions import NATIONAL_STOCK, STORE_WORK
from projections.runtime.reader import Freshness
from projections.runtime.runner import ProjectionRunner, projection_status
from projections.runtime.wakeup import Wakeup, applied_channel, listen
from projections.store_work.reads import Change, Shipment
from services.adapters.config import libpq_url
from services.adapters.projection_runners import stock_event_log
from services.adapters.shipment_feed import ShipmentFeed
from services.bootstrap import build_application
from tests.conftest import postgres_schema_url
from tests.integration.test_projection_runner import backlog, wait_for

LONG_POLL = 30.0  # far longer than any wait the tests allow: only a wake can beat it


def notify(url: str, channel: str) -> None:
    connection = psycopg2.connect(libpq_url(url.split("?")[0]))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {channel}")
    connection.close()


def timed_wait(wakeup: Wakeup, timeout: float) -> tuple[bool, float]:
    started = time.monotonic()
    woken = wakeup.wait(timeout)
    return woken, time.monotonic() - started


@pytest.mark.postgres
def test_a_wakeup_returns_on_a_notification_on_an_interrupt_and_otherwise_at_its_timeout(postgres_database):
    wakeup = listen(postgres_database, "omo_test_wakeup")
    try:
        assert timed_wait(wakeup, 0.2) == (False, pytest.approx(0.2, abs=0.15))  # listening from here on
        threading.Timer(0.3, notify, (postgres_database, "omo_test_wakeup")).start()
        woken, waited = timed_wait(wakeup, LONG_POLL)
        assert woken and waited < 5
        notify(postgres_database, "omo_test_wakeup_other")  # another channel wakes nothing
        assert timed_wait(wakeup, 0.3)[0] is False
        threading.Timer(0.3, wakeup.interrupt).start()
        woken, waited = timed_wait(wakeup, LONG_POLL)
        assert woken and waited < 5
    finally:
        wakeup.close()


@pytest.mark.postgres
def test_a_sleep_lasts_its_time_whatever_is_notified_and_reads_it_all(postgres_database):
    wakeup = listen(postgres_database, "omo_test_sleep")
    try:
        wakeup.wait(0.1)  # listening from here on
        for delay in (0.1, 0.2, 0.3):
            threading.Timer(delay, notify, (postgres_database, "omo_test_sleep")).start()
        started = time.monotonic()
        wakeup.sleep(0.8)
        assert time.monotonic() - started >= 0.75
        assert timed_wait(wakeup, 0.2)[0] is False  # nothing left unread
        threading.Timer(0.2, wakeup.interrupt).start()
        started = time.monotonic()
        wakeup.sleep(LONG_POLL)
        assert time.monotonic() - started < 5
    finally:
        wakeup.close()


@pytest.mark.postgres
def test_a_closely_following_runner_on_standby_does_not_try_for_the_lease_at_every_commit(postgres_database):
    app = build_application(postgres_schema_url(postgres_database))
    closely = dataclasses.replace(NATIONAL_STOCK, follows_closely=True)
    leader = ProjectionRunner(app.database_url, stock_event_log(app), closely, holder="leader", poll_interval=0.05)
    standby = ProjectionRunner(app.database_url, stock_event_log(app), closely, holder="standby", poll_interval=0.05)
    tries = []
    try_lead = standby.try_lead
    standby.try_lead = lambda *a, **k: tries.append(time.monotonic()) or try_lead(*a, **k)
    leader.start()
    try:
        wait_for(lambda: leader.leading, 10, "the leader to lead")
        standby.start()
        wait_for(lambda: tries, 10, "the standby's first try")
        tries.clear()
        started = time.monotonic()
        for n in range(20):  # twenty commits in about two seconds
            backlog(app, stores=1, skus=1, prefix=f"C{n}-")
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        # about one try a second (a third of the lease, at most 1 s), not one per commit
        assert len(tries) <= elapsed + 2, (len(tries), elapsed)
        assert not standby.leading
        wait_for(lambda: leader.position == app.recorder.max_notification_id(), 10, "the leader to apply them")
    finally:
        standby.shutdown()
        leader.shutdown()
        app.close()


def test_without_notifications_a_wakeup_waits_its_timeout_unless_interrupted():
    wakeup = listen("sqlite:///unused.db", "omo_events")
    woken, waited = timed_wait(wakeup, 0.2)
    assert not woken and waited >= 0.19
    threading.Timer(0.2, wakeup.interrupt).start()
    woken, waited = timed_wait(wakeup, LONG_POLL)
    assert woken and waited < 5


@pytest.mark.postgres
def test_a_runner_that_follows_closely_applies_a_save_at_once_and_announces_its_commit(postgres_database):
    app = build_application(postgres_schema_url(postgres_database))
    closely = dataclasses.replace(NATIONAL_STOCK, follows_closely=True)
    runner = ProjectionRunner(app.database_url, stock_event_log(app), closely, poll_interval=LONG_POLL)
    announcements = listen(app.database_url, applied_channel(NATIONAL_STOCK.name))
    runner.start()
    try:
        wait_for(lambda: runner.leading, 10, "the runner to lead")
        announcements.wait(0.5)  # starts listening; drops an announcement of the first step
        backlog(app, stores=1, skus=2)
        head = app.recorder.max_notification_id()
        started = time.monotonic()
        wait_for(lambda: runner.position >= head, 10, "the save to be applied")
        assert time.monotonic() - started < 5  # the poll interval is 30 s
        assert announcements.wait(5), "the runner's commit was not announced"
        status = projection_status(runner.reader, runner.event_log, NATIONAL_STOCK.name)
        assert status.position == head and status.lag_events == 0
    finally:
        runner.shutdown()
        announcements.close()
        app.close()


def test_a_runner_stops_at_once_although_its_wait_is_long(app):
    runner = ProjectionRunner(app.database_url, STORE_WORK.event_log(app), STORE_WORK, poll_interval=LONG_POLL)
    runner.start()
    wait_for(lambda: runner.leading, 10, "the runner to lead")
    time.sleep(0.2)  # waiting now
    started = time.monotonic()
    runner.shutdown()
    assert time.monotonic() - started < 5


def _change(position: int, store_id: str) -> Change:
    shipment = Shipment(
        order_id=f"o{position}", store_id=store_id, mode="DELIVERY", status="ALLOCATED", paid=False, lines=(("SKU", 1),),
        promised_by="", promised_by_us=None, slot="", allocated_at_us=position, accepted_at_us=None, picked_at_us=None,
        handed_over_at_us=None, delivered_at_us=None, position=position,
    )
    return Change(position, "ALLOCATED", shipment)


def test_the_stores_feed_reads_as_soon_as_it_is_woken():
    log: list[Change] = []

    def read(after: int, limit: int) -> tuple[list[Change], int]:
        found = [c for c in log if c.position > after][:limit]
        return found, max([after, *(c.position for c in found)])

    wakeup = Wakeup()
    feed = ShipmentFeed(read, lambda position: Freshness(position, position, 0, 0), poll_seconds=LONG_POLL, wakeup=wakeup)
    subscription, live_from = feed.subscribe("S1")
    try:
        time.sleep(0.2)  # the feed waits now
        log.extend([_change(live_from + 1, "S2"), _change(live_from + 2, "S1")])
        started = time.monotonic()
        wakeup.interrupt()  # as the projection's announced commit does
        change = subscription.next(10)
        assert change is not None and change.position == live_from + 2 and change.shipment.store_id == "S1"
        assert time.monotonic() - started < 5
    finally:
        feed.stop()


# --- omo project's child process ------------------------------------------------------------

def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_omo_project_runs_the_stores_work_in_a_child_it_starts_again_and_stops_with_it(app):
    env = {**os.environ, "OMO_DATABASE_URL": app.database_url}
    command = [sys.executable, "-m", "services.cli", "project", "--poll-interval", "0.01", "--lease-seconds", "1"]
    observer = ProjectionRunner(app.database_url, STORE_WORK.event_log(app), STORE_WORK, holder="observer")
    status = lambda: projection_status(observer.reader, observer.event_log, STORE_WORK.name)  # noqa: E731
    parent = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(children_of(parent.pid)) == 1, 30, "the store work child")
        (first,) = children_of(parent.pid)
        backlog(app, stores=1, skus=2)
        wait_for(lambda: status().position == app.recorder.max_notification_id(), 30, "the child to apply the backlog")

        os.kill(first, signal.SIGKILL)
        wait_for(lambda: [p for p in children_of(parent.pid) if p != first], 30, "a new child")
        backlog(app, stores=1, skus=2, prefix="T")
        # the killed child kept its lease: the new one takes over when it expires (1 s)
        wait_for(lambda: status().position == app.recorder.max_notification_id(), 30, "the new child to apply")

        (second,) = children_of(parent.pid)
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(30) == 0
        assert not alive(second), "the child outlived omo project's stop"
        assert status().holder is None  # released on SIGTERM

        # a child whose parent is killed stops by itself
        parent = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        wait_for(lambda: len(children_of(parent.pid)) == 1, 30, "the store work child")
        (orphan,) = children_of(parent.pid)
        parent.kill()
        parent.wait(10)
        wait_for(lambda: not alive(orphan), 15, "the orphaned child to stop")
    finally:
        for pid in children_of(parent.pid):
            os.kill(pid, signal.SIGKILL)
        parent.kill()
        parent.wait(10)
        observer.close()
