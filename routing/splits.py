"""Splitting an order no single store can take: the fewest stores, then the shortest total
distance, searched within a bound.

The search looks at the `considered` nearest stores that hold part of the order and can take
part now (every rule but stock passes), and at combinations of at most `most_stores` of them:
first every pair, then every three, and so on, stopping at the first size where any
combination holds every unit ordered. Among those it takes the shortest total geodesic
distance, then the lowest store ids. A line may be split too: each store ships what it has of
it, nearest store first. When the bound left a store or a larger combination unexamined, the
result says so (`note`), since a better split may lie beyond it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations


@dataclass(frozen=True)
class PartialStore:
    """A store that can take part in a split: what it can give of each line, capped at the
    units ordered."""

    store_id: str
    distance_m: float  # geodesic
    units: Mapping[str, int]  # sku -> units it would ship, > 0
    scheduled_for: datetime | None = None


@dataclass(frozen=True)
class Split:
    parts: tuple[tuple[PartialStore, dict[str, int]], ...]  # (store, sku -> units), nearest first
    note: str = ""


def _covers(stores: Sequence[PartialStore], quantities: Mapping[str, int]) -> bool:
    return all(sum(s.units.get(sku, 0) for s in stores) >= qty for sku, qty in quantities.items())


def best_split(
    stores: Sequence[PartialStore], quantities: Mapping[str, int], most_stores: int, considered: int,
) -> Split | None:
    """`stores` nearest first by (distance, store id); None when no split within the bound
    holds the whole order (`split_refusal` says why)."""
    nearest = list(stores[:considered])
    for size in range(2, most_stores + 1):
        best: tuple[float, tuple[str, ...], tuple[PartialStore, ...]] | None = None
        for group in combinations(nearest, size):
            if _covers(group, quantities):
                key = (sum(s.distance_m for s in group), tuple(sorted(s.store_id for s in group)), group)
                if best is None or key[:2] < best[:2]:
                    best = key
        if best is not None:
            note = ""
            if len(stores) > considered:
                note = f"split searched the {considered} nearest of {len(stores)} stores holding part of the order"
            return Split(_assign(best[2], quantities), note)
    return None


def split_refusal(stores: Sequence[PartialStore], quantities: Mapping[str, int], most_stores: int, considered: int) -> str:
    """Why no split was found: the bound, or the stock itself."""
    if not stores:
        return "no store in reach holds any of it"
    if not _covers(stores, quantities):
        return f"the {len(stores)} stores in reach holding part of it do not hold all of it together"
    # together they hold it, so the bound cut the search
    return (
        f"split search cut: no combination of at most {most_stores} of the {min(considered, len(stores))} "
        f"nearest stores holding part of it holds all of it"
    )


def _assign(group: Sequence[PartialStore], quantities: Mapping[str, int]) -> tuple[tuple[PartialStore, dict[str, int]], ...]:
    """Each line from the nearest stores first."""
    nearest_first = sorted(group, key=lambda s: (s.distance_m, s.store_id))
    shares: dict[str, dict[str, int]] = {s.store_id: {} for s in nearest_first}
    for sku, qty in quantities.items():
        left = qty
        for store in nearest_first:
            take = min(left, store.units.get(sku, 0))
            if take:
                shares[store.store_id][sku] = take
                left -= take
    # a store left with nothing would mean a smaller combination covered the order, which the
    # search by size rules out; kept as a guard all the same
    return tuple((s, shares[s.store_id]) for s in nearest_first if shares[s.store_id])
