"""Per-caller rate limits: a token bucket for each bearer token, filled at its role's rate up
to its role's burst. `RateLimiter` is a gate admission: a call over
budget is refused with RateLimited (RESOURCE_EXHAUSTED) saying when to retry, before it
reaches a servicer, so it changes nothing.

The buckets count in integers (nanoseconds of a monotonic clock, thousandths of a call per
second), so the budget is exact: over any span of t seconds a caller is admitted at most
burst + rate * t calls, never one more through rounding.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.callers import CHECKOUT, DEALER, OPS, POS, ROLES, Caller, RateLimited

NANOS_PER_SECOND = 1_000_000_000
NANOS_PER_MS = 1_000_000
# a bucket gains `milli_per_second` credit units per nanosecond, so one call costs this many
CREDIT_PER_CALL = 1000 * NANOS_PER_SECOND
SWEEP_EVERY_SECONDS = 60


@dataclass(frozen=True)
class RoleRate:
    """Calls per second, in thousandths (exact), and how many may come at once."""

    milli_per_second: int
    burst: int

    def __post_init__(self) -> None:
        if self.milli_per_second < 1:
            raise ValueError(f"a rate must be at least 0.001 calls/s, got {self.milli_per_second / 1000:g}")
        if self.burst < 1:
            raise ValueError(f"a burst must be at least 1 call, got {self.burst}")

    @classmethod
    def of(cls, per_second: int | str | Decimal, burst: int) -> RoleRate:
        milli = Decimal(per_second) * 1000
        if not milli.is_finite() or milli != milli.to_integral_value():
            raise ValueError(f"a rate is a number of calls per second with at most three decimals, got {per_second}")
        return cls(int(milli), burst)

    @property
    def per_second(self) -> Decimal:
        return Decimal(self.milli_per_second) / 1000

    def __str__(self) -> str:
        return f"{self.per_second:f}/{self.burst}"


# generous: the demo and the benchmarks (at most a few hundred calls/s from one token) are
# never throttled; a bot flood through one stolen token is
DEFAULT_RATES: Mapping[str, RoleRate] = {
    CHECKOUT: RoleRate.of(5000, 10_000),  # the mini-program backend: every shopper's calls
    POS: RoleRate.of(500, 1000),  # one store's terminals
    DEALER: RoleRate.of(50, 100),  # one dealer's people
    OPS: RoleRate.of(2000, 4000),  # HQ tools, seeding included
}


def parse_rate_limit(text: str) -> tuple[str, RoleRate]:
    """`ROLE=RATE/BURST` (`pos=500/1000`, `dealer=0.5/10`) -> (role, RoleRate); ValueError
    saying what is wrong otherwise."""
    role, equals, numbers = text.partition("=")
    rate, slash, burst = numbers.partition("/")
    role = role.strip()
    if not (equals and slash):
        raise ValueError(f"expected ROLE=RATE/BURST (e.g. pos=500/1000), got {text!r}")
    if role not in ROLES:
        raise ValueError(f"the role must be one of {', '.join(ROLES)}, got {role!r}")
    try:
        per_second, calls = Decimal(rate.strip()), int(burst)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{text!r}: RATE is calls per second (e.g. 500 or 0.5), BURST a whole number of calls") from None
    return role, RoleRate.of(per_second, calls)  # which says what is wrong with either


class TokenBucket:
    """One caller's budget. Not locked on its own: RateLimiter serialises the calls on it."""

    __slots__ = ("rate", "credit", "updated_ns")

    def __init__(self, rate: RoleRate, now_ns: int):
        self.rate = rate
        self.credit = rate.burst * CREDIT_PER_CALL  # a new caller may burst at once
        self.updated_ns = now_ns

    def _refill(self, now_ns: int) -> None:
        # a reading older than the last one (two threads racing to the lock) adds nothing
        if now_ns > self.updated_ns:
            gained = (now_ns - self.updated_ns) * self.rate.milli_per_second
            self.credit = min(self.rate.burst * CREDIT_PER_CALL, self.credit + gained)
            self.updated_ns = now_ns

    def take(self, now_ns: int) -> int:
        """0 when one call is admitted (and paid for); else the whole milliseconds until one
        would be, at least 1. A refused call costs nothing."""
        self._refill(now_ns)
        if self.credit >= CREDIT_PER_CALL:
            self.credit -= CREDIT_PER_CALL
            return 0
        wait_ns = -(-(CREDIT_PER_CALL - self.credit) // self.rate.milli_per_second)
        return max(1, -(-wait_ns // NANOS_PER_MS))

    def is_full(self, now_ns: int) -> bool:
        gained = max(0, now_ns - self.updated_ns) * self.rate.milli_per_second
        return self.credit + gained >= self.rate.burst * CREDIT_PER_CALL


class RateLimiter:
    """The admission: one bucket per token id, at the rate of the caller's role. A bucket
    left idle until full is dropped (at most once a `sweep_seconds`): a new one starts full,
    so forgetting it changes nothing but the memory held."""

    def __init__(
        self, rates: Mapping[str, RoleRate] | None = None, clock: Callable[[], int] = time.monotonic_ns,
        sweep_seconds: float = SWEEP_EVERY_SECONDS,
    ):
        unknown = set(rates or {}) - set(ROLES)
        if unknown:
            raise ValueError(f"no such role: {', '.join(sorted(unknown))}")
        self.rates: dict[str, RoleRate] = {**DEFAULT_RATES, **(rates or {})}
        self.clock = clock
        self._sweep_ns = int(sweep_seconds * NANOS_PER_SECOND)
        self._swept_ns = clock()
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def __call__(self, caller: Caller) -> None:
        now = self.clock()
        with self._lock:
            if now - self._swept_ns >= self._sweep_ns:
                self._sweep(now)
            bucket = self._buckets.get(caller.token_id)
            if bucket is None:
                bucket = self._buckets[caller.token_id] = TokenBucket(self.rates[caller.role], now)
            wait_ms = bucket.take(now)
        if wait_ms:
            raise RateLimited(wait_ms)

    def _sweep(self, now_ns: int) -> None:
        self._swept_ns = now_ns
        for token_id in [t for t, bucket in self._buckets.items() if bucket.is_full(now_ns)]:
            del self._buckets[token_id]

    def tracked(self) -> int:
        """How many callers' buckets are held."""
        with self._lock:
            return len(self._buckets)
