"""The console's parameters, each checked before any query sees it (a malformed one is a 400),
and the ways it writes moments."""

from __future__ import annotations

from datetime import datetime

from domain.errors import InvalidInput
from domain.values import identifier, text
from services.use_cases.network.statements import HQ, SHANGHAI


def place(field: str, value: str) -> str:
    """A province or city name, only ever compared with the rows read (never put in a query)."""
    return text(field, value.strip(), max_length=100)


def dealer_id(value: str) -> str:
    return value if value == HQ else identifier("dealer_id", value)


def whole_number(field: str, value: str, default: int, *, least: int = 0, most: int = 1_000_000) -> int:
    value = value.strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not least <= int(value) <= most:
        raise InvalidInput(field, f"must be a whole number from {least} to {most}, got {value[:40]!r}")
    return int(value)


def this_month() -> str:
    return datetime.now(SHANGHAI).strftime("%Y-%m")


def shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def local_moment(value: str) -> str:
    """An RFC 3339 moment as recorded in a store's own offset, written for a person; "" stays ""."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    return moment.strftime("%Y-%m-%d %H:%M") + (moment.strftime(" UTC%z")[:-2] if moment.tzinfo else "")
