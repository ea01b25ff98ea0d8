"""The demo's application clock: the evening played "at" a local time, which the demo moves on
when the stores' evening ends."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


class DemoClock:
    """`at` ("HH:MM") local time on the first day it has not yet passed, running forward in
    real time from when the demo starts.

    Never earlier than the real time: promises are worked out on this clock, while the events
    that keep them (a delivery) are stamped with the real moment they are saved; a clock behind
    the real time would make deliveries done at once late, by as much as the hour the demo runs
    at, rather than by anything the stores did."""

    def __init__(self, at: str, time_zone: str = "Asia/Shanghai", now: datetime | None = None):
        self.zone = ZoneInfo(time_zone)
        hours, minutes = (int(part) for part in at.split(":"))
        real = (now or datetime.now(timezone.utc)).astimezone(self.zone)
        start = real.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        if start < real:
            start += timedelta(days=1)  # wall-clock arithmetic: the same local time
        self.start = start
        self._began = time.monotonic()
        self._ahead = timedelta(0)  # how far the demo moved the clock on
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            ahead = self._ahead
        return (self.start + timedelta(seconds=time.monotonic() - self._began) + ahead).astimezone(timezone.utc)

    def local(self) -> datetime:
        return self().astimezone(self.zone)

    def advance_to(self, moment: datetime) -> None:
        """Moves the clock on to `moment`; never back."""
        with self._lock:
            now = self.start + timedelta(seconds=time.monotonic() - self._began) + self._ahead
            if moment > now:
                self._ahead += moment - now
