"""Pre-sales of new products: a SKU sold online before any store has a unit of it.

HQ operations set its terms: how many units may be pre-ordered, at what price, in which
window, from when it ships, and how many units one customer may pre-order. In the window an
order for the SKU is a pre-order: it holds units of the pre-sale, not of a shelf. After the
window the pre-orders are planned onto the stores nearest their customers (or a warehouse),
which then expect the units as a receipt under the pre-sale's reference; as the units arrive
the pre-orders there go ahead, earliest first.

Each customer's (and device's) limit is held as a launch's is: the pre-sale runs a launch of
its own (`launch_id`) whose only SKU is the pre-sale's, limited per buyer, in the same window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import InvalidInput, NotFound, RuleViolation
from domain.launches import LaunchTerms
from domain.values import EPOCH, MAX_LINE_QUANTITY, MAX_STOCK_UNITS, MAX_UNIT_PRICE_CENTS, Money, epoch_us, identifier

PRESALE_PREFIX = "presale:"


def presale_reference(sku: str) -> str:
    """The reference of the receipts a pre-sale's plan announces, and the id of its launch."""
    return f"{PRESALE_PREFIX}{sku}"


@dataclass(frozen=True)
class PreSaleTerms:
    sku: str
    units: int  # at most this many units pre-ordered, over all customers
    price: Money  # per unit: a pre-order's line must carry exactly this price
    orders_from: datetime  # pre-orders are taken from this moment...
    orders_until: datetime  # ...until this one (excluded)
    ships_from: datetime  # the earliest the goods reach the stores: every pre-order's promise
    per_customer_limit: int  # units one customer (and one device) may pre-order

    @classmethod
    def create(
        cls, sku: str, units: int, price: Money, orders_from: datetime, orders_until: datetime, ships_from: datetime,
        per_customer_limit: int,
    ) -> PreSaleTerms:
        identifier("sku", sku)
        if not 0 < units <= MAX_STOCK_UNITS:
            raise InvalidInput("units", f"must be between 1 and {MAX_STOCK_UNITS}, got {units}")
        if not 0 < price.cents <= MAX_UNIT_PRICE_CENTS:
            raise InvalidInput("price.cents", f"must be between 1 and {MAX_UNIT_PRICE_CENTS}, got {price.cents}")
        for field, moment in (("orders_from", orders_from), ("orders_until", orders_until), ("ships_from", ships_from)):
            if moment.tzinfo is None:
                raise InvalidInput(field, "must carry a time zone")
        if orders_until <= orders_from:
            raise InvalidInput("orders_until", f"must be after orders_from ({orders_from.isoformat()})")
        if ships_from < orders_from:
            raise InvalidInput("ships_from", f"must not be before orders_from ({orders_from.isoformat()})")
        if not 0 < per_customer_limit <= MAX_LINE_QUANTITY:
            raise InvalidInput("per_customer_limit", f"must be between 1 and {MAX_LINE_QUANTITY}, got {per_customer_limit}")
        return cls(sku, units, price, orders_from, orders_until, ships_from, per_customer_limit)

    @property
    def launch_id(self) -> str:
        return presale_reference(self.sku)

    @property
    def reference(self) -> str:
        return presale_reference(self.sku)

    def launch_terms(self) -> LaunchTerms:
        """The launch holding each buyer to the per-customer limit in the window."""
        return LaunchTerms(self.launch_id, ((self.sku, self.per_customer_limit),), 0, self.orders_from, self.orders_until)

    def takes_orders_at(self, moment: datetime) -> bool:
        return self.orders_from <= moment < self.orders_until

    def to_record(self) -> dict:
        return {
            "units": self.units, "price_cents": self.price.cents, "currency": self.price.currency,
            "orders_from_us": epoch_us(self.orders_from), "orders_until_us": epoch_us(self.orders_until),
            "ships_from_us": epoch_us(self.ships_from), "per_customer_limit": self.per_customer_limit,
        }

    @classmethod
    def from_record(cls, sku: str, record: Mapping) -> PreSaleTerms:
        def moment(us: int) -> datetime:
            return EPOCH + timedelta(microseconds=us)

        return cls(
            sku, record["units"], Money(record["price_cents"], record["currency"]), moment(record["orders_from_us"]),
            moment(record["orders_until_us"]), moment(record["ships_from_us"]), record["per_customer_limit"],
        )


class PreSaleNotFound(NotFound):
    def __init__(self, sku: str):
        super().__init__(f"sku {sku!r} has no pre-sale; SetPreSale first")
        self.sku = sku


class PreSaleSoldOut(RuleViolation):
    """The pre-sale has fewer units left than the order asks for."""

    def __init__(self, sku: str, left: int, wanted: int):
        super().__init__(f"the pre-sale of sku {sku!r} has {left} units left, {wanted} wanted")
        self.sku = sku


class PreOrderRefused(RuleViolation):
    """An order for a SKU on pre-sale that breaks the pre-sale's terms (another SKU with it,
    another price): the message says which term."""


class UnitsAlreadyOrdered(RuleViolation):
    def __init__(self, sku: str, ordered: int, units: int):
        super().__init__(f"the pre-sale of sku {sku!r} has {ordered} units pre-ordered already; units must be at least that, got {units}")
