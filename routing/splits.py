"""Splitting an order no single store can take: the fewest stores, then the shortest total
distance, searched within a bound.

The search looks at the `considered` nearest stores (by geodesic) that hold part of the order
and can take part now (every rule but stock passes), and at combinations of at most
`most_stores` of them: first every pair, then every three, and so on, stopping at the first
size where any combination holds every unit ordered. Among those it takes the shortest total
geodesic distance, then the lowest store ids. A line may be split too: each store ships what
it has of it, nearest store first. When the bound left stores unexamined, the result says so
(`note`), since a better split may lie beyond it.

Exact geodesics are costly, so distances start as great-circle bounds (within 0.65%) and are
narrowed (an estimate within a micrometre, then the exact geodesic) only
where the bounds cannot decide: which stores are the nearest `considered`, and which of the
covering combinations is shortest. With every distance already measured (the
brute-force reference) the same code is the plain exhaustive search; tests prove both agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cmp_to_key, lru_cache

import numpy as np

from routing.distance import Distance, nearer


@dataclass(frozen=True)
class PartialStore:
    """A store that can take part in a split: what it can give of each line, capped at the
    units ordered."""

    store_id: str
    distance: Distance
    units: Mapping[str, int]  # sku -> units it would ship, > 0
    scheduled_for: datetime | None = None


@dataclass(frozen=True)
class Split:
    parts: tuple[tuple[PartialStore, dict[str, int]], ...]  # (store, sku -> units), nearest first
    note: str = ""


def units_toward(store_id: str, quantities: Mapping[str, int], available: Callable[[str, str], int]) -> dict[str, int]:
    """What a store could ship of each line: its available units, capped at the units ordered;
    lines it has none of left out."""
    return {sku: n for sku, qty in quantities.items() if (n := min(qty, available(store_id, sku))) > 0}


def held_together(store_ids: Sequence[str], lines: Sequence[tuple[str, int]], available: Callable[[str, str], int]) -> bool:
    """Whether the stores together hold every line, whatever else may keep them out of a split:
    when not, no split of them can hold the order. The lines are checked in the order given (the
    caller's most often short first), each stopping at the first store that makes it up."""
    for sku, qty in lines:
        held = 0
        for store_id in store_ids:
            if (units := available(store_id, sku)) > 0:  # may be negative (reserved beyond the safety stock)
                held += units
                if held >= qty:
                    break
        else:
            return False
    return True


def covers(stores: Sequence[PartialStore], quantities: Mapping[str, int]) -> bool:
    return all(sum(s.units.get(sku, 0) for s in stores) >= qty for sku, qty in quantities.items())


def nearest(stores: Sequence[PartialStore], count: int) -> list[PartialStore]:
    """The `count` nearest by (geodesic, store id), measuring only stores near the cut."""
    if len(stores) <= count:
        return list(stores)
    # the count-th nearest distance lies within [the count-th least lower bound, the count-th
    # least upper bound]: a store surely nearer than that is in, one surely beyond it is out;
    # in between, measure
    cut_low = sorted(s.distance.bounds_m()[0] for s in stores)[count - 1]
    cut_high = sorted(s.distance.bounds_m()[1] for s in stores)[count - 1]
    surely_in = [s for s in stores if s.distance.bounds_m()[1] < cut_low]
    unsure = [s for s in stores if s.distance.bounds_m()[1] >= cut_low and s.distance.bounds_m()[0] <= cut_high]
    unsure.sort(key=_nearest_first)
    return surely_in + unsure[: count - len(surely_in)]


def best_split(
    stores: Sequence[PartialStore], quantities: Mapping[str, int], most_stores: int, considered: int, beyond: bool = False,
) -> Split | None:
    """`beyond`: more stores that could take part lie past `stores` (the caller stopped
    looking once they could not enter the nearest `considered`).
    None when no split within the bound holds the whole order (`split_refusal` says why).
    Every combination of a size is checked at once with numpy: at 12 stores and 3 per split
    that is 1,728 cells, not 220 Python loops."""
    pool = nearest(stores, considered)
    if len(pool) < 2 or not covers(pool, quantities):
        return None
    skus = list(quantities)
    units = np.array([[s.units.get(sku, 0) for sku in skus] for s in pool], dtype=np.int64)
    wanted = np.array([quantities[sku] for sku in skus], dtype=np.int64)
    n = len(pool)
    held = units
    for size in range(2, most_stores + 1):
        # axis k-1 is the k-th store of a combination
        held = held[..., None, :] + units.reshape((1,) * (size - 1) + (n, len(skus)))
        covering = (held >= wanted).all(axis=-1) & _strictly_increasing(n, size)
        if covering.any():
            group = _shortest(pool, covering, size)
            note = ""
            if beyond or len(stores) > considered:
                note = f"split searched only the {considered} nearest stores that could take part"
            return Split(_assign(group, quantities), note)
    return None


def _shortest(pool: list[PartialStore], covering: np.ndarray, size: int) -> tuple[PartialStore, ...]:
    """The covering combination of least total geodesic, then lowest ids. Narrows the bounds of
    the stores of the combination that may be shortest (least lower bound) until one
    combination alone is left in the running, or every one left is measured exactly (a tie)."""
    while True:
        low, high = np.array([s.distance.bounds_m() for s in pool]).T
        low_total = _totals(low, size)
        # the shortest is always running: its total of lower bounds is at most its own total
        running = covering & (low_total <= _totals(high, size)[covering].min())
        if np.count_nonzero(running) == 1:
            return tuple(pool[int(i)] for i in np.argwhere(running)[0])
        unsure = running & _totals((low != high).astype(float), size).astype(bool)
        if not unsure.any():
            break
        first = np.unravel_index(np.where(unsure, low_total, np.inf).argmin(), unsure.shape)
        for i in first:
            pool[int(i)].distance.narrow()
    best = low_total[running].min()
    groups = [tuple(pool[i] for i in index) for index in np.argwhere(running & (low_total == best))]
    return min(groups, key=lambda g: tuple(sorted(s.store_id for s in g)))


def _totals(distances: np.ndarray, size: int) -> np.ndarray:
    n = len(distances)
    total = distances
    for k in range(2, size + 1):
        total = total[..., None] + distances.reshape((1,) * (k - 1) + (n,))
    return total


@lru_cache(maxsize=64)
def _strictly_increasing(n: int, size: int) -> np.ndarray:
    """True where i1 < i2 < ... over a size-dimensional n x ... x n grid: each combination once."""
    grids = np.indices((n,) * size)
    mask = np.ones((n,) * size, dtype=bool)
    for a, b in zip(grids, grids[1:]):
        mask &= a < b
    return mask


def split_refusal(stores: Sequence[PartialStore], quantities: Mapping[str, int], most_stores: int, considered: int) -> str:
    """Why no split was found, given every store that could take part: the bound, or the stock
    itself."""
    if not stores:
        return "no store in reach that could take part holds any of it"
    if not covers(stores, quantities):
        return f"the {len(stores)} stores in reach that could take part do not hold all of it together"
    pool = nearest(stores, considered)
    if covers(pool, quantities):
        return f"split search cut: no combination of at most {most_stores} of the {len(pool)} nearest stores holding part of it holds all of it"
    return f"split search cut: the {len(pool)} nearest stores that could take part do not hold all of it together"


# (geodesic, store id), measuring no more than telling them apart needs
_nearest_first = cmp_to_key(lambda a, b: -1 if nearer(a.distance, a.store_id, b.distance, b.store_id) else 1)


def _assign(group: Sequence[PartialStore], quantities: Mapping[str, int]) -> tuple[tuple[PartialStore, dict[str, int]], ...]:
    """Each line from the nearest stores first."""
    nearest_first = sorted(group, key=_nearest_first)
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
