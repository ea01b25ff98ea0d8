"""Shared benchmark plumbing: a PostgreSQL database of the run's own, a server in its own
process, closed-loop load with a fixed number of calls in flight, and JSON output."""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import tempfile
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2

from projections.definitions import NATIONAL_STOCK
from projections.runtime.runner import projection_status
from projections.runtime.database import read_engine
from services.client.cast import Cast
from services.client.client import OmoClient
from services.bootstrap import build_application
from services.adapters.config import application_env
from services.demo.demo import percentile
from services.adapters.projection_runners import EventStore

# `omo project` as deployed for a launch: a batch every quarter second, the events of many
# orders in each transaction (the lag stays well under a second)
LAUNCH_PROJECTOR = ("--poll-interval", "0.25")
ADMIN_URL = os.environ.get("OMO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A database created for this run and dropped after it; yields its SQLAlchemy URL."""
    import psycopg2

    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    name = f"omo_bench_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://", 1) + f"/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def bench_parser(description: str | None, seed: int, quick_help: str = "a smoke run well under a minute") -> argparse.ArgumentParser:
    """The options every benchmark takes: --quick, --json, --seed, --database-url."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--database-url", help="PostgreSQL URL to use (default: a scratch database, dropped after)")
    return parser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(target: str, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Until the server at `target` answers a health check (RuntimeError past `seconds`, or
    when `process`, the server's, has exited)."""
    with OmoClient(target) as client:
        deadline = time.monotonic() + seconds
        while True:
            try:
                client.health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                return
            except grpc.RpcError:
                if time.monotonic() > deadline or (process is not None and process.poll() is not None):
                    raise RuntimeError(f"the server at {target} did not start")
                time.sleep(0.2)


@contextmanager
def server_process(
    database_url: str, workers: int = 32, projections_apart: bool = False, serve_args: tuple[str, ...] = (),
    project_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """`omo serve` in a process of its own on a free loopback port; yields its address.
    `projections_apart`: the projections run in an `omo project` process beside it."""
    port = free_port()
    env = {**os.environ, "OMO_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--workers", str(workers), *serve_args]
    if projections_apart:
        command.append("--no-projection")
    # what the server says goes to a file, so a server that does not start says why
    errors = tempfile.TemporaryFile(mode="w+")
    # the event store's tables made once, here: a server and a projector making them at once
    # on a new database collide in PostgreSQL's catalogue
    build_application(database_url, order_writer=None).close()
    process = subprocess.Popen(command, env=env, stderr=errors)
    projector = (
        subprocess.Popen([sys.executable, "-m", "services.cli", "project", *project_args], env=env, stderr=subprocess.DEVNULL)
        if projections_apart else None
    )
    target = f"127.0.0.1:{port}"
    try:
        try:
            wait_until_serving(target, process)
        except RuntimeError as not_started:
            errors.seek(0)
            raise RuntimeError(f"{not_started}; it said: {errors.read()[-2000:]}") from None
        yield target
    finally:
        errors.close()
        for child in (process, projector):
            if child is not None:
                child.terminate()
                child.wait(timeout=30)


@dataclass
class LoadResult:
    seconds: float
    ok: int = 0
    refused: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def ok_per_s(self) -> float:
        return self.ok / self.seconds

    def percentile_ms(self, share: float) -> float:
        return percentile(self.latencies_ms, share)


@contextmanager
def callers(database_url: str) -> Iterator[Cast]:
    """Tokens for every caller the benchmark plays (ops to seed, checkout to buy, each store's
    POS), issued into the benchmark's database, which the server reads them from."""
    app = build_application(database_url)
    try:
        yield Cast(app, label="bench")
    finally:
        app.close()


def closed_loop(
    target: str, in_flight: int, seconds: float, call: Callable[[OmoClient, int, int], object], tokens: Cast | None = None,
) -> LoadResult:
    """`in_flight` threads, each with its own channel, calling call(client, thread, n) back to
    back for `seconds`. A call that raises grpc.RpcError counts as refused."""
    result = LoadResult(seconds)
    lock = threading.Lock()
    start = threading.Barrier(in_flight + 1)
    stop_at: list[float] = []

    def worker(thread: int) -> None:
        ok = refused = 0
        latencies = []
        with OmoClient(target, tokens=tokens) as client:
            start.wait()
            n = 0
            while time.perf_counter() < stop_at[0]:
                began = time.perf_counter()
                try:
                    call(client, thread, n)
                    ok += 1
                    latencies.append((time.perf_counter() - began) * 1000)
                except grpc.RpcError:
                    refused += 1
                n += 1
        with lock:
            result.ok += ok
            result.refused += refused
            result.latencies_ms += latencies

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(in_flight)]
    for t in threads:
        t.start()
    stop_at.append(time.perf_counter() + seconds)
    start.wait()
    for t in threads:
        t.join()
    return result


@contextmanager
def projection_watch(database_url: str) -> Iterator[Callable[[], dict]]:
    """A function telling how far the national stock projection is behind the log when it is
    called: events not yet applied, and how long the oldest of them has waited. Opened
    beforehand, so the call itself reads nothing but the status."""
    store = EventStore(env=application_env(database_url))
    engine = read_engine(database_url)
    event_log = NATIONAL_STOCK.event_log(store)

    def lag() -> dict:
        status = projection_status(engine, event_log, NATIONAL_STOCK.name)
        return {"projection_lag_events": status.lag_events, "projection_lag_s": round(status.lag_seconds, 3)}

    try:
        yield lag
    finally:
        engine.dispose()
        store.close()


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def write_json(path: str | None, figures: dict) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as f:
            json.dump(figures, f, indent=2)
