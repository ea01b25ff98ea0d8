"""The server's in-memory guard in front of PlaceOrder, on a fake clock: each customer and
each device has its own budget of orders (one refused order costs neither), buyers known to
have reached a launch's limit are refused at once while the launch runs under the same
terms (but the retry of the order that reached it still goes through), and memory stays
bounded however many buyers a bot makes up."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from domain.callers import RateLimited
from domain.launches import Exhaustion, LaunchTerms, PurchaseLimitReached
from services.api.gate.buyer_guard import BuyerGuard, BuyerLimits
from tests.builders import FakeClock

MS = 1_000_000  # nanoseconds
DROP = LaunchTerms.create("DROP-1", [("AJ1", 1), ("AJ1-LOW", 2)], 0, datetime(2026, 11, 28, 2, tzinfo=timezone.utc))
REACHED = "customer C-17 has ordered 1 of SKU AJ1 (limit 1 per customer in launch DROP-1)"


def admitted(guard: BuyerGuard, *buyers: str, order_id: str = "o-new", skus=("SOCKS",), running=()) -> bool:
    try:
        guard.admit(list(buyers), order_id, skus, list(running))
        return True
    except RateLimited:
        return False


def reached(buyer: str = "customer:C-17", terms: LaunchTerms = DROP, order_ids=("o-1",)) -> Exhaustion:
    return Exhaustion(terms, buyer, {"AJ1": REACHED}, frozenset(order_ids))


# --- the budget of orders -------------------------------------------------------------------

def test_by_default_a_buyer_may_place_five_orders_at_once_then_two_a_second():
    clock = FakeClock()
    guard = BuyerGuard(clock=clock)
    assert [admitted(guard, "customer:C-17") for _ in range(6)] == [True] * 5 + [False]
    with pytest.raises(RateLimited) as refusal:
        guard.admit(["customer:C-17"], "o", ["SOCKS"], [])
    assert refusal.value.retry_after_ms == 500
    assert str(refusal.value) == "too many orders from customer C-17: retry after 0.5 s"
    clock.advance(499)
    assert not admitted(guard, "customer:C-17")
    clock.advance(1)
    assert admitted(guard, "customer:C-17")
    assert admitted(guard, "customer:C-18")  # another customer has a budget of their own


def test_a_device_behind_many_customer_ids_shares_one_budget():
    guard = BuyerGuard(BuyerLimits(orders_per_second=1, burst=3), clock=FakeClock())
    answers = [admitted(guard, f"customer:bot-{n}", "device:emulator-1") for n in range(5)]
    assert answers == [True, True, True, False, False]


def test_an_order_refused_for_the_device_costs_the_customer_nothing():
    guard = BuyerGuard(BuyerLimits(orders_per_second=1, burst=2), clock=FakeClock())
    assert admitted(guard, "customer:X", "device:shared") and admitted(guard, "customer:Y", "device:shared")
    assert not admitted(guard, "customer:C-17", "device:shared")
    assert [admitted(guard, "customer:C-17") for _ in range(3)] == [True, True, False]


def test_limits_that_make_no_sense_are_refused():
    with pytest.raises(ValueError, match="burst"):
        BuyerLimits(burst=0)
    with pytest.raises(ValueError, match="rate"):
        BuyerLimits(orders_per_second=0)
    with pytest.raises(ValueError, match="max_buyers"):
        BuyerLimits(max_buyers=0)


def test_many_threads_together_get_exactly_the_burst():
    guard = BuyerGuard(BuyerLimits(orders_per_second="0.001", burst=50), clock=FakeClock())
    start = threading.Barrier(16)
    counts = []

    def buy():
        start.wait()
        counts.append(sum(admitted(guard, "customer:C-17") for _ in range(10)))

    threads = [threading.Thread(target=buy) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 50


# --- buyers who have reached a launch's limit --------------------------------------------------

def test_a_buyer_who_reached_a_launchs_limit_is_refused_that_sku_at_once_with_the_quotas_message():
    guard = BuyerGuard(clock=FakeClock())
    guard.remember([reached()])
    with pytest.raises(PurchaseLimitReached) as refusal:
        guard.admit(["customer:C-17"], "o-2", ["SOCKS", "AJ1"], [DROP])
    assert str(refusal.value) == REACHED
    assert admitted(guard, "customer:C-17", skus=["AJ1-LOW"], running=[DROP])  # not reached for that SKU
    assert admitted(guard, "customer:C-18", skus=["AJ1"], running=[DROP])


def test_the_device_that_reached_the_limit_is_refused_under_any_customer_id():
    guard = BuyerGuard(clock=FakeClock())
    guard.remember([reached("device:emulator-1")])
    with pytest.raises(PurchaseLimitReached):
        guard.admit(["customer:bot-99", "device:emulator-1"], "o-2", ["AJ1"], [DROP])


def test_the_retry_of_the_order_that_reached_the_limit_is_let_through_to_be_replayed():
    guard = BuyerGuard(clock=FakeClock())
    guard.remember([reached(order_ids=("o-1",))])
    assert admitted(guard, "customer:C-17", order_id="o-1", skus=["AJ1"], running=[DROP])


def test_once_the_launch_is_over_or_its_terms_changed_the_guard_leaves_the_decision_to_the_quota():
    guard = BuyerGuard(clock=FakeClock())
    guard.remember([reached()])
    assert admitted(guard, "customer:C-17", skus=["AJ1"], running=[])  # over: not running now
    raised = LaunchTerms.create("DROP-1", [("AJ1", 2), ("AJ1-LOW", 2)], 0, DROP.starts_at)
    assert admitted(guard, "customer:C-17", skus=["AJ1"], running=[raised])
    assert guard.tracked()[1] == 1  # the buyer is kept, the outdated exhaustion is not
    assert admitted(guard, "customer:C-17", skus=["AJ1"], running=[DROP])


def test_remembering_never_spends_the_budget_and_a_refusal_for_the_limit_costs_no_order():
    guard = BuyerGuard(BuyerLimits(orders_per_second=1, burst=1), clock=FakeClock())
    guard.remember([reached()])
    for _ in range(3):
        with pytest.raises(PurchaseLimitReached):
            guard.admit(["customer:C-17"], "o-2", ["AJ1"], [DROP])
    assert admitted(guard, "customer:C-17", skus=["SOCKS"])


# --- memory -------------------------------------------------------------------------------------

def test_a_bot_making_up_a_million_customer_ids_holds_at_most_max_buyers_in_memory():
    clock = FakeClock()
    guard = BuyerGuard(BuyerLimits(max_buyers=1000), clock=clock)
    for n in range(20_000):
        admitted(guard, f"customer:bot-{n}", "device:emulator-1")
        if n % 50 == 0:
            guard.remember([reached(f"customer:bot-{n}")])
    buckets, exhausted = guard.tracked()
    assert buckets == 1000 and exhausted == 400
    guard.remember([reached(f"customer:late-{n}") for n in range(2000)])
    assert guard.tracked()[1] == 1000


def test_the_busiest_buyers_are_kept_and_the_idlest_forgotten():
    guard = BuyerGuard(BuyerLimits(orders_per_second=1, burst=1, max_buyers=3), clock=FakeClock())
    assert admitted(guard, "customer:A") and not admitted(guard, "customer:A")
    admitted(guard, "customer:B")
    admitted(guard, "customer:C")
    assert not admitted(guard, "customer:A")  # A used again: the most recent now
    admitted(guard, "customer:D")  # forgets B, the least recently seen
    assert not admitted(guard, "customer:A")
    assert admitted(guard, "customer:B")  # a fresh, full bucket
