"""A launch's per-buyer limits, in the domain and on the PurchaseQuota aggregate: what a
launch accepts, what an order may claim, what it is refused and why, and (a property) that
no sequence of claims ever takes a buyer past a limit."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregates.launch import Launch
from aggregates.purchase_quota import PurchaseQuota
from domain.errors import InvalidInput
from domain.launches import LaunchTerms, PurchaseLimitReached, buyer_keys, exhausted_skus, units_in_launch

SHANGHAI = timezone(timedelta(hours=8))
DROP_DAY = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


def drop(*sku_limits: tuple[str, int], total: int = 0, hours: int | None = 2) -> LaunchTerms:
    ends = DROP_DAY + timedelta(hours=hours) if hours else None
    return LaunchTerms.create("DROP-1", list(sku_limits), total, DROP_DAY, ends)


def quota(buyer: str = "customer:C-17") -> PurchaseQuota:
    return PurchaseQuota(launch_id="DROP-1", buyer=buyer)


# --- what a launch is -------------------------------------------------------------------------

def test_a_launch_limits_orders_placed_from_its_start_until_its_end():
    terms = drop(("AJ1-CHICAGO", 1))
    assert not terms.applies_at(DROP_DAY - timedelta(microseconds=1))
    assert terms.applies_at(DROP_DAY)
    assert terms.applies_at(DROP_DAY + timedelta(hours=1, minutes=59))
    assert not terms.applies_at(DROP_DAY + timedelta(hours=2))


def test_a_launch_without_an_end_limits_every_order_after_its_start():
    assert drop(("AJ1-CHICAGO", 1), hours=None).applies_at(DROP_DAY + timedelta(days=3650))


@pytest.mark.parametrize(("sku_limits", "total", "field"), [
    ([], 0, "sku_limits"),
    ([("AJ1", 1), ("AJ1", 2)], 0, "sku_limits[1].sku"),
    ([("AJ1 CHICAGO", 1)], 0, "sku_limits[0].sku"),
    ([("AJ1", -1)], 0, "sku_limits[0].max_units_per_buyer"),
    ([("AJ1", 2_000_000_000)], 0, "sku_limits[0].max_units_per_buyer"),
    ([("AJ1", 0)], 0, "sku_limits[0].max_units_per_buyer"),  # limited by nothing at all
    ([("AJ1", 1)], -1, "max_units_per_buyer"),
    ([(f"SKU-{i}", 1) for i in range(101)], 0, "sku_limits"),
])
def test_a_launch_that_limits_nothing_or_makes_no_sense_is_refused_naming_the_field(sku_limits, total, field):
    with pytest.raises(InvalidInput) as refusal:
        LaunchTerms.create("DROP-1", sku_limits, total, DROP_DAY)
    assert refusal.value.field == field


def test_a_launch_must_end_after_it_starts_and_name_its_time_zone():
    with pytest.raises(InvalidInput, match="ends_at: must be after starts_at"):
        LaunchTerms.create("DROP-1", [("AJ1", 1)], 0, DROP_DAY, DROP_DAY)
    with pytest.raises(InvalidInput, match="starts_at: must carry a time zone"):
        LaunchTerms.create("DROP-1", [("AJ1", 1)], 0, DROP_DAY.replace(tzinfo=None))


def test_a_sku_with_no_limit_of_its_own_counts_towards_the_launchs_total():
    terms = drop(("AJ1", 0), ("AJ1-LOW", 1), total=2)
    assert terms.limit_of("AJ1") == 0
    assert units_in_launch(terms, {"AJ1": 1, "AJ1-LOW": 1, "SOCKS": 9}) == 2  # socks are not in the launch


def test_terms_survive_their_event_record_whatever_the_time_zone_given():
    terms = drop(("AJ1", 1), ("AJ1-LOW", 2), total=2)
    assert LaunchTerms.from_record("DROP-1", terms.to_record()) == terms
    assert LaunchTerms.from_record("DROP-1", drop(("AJ1", 1), hours=None).to_record()).ends_at is None


def test_a_buyer_is_the_customer_and_also_the_device_when_the_checkout_saw_one():
    assert buyer_keys("C-17") == ("customer:C-17",)
    assert buyer_keys("C-17", "iphone-9f2") == ("customer:C-17", "device:iphone-9f2")


def test_the_launch_aggregate_records_a_change_only_when_the_terms_change():
    launch = Launch.schedule(drop(("AJ1", 1)))
    assert not launch.change(drop(("AJ1", 1)))
    assert launch.change(drop(("AJ1", 2)))
    assert [type(e).__name__ for e in launch.collect_events()] == ["LaunchScheduled", "LaunchChanged"]
    assert launch.terms == drop(("AJ1", 2))


# --- claiming on a quota ------------------------------------------------------------------------

def test_a_customer_may_order_up_to_the_limit_and_the_next_unit_is_refused_saying_why():
    q = quota()
    assert q.claim("order-1", {"AJ1-CHICAGO": 1}, drop(("AJ1-CHICAGO", 1)))
    with pytest.raises(PurchaseLimitReached) as refusal:
        q.claim("order-2", {"AJ1-CHICAGO": 1}, drop(("AJ1-CHICAGO", 1)))
    assert str(refusal.value) == "customer C-17 has ordered 1 of SKU AJ1-CHICAGO (limit 1 per customer in launch DROP-1)"
    assert (refusal.value.launch_id, refusal.value.buyer, refusal.value.sku) == ("DROP-1", "customer:C-17", "AJ1-CHICAGO")
    assert q.claimed == {"AJ1-CHICAGO": 1} and list(q.claims) == ["order-1"]


def test_an_order_asking_for_more_than_is_left_says_how_many_it_asked_for():
    q = quota("device:iphone-9f2")
    q.claim("order-1", {"AJ1": 1}, drop(("AJ1", 2)))
    with pytest.raises(PurchaseLimitReached, match=r"^device iphone-9f2 has ordered 1 of SKU AJ1 and this order asks for 2 more "
                                                   r"\(limit 2 per device in launch DROP-1\)$"):
        q.claim("order-2", {"AJ1": 2}, drop(("AJ1", 2)))


def test_the_launchs_total_limits_units_across_its_skus():
    terms = drop(("AJ1", 2), ("AJ1-LOW", 2), total=3)
    q = quota()
    q.claim("order-1", {"AJ1": 2}, terms)
    with pytest.raises(PurchaseLimitReached) as refusal:
        q.claim("order-2", {"AJ1-LOW": 2}, terms)
    assert refusal.value.sku == ""
    assert str(refusal.value) == ("customer C-17 has ordered 2 units of launch DROP-1 and this order asks for 2 more "
                                  "(limit 3 per customer across its SKUs)")
    assert q.claim("order-3", {"AJ1-LOW": 1}, terms)


def test_claiming_again_for_the_same_order_records_nothing():
    q = quota()
    terms = drop(("AJ1", 1))
    assert q.claim("order-1", {"AJ1": 1}, terms)
    assert not q.claim("order-1", {"AJ1": 1}, terms)  # a retried decision: no refusal, no second claim
    assert q.claimed == {"AJ1": 1}
    assert len(q.collect_events()) == 2  # opened, claimed once


def test_skus_outside_the_launch_are_not_limited_nor_claimed():
    q = quota()
    assert not q.claim("order-1", {"SOCKS": 50}, drop(("AJ1", 1)))
    assert q.claim("order-2", {"SOCKS": 50, "AJ1": 1}, drop(("AJ1", 1)))
    assert q.claims == {"order-2": {"AJ1": 1}}


def test_a_refusal_carries_what_the_buyer_can_no_longer_order_and_the_orders_that_reached_it():
    terms = drop(("AJ1", 1), ("AJ1-LOW", 2))
    q = quota()
    q.claim("order-1", {"AJ1": 1}, terms)
    refusal = q.refusal("order-2", {"AJ1": 1}, terms)
    assert refusal is not None and set(refusal.exhaustion.blocked) == {"AJ1"}
    assert refusal.exhaustion.order_ids == {"order-1"}
    assert q.refusal("order-2", {"AJ1-LOW": 2}, terms) is None  # another SKU's own limit
    assert exhausted_skus(terms, "customer:C-17", {"AJ1": 1, "AJ1-LOW": 2}).keys() == {"AJ1", "AJ1-LOW"}


def test_lowering_a_limit_below_what_was_bought_refuses_further_units_and_keeps_the_claims():
    q = quota()
    q.claim("order-1", {"AJ1": 3}, drop(("AJ1", 5)))
    with pytest.raises(PurchaseLimitReached, match="has ordered 3 of SKU AJ1 \\(limit 2 per customer"):
        q.claim("order-2", {"AJ1": 1}, drop(("AJ1", 2)))
    assert q.claimed == {"AJ1": 3}


# --- the property -------------------------------------------------------------------------------

SKUS = ("AJ1", "AJ1-LOW", "SOCKS")
launches = st.builds(
    lambda a, b, total: LaunchTerms.create("DROP-1", [("AJ1", a), ("AJ1-LOW", b)], total if (a and b) else max(total, 1), DROP_DAY),
    st.integers(0, 4), st.integers(0, 4), st.integers(0, 6),
)
orders = st.lists(st.tuples(st.sampled_from(["o1", "o2", "o3", "o4", "o5", "o6"]),
                            st.dictionaries(st.sampled_from(SKUS), st.integers(0, 5), min_size=1, max_size=3)), max_size=12)


def limit_due(terms: LaunchTerms, claimed: dict[str, int], units: dict[str, int]) -> str | None:
    """The model: which limit the units would take a buyer who claimed `claimed` past (a SKU,
    the first by name over its own; "" the launch's total), or None when they fit."""
    wanted = {sku: n for sku, n in units.items() if n > 0 and sku in ("AJ1", "AJ1-LOW")}
    limits = dict(terms.sku_limits)
    for sku in sorted(wanted):
        if limits[sku] and claimed.get(sku, 0) + wanted[sku] > limits[sku]:
            return sku
    if terms.per_buyer_total and sum(claimed.values()) + sum(wanted.values()) > terms.per_buyer_total:
        return ""
    return None


@settings(max_examples=300, deadline=None)
@given(terms=launches, claims=orders)
def test_whatever_orders_a_buyer_places_their_claimed_units_never_exceed_the_launchs_limits(terms, claims):
    q = quota()
    accepted: dict[str, dict[str, int]] = {}
    claimed: dict[str, int] = {}  # the model's count of the buyer's units, by launch SKU
    for order_id, units in claims:
        launch_units = {sku: n for sku, n in units.items() if sku in terms.skus and n}
        due = None if order_id in accepted or not launch_units else limit_due(terms, claimed, units)
        try:
            recorded = q.claim(order_id, units, terms)
        except PurchaseLimitReached as refusal:
            assert due is not None, f"{order_id} claiming {units} after {claimed} was refused: {refusal}"
            assert (refusal.sku, refusal.buyer) == (due, "customer:C-17") and str(refusal)
            continue
        assert due is None, f"{order_id} claiming {units} after {claimed} was accepted past the limit of {due or 'the launch'}"
        assert recorded == (order_id not in accepted and bool(launch_units))  # a retried or empty claim records nothing
        if recorded:
            accepted[order_id] = launch_units
            claimed = {sku: claimed.get(sku, 0) + launch_units.get(sku, 0) for sku in {*claimed, *launch_units}}
    assert q.claimed == claimed
    for sku, limit in terms.sku_limits:
        assert not limit or q.claimed.get(sku, 0) <= limit
    assert not terms.per_buyer_total or units_in_launch(terms, q.claimed) <= terms.per_buyer_total
    assert q.claims == accepted  # a claim is all of the order's launch units, or none of them
    rebuilt = None
    for e in q.collect_events():  # what the event store would replay
        rebuilt = e.mutate(rebuilt)
    assert (rebuilt.claims, rebuilt.claimed) == (q.claims, q.claimed)
