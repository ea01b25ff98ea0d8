"""A seeded POS log for bench/pos_sync.py: one store's stock movements as its POS would
resend them after a long offline stretch.

Receipts first (one goods receipt per SKU, sized by how well the SKU sells), then the day's
trade: sales (popular SKUs far more often, mostly one unit), customer returns, damages,
cycle counts (with the odd unit of shrinkage) and restocking receipts when a SKU runs low.
POS timestamps strictly increase; movement ids are unique.

`expected_on_hand` is the oracle: the log applied in order, a count setting on hand to what
was counted (every movement before it happened earlier, so none is superseded).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone

T0_US = int(datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc).timestamp() * 1_000_000)
DAMAGE_REASONS = ("broken packaging", "expired", "water damage", "display unit")


@dataclass(frozen=True)
class LogMovement:
    movement_id: str
    kind: str  # RECEIPT, SALE, RETURN, DAMAGE or COUNT
    sku: str
    quantity: int  # units moved; for COUNT the units counted
    occurred_at_us: int
    reason: str = ""


def build_log(rng: random.Random, count: int, sku_count: int = 300) -> list[LogMovement]:
    skus = [f"SKU-{i:05d}" for i in range(sku_count)]
    # Zipf-like popularity: the best seller sells ~sku_count times more than the slowest
    weights = [1.0 / (rank + 1) for rank in range(sku_count)]
    on_hand = dict.fromkeys(skus, 0)
    log: list[LogMovement] = []
    moment = T0_US

    def add(kind: str, sku: str, quantity: int, reason: str = "") -> None:
        nonlocal moment
        moment += rng.randint(200_000, 20_000_000)  # 0.2-20 s later: strictly increasing
        prefix = "GRN" if kind == "RECEIPT" else "POS"
        log.append(LogMovement(f"{prefix}-{len(log):06d}", kind, sku, quantity, moment, reason))
        if kind == "COUNT":
            on_hand[sku] = quantity
        else:
            on_hand[sku] += -quantity if kind in ("SALE", "DAMAGE") else quantity

    def restock(sku: str) -> None:
        add("RECEIPT", sku, rng.randint(24, 240), "replenishment")

    for rank, sku in enumerate(skus):
        if len(log) >= count:
            break
        add("RECEIPT", sku, max(12, int(600 * weights[rank])) + rng.randint(0, 24), "opening delivery")

    while len(log) < count:
        roll = rng.random()
        if roll < 0.03:  # a cycle count of any SKU, sometimes a unit or two short
            sku = rng.choice(skus)
            shrink = rng.choice((0, 0, 0, 1, 2))
            add("COUNT", sku, max(0, on_hand[sku] - shrink), "cycle count")
            continue
        sku = rng.choices(skus, weights)[0]
        if roll < 0.08:  # a walk-in customer's return
            add("RETURN", sku, 1, "customer return")
        elif roll < 0.10:
            quantity = rng.choice((1, 1, 2))
            if on_hand[sku] >= quantity:
                add("DAMAGE", sku, quantity, rng.choice(DAMAGE_REASONS))
        else:
            quantity = rng.choices((1, 2, 3, 4, 6), (70, 18, 6, 4, 2))[0]
            if on_hand[sku] < quantity + 2:
                restock(sku)  # the shelf runs low: the next delivery comes first
            else:
                add("SALE", sku, quantity)
    return log[:count]


def expected_on_hand(log: list[LogMovement]) -> dict[str, int]:
    units: dict[str, int] = {}
    for m in log:
        if m.kind == "COUNT":
            units[m.sku] = m.quantity
        elif m.kind in ("SALE", "DAMAGE"):
            units[m.sku] = units.get(m.sku, 0) - m.quantity
        else:
            units[m.sku] = units.get(m.sku, 0) + m.quantity
    return units
