"""Limited-edition launches ("drops") and the buyers they limit.

A launch names its SKUs, each with the units one buyer may order (0: no limit of its own),
and optionally a limit on the units of all its SKUs together. The limits apply to orders
placed from `starts_at` until `ends_at` (none: no end). A buyer is a customer id and, when
the checkout passes one, a device id: each is limited on its own, so one device behind many
made-up customer ids buys as one buyer.
"""

from __future__ import annotations

from collections.abc import KeysView, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from domain.callers import RateLimited
from domain.errors import DomainError, InvalidInput, NotFound, RuleViolation
from domain.values import EPOCH, epoch_us, identifier, stock_units

CUSTOMER, DEVICE = "customer", "device"
MAX_LAUNCH_SKUS = 100  # "one or a few SKUs"; far above any real drop


def buyer_key(kind: str, buyer_id: str) -> str:
    """How a buyer is named in a quota: "customer:C-17" or "device:D-9"."""
    return f"{kind}:{buyer_id}"


def buyer_keys(customer_id: str, device_id: str = "") -> tuple[str, ...]:
    """Every identity the limits apply to separately: the customer, and the device if known."""
    keys = (buyer_key(CUSTOMER, customer_id),)
    return keys + (buyer_key(DEVICE, device_id),) if device_id else keys


def _who(buyer: str) -> tuple[str, str]:
    kind, _, buyer_id = buyer.partition(":")
    return kind, buyer_id


@dataclass(frozen=True)
class LaunchTerms:
    launch_id: str
    sku_limits: tuple[tuple[str, int], ...]  # (sku, units per buyer; 0 = none of its own), by sku
    per_buyer_total: int  # units of all its SKUs together per buyer; 0 = no such limit
    starts_at: datetime
    ends_at: datetime | None = None  # None: the limits never end

    @classmethod
    def create(
        cls, launch_id: str, sku_limits: Sequence[tuple[str, int]], per_buyer_total: int,
        starts_at: datetime, ends_at: datetime | None = None,
    ) -> LaunchTerms:
        identifier("launch_id", launch_id)
        if not sku_limits:
            raise InvalidInput("sku_limits", "a launch needs at least one SKU")
        if len(sku_limits) > MAX_LAUNCH_SKUS:
            raise InvalidInput("sku_limits", f"has {len(sku_limits)} SKUs; at most {MAX_LAUNCH_SKUS} allowed")
        seen: set[str] = set()
        for i, (sku, limit) in enumerate(sku_limits):
            identifier(f"sku_limits[{i}].sku", sku)
            if sku in seen:
                raise InvalidInput(f"sku_limits[{i}].sku", f"sku {sku!r} appears twice")
            seen.add(sku)
            stock_units(f"sku_limits[{i}].max_units_per_buyer", limit, zero_allowed=True)
            if limit == 0 and per_buyer_total == 0:
                # otherwise the SKU would be in the launch and limited by nothing
                raise InvalidInput(f"sku_limits[{i}].max_units_per_buyer", "is 0 (none), so the launch needs max_units_per_buyer")
        stock_units("max_units_per_buyer", per_buyer_total, zero_allowed=True)
        if starts_at.tzinfo is None:
            raise InvalidInput("starts_at", "must carry a time zone")
        if ends_at is not None and ends_at <= starts_at:
            raise InvalidInput("ends_at", f"must be after starts_at ({starts_at.isoformat()})")
        return cls(launch_id, tuple(sorted(sku_limits)), per_buyer_total, starts_at, ends_at)

    @cached_property  # asked for every order line of a launch SKU
    def limits(self) -> dict[str, int]:
        return dict(self.sku_limits)

    @property
    def skus(self) -> KeysView[str]:
        return self.limits.keys()

    def limit_of(self, sku: str) -> int:
        return self.limits[sku]

    def applies_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)

    def to_record(self) -> dict:
        return {
            "sku_limits": dict(self.sku_limits), "per_buyer_total": self.per_buyer_total,
            "starts_at_us": epoch_us(self.starts_at), "ends_at_us": epoch_us(self.ends_at) if self.ends_at else 0,
        }

    @classmethod
    def from_record(cls, launch_id: str, record: Mapping) -> LaunchTerms:
        def moment(us: int) -> datetime:
            return EPOCH + timedelta(microseconds=us)

        return cls(
            launch_id, tuple(sorted(record["sku_limits"].items())), record["per_buyer_total"],
            moment(record["starts_at_us"]), moment(record["ends_at_us"]) if record["ends_at_us"] else None,
        )


class LaunchNotFound(NotFound):
    def __init__(self, launch_id: str):
        super().__init__(f"launch {launch_id!r} does not exist; SetLaunch first")


class PurchaseLimitReached(RuleViolation):
    """The order would take a buyer past a launch's limit. The message says who, which limit
    and how much they have already ordered, so the checkout can tell the customer."""

    def __init__(self, message: str, launch_id: str, buyer: str, sku: str = ""):
        super().__init__(message)
        self.launch_id = launch_id
        self.buyer = buyer
        self.sku = sku  # "" when it is the launch's limit over all its SKUs
        # what the buyer can no longer order at all, when the quota says so: the server's
        # guard refuses their next orders for it without a write (the server's buyer guard)
        self.exhaustion: Exhaustion | None = None


def _reached(terms: LaunchTerms, buyer: str, sku: str, claimed: int, wanted: int) -> PurchaseLimitReached:
    """The refusal; `wanted` 0 when the buyer cannot order a single unit more."""
    kind, buyer_id = _who(buyer)
    asks = f" and this order asks for {wanted} more" if wanted else ""
    if sku:
        message = (f"{kind} {buyer_id} has ordered {claimed} of SKU {sku}{asks} "
                   f"(limit {terms.limit_of(sku)} per {kind} in launch {terms.launch_id})")
    else:
        message = (f"{kind} {buyer_id} has ordered {claimed} units of launch {terms.launch_id}{asks} "
                   f"(limit {terms.per_buyer_total} per {kind} across its SKUs)")
    return PurchaseLimitReached(message, terms.launch_id, buyer, sku)


def units_in_launch(terms: LaunchTerms, claimed: Mapping[str, int]) -> int:
    """Units claimed of the SKUs the launch has now (one it dropped no longer counts)."""
    return sum(units for sku, units in claimed.items() if sku in terms.skus)


def over_limit(terms: LaunchTerms, buyer: str, claimed: Mapping[str, int], wanted: Mapping[str, int]) -> PurchaseLimitReached | None:
    """The refusal when a buyer who has claimed `claimed` (units by SKU) may not order
    `wanted` as well; None when they may. SKUs outside the launch are not limited by it."""
    wanted = {sku: units for sku, units in wanted.items() if sku in terms.skus and units > 0}
    for sku, units in sorted(wanted.items()):
        limit, already = terms.limit_of(sku), claimed.get(sku, 0)
        if limit and already + units > limit:
            return _reached(terms, buyer, sku, already, 0 if already >= limit else units)
    if terms.per_buyer_total:
        already = units_in_launch(terms, claimed)
        if already + sum(wanted.values()) > terms.per_buyer_total:
            return _reached(terms, buyer, "", already, 0 if already >= terms.per_buyer_total else sum(wanted.values()))
    return None


def exhausted_skus(terms: LaunchTerms, buyer: str, claimed: Mapping[str, int]) -> dict[str, str]:
    """SKU -> why the buyer may not order one unit more of it in the launch: the ones whose
    own limit they have reached, and every SKU once the launch's total is reached."""
    blocked = {}
    if terms.per_buyer_total and units_in_launch(terms, claimed) >= terms.per_buyer_total:
        reason = str(_reached(terms, buyer, "", units_in_launch(terms, claimed), 0))
        blocked = {sku: reason for sku in terms.skus}
    for sku, limit in terms.sku_limits:
        if limit and claimed.get(sku, 0) >= limit:
            blocked[sku] = str(_reached(terms, buyer, sku, claimed[sku], 0))
    return blocked


@dataclass(frozen=True)
class Exhaustion:
    """A buyer who has reached a launch's limit on some SKUs, as the in-memory guard keeps it:
    the terms it was reached under, and the orders that reached it (their retries replay)."""

    terms: LaunchTerms
    buyer: str
    blocked: Mapping[str, str]  # sku -> the refusal's message
    order_ids: frozenset[str]


class TooManyOrders(RateLimited):
    """One buyer (a customer or a device) places orders faster than any person does. All the
    checkout's calls share one token, so the message names the buyer: it is the buyer who
    should wait, not the checkout."""

    def __init__(self, buyer: str, retry_after_ms: int):
        kind, buyer_id = _who(buyer)
        DomainError.__init__(self, f"too many orders from {kind} {buyer_id}: retry after {retry_after_ms / 1000:g} s")
        self.retry_after_ms = retry_after_ms

