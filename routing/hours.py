"""Opening hours in a store's own time zone: open now, or when it next opens."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
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


class Opening(NamedTuple):
    """When a store can start on an order asked for at some moment."""

    at: datetime  # the moment itself when open; else when it next opens, in its local time
    wait: timedelta  # at - the moment, measured in UTC
    day: date  # the store-local date of `at`
    today: date  # the store-local date of the moment asked about


class Schedule:
    """One store's weekly hours in its zone. Stores with the same hours share one Schedule
    (`schedule_for`), and each remembers its answer for the last moment asked: one routing
    decision asks hundreds of stores about the same moment, most of them on a few standard
    hours, so each distinct schedule is worked out once per decision."""

    __slots__ = ("hours", "time_zone", "_last")

    def __init__(self, hours: tuple[DailyHours, ...], time_zone: str):
        self.hours = hours
        self.time_zone = time_zone
        self._last: tuple[datetime, Opening | None] | None = None

    def opening(self, now: datetime) -> Opening | None:
        """None when the store never opens."""
        last = self._last  # one read: another thread may replace it, never half of it
        if last is not None and last[0] is now:
            return last[1]
        at = next_opening(self.hours, self.time_zone, now)
        # in UTC: aware times sharing one zone object compare by wall clock, which is off by
        # the daylight-saving shift across a change
        found = None if at is None else Opening(
            at, at.astimezone(timezone.utc) - now.astimezone(timezone.utc),
            local_time(at, self.time_zone).date(), local_time(now, self.time_zone).date(),
        )
        self._last = (now, found)
        return found


@lru_cache(maxsize=4096)
def schedule_for(hours: tuple[DailyHours, ...], time_zone: str) -> Schedule:
    return Schedule(hours, time_zone)
