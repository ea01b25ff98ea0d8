"""A spatial index over store locations: scipy's cKDTree on unit vectors. The chord between unit
vectors gives the great-circle (haversine) distance exactly; geodesic distance decides the final
order. A k-nearest `query` has a fixed cost whatever k, several times that of a
`query_ball_point` over a delivery reach, so routing reads `around` (the ball, its chords and
their order in numpy). `batches`, k-nearest queries growing fourfold, is for searches with no
useful radius (the nearest store anywhere)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np
from scipy.spatial import cKDTree

from domain.values import GeoPoint
from routing.distance import EARTH_MEAN_RADIUS_KM


def unit_vectors(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(latitudes), np.radians(longitudes)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def unit_vector(point: GeoPoint) -> np.ndarray:
    """unit_vectors for one point, without numpy's per-call overhead, which dwarfs the sum."""
    lat, lon = math.radians(point.latitude), math.radians(point.longitude)
    return np.array((math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)))


def chord_for_km(km: float) -> float:
    angle = min(math.pi, km / EARTH_MEAN_RADIUS_KM)
    return 2 * math.sin(angle / 2)


def km_for_chord(chord: float) -> float:
    return 2 * math.asin(min(1.0, chord / 2)) * EARTH_MEAN_RADIUS_KM


SMALL = 64  # points an index measures one by one rather than through its tree (see `around`)


class SpatialIndex:
    """Points with ids; answers 'which are within r km of here, nearest first'."""

    def __init__(self, points: Iterable[tuple[str, GeoPoint]]):
        items = list(points)
        self.ids = [i for i, _ in items]
        if items:
            lat = np.array([p.latitude for _, p in items], dtype=float)
            lon = np.array([p.longitude for _, p in items], dtype=float)
            self.vectors = unit_vectors(lat, lon)
            self.tree: cKDTree | None = cKDTree(self.vectors)
        else:
            self.vectors = np.zeros((0, 3))
            self.tree = None

    def __len__(self) -> int:
        return len(self.ids)

    def within(self, here: GeoPoint, km: float) -> list[tuple[float, str]]:
        """(haversine km, id) of every point within km of here, nearest first."""
        if self.tree is None:
            return []
        centre = unit_vector(here)
        found = self.tree.query_ball_point(centre, chord_for_km(km))
        if not found:
            return []
        chords = np.linalg.norm(self.vectors[found] - centre, axis=1)
        order = np.argsort(chords, kind="stable")
        return [(km_for_chord(float(chords[i])), self.ids[found[i]]) for i in order]

    def around(self, here: GeoPoint, km: float) -> tuple[np.ndarray, np.ndarray]:
        """(haversine km, position in `ids`) of every point within km of here, nearest first.
        A small index is measured point by point: cheaper than a tree query's fixed cost."""
        if self.tree is None:
            return np.zeros(0), np.zeros(0, dtype=np.intp)
        centre = unit_vector(here)
        bound = chord_for_km(km)
        if len(self.ids) <= SMALL:
            chords = np.sqrt(((self.vectors - centre) ** 2).sum(axis=1))
            positions = np.flatnonzero(chords <= bound)
            chords = chords[positions]
        else:
            positions = np.array(self.tree.query_ball_point(centre, bound), dtype=np.intp)
            chords = np.sqrt(((self.vectors[positions] - centre) ** 2).sum(axis=1))
        order = np.argsort(chords, kind="stable")
        return 2 * np.arcsin(np.minimum(1.0, chords[order] / 2)) * EARTH_MEAN_RADIUS_KM, positions[order]

    def batches(self, here: GeoPoint, km: float, first: int = 64) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(haversine km, position in `ids`) of the points within km of here, nearest first, in
        batches: each a k-nearest query four times the size of the last, so a caller that stops
        early pays for little more than it used."""
        if self.tree is None:
            return
        centre = unit_vector(here)
        bound = chord_for_km(km)
        handed_out = np.zeros(0, dtype=np.intp)
        k = first
        while True:
            k = min(k, len(self.ids))
            chords, positions = self.tree.query(centre, k=k, distance_upper_bound=bound * (1 + 1e-12) + 1e-15)
            chords, positions = np.atleast_1d(chords), np.atleast_1d(positions)
            inside = chords <= bound  # missing neighbours come back as infinity
            fresh = inside.copy()
            done = len(handed_out)
            if done and chords[done - 1] == chords[done]:
                fresh &= ~np.isin(positions, handed_out)  # points tied there may come back reordered
            else:
                fresh[:done] = False
            if fresh.any():
                yield 2 * np.arcsin(np.minimum(1.0, chords[fresh] / 2)) * EARTH_MEAN_RADIUS_KM, positions[fresh]
            if not inside.all() or k == len(self.ids):
                return
            handed_out = positions
            k *= 4

    def nearest(self, here: GeoPoint, k: int) -> list[tuple[float, str]]:
        """(haversine km, id) of the k nearest points, nearest first."""
        if self.tree is None:
            return []
        centre = unit_vector(here)
        k = min(k, len(self.ids))
        chords, indexes = self.tree.query(centre, k=k)
        pairs = zip(np.atleast_1d(chords), np.atleast_1d(indexes))
        return [(km_for_chord(float(c)), self.ids[int(i)]) for c, i in pairs]
