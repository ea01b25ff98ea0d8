"""The nearest store that passes a test, by geodesic distance, from the spatial index: used
to send a customer to the nearest store's cloud shop.

Candidates come nearest first by great-circle distance; the search stops once the next
candidate's great-circle lower bound is beyond the best geodesic found, so the answer is the
one brute force over every store would give (ties to the lower store id).
"""

from __future__ import annotations

from collections.abc import Callable

from domain.values import GeoPoint
from routing.distance import HALF_THE_EARTH_KM, Distance
from routing.sites import StoreDirectory



def nearest_store(directory: StoreDirectory, here: GeoPoint, accept: Callable[[str], bool]) -> tuple[str, float] | None:
    """(store id, geodesic metres) of the nearest active store that `accept`s, or None."""
    best: tuple[float, str] | None = None
    for kms, positions in directory.index.batches(here, HALF_THE_EARTH_KM):
        for km, position in zip(kms, positions):
            site = directory.in_index_order[int(position)]
            distance = Distance(here, site.location, float(km))
            if best is not None and distance.certainly_beyond_m(best[0]):
                return best[1], best[0]
            if not site.active or not accept(site.store_id):
                continue
            candidate = (distance.metres(), site.store_id)
            if best is None or candidate < best:
                best = candidate
    return (best[1], best[0]) if best else None
