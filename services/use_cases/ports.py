"""The ports the use cases depend on, and the values that cross them.

The order writer is the one place orders are created: the use case routes an order and hands
the writer a Placement (what to reserve where, and the order to record); the writer checks
the stock and the buyer's limits, reserves and records it with the batch it joins, and
answers with an Outcome only once that batch has committed. Where it runs (a thread beside
the server, a process of its own) is the adapters' business.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from aggregates.order import Order
from domain.errors import DomainError
from domain.launches import Exhaustion, LaunchTerms
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine


class OrderWriterUnavailable(DomainError):
    """The order writer is not running (restarting after a crash, or shutting down): nothing
    was acknowledged, so a retry with the same idempotency key is safe."""


@dataclass(frozen=True)
class Placement:
    """An order as the server decided it: the writer records it, reserving `wanted`, or says
    why not. `wanted` empty: only look up the order already placed under the key (the
    server found no store for a retry, which must still get its first result)."""

    order_id: UUID
    idempotency_key: str
    fingerprint: str
    customer_id: str = ""
    customer_location: GeoPoint | None = None
    lines: tuple[OrderLine, ...] = ()
    mode: FulfilmentMode = FulfilmentMode.DELIVERY
    pickup_store_id: str = ""
    total: Money | None = None
    placed_at_us: int = 0
    pickup_code: str = ""
    sale: dict[str, Any] = field(default_factory=dict)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    fulfilment: str = ""
    explanation: dict[str, Any] = field(default_factory=dict)
    wanted: dict[tuple[str, str], int] = field(default_factory=dict)  # (store, sku) -> units
    device_id: str = ""
    # the launches the server found limiting the order's SKUs
    # at placed_at, having caught up: a launch set before the order came is applied to it
    launches: tuple[LaunchTerms, ...] = ()
    by: str = ""  # the caller placing it, recorded in its events
    # (store, slot start as recorded) -> the store's hourly limit, for each shipment at a
    # store with one: the writer takes a place in each slot, or answers Reroute when full
    slots: dict[tuple[str, str], int] = field(default_factory=dict)
    # a backorder: (store, sku) -> units claimed of the store's incoming stock, to have by
    # not_after_us, units in transit counting as arriving at transit_arrives_us
    claims: dict[tuple[str, str], int] = field(default_factory=dict)
    not_after_us: int = 0
    transit_arrives_us: int = 0
    # [{"transfer_id", "from_store_id", "lines"}] the order's store awaits units by: the writer
    # records each Transfer, naming the order, with it (the sources' units are in `wanted`)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    # a pre-order: {"sku", "ships_from"} of the pre-sale whose units it takes (the order's one
    # line), in the same save; it has no shipment until the pre-sale is planned
    pre_sale: dict[str, Any] = field(default_factory=dict)

    @property
    def lookup_only(self) -> bool:
        return not self.wanted and not self.claims and not self.pre_sale

    def new_order(self) -> Order:
        """The order as decided, placed and allocated (its stock is reserved apart)."""
        order = Order.place(
            idempotency_key=self.idempotency_key, request_fingerprint=self.fingerprint, customer_id=self.customer_id,
            customer_location=self.customer_location, lines=self.lines, fulfilment_mode=self.mode,
            pickup_store_id=self.pickup_store_id, total=self.total, placed_at_us=self.placed_at_us,
            pickup_code=self.pickup_code, sale=self.sale, by=self.by, pre_sale=self.pre_sale,
        )
        if not self.pre_sale:
            order.allocate(self.shipments, self.fulfilment, self.explanation, by=self.by)
        return order


@dataclass(frozen=True)
class Placed:
    order: Order
    replayed: bool
    position: int  # the batch's last notification id (0: nothing saved): read the index up to it
    # the buyers' launch quotas this order filled: the server's guard refuses their next
    # orders in memory, without reading the quotas back
    exhausted: tuple[Exhaustion, ...] = ()


@dataclass(frozen=True)
class Reroute:
    """Stores whose stock fell short of what routing expected: route again without them.
    None of them, when a slot filled meanwhile: route again once the log is read."""

    store_ids: frozenset[str]


@dataclass(frozen=True)
class NotPlaced:
    """A lookup-only placement found no order under the key."""


@dataclass(frozen=True)
class Refused:
    error: Exception


Outcome = Placed | Reroute | NotPlaced | Refused


class OrderWriterPort(Protocol):
    def place(self, placement: Placement, timeout: float = 60) -> Outcome:
        """Hands the placement to the writer and waits for its outcome."""

    def placing(self, order_id: UUID) -> bool:
        """A placement of this order is with the writer, unanswered."""

    def close(self) -> None:
        """Stops the writer once what it was given is answered."""


class Locks(Protocol):
    def holding(self, ids: Iterable[UUID]) -> AbstractContextManager[None]:
        """Holds the locks of these aggregates: callers of one process queue up on them."""


class Concurrency(Protocol):
    """What the application needs of the runtime to be shared by concurrent callers."""

    def mutex(self) -> AbstractContextManager[Any]:
        """A new lock."""

    def per_caller(self) -> Any:
        """A new object whose attributes each concurrent caller sees its own of."""

    def aggregate_locks(self) -> Locks:
        """A new set of per-aggregate locks."""
