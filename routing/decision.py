"""What routing decides, and why it passed over the stores it did not choose."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

# why a store was passed over
TAKEN = "TAKEN"
PAUSED = "PAUSED"
OUTSIDE_RADIUS = "OUTSIDE_RADIUS"
CLOSED = "CLOSED"
AT_CAPACITY = "AT_CAPACITY"
SLOT_FULL = "SLOT_FULL"  # its hourly slots are full until beyond the opening window
OUT_OF_STOCK = "OUT_OF_STOCK"
NOT_LISTED = "NOT_LISTED"  # its assortment leaves out a line's SKU
DEALER_POLICY = "DEALER_POLICY"  # its dealer keeps its stock for its own cloud shops, or the seller's own stores come first
FARTHER = "FARTHER"
# a store passed over for one of these never came into consideration for the customer
NOT_IN_REACH = (OUTSIDE_RADIUS, PAUSED, TAKEN)

# how an order is fulfilled
ONE_STORE = "ONE_STORE"
SPLIT = "SPLIT"  # across several stores, each shipping part of it
EXPRESS = "EXPRESS"  # from a regional warehouse, by carrier


class Why:
    """Why a store is passed over: a code, and the words for it, written only when read (a
    decision may pass over a thousand stores and explain only the first fifty)."""

    __slots__ = ("code", "_words", "_args")

    def __init__(self, code: str, words: str | Callable[..., str], *args: object):
        self.code, self._words, self._args = code, words, args

    @property
    def reason(self) -> str:
        return self._words if isinstance(self._words, str) else self._words(*self._args)

    def __repr__(self) -> str:
        return f"Why({self.code!r}, {self.reason!r})"


@dataclass(frozen=True)
class Allocation:
    store_id: str
    distance_m: int
    scheduled_for: datetime | None = None  # set when the store starts later: it opens, or a later slot has room
    # set by the policy when it decides at a moment (request.now)
    # where the order goes compares equal whenever it is decided; these say when, and are
    # compared apart
    slot: datetime | None = field(default=None, compare=False)  # the start of the store's hourly slot it takes
    promised_by: datetime | None = field(default=None, compare=False)  # local time, see routing.promise


@dataclass(frozen=True)
class Shipment:
    """The part of an order one location fulfils."""

    allocation: Allocation
    quantities: Mapping[str, int]  # sku -> units from this location


@dataclass(frozen=True)
class PassedOver:
    store_id: str
    # geodesic when the decision needed it; else the great-circle distance, within 0.65% of it
    distance_m: int
    code: str
    reason: str


@dataclass(frozen=True)
class Decision:
    shipments: tuple[Shipment, ...]
    passed_over: tuple[PassedOver, ...] = ()
    omitted: int = 0  # passed-over stores beyond the explanation's limit
    fulfilment: str = ONE_STORE
    # set when the bounded split search left stores or combinations unexamined
    search_note: str = ""

    @property
    def allocation(self) -> Allocation:
        """The location, when one fulfils the whole order."""
        if len(self.shipments) != 1:
            raise ValueError(f"the order is split across {len(self.shipments)} stores")
        return self.shipments[0].allocation


def whole_order(allocation: Allocation, quantities: Mapping[str, int]) -> tuple[Shipment]:
    return (Shipment(allocation, dict(quantities)),)


def not_listed(sku: str) -> str:
    return f"does not list sku {sku!r} online"


def out_of_stock(store_id: str, quantities: Mapping[str, int], available: Callable[[str, str], int]) -> str:
    missing = [sku for sku, qty in quantities.items() if available(store_id, sku) < qty]
    return "out of stock for " + ", ".join(f"sku {sku!r}" for sku in missing)
