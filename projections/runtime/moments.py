"""The moments the projections fold: an event's own timestamp, and a shipment's promise as
recorded (RFC 3339 text)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from domain.values import epoch_us


def in_utc(moment: datetime) -> datetime:
    """A moment as recorded, in UTC: one read back without a zone (SQLite) is UTC already."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def moment_of(event: Any) -> datetime:
    """The event's timestamp, in UTC."""
    return in_utc(event.timestamp)


def event_us(event: Any) -> int:
    """The event's timestamp, UTC, in microseconds since the epoch."""
    return epoch_us(moment_of(event))


def recorded_promise(promised_by: str) -> datetime | None:
    """The promise as recorded, parsed (with or without an offset: each projection says what
    one without is worth); None for no promise and for text that is no moment, so that one odd
    record cannot stop a projection."""
    if not promised_by:
        return None
    try:
        return datetime.fromisoformat(promised_by)
    except ValueError:
        return None
