"""Fixtures the end-to-end tests share."""

from __future__ import annotations

import pytest

from tests.store_work_builders import running_store_work


@pytest.fixture
def store_work(app):
    """The store_work projection following the test's event store (ListShipments reads it)."""
    with running_store_work(app) as runner:
        yield runner
