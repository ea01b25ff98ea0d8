"""How saves reach the event store and the live index, on SQLite and PostgreSQL: the core-SQL
recorder keeps a save whole (a stale copy conflicts and writes nothing), and the live index
applies a save directly only when nothing else was recorded before it, else reads the log."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError

from services.use_cases.stock import inventory
from services.bootstrap import build_application
from services.use_cases.network.stores import upsert_store
from tests.ledger_builders import store_profile
from tests.builders import PEOPLES_SQUARE, JINGAN_TEMPLE


def test_a_save_from_a_stale_copy_conflicts_and_writes_none_of_its_events(app):
    upsert_store(app, store_profile("S1", "", PEOPLES_SQUARE))
    inventory.receive_stock(app, "S1", [("SERUM", 5), ("MASK", 5)])
    serum = app.position_or_new("S1", "SERUM")
    mask = app.position_or_new("S1", "MASK")
    stale_serum = app.repository.get(serum.id, version=serum.version)  # a copy another writer will overtake
    inventory.receive_stock(app, "S1", [("SERUM", 1)])
    head = app.recorder.max_notification_id()

    mask.receive(2)
    stale_serum.receive(3)
    with pytest.raises(IntegrityError):
        app.save(mask, stale_serum)  # one save, two aggregates: all or nothing
    assert app.recorder.max_notification_id() == head
    app.forget([mask])  # the cached copy holds the refused change
    assert app.repository.get(mask.id).on_hand == 5


def test_the_live_index_applies_its_own_saves_directly_and_reads_the_log_after_anothers(database_url):
    first, second = build_application(database_url), build_application(database_url)
    try:
        upsert_store(first, store_profile("S1", "", PEOPLES_SQUARE))
        saved_before, unfollowed_before = first._save_counts()
        inventory.receive_stock(first, "S1", [("SERUM", 5)])
        assert first._save_counts() == (saved_before + 1, unfollowed_before)  # applied as saved
        assert first.index.available("S1", "SERUM") == 5

        second.catch_up()
        upsert_store(second, store_profile("S2", "", JINGAN_TEMPLE))
        inventory.receive_stock(second, "S2", [("SERUM", 7)])  # recorded by another process
        inventory.receive_stock(first, "S1", [("SERUM", 1)])  # lies after the other's events
        assert first._save_counts()[1] == unfollowed_before + 1  # so it was left to catch_up
        first.catch_up()
        assert first.index.available("S1", "SERUM") == 6
        assert first.index.available("S2", "SERUM") == 7
        assert first.index.position == first.recorder.max_notification_id()
    finally:
        first.close()
        second.close()


def test_callers_arriving_during_a_read_of_the_log_share_one_read_that_starts_after_them(database_url):
    """catch_up's promise: on return, the index holds everything recorded before the call.
    A read already under way when a caller arrives may have missed what was recorded just
    before it, so the callers waiting behind it share the next read rather than each making
    their own."""
    import threading
    import time

    server, other_server = build_application(database_url), build_application(database_url)
    try:
        first_read_began, let_first_read_finish = threading.Event(), threading.Event()
        reads = []
        read_log = server._events_after

        def counted_read(position, limit):
            reads.append(position)
            events = read_log(position, limit)
            if len(reads) == 1:  # the first read has queried the log: hold it there
                first_read_began.set()
                let_first_read_finish.wait(10)
            return events

        server._events_after = counted_read
        first = threading.Thread(target=server.catch_up)
        first.start()
        first_read_began.wait(10)
        upsert_store(other_server, store_profile("S9", "", JINGAN_TEMPLE))  # recorded while the read runs
        seen_by = {}

        def caller(name):
            server.catch_up()
            seen_by[name] = "S9" in server.index.store_ids()

        late = [threading.Thread(target=caller, args=(name,)) for name in ("B", "C")]
        for thread in late:
            thread.start()
        time.sleep(0.3)  # both wait behind the first read
        let_first_read_finish.set()
        for thread in (first, *late):
            thread.join(10)

        assert seen_by == {"B": True, "C": True}
        assert len(reads) == 2  # the first, and one shared by B and C
    finally:
        server.close()
        other_server.close()


# the driver-SQL paths are PostgreSQL's; SQLite goes through the library's sessions
on_postgresql = pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


@on_postgresql
def test_connections_go_back_to_the_pool_ready_for_transactions(app):
    """Reads and saves in the driver's SQL run in autocommit, one round trip each; the
    connections must come back out of it, or a later save in a session would commit
    statement by statement instead of all or nothing."""
    upsert_store(app, store_profile("S1", "", PEOPLES_SQUARE))
    inventory.receive_stock(app, "S1", [("SERUM", 5)])
    app.catch_up()
    app.recorder.select_created([app.position_or_new("S1", "SERUM").id])
    stale = app.repository.get(app.position_or_new("S1", "SERUM").id, version=1)
    stale.receive(1)
    with pytest.raises(IntegrityError):
        app.save(stale)  # a save that fails goes back to the pool too

    pool = app.recorder.datastore.engine.pool
    held = [app.recorder.datastore.engine.raw_connection() for _ in range(pool.size())]
    try:
        assert [c.dbapi_connection.autocommit for c in held] == [False] * len(held)
    finally:
        for connection in held:
            connection.close()
    app.forget([stale])
    assert app.repository.get(stale.id).on_hand == 5


@on_postgresql
def test_a_save_on_a_connection_the_database_dropped_fails_whole_and_the_next_save_succeeds(app, database_url):
    import psycopg2
    from sqlalchemy.engine import make_url

    upsert_store(app, store_profile("S1", "", PEOPLES_SQUARE))
    inventory.receive_stock(app, "S1", [("SERUM", 5)])
    head = app.recorder.max_notification_id()
    engine = app.recorder.datastore.engine
    held = [engine.raw_connection() for _ in range(engine.pool.size())]
    pids = []
    for connection in held:
        with connection.dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.append(cursor.fetchone()[0])
        connection.close()
    url = make_url(database_url)
    admin = psycopg2.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
    admin.autocommit = True
    with admin.cursor() as cursor:  # the database drops every connection the application holds
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", (pids,))
    admin.close()
    failures = []

    position = app.position_or_new("S1", "SERUM")
    position.receive(3)
    try:
        app.save(position)
    except Exception as error:
        failures.append(error)
        app.forget([position])  # refused: the next try starts from the store
        assert app.recorder.max_notification_id() == head  # a read through a session
        assert app.recorder.select_created([position.id]) == {position.id}  # and one in the driver's SQL
        position = app.position_or_new("S1", "SERUM")
        position.receive(3)
        app.save(position)
    assert app.repository.get(position.id).on_hand == 8
    assert failures, "the save on a dropped connection cannot have gone through"


def test_a_read_to_the_head_gives_what_the_head_and_a_read_up_to_it_give_apart(app):
    upsert_store(app, store_profile("S1", "", PEOPLES_SQUARE))
    inventory.receive_stock(app, "S1", [("SERUM", 5), ("MASK", 5)])
    inventory.receive_stock(app, "S1", [("SERUM", 1)])
    recorder = app.recorder
    head = recorder.max_notification_id()
    topics = sorted({n.topic for n in recorder.select_notifications(start=0, limit=1000)})
    stock_topics = [t for t in topics if "StockPosition" in t]
    assert stock_topics and len(stock_topics) < len(topics)  # the filter must leave some out

    def ids(notifications):
        return [(n.id, n.topic, n.state) for n in notifications]

    for after, limit, wanted in [(0, 1000, ()), (0, 2, ()), (3, 1000, stock_topics), (head - 1, 5, ()), (head, 5, ())]:
        read_head, read = recorder.select_notifications_to_head(after, limit, wanted)
        apart = recorder.select_notifications(start=after, limit=limit, stop=head, topics=wanted, inclusive_of_start=False)
        assert read_head == head
        assert ids(read) == ids(apart)
    assert recorder.select_notifications_to_head(head, 5, ())[1] == []
    assert [n.topic for n in recorder.select_notifications_to_head(0, 1000, stock_topics)[1]] and all(
        n.topic in stock_topics for n in recorder.select_notifications_to_head(0, 1000, stock_topics)[1]
    )
