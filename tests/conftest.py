"""Fixtures: every service test runs once on SQLite and once on the real PostgreSQL.

PostgreSQL: one database is created for the test run and dropped after it; each test gets
a schema of its own in it (through search_path), so tests and runs never see each other's
data. With CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

from contextlib import contextmanager

import os
import uuid
from collections.abc import Iterator

import pytest

from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.server import start_server
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from services.adapters.config import libpq_url, sqlite_url

POSTGRES_ADMIN_URL = os.environ.get("OMO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN_URL, connect_timeout=3)
    connection.autocommit = True
    return connection


@contextmanager
def scratch_postgres_database(prefix: str) -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards: its SQLAlchemy URL. Skips without
    PostgreSQL, except in CI, where it fails."""
    try:
        admin = _admin_connection()
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no PostgreSQL"
        if _in_ci():
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {POSTGRES_ADMIN_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database for this test run: its SQLAlchemy URL without a schema."""
    with scratch_postgres_database("omo_test") as url:
        yield url


def postgres_schema_url(database_url: str) -> str:
    """A fresh schema in the run's database; the URL puts it first on search_path."""
    import psycopg2

    schema = f"t_{uuid.uuid4().hex[:12]}"
    connection = psycopg2.connect(libpq_url(database_url))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    connection.close()
    return f"{database_url}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "omo.db")
    return postgres_schema_url(request.getfixturevalue("postgres_database"))


@pytest.fixture
def app(database_url) -> Iterator[OmoApplication]:
    application = build_application(database_url)
    yield application
    application.close()


@pytest.fixture
def server(app):
    running = start_server(app, host="127.0.0.1", port=0)
    yield running
    running.stop(grace=1)


@pytest.fixture
def cast(app) -> Cast:
    """Tokens for every caller the tests play, issued into the test's event store."""
    return Cast(app, label="tests")


@pytest.fixture
def client(server, cast) -> Iterator[OmoClient]:
    """A client presenting, per call, the token of a caller allowed to make it."""
    with OmoClient(f"127.0.0.1:{server.port}", tokens=cast) as c:
        yield c
