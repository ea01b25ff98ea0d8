"""The server's first, cheap line against bots at a launch: refusals of PlaceOrder made in
memory, before any write.

Every checkout call arrives through one checkout token, so the per-token rate limit cannot
tell a bot from a buyer. The guard looks at the buyer instead (the customer id, and the
device id when the checkout passes one):

- a token bucket per buyer: at most `burst` orders at once and `orders_per_second` after
  that, refused with TooManyOrders (a RateLimited: RESOURCE_EXHAUSTED with `retry-after-ms`);
- buyers known to have reached a launch's limit are refused PurchaseLimitReached at once for
  that launch's SKUs, while the launch runs under the same terms, unless the order is one of
  those that reached it (its retry must replay it).

It is only an optimisation: the buyer's PurchaseQuota is the authority, and the guard only
refuses what the quota would refuse. It lives in one server process and forgets the least
recently seen buyers beyond `max_buyers` (a forgotten bucket starts full again; a forgotten
exhaustion costs one trip to the quota).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from aggregates.order import Order
from domain.launches import Exhaustion, LaunchTerms, PurchaseLimitReached, TooManyOrders, buyer_keys
from services.api.gate.rate_limits import CREDIT_PER_CALL, RoleRate, TokenBucket
from services.use_cases.ordering import launches, orders
from services.use_cases.application import OmoApplication
from services.use_cases.ports import Placed

DEFAULT_MAX_BUYERS = 200_000  # per map: ~200 bytes a bucket, ~1 KB an exhaustion


@dataclass(frozen=True)
class BuyerLimits:
    orders_per_second: Decimal | int | str = 2  # sustained, per customer and per device
    burst: int = 5  # orders at once
    max_buyers: int = DEFAULT_MAX_BUYERS  # buckets held, and exhausted buyers remembered

    def __post_init__(self) -> None:
        self.rate  # noqa: B018 - raises ValueError saying what is wrong with the rate or burst
        if self.max_buyers < 1:
            raise ValueError(f"max_buyers must be at least 1, got {self.max_buyers}")

    @property
    def rate(self) -> RoleRate:
        return RoleRate.of(self.orders_per_second, self.burst)


class BuyerGuard:
    def __init__(self, limits: BuyerLimits = BuyerLimits(), clock: Callable[[], int] = time.monotonic_ns):
        self.limits = limits
        self._rate = limits.rate
        self.clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()  # least recently used first
        self._exhausted: OrderedDict[str, dict[str, Exhaustion]] = OrderedDict()  # buyer -> launch id -> it
        self._lock = threading.Lock()

    def admit(self, buyers: Sequence[str], order_id: str, skus: Iterable[str], running: Sequence[LaunchTerms]) -> None:
        """Raises PurchaseLimitReached or TooManyOrders, or takes one order from each buyer's
        budget. `running`: the launches running now that cover the order's SKUs."""
        skus = list(skus)
        now = self.clock()
        with self._lock:
            self._refuse_exhausted(buyers, order_id, skus, {t.launch_id: t for t in running})
            self._take(buyers, now)

    def remember(self, exhaustions: Iterable[Exhaustion]) -> None:
        with self._lock:
            for exhaustion in exhaustions:
                known = self._exhausted.pop(exhaustion.buyer, {})
                self._exhausted[exhaustion.buyer] = {**known, exhaustion.terms.launch_id: exhaustion}
                _bound(self._exhausted, self.limits.max_buyers)

    def tracked(self) -> tuple[int, int]:
        """(buyers with a bucket, buyers remembered as exhausted)."""
        with self._lock:
            return len(self._buckets), len(self._exhausted)

    def _refuse_exhausted(self, buyers: Sequence[str], order_id: str, skus: list[str], running: dict[str, LaunchTerms]) -> None:
        for buyer in buyers:
            known = self._exhausted.get(buyer)
            if not known:
                continue
            for launch_id, exhaustion in list(known.items()):
                if running.get(launch_id, exhaustion.terms) != exhaustion.terms:
                    del known[launch_id]  # its terms changed since: the quota decides again
                    continue
                if launch_id not in running or order_id in exhaustion.order_ids:
                    continue  # over (or not begun), or a retry of an order that reached the limit
                for sku in skus:
                    if sku in exhaustion.blocked:
                        self._exhausted.move_to_end(buyer)
                        raise PurchaseLimitReached(exhaustion.blocked[sku], launch_id, buyer, sku)

    def _take(self, buyers: Sequence[str], now: int) -> None:
        """One order from every buyer's bucket, or from none: a refused order costs nothing."""
        taken = []
        for buyer in buyers:
            bucket = self._buckets.pop(buyer, None) or TokenBucket(self._rate, now)
            self._buckets[buyer] = bucket  # now the most recently used
            _bound(self._buckets, self.limits.max_buyers)
            wait_ms = bucket.take(now)
            if wait_ms:
                for earlier in taken:
                    earlier.credit += CREDIT_PER_CALL  # given back: this order is not admitted
                raise TooManyOrders(buyer, wait_ms)
            taken.append(bucket)


def _bound(entries: OrderedDict, most: int) -> None:
    """Drops the least recently used entries beyond `most`."""
    while len(entries) > most:
        entries.popitem(last=False)


def place_as_buyer(guard: BuyerGuard, app: OmoApplication, command: orders.PlaceOrder) -> Placed:
    """The order placed behind the buyer guard: refused in memory, before any write, when the
    buyer orders faster than a person or is known to have reached a launch's limit. The
    buyer's quota, checked as the order is saved, stays the authority."""
    buyers, skus, now = buyer_keys(command.customer_id, command.device_id), list(command.quantities()), app.clock()
    order_id = str(Order.create_id(command.idempotency_key))
    guard.admit(buyers, order_id, skus, launches.active_launches(app, skus, now))
    try:
        placed = orders.placed_order(app, command, see_own_order=False)  # the gate reads before every call
    except PurchaseLimitReached as refusal:
        if refusal.exhaustion is not None:
            guard.remember([refusal.exhaustion])
        raise
    guard.remember(placed.exhausted)  # the quotas the order filled
    return placed
