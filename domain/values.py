"""Value objects: small, frozen, validated on construction."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from domain.errors import InvalidInput

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 200
CURRENCY = re.compile(r"^[A-Z]{3}$")


def scoped_transfer_id(to_store_id: str, name: str) -> str:
    """A transfer's id: the destination store's own name for it, under the store, so one store's
    names never meet another's (requesting a name another store uses tells it nothing)."""
    identifier("transfer_id", name)
    return f"{to_store_id}/{name}"


def transfer_reference(field: str, value: str) -> str:
    """A transfer id as RequestTransfer gave it: `<to_store_id>/<name>` (or, for a transfer
    requested before ids were scoped to their destination, the name alone)."""
    store_id, slash, name = value.partition("/")
    if not slash:
        return identifier(field, value)
    if not store_id or not name:
        raise InvalidInput(field, f"must be <to_store_id>/<name> as RequestTransfer answered, got {value!r}")
    identifier(field, store_id)
    identifier(field, name)
    return value


def identifier(field: str, value: str, *, max_length: int = MAX_ID_LENGTH) -> str:
    """An id or SKU: non-empty, at most max_length, letters/digits and . _ : -"""
    if not value:
        raise InvalidInput(field, "is required")
    if len(value) > max_length:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {max_length} allowed")
    if not IDENTIFIER.fullmatch(value):
        raise InvalidInput(
            field, "may contain only letters, digits and . _ : - and must start with a letter or digit"
        )
    return value


# units in one movement, count, transfer or return line, or safety stock: far above any shelf,
# and far enough below 2**63 that on hand, a sum of such numbers, stays a 64-bit integer (the
# API's int64 and the projections' BIGINT)
MAX_STOCK_UNITS = 1_000_000_000


def stock_units(field: str, value: int, *, zero_allowed: bool = False) -> int:
    """A number of units, > 0 (>= 0 for a count or a safety stock) and at most MAX_STOCK_UNITS."""
    if value < 0 or (value == 0 and not zero_allowed):
        raise InvalidInput(field, f"must be {'>= 0' if zero_allowed else '> 0'}, got {value}")
    if value > MAX_STOCK_UNITS:
        raise InvalidInput(field, f"must be at most {MAX_STOCK_UNITS}, got {value}")
    return value


def optional_identifier(field: str, value: str) -> str:
    return identifier(field, value) if value else ""


def text(field: str, value: str, *, required: bool = False, max_length: int = MAX_TEXT_LENGTH) -> str:
    if required and not value.strip():
        raise InvalidInput(field, "is required")
    if len(value) > max_length:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {max_length} allowed")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise InvalidInput(field, "must not contain control characters")
    return value


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        for name, value, bound in (("latitude", self.latitude, 90), ("longitude", self.longitude, 180)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or not -bound <= value <= bound:
                raise InvalidInput(name, f"must be within [-{bound}, {bound}], got {value!r}")

    @classmethod
    def parse(cls, field: str, latitude: float, longitude: float) -> GeoPoint:
        """Like the constructor, but the error names the request field."""
        try:
            return cls(latitude, longitude)
        except InvalidInput as error:
            raise InvalidInput(f"{field}.{error.field}", str(error).split(": ", 1)[1]) from None


@dataclass(frozen=True)
class Money:
    """Integer cents in one currency: never a float."""

    cents: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.cents, int):
            raise InvalidInput("cents", "must be an integer")
        if not isinstance(self.currency, str) or not CURRENCY.fullmatch(self.currency):
            raise InvalidInput("currency", f"must be an ISO 4217 code like 'CNY', got {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise InvalidInput("currency", f"cannot add {other.currency} to {self.currency}")
        return Money(self.cents + other.cents, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.cents * quantity, self.currency)


class FulfilmentMode(str, Enum):
    DELIVERY = "DELIVERY"  # from a store near the customer, within its delivery radius
    PICKUP = "PICKUP"  # the customer collects at the store they chose
    EXPRESS = "EXPRESS"  # by carrier from a regional warehouse: slower, reaches anywhere


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity)


MAX_ORDER_LINES = 100
MAX_LINE_QUANTITY = 10_000
# one unit's price (1,000,000.00): with MAX_LINE_QUANTITY units and MAX_ORDER_LINES lines an
# order's total stays far inside a 64-bit integer of cents
MAX_UNIT_PRICE_CENTS = 100_000_000


def order_lines(lines: list[OrderLine]) -> tuple[OrderLine, ...]:
    """Checks a whole order's lines: at least one, distinct SKUs, one currency, sane amounts."""
    if not lines:
        raise InvalidInput("lines", "an order needs at least one line")
    if len(lines) > MAX_ORDER_LINES:
        raise InvalidInput("lines", f"has {len(lines)} lines; at most {MAX_ORDER_LINES} allowed")
    seen: set[str] = set()
    for i, line in enumerate(lines):
        identifier(f"lines[{i}].sku", line.sku)
        if line.sku in seen:
            raise InvalidInput(f"lines[{i}].sku", f"sku {line.sku!r} appears twice; merge the lines")
        seen.add(line.sku)
        if line.quantity <= 0:
            raise InvalidInput(f"lines[{i}].quantity", f"must be > 0, got {line.quantity}")
        if line.quantity > MAX_LINE_QUANTITY:
            raise InvalidInput(f"lines[{i}].quantity", f"must be at most {MAX_LINE_QUANTITY}")
        if line.unit_price.cents < 0:
            raise InvalidInput(f"lines[{i}].unit_price.cents", f"must be >= 0, got {line.unit_price.cents}")
        if line.unit_price.cents > MAX_UNIT_PRICE_CENTS:
            raise InvalidInput(f"lines[{i}].unit_price.cents", f"must be at most {MAX_UNIT_PRICE_CENTS}, got {line.unit_price.cents}")
        if line.unit_price.currency != lines[0].unit_price.currency:
            raise InvalidInput(
                f"lines[{i}].unit_price.currency",
                f"is {line.unit_price.currency}; every line must be in {lines[0].unit_price.currency}",
            )
    return tuple(lines)


def order_total(lines: tuple[OrderLine, ...]) -> Money:
    total = Money(0, lines[0].unit_price.currency)
    for line in lines:
        total = total + line.total
    return total


def available_units(on_hand: int, reserved: int, safety_stock: int) -> int:
    """What may be promised online: on hand less reservations and the walk-in safety stock."""
    return max(0, on_hand - reserved - safety_stock)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_us(moment: datetime) -> int:
    """An aware moment as exact microseconds since the epoch (integer arithmetic, no float
    rounding): how events and movements carry their moments."""
    return (moment - EPOCH) // timedelta(microseconds=1)


MAX_RECEIPT_LINES = 1000  # lines of one receipt, transfer, return or line cancellation


def checked_lines(lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Lines of goods (a receipt, a transfer, a return, a cancellation): 1 to 1000, distinct SKUs, units > 0."""
    if not lines:
        raise InvalidInput("lines", "needs at least one line")
    if len(lines) > MAX_RECEIPT_LINES:
        raise InvalidInput("lines", f"has {len(lines)} lines; at most {MAX_RECEIPT_LINES} allowed")
    seen: set[str] = set()
    for i, (sku, quantity) in enumerate(lines):
        identifier(f"lines[{i}].sku", sku)
        if sku in seen:
            raise InvalidInput(f"lines[{i}].sku", f"sku {sku!r} appears twice; merge the lines")
        seen.add(sku)
        stock_units(f"lines[{i}].quantity", quantity)
    return lines
