"""Opening hours in a store's own time zone: open now, or when it next opens."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.stores import WEEKDAYS, DailyHours, clock_minutes


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=4096)
def _spans(hours: tuple[DailyHours, ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per weekday (Monday first), the (opens, closes) minute spans."""
    by_day: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
    for day in hours:
        by_day[WEEKDAYS.index(day.weekday)].append((clock_minutes("opens", day.opens), clock_minutes("closes", day.closes)))
    return tuple(tuple(sorted(spans)) for spans in by_day)


def local_time(now: datetime, time_zone: str) -> datetime:
    return now.astimezone(_zone(time_zone))


def next_opening(hours: tuple[DailyHours, ...], time_zone: str, now: datetime) -> datetime | None:
    """`now` when the store is open at `now`; else the moment it next opens (in its local
    time); None when it never opens. A store with no hours at all is always open."""
    if not hours:
        return now
    local = local_time(now, time_zone)
    spans = _spans(hours)
    minute = local.hour * 60 + local.minute + local.second / 60
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    for days_ahead in range(8):
        weekday = (local.weekday() + days_ahead) % 7
        for opens, closes in spans[weekday]:
            if days_ahead == 0 and opens <= minute < closes:
                return now
            if days_ahead > 0 or opens > minute:
                day = (midnight + timedelta(days=days_ahead)).replace(tzinfo=None)
                # wall-clock arithmetic, then back to an aware time in the store's zone
                return (day + timedelta(minutes=opens)).replace(tzinfo=_zone(time_zone))
    return None
