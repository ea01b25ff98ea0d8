"""Attribution arithmetic: every split sums to the cent, every part is whole and never
negative, and returns reverse exactly what was attributed."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.attribution import (
    ASSISTANT_PART, CUSTOMER, FULFILLER_PART, HQ, HQ_PART, SELLER_PART, PolicyTerms, ShipmentParties, entries_for,
    largest_remainder, reversed_parts, shipment_parts,
)
from domain.errors import InvalidInput

A, B = "DEALER:A", "DEALER:B"


@st.composite
def terms(draw) -> PolicyTerms:
    hq = draw(st.integers(0, 5000))
    fee = draw(st.integers(0, 10_000 - hq))
    commission = draw(st.integers(0, 10_000 - hq - fee))
    return PolicyTerms.create(hq_share_bp=hq, fulfilment_fee_bp=fee, fulfilment_fee_fixed_cents=draw(st.integers(0, 5000)), assistant_commission_bp=commission)


parties = st.builds(
    ShipmentParties, seller=st.sampled_from([A, B, HQ]), fulfiller=st.sampled_from([A, B, HQ]),
    assistant=st.sampled_from(["", "ASSISTANT:x"]),
)
line_totals = st.dictionaries(st.sampled_from(["SKU-1", "SKU-2", "SKU-3", "SKU-4"]), st.integers(0, 2_000_000), min_size=1)


def balances(entries: list[dict]) -> dict[str, int]:
    result: dict[str, int] = {}
    for e in entries:
        result[e["credit"]] = result.get(e["credit"], 0) + e["amount_cents"]
        result[e["debit"]] = result.get(e["debit"], 0) - e["amount_cents"]
    return result


def test_the_worked_example_in_the_readme():
    policy = PolicyTerms.create(hq_share_bp=500, fulfilment_fee_bp=1000, fulfilment_fee_fixed_cents=0, assistant_commission_bp=300)
    parts = shipment_parts(policy, ShipmentParties(A, B, "ASSISTANT:x"), {"LINE": 19_900})["LINE"]
    assert parts == {SELLER_PART: 16_318, FULFILLER_PART: 1_990, HQ_PART: 995, ASSISTANT_PART: 597}


def test_a_fixed_fee_is_spread_over_the_shipments_lines():
    policy = PolicyTerms.create(hq_share_bp=500, fulfilment_fee_bp=800, fulfilment_fee_fixed_cents=500, assistant_commission_bp=300)
    parts = shipment_parts(policy, ShipmentParties(A, B, "ASSISTANT:x"), {"SERUM": 19_900, "MASK": 3_333})
    # SERUM: HQ 995, commission 597, fee 1592 + its share of the 5.00 fixed fee
    assert parts["SERUM"][HQ_PART] == 995 and parts["SERUM"][ASSISTANT_PART] == 597
    assert parts["SERUM"][FULFILLER_PART] + parts["MASK"][FULFILLER_PART] == 1592 + 266 + 500
    assert {sku: sum(p.values()) for sku, p in parts.items()} == {"SERUM": 19_900, "MASK": 3_333}


def test_largest_remainder_gives_the_left_over_cents_to_the_largest_remainders_first():
    assert largest_remainder(100, [Fraction(100, 3)] * 3) == [34, 33, 33]
    assert largest_remainder(10, [Fraction(13, 4), Fraction(27, 4)]) == [3, 7]


@given(terms(), parties, line_totals)
def test_each_lines_parts_are_whole_non_negative_cents_summing_to_its_total(policy, who, totals):
    parts = shipment_parts(policy, who, totals)
    for sku, total in totals.items():
        assert sum(parts[sku].values()) == total
        assert all(isinstance(c, int) and c >= 0 for c in parts[sku].values())
        if who.seller == who.fulfiller:
            assert parts[sku][FULFILLER_PART] == 0
        if not who.assistant:
            assert parts[sku][ASSISTANT_PART] == 0


@given(terms(), parties, line_totals)
def test_the_entries_move_exactly_the_line_totals_from_the_customer(policy, who, totals):
    parts = shipment_parts(policy, who, totals)
    entries = [e for sku in totals for e in entries_for(sku, parts[sku], who)]
    money = balances(entries)
    assert money.get(CUSTOMER, 0) == -sum(totals.values())
    assert sum(money.values()) == 0
    assert all(e["amount_cents"] > 0 and e["debit"] != e["credit"] for e in entries)


@given(terms(), parties, st.integers(1, 50), st.integers(0, 100_000), st.data())
def test_returns_in_any_pieces_reverse_exactly_the_original_parts(policy, who, units, unit_price, data):
    parts = shipment_parts(policy, who, {"SKU": units * unit_price})["SKU"]
    left, units_left, reversed_total = dict(parts), units, {p: 0 for p in parts}
    while units_left:
        returned = data.draw(st.integers(1, units_left))
        back = reversed_parts(left, units_left, returned)
        assert sum(back.values()) == returned * unit_price  # the refund
        assert all(0 <= back[p] <= left[p] for p in back)
        for p, cents in back.items():
            left[p] -= cents
            reversed_total[p] += cents
        units_left -= returned
    assert reversed_total == parts


def test_a_reversal_runs_every_entry_the_other_way():
    who = ShipmentParties(A, B, "ASSISTANT:x")
    parts = {SELLER_PART: 70, FULFILLER_PART: 20, HQ_PART: 5, ASSISTANT_PART: 5}
    forward, back = entries_for("S", parts, who), entries_for("S", parts, who, reversal=True)
    assert [(e["debit"], e["credit"]) for e in back] == [(e["credit"], e["debit"]) for e in forward]
    assert set(balances(forward + back).values()) == {0}


@pytest.mark.parametrize("fields, field", [
    ({"hq_share_bp": -1}, "hq_share_bp"),
    ({"fulfilment_fee_bp": 10_001}, "fulfilment_fee_bp"),
    ({"hq_share_bp": 6000, "fulfilment_fee_bp": 5000}, "hq_share_bp"),
    ({"fulfilment_fee_fixed_cents": -5}, "fulfilment_fee_fixed"),
])
def test_a_policy_outside_its_bounds_is_refused_naming_the_field(fields, field):
    values = {"hq_share_bp": 500, "fulfilment_fee_bp": 800, "fulfilment_fee_fixed_cents": 0, "assistant_commission_bp": 300, **fields}
    with pytest.raises(InvalidInput) as refused:
        PolicyTerms.create(**values)
    assert refused.value.field == field
