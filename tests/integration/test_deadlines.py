"""Deadlines in the database: on PostgreSQL the server's connections carry statement_timeout
and lock_timeout, and a call cut short by either, or by a dropped connection, is answered
UNAVAILABLE (the stream deadlines: tests/unit/test_deadlines.py, tests/e2e/test_deadlines.py)."""

from __future__ import annotations

import grpc
import pytest

from services.api.errors import rpc
from services.bootstrap import build_application
from services.adapters.config import libpq_url
from services.adapters.database_timeouts import database_connection_lost, database_timed_out
from tests.conftest import postgres_schema_url


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
