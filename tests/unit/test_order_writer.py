"""The order writer's link without a database: a writer that does not answer in time is
reported unavailable (the writer itself: tests/integration/test_order_writer.py)."""

from __future__ import annotations

import threading

from services.use_cases.ports import OrderWriterUnavailable, Refused
from tests.writer_builders import placement, stuck_writer_link


def test_a_writer_that_does_not_answer_in_time_is_reported_unavailable_not_as_an_internal_error():
    stuck = threading.Event()
    link = stuck_writer_link(stuck)
    outcome = link.place(placement("k", "S1", "TEA"), timeout=0.2)
    stuck.set()
    assert isinstance(outcome, Refused) and isinstance(outcome.error, OrderWriterUnavailable)
