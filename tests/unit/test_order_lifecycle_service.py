"""The order lifecycle's tables (tests/order_steps.py) name every illegal step the issue
names; each is driven through the real server in tests/e2e/test_order_lifecycle_service.py."""

from __future__ import annotations

from tests.order_steps import PATHS, STEPS, WRONG_PARTY, refused_steps


def test_the_matrix_covers_every_illegal_step_the_issue_names():
    assert "accept" in refused_steps("DELIVERY", "ALLOCATED_UNPAID")  # accept before payment
    assert "pick" in refused_steps("DELIVERY", "ALLOCATED")  # pick before accept
    assert "hand_over_courier" in refused_steps("DELIVERY", "ACCEPTED")  # hand over before pick
    assert "deliver" in refused_steps("DELIVERY", "PICKED")  # deliver before hand over
    assert set(refused_steps("DELIVERY", "CANCELLED")) == set(STEPS) - {"cancel"}  # any step on a cancelled order
    assert "cancel" in refused_steps("DELIVERY", "PICKED") and "cancel" in refused_steps("PICKUP", "PICKED")  # cancel after pick
    assert all(WRONG_PARTY[mode] in refused_steps(mode, at) for mode in PATHS for at in PATHS[mode])
    assert sum(len(refused_steps(mode, at)) for mode in PATHS for at in PATHS[mode]) == 74
