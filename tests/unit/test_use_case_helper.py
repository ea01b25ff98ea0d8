"""The one helper every writing use case goes through (load, decide, save, again when what was
read is outdated), on the in-memory event store."""

from __future__ import annotations

import copy

import pytest

from aggregates.stock_position import StockPosition
from domain.errors import Contention
from services.bootstrap import in_memory_application
from services.use_cases.application import MAX_ATTEMPTS, RetryDecision

POSITION = StockPosition.create_id("S1", "TEA")


@pytest.fixture
def app():
    application = in_memory_application()
    application.save(StockPosition(store_id="S1", sku="TEA"))
    yield application
    application.close()


def on_hand(app) -> int:
    return app.repository.get(POSITION).on_hand


def test_what_decide_changed_is_saved_and_its_result_returned(app):
    def decide():
        position = app.repository.get(POSITION)
        position.receive(5)
        return [position], "received"

    assert app.decide([POSITION], decide) == "received"
    assert on_hand(app) == 5


def test_a_version_conflict_decides_again_on_what_the_other_writer_saved(app):
    calls = []

    def decide():
        position = app.repository.get(POSITION)
        if not calls:  # another writer saves between this read and this save
            other = app.repository.get(POSITION)
            other.receive(3)
            app.save(other)
        calls.append(position.on_hand)
        position.receive(1)
        return [position], None

    app.decide([POSITION], decide)

    assert calls == [0, 3]  # the second attempt read the other writer's change
    assert on_hand(app) == 4  # both writes, neither lost


def test_retry_decision_runs_it_again_and_nothing_of_the_first_attempt_is_saved(app):
    attempts = []

    def decide():
        position = app.repository.get(POSITION)
        position.receive(2)
        attempts.append(1)
        if len(attempts) == 1:
            raise RetryDecision
        return [position], None

    app.decide([POSITION], decide)

    assert len(attempts) == 2 and on_hand(app) == 2


def test_planned_decisions_lock_what_the_plan_read_and_give_it_to_decide(app):
    held = []
    app.locks = RecordingLocks(app.locks, held)

    def plan():
        return [POSITION], "what the plan read"

    def decide(planned):
        position = app.repository.get(POSITION)
        position.receive(1)
        return [position], planned

    assert app.decide_planned(plan, decide) == "what the plan read"
    assert held == [[POSITION]]


def test_an_aggregate_changed_in_place_and_not_saved_is_forgotten(app):
    stale = app.find(POSITION, shared=True)  # the cached object itself, as the POS batches change it
    other = copy.deepcopy(stale)
    other.receive(1)
    app.save(other)  # another process's write...
    app.repository.cache.put(POSITION, stale)  # ... which this process's cache has not seen
    seen = []

    def decide():
        position = app.find(POSITION, shared=True)
        seen.append(position.on_hand)
        position.receive(7)
        return [position], None

    app.decide([POSITION], decide)

    assert seen == [0, 1]  # the second attempt read the position afresh, not the changed copy
    assert on_hand(app) == 8  # the other write and this one, once


def test_giving_up_after_many_conflicts_tells_the_caller_to_retry(app):
    attempts = []

    def decide():
        attempts.append(1)
        raise RetryDecision

    with pytest.raises(Contention, match="retry the request"):
        app.decide([POSITION], decide)
    assert len(attempts) == MAX_ATTEMPTS


class RecordingLocks:
    def __init__(self, locks, held: list):
        self.locks, self.held = locks, held

    def holding(self, ids):
        self.held.append(list(ids))
        return self.locks.holding(ids)

