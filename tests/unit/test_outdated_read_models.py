"""A read model's tables found of another schema version while the server runs (rebuilt or
upgraded under it) answer the call UNAVAILABLE, telling the caller to retry and nothing of the
tables, and tell the operator what to run in the server's log."""

from __future__ import annotations

import logging

import grpc

from projections.runtime.database import OtherVersion, OutdatedTables
from tests.integration.test_deadlines import answered


def test_tables_of_another_version_answer_unavailable_and_log_the_rebuild_to_run(caplog):
    with caplog.at_level(logging.ERROR, logger="omo.api"):
        context = answered(OutdatedTables([OtherVersion("national_stock", 1, 2)]))
    assert context.code == grpc.StatusCode.UNAVAILABLE
    assert "retry" in context.details and "national_stock" not in context.details
    (logged,) = [r for r in caplog.records if r.name == "omo.api"]
    assert "omo projections rebuild --projection national_stock" in logged.getMessage()
    assert logged.exc_info is None  # the operator's one line, no stack trace
