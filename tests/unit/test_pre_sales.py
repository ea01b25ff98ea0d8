"""A pre-sale's terms and its aggregate: what is refused, and what replaying its events gives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aggregates.pre_sale import PreSale
from domain.errors import InvalidInput
from domain.presales import PreSaleSoldOut, PreSaleTerms, UnitsAlreadyOrdered
from domain.values import Money

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
PRICE = Money(599_900, "CNY")


def terms(units: int = 5, **changed) -> PreSaleTerms:
    given = dict(
        sku="PHONE-X", units=units, price=PRICE, orders_from=T0, orders_until=T0 + timedelta(hours=2),
        ships_from=T0 + timedelta(days=7), per_customer_limit=2,
    )
    return PreSaleTerms.create(**{**given, **changed})


@pytest.mark.parametrize("changed, field", [
    ({"units": 0}, "units"),
    ({"price": Money(0, "CNY")}, "price.cents"),
    ({"orders_until": T0}, "orders_until"),
    ({"orders_until": T0 - timedelta(minutes=1)}, "orders_until"),
    ({"ships_from": T0 - timedelta(seconds=1)}, "ships_from"),
    ({"per_customer_limit": 0}, "per_customer_limit"),
    ({"orders_from": T0.replace(tzinfo=None)}, "orders_from"),
    ({"sku": "bad sku"}, "sku"),
])
def test_bad_terms_are_refused_naming_the_field(changed, field):
    with pytest.raises(InvalidInput) as refused:
        terms(**changed)
    assert refused.value.field == field


def test_ships_from_may_be_the_moment_orders_open_and_the_window_excludes_its_end():
    opened = terms(ships_from=T0)
    assert opened.takes_orders_at(T0) and opened.takes_orders_at(T0 + timedelta(hours=2) - timedelta(microseconds=1))
    assert not opened.takes_orders_at(T0 + timedelta(hours=2)) and not opened.takes_orders_at(T0 - timedelta(microseconds=1))


def test_terms_survive_their_record_and_run_a_launch_of_the_sku_alone_in_the_window():
    opened = terms()
    assert PreSaleTerms.from_record("PHONE-X", opened.to_record()) == opened
    launch = opened.launch_terms()
    assert (launch.launch_id, launch.limits, launch.per_buyer_total) == ("presale:PHONE-X", {"PHONE-X": 2}, 0)
    assert (launch.starts_at, launch.ends_at) == (opened.orders_from, opened.orders_until)


def replayed(pre_sale: PreSale) -> PreSale:
    events = pre_sale.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    return copy


def test_pre_orders_take_units_until_none_are_left_and_a_retry_takes_nothing_more():
    pre_sale = PreSale.open(terms(units=5))
    assert pre_sale.take("o1", 2) and pre_sale.take("o2", 3)
    assert not pre_sale.take("o1", 2)  # the same order decided again
    with pytest.raises(PreSaleSoldOut, match="has 0 units left, 1 wanted"):
        pre_sale.take("o3", 1)
    assert (pre_sale.ordered_units, pre_sale.units_left) == (5, 0)
    assert pre_sale.release("o1", "changed their mind") and not pre_sale.release("o1", "again")
    assert pre_sale.units_left == 2 and pre_sale.refusal("o3", 2) is None and pre_sale.refusal("o3", 3) is not None
    copy = replayed(pre_sale)
    assert (copy.ordered, copy.units_left) == ({"o2": 3}, 2)


def test_units_may_not_go_below_those_pre_ordered_and_the_same_terms_change_nothing():
    pre_sale = PreSale.open(terms(units=5))
    pre_sale.take("o1", 4)
    with pytest.raises(UnitsAlreadyOrdered, match="has 4 units pre-ordered already"):
        pre_sale.change(terms(units=3))
    assert not pre_sale.change(terms(units=5))
    assert pre_sale.change(terms(units=4)) and pre_sale.terms.units == 4


def test_the_plan_records_each_pre_order_once_earliest_first_and_counts_what_each_location_expects():
    pre_sale = PreSale.open(terms(units=9))
    for order_id, units in (("o1", 2), ("o2", 1), ("o3", 2)):
        pre_sale.take(order_id, units)
    assert pre_sale.unplanned() == ["o1", "o2", "o3"]
    assert pre_sale.plan([("o1", "S1"), ("o3", "S2"), ("o9", "S1")])  # o9 holds nothing: left out
    assert not pre_sale.plan([("o1", "S2")])  # planned already
    assert pre_sale.unplanned() == ["o2"]
    pre_sale.release("o3", "cancelled")
    assert pre_sale.announced == {"S1": 2, "S2": 2}  # the cancelled one's units still come
    copy = replayed(pre_sale)
    assert (copy.planned, copy.announced, copy.unplanned()) == ({"o1": "S1"}, {"S1": 2, "S2": 2}, ["o2"])
