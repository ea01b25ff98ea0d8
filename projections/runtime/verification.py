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
class Difference:
    what: str  # the kind of row: "entry", "order", "shipment"...
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.what} {self.key}: {self.problem}"


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


def compare(
    what: str, expected: dict[Any, Any], found: dict[Any, Any], columns: tuple[str, ...] | None = None,
) -> list[Difference]:
    """Every row missing, unexplained by the events, or with columns that differ. Rows are
    dicts of column -> value, or tuples of values named by `columns`."""
    differences = []
    for key in sorted(expected.keys() | found.keys()):
        want, got = expected.get(key), found.get(key)
        if want == got:
            continue
        if got is None:
            differences.append(Difference(what, key, "missing"))
        elif want is None:
            differences.append(Difference(what, key, "not in the events"))
        else:
            pairs = zip(columns, want, got) if columns is not None else ((c, want[c], got.get(c)) for c in want)
            changed = [f"{c} expected {w!r}, found {g!r}" for c, w, g in pairs if w != g]
            differences.append(Difference(what, key, "; ".join(changed)))
    return differences
