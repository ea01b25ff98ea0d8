"""Recomputes the on-time figures from the event store and lists where the tables differ.

The shipments are folded from the whole log at once (the same rules as the projection,
`fold`, but without its batches, loads and writes) and each day's counts are summed from
them afresh, so what this checks is the incremental bookkeeping: rows carried between
batches and the differences added to the days. It reads the tables and their position in
one snapshot and recomputes up to exactly that position, so it can run beside a live runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from projections.on_time.fold import ORDER_EVENTS, Fold
from projections.on_time.projection import shipment_of
from projections.on_time.reads import position as read_position
from projections.on_time.tables import days, shipments
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Verification, events_up_to

Rows = dict[tuple[str, ...], tuple[Any, ...]]


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[str, ...]
    expected: tuple[Any, ...] | None  # None: the row should not exist
    found: tuple[Any, ...] | None  # None: the row is missing

    def __str__(self) -> str:
        show = lambda v: "missing" if v is None else ", ".join(str(x) for x in v)  # noqa: E731
        return f"{self.table} {'/'.join(self.key)}: expected {show(self.expected)}; found {show(self.found)}"


def _shipment_values(s) -> tuple[Any, ...]:
    return (s.mode, s.promised_by, s.promised_us, s.local_day, s.status, s.done_at_us)


def recompute(event_log: EventLog, position: int) -> Rows:
    fold = Fold({}, {})
    for e in events_up_to(event_log, position):
        if isinstance(e, ORDER_EVENTS):
            fold.apply(e)
    rows: Rows = {}
    counts: dict[tuple[str, str], list[int]] = {}
    for by_store in fold.by_order.values():
        for s in by_store.values():
            rows[("on_time_shipments", s.order_id, s.store_id)] = _shipment_values(s)
            day = counts.setdefault((s.store_id, s.local_day), [0, 0, 0])
            for i, value in enumerate(s.counts()):
                day[i] += value
    for (store_id, day), values in counts.items():
        if any(values):
            rows[("on_time_days", store_id, day)] = tuple(values)
    return rows


def stored_rows(engine: Engine) -> tuple[int, Rows]:
    rows: Rows = {}
    with engine.connect() as connection:
        position = read_position(connection)
        for row in connection.execute(select(shipments)):
            s = shipment_of(row)
            rows[("on_time_shipments", s.order_id, s.store_id)] = _shipment_values(s)
        for row in connection.execute(select(days).where((days.c.due != 0) | (days.c.on_time != 0) | (days.c.late != 0))):
            rows[("on_time_days", row.store_id, row.local_day)] = (row.due, row.on_time, row.late)
    return position, rows


def verify(engine: Engine, event_log: EventLog) -> Verification:
    position, found = stored_rows(engine)
    expected = recompute(event_log, position)
    differences = [
        Difference(key[0], key[1:], expected.get(key), found.get(key))
        for key in sorted(expected.keys() | found.keys())
        if expected.get(key) != found.get(key)
    ]
    return Verification(position, len(expected), differences)
