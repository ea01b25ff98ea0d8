"""Per-caller rate limits: the token bucket on a fake clock (burst, refill, per-role rates,
the retry hint, forgetting idle callers, many threads at once), its budget as a property, the
`--rate-limit` option (through gRPC: tests/e2e/test_rate_limits.py)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.callers import CHECKOUT, DEALER, OPS, POS, Caller, RateLimited
from services.api.gate.rate_limits import CREDIT_PER_CALL, DEFAULT_RATES, RateLimiter, RoleRate, parse_rate_limit
from services.cli.main import build_parser
from tests.builders import FakeClock

MS = 1_000_000  # nanoseconds


def pos(token_id: str, store_id: str = "S1") -> Caller:
    return Caller(token_id, POS, store_id=store_id)


def admitted(limiter: RateLimiter, caller: Caller) -> bool:
    try:
        limiter(caller)
        return True
    except RateLimited:
        return False


# --- the bucket ---------------------------------------------------------------------------

def test_a_new_caller_may_burst_then_is_refused_with_the_time_to_wait():
    clock = FakeClock()
    limiter = RateLimiter({POS: RoleRate.of(4, 3)}, clock=clock)
    assert [admitted(limiter, pos("t1")) for _ in range(3)] == [True, True, True]
    with pytest.raises(RateLimited) as caught:
        limiter(pos("t1"))
    assert caught.value.retry_after_ms == 250  # one call every 1/4 s
    assert "retry after 0.25 s" in str(caught.value)


def test_the_bucket_refills_at_the_rate_and_never_beyond_the_burst():
    clock = FakeClock()
    limiter = RateLimiter({POS: RoleRate.of(4, 3)}, clock=clock)
    for _ in range(3):
        limiter(pos("t1"))
    clock.advance(249)
    assert not admitted(limiter, pos("t1"))
    clock.advance(1)
    assert admitted(limiter, pos("t1")) and not admitted(limiter, pos("t1"))
    clock.advance(60_000)  # a minute idle fills the bucket to its burst, no more
    assert [admitted(limiter, pos("t1")) for _ in range(4)] == [True, True, True, False]


def test_a_refused_call_costs_nothing_and_the_hint_is_exact():
    clock = FakeClock()
    limiter = RateLimiter({DEALER: RoleRate.of("0.5", 1)}, clock=clock)
    dealer = Caller("d1", DEALER, dealer_id="D1")
    limiter(dealer)
    clock.advance(500)
    with pytest.raises(RateLimited) as first:
        limiter(dealer)
    with pytest.raises(RateLimited) as again:  # refusals do not push the next call further out
        limiter(dealer)
    assert first.value.retry_after_ms == again.value.retry_after_ms == 1500
    clock.advance(1499)
    assert not admitted(limiter, dealer)
    clock.advance(1)
    assert admitted(limiter, dealer)


def test_each_token_has_its_own_bucket_at_its_roles_rate():
    clock = FakeClock()
    limiter = RateLimiter({POS: RoleRate.of(1, 1), CHECKOUT: RoleRate.of(1, 5)}, clock=clock)
    assert admitted(limiter, pos("t1")) and not admitted(limiter, pos("t1"))
    assert admitted(limiter, pos("t2", "S2"))  # another store's token: a budget of its own
    checkout = Caller("c1", CHECKOUT)
    assert [admitted(limiter, checkout) for _ in range(6)] == [True] * 5 + [False]
    ops = Caller("o1", OPS)  # not configured: the default
    assert limiter.rates[OPS] == DEFAULT_RATES[OPS]
    assert all(admitted(limiter, ops) for _ in range(DEFAULT_RATES[OPS].burst))
    assert not admitted(limiter, ops)


def test_callers_idle_until_full_are_forgotten_and_come_back_full():
    clock = FakeClock()
    limiter = RateLimiter({POS: RoleRate.of(1, 2)}, clock=clock, sweep_seconds=60)
    limiter(pos("idle"))
    for _ in range(2):
        limiter(pos("busy", "S2"))
    clock.advance(59_500)
    limiter(pos("busy", "S2"))  # no sweep before a minute has passed
    assert limiter.tracked() == 2
    clock.advance(500)
    limiter(pos("third", "S3"))  # the sweep: "idle" is full again, "busy" half a call short
    assert limiter.tracked() == 2  # "busy" and "third"
    assert [admitted(limiter, pos("idle")) for _ in range(3)] == [True, True, False]


def test_many_threads_never_share_out_more_than_the_burst():
    clock = FakeClock()  # frozen: nothing refills
    limiter = RateLimiter({POS: RoleRate.of(1, 100)}, clock=clock)
    counts: list[int] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        counts.append(sum(admitted(limiter, pos("t1")) for _ in range(50)))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 100


@settings(max_examples=300, deadline=None)
@given(
    milli_per_second=st.integers(1, 5_000_000),
    burst=st.integers(1, 40),
    steps_ns=st.lists(st.integers(0, 2 * 10**9), min_size=1, max_size=80),
)
def test_no_window_admits_more_than_burst_plus_rate_times_its_length(milli_per_second, burst, steps_ns):
    """Over any span from one call to a later one, at most burst + rate * span calls are
    admitted; and a caller who waits as told is admitted."""
    clock = FakeClock()
    limiter = RateLimiter({POS: RoleRate(milli_per_second, burst)}, clock=clock)
    times: list[int] = []
    for step in steps_ns:
        clock.now_ns += step
        try:
            limiter(pos("t1"))
            times.append(clock.now_ns)
        except RateLimited as refusal:
            clock.advance(refusal.retry_after_ms)
            limiter(pos("t1"))  # raises, failing the test, when the hint was too short
            times.append(clock.now_ns)
    for i in range(len(times)):
        for j in range(i, len(times)):
            calls = j - i + 1
            # exact, in integers: calls <= burst + (rate in milli-calls/s) / 1000 * span in s
            assert calls * CREDIT_PER_CALL <= burst * CREDIT_PER_CALL + (times[j] - times[i]) * milli_per_second


# --- configuration ------------------------------------------------------------------------

def test_rates_are_parsed_exactly_and_bad_ones_refused_with_the_reason():
    assert parse_rate_limit("pos=500/1000") == (POS, RoleRate(500_000, 1000))
    assert parse_rate_limit("dealer=0.5/10") == (DEALER, RoleRate(500, 10))
    for text, reason in [
        ("pos", "ROLE=RATE/BURST"), ("pos=5", "ROLE=RATE/BURST"), ("cashier=5/5", "one of checkout, pos, dealer, ops"),
        ("pos=fast/5", "RATE is calls per second"), ("pos=5/lots", "BURST a whole number"),
        ("pos=0/5", "at least 0.001"), ("pos=0.0001/5", "three decimals"), ("pos=5/0", "at least 1 call"), ("pos=nan/5", "three decimals"),
    ]:
        with pytest.raises(ValueError) as caught:
            parse_rate_limit(text)
        assert reason in str(caught.value), text
    with pytest.raises(ValueError, match="no such role"):
        RateLimiter({"cashier": RoleRate.of(1, 1)})


def test_omo_serve_takes_rate_limits_per_role_and_documents_the_defaults(capsys):
    args = build_parser().parse_args(["serve", "--rate-limit", "pos=20/40", "--rate-limit", "dealer=1/2"])
    assert dict(args.rate_limit) == {POS: RoleRate.of(20, 40), DEALER: RoleRate.of(1, 2)}
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--rate-limit", "pos=20"])
    capsys.readouterr()
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    flat = " ".join(capsys.readouterr().out.split())
    assert all(f"{role}={rate}" in flat for role, rate in DEFAULT_RATES.items())
