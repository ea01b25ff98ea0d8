"""A store's POS log for the replay tests (tests/unit and tests/integration, test_pos_replay):
10,000 movements over a few SKUs, one second apart, and the stock they leave when applied one
after another."""

from __future__ import annotations

import random
from datetime import datetime, timezone

from domain.movements import Movement
from services.use_cases.application import epoch_us


T0_US = epoch_us(datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc))
SKUS = ("SERUM-02", "LIPSTICK-01", "CREAM-07", "MASK-11")


# --- the 10,000-movement log ------------------------------------------------------------------


def pos_log(seed: int = 2026, size: int = 10_000) -> list[Movement]:
    """Receipts, walk-in sales and returns, damages and counts over a few SKUs, one second apart."""
    rng = random.Random(seed)
    log = []
    for i in range(size):
        sku = rng.choice(SKUS)
        kind = rng.choices(["RECEIPT", "SALE", "RETURN", "DAMAGE", "COUNT"], weights=[10, 60, 8, 4, 3])[0]
        quantity = {
            "RECEIPT": rng.randint(5, 30), "SALE": rng.randint(1, 3), "RETURN": 1, "DAMAGE": rng.randint(1, 2),
            "COUNT": rng.randint(0, 60),
        }[kind]
        log.append(Movement(f"m{i:05d}", kind, sku, quantity, T0_US + i * 1_000_000))
    return log


def model_on_hand(log: list[Movement]) -> dict[str, int]:
    """Applied one after another: a count sets on hand, anything else adds its change."""
    shelf = dict.fromkeys(SKUS, 0)
    for m in log:
        shelf[m.sku] = m.quantity if m.kind == "COUNT" else shelf[m.sku] + m.change
    return shelf


LOG = pos_log()
