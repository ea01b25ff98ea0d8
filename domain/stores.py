"""What a store is: its place, hours, reach and owner."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from domain.errors import InvalidInput
from domain.values import GeoPoint, identifier, optional_identifier, text

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MAX_RADIUS_KM = 500.0
MAX_PREPARATION_MINUTES = 24 * 60
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def clock_minutes(field: str, value: str) -> int:
    """'HH:MM' -> minutes after midnight; '24:00' is allowed as the end of the day."""
    match = _CLOCK.fullmatch(value or "")
    if not match:
        raise InvalidInput(field, f"must be a time 'HH:MM', got {value!r}")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 24 * 60:
        raise InvalidInput(field, f"must not be after 24:00, got {value!r}")
    return minutes


@dataclass(frozen=True)
class DailyHours:
    weekday: str  # one of WEEKDAYS
    opens: str  # "HH:MM"
    closes: str  # "HH:MM"


def checked_opening_hours(hours: list[DailyHours]) -> tuple[DailyHours, ...]:
    """Validates and orders opening hours; the same weekday may appear more than once (split shifts)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for i, day in enumerate(hours):
        if day.weekday not in WEEKDAYS:
            raise InvalidInput(f"opening_hours[{i}].weekday", "must be MONDAY to SUNDAY")
        opens = clock_minutes(f"opening_hours[{i}].opens", day.opens)
        closes = clock_minutes(f"opening_hours[{i}].closes", day.closes)
        if opens >= 24 * 60:
            raise InvalidInput(f"opening_hours[{i}].opens", "must be before 24:00")
        if closes <= opens:
            raise InvalidInput(f"opening_hours[{i}].closes", f"must be after opens ({day.opens})")
        for other_open, other_close in spans.get(day.weekday, []):
            if opens < other_close and other_open < closes:
                raise InvalidInput(f"opening_hours[{i}]", f"overlaps other hours on {day.weekday}")
        spans.setdefault(day.weekday, []).append((opens, closes))
    return tuple(sorted(hours, key=lambda d: (WEEKDAYS.index(d.weekday), d.opens)))


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def checked_time_zone(value: str) -> str:
    """An IANA zone such as 'Asia/Shanghai' (region names like 'Asia' alone are not zones)."""
    name = value or DEFAULT_TIME_ZONE
    if name not in _iana_zones():
        raise InvalidInput("time_zone", f"{name!r} is not an IANA time zone such as 'Asia/Shanghai'")
    return name


STORE = "STORE"  # a shop that sells over the counter and fulfils online orders near it
WAREHOUSE = "WAREHOUSE"  # a regional warehouse: no counter, no radius, ships EXPRESS anywhere
LOCATION_KINDS = (STORE, WAREHOUSE)


@dataclass(frozen=True)
class StoreProfile:
    store_id: str
    name: str
    location: GeoPoint
    province: str
    city: str
    dealer_id: str  # "" when HQ owns the store
    opening_hours: tuple[DailyHours, ...]
    time_zone: str
    delivery_radius_km: float
    daily_order_capacity: int
    active: bool
    kind: str = STORE
    # how long the store takes to prepare an order once it starts on it
    preparation_minutes: int = 0
    # orders the store can prepare per hour: each hour of its opening is a slot; 0: no limit
    hourly_slot_capacity: int = 0

    @classmethod
    def create(
        cls,
        *,
        store_id: str,
        name: str,
        location: GeoPoint,
        province: str,
        city: str,
        dealer_id: str,
        opening_hours: list[DailyHours],
        time_zone: str,
        delivery_radius_km: float,
        daily_order_capacity: int,
        active: bool,
        kind: str = STORE,
        preparation_minutes: int = 0,
        hourly_slot_capacity: int = 0,
    ) -> StoreProfile:
        if kind not in LOCATION_KINDS:
            raise InvalidInput("kind", f"must be STORE or WAREHOUSE, got {kind!r}")
        if kind == WAREHOUSE and delivery_radius_km:
            raise InvalidInput("delivery_radius_km", "must be 0 for a WAREHOUSE, which ships EXPRESS to anywhere")
        if not 0 <= delivery_radius_km <= MAX_RADIUS_KM:
            raise InvalidInput("delivery_radius_km", f"must be within [0, {MAX_RADIUS_KM:g}], got {delivery_radius_km!r}")
        if daily_order_capacity < 0:
            raise InvalidInput("daily_order_capacity", f"must be >= 0, got {daily_order_capacity}")
        if not 0 <= preparation_minutes <= MAX_PREPARATION_MINUTES:
            raise InvalidInput(
                "preparation_minutes", f"must be within [0, {MAX_PREPARATION_MINUTES}] minutes, got {preparation_minutes}"
            )
        if hourly_slot_capacity < 0:
            raise InvalidInput("hourly_slot_capacity", f"must be >= 0 (0: no limit), got {hourly_slot_capacity}")
        return cls(
            store_id=identifier("store_id", store_id),
            name=text("name", name, required=True),
            location=location,
            province=text("province", province),
            city=text("city", city),
            dealer_id=optional_identifier("dealer_id", dealer_id),
            opening_hours=checked_opening_hours(opening_hours),
            time_zone=checked_time_zone(time_zone),
            delivery_radius_km=float(delivery_radius_km),
            daily_order_capacity=int(daily_order_capacity),
            active=bool(active),
            kind=kind,
            preparation_minutes=int(preparation_minutes),
            hourly_slot_capacity=int(hourly_slot_capacity),
        )
