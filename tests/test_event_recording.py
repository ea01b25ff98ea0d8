"""How saves reach the event store and the live index, on SQLite and PostgreSQL: the core-SQL
recorder keeps a save whole (a stale copy conflicts and writes nothing), and the live index
applies a save directly only when nothing else was recorded before it, else reads the log."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError

from services import inventory
from services.application import OmoApplication
from services.stores import upsert_store
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
    first, second = OmoApplication(database_url), OmoApplication(database_url)
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
