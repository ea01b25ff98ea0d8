"""The on-time query's rules without a database: the share in integers, the range of local
days and the scope (the figures themselves: tests/integration/test_on_time.py)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from services.use_cases.reads.store_performance import Figures, Scope, checked_range, checked_scope


@pytest.mark.parametrize(("figures", "per_mille"), [
    (Figures(due=3, on_time=2, late=1), 667),  # 666.67 rounds up
    (Figures(due=3, on_time=1, late=2), 333),
    (Figures(due=16, on_time=1, late=15), 63),  # 62.5: half up
    (Figures(due=4, on_time=1, late=1, overdue=2), 250),  # overdue is settled: missed already
    (Figures(due=5, on_time=5), 1000),
    (Figures(due=2, late=2), 0),
])
def test_the_share_is_per_mille_of_the_settled_rounded_half_up(figures, per_mille):
    assert figures.on_time_per_mille == per_mille


def test_no_share_while_nothing_is_settled():
    assert Figures(due=3).on_time_per_mille is None and Figures().on_time_per_mille is None
    assert Figures(due=3, on_time=1).open == 2


def test_the_range_is_at_most_31_days_both_included():
    assert [str(d) for d in checked_range("2028-02-01", "2028-03-02")] == ["2028-02-01", "2028-03-02"]  # 31 with the leap day
    with pytest.raises(InvalidInput, match="2028-02-01..2028-03-03 is 32 days; at most 31"):
        checked_range("2028-02-01", "2028-03-03")
    with pytest.raises(InvalidInput, match="to_date.*before from_date"):
        checked_range("2026-12-02", "2026-12-01")
    for bad in ("2026-02-30", "20261201", "2026-12-01T00:00", " 2026-12-01"):
        with pytest.raises(InvalidInput, match="from_date.*YYYY-MM-DD"):
            checked_range(bad, "2026-12-01")


@pytest.mark.parametrize(("scope", "told"), [
    (Scope(), "got none"),
    (Scope(store_id="S1", dealer_id="D1"), "got store_id, dealer_id"),
    (Scope(dealer_id="D1", province="Zhejiang"), "got dealer_id, region"),
    (Scope(city="Hangzhou"), "region.province"),
    (Scope(store_id="S 1"), "store_id"),
])
def test_exactly_one_scope(scope, told):
    with pytest.raises(InvalidInput, match=told):
        checked_scope(scope)


def test_every_store_only_when_nothing_else_is_named():
    assert checked_scope(Scope(everywhere=True)).describe() == "every store"
    assert checked_scope(Scope(province="Zhejiang", city="Hangzhou")).describe() == "city 'Hangzhou' in province 'Zhejiang'"
