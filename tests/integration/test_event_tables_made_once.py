"""Processes starting at once on a new PostgreSQL database (a server and its projector, the
compose file's services) each make the event store's tables if missing: made under a lock,
they never collide in the catalogue. Eight makers released at the same moment, many times."""

from __future__ import annotations

import threading

from services.bootstrap import build_application
from tests.conftest import postgres_schema_url

MAKERS, ROUNDS = 8, 10


def test_makers_starting_at_once_never_collide(postgres_database):
    app = build_application(postgres_schema_url(postgres_database), order_writer=None)
    recorder = app.recorder
    try:
        for _ in range(ROUNDS):
            with recorder.datastore.engine.begin() as connection:
                for table in recorder.tables:
                    table.drop(connection, checkfirst=True)
            start, errors = threading.Barrier(MAKERS), []

            def make() -> None:
                start.wait()
                try:
                    recorder.create_table()
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

            makers = [threading.Thread(target=make) for _ in range(MAKERS)]
            for maker in makers:
                maker.start()
            for maker in makers:
                maker.join()
            assert errors == []
        assert app.recorder.max_notification_id() in (0, None)  # the tables are there and answer
    finally:
        app.close()
