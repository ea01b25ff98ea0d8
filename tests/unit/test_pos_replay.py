"""The POS log the replay tests send (tests/pos_log.py) covers every kind of movement and every
SKU (the replay itself: tests/integration/test_pos_replay.py)."""

from __future__ import annotations

from tests.pos_log import LOG, SKUS


def test_the_log_covers_every_kind_of_movement_and_every_sku():
    assert len(LOG) == 10_000
    assert {m.kind for m in LOG} == {"RECEIPT", "SALE", "RETURN", "DAMAGE", "COUNT"}
    assert {m.sku for m in LOG} == set(SKUS)
    assert sum(m.kind == "COUNT" for m in LOG) > 100
