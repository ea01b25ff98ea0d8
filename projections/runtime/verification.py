"""What every projection's verification shares: the events up to the position the tables
stand at, read in pages, and the verdict (how many rows the events call for, and every
difference from them, each able to say itself)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from projections.runtime.event_log import EventLog

PAGE = 5000


@dataclass(frozen=True)
class Verification:
    position: int
    rows: int  # rows (entries, orders, shipments) the events call for at that position
    differences: list[Any]


def notifications_up_to(event_log: EventLog, position: int) -> Iterator[tuple[int, Any]]:
    """(notification id, event) of every event of the log's topics up to `position`."""
    after = 0
    while after < position:
        batch = event_log.read(after, PAGE, head=position)
        yield from batch.events
        after = batch.end


def events_up_to(event_log: EventLog, position: int) -> Iterator[Any]:
    for _, event in notifications_up_to(event_log, position):
        yield event
