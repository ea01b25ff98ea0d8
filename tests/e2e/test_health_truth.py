"""Health that tells the truth, on a PostgreSQL database of its own through the real server: the
overall service is NOT_SERVING while the database refuses connections (its backends terminated)
or the order writer is down, and SERVING again by itself once they are back; each projection
reports under its own name, NOT_SERVING while it is further behind than the limit."""

from __future__ import annotations

import os
import signal
import time

import psycopg2
import pytest
from grpc_health.v1 import health_pb2

from bench.common import ADMIN_URL, scratch_postgres_database
from domain.values import GeoPoint
from projections.definitions import NATIONAL_STOCK
from projections.runtime.runner import ProjectionRunner
from services.adapters.health_watch import HealthWatch
from services.api.server import SERVICE_NAMES, start_server
from services.bootstrap import build_application
from services.client.client import OmoClient
from services.use_cases.network.stores import upsert_store
from tests.builders import PEOPLES_SQUARE
from tests.order_list_builders import profile

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.fixture
def world():
    with scratch_postgres_database() as url:
        app = build_application(url, order_writer="process")
        server = start_server(app, host="127.0.0.1", port=0)
        watch = HealthWatch(app, server.health, SERVICE_NAMES, max_lag=5, interval_s=0.1).start()
        client = OmoClient(f"127.0.0.1:{server.port}")
        try:
            yield app, client, url.rsplit("/", 1)[1]
        finally:
            client.close()
            watch.stop()
            server.stop(grace=1)
            app.close()


def status(client, service: str = "") -> int:
    return client.health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status


def becomes(client, wanted: int, service: str = "", within_s: float = 20, every_s: float = 0.05) -> None:
    deadline = time.monotonic() + within_s
    while status(client, service) != wanted:
        assert time.monotonic() < deadline, f"{service or 'the server'} did not become {health_pb2.HealthCheckResponse.ServingStatus.Name(wanted)}"
        time.sleep(every_s)


def connections(database: str, allowed: bool) -> None:
    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
    admin.close()


def test_the_server_is_not_serving_while_its_database_is_cut_and_serves_again_by_itself(world):
    app, client, database = world
    assert all(status(client, s) == SERVING for s in ("", *SERVICE_NAMES))
    connections(database, allowed=False)
    try:
        becomes(client, NOT_SERVING)
        assert status(client, SERVICE_NAMES[0]) == NOT_SERVING
    finally:
        connections(database, allowed=True)
    becomes(client, SERVING)
    assert status(client, SERVICE_NAMES[0]) == SERVING


def test_the_server_is_not_serving_while_its_order_writer_restarts(world):
    app, client, _ = world
    os.kill(app.order_writer.pid, signal.SIGKILL)
    becomes(client, NOT_SERVING, within_s=5, every_s=0.01)
    becomes(client, SERVING, within_s=60)
    assert app.order_writer_ready()


def test_a_projection_behind_the_limit_is_not_serving_under_its_own_name(world):
    app, client, _ = world
    service = f"omo.projection.{NATIONAL_STOCK.name}"
    for n in range(8):  # more events than the limit of 5
        upsert_store(app, profile(f"S{n}", GeoPoint(*PEOPLES_SQUARE)))
    becomes(client, NOT_SERVING, service)
    assert status(client) == SERVING  # the server itself still serves
    runner = ProjectionRunner(app.database_url, NATIONAL_STOCK.event_log(app), NATIONAL_STOCK, poll_interval=0.05)
    assert runner.try_lead()
    runner.start()
    try:
        becomes(client, SERVING, service)
    finally:
        runner.shutdown()
