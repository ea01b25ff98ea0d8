"""Distances on the earth. The WGS84 geodesic (geopy's, computed by geographiclib) is the real
distance; the spherical great-circle (haversine) distance is a cheap bound with a known error,
and pyproj's geodesic (the same algorithm in C) a cheap one with a tiny error."""

from __future__ import annotations

import math

from geographiclib.geodesic import Geodesic
from geopy.distance import ELLIPSOIDS

try:
    from pyproj import Geod
except ImportError:  # without it every distance a decision needs is measured in Python: right, only slower
    Geod = None

from domain.values import GeoPoint

EARTH_MEAN_RADIUS_KM = 6371.0088
# The sphere of mean radius is off from the WGS84 ellipsoid by at most 0.56% either way (its
# radii of curvature run from 6,335 to 6,400 km): anything the haversine puts beyond
# radius * (1 + margin) is certainly beyond the radius, and anything it puts within
# radius / (1 + margin) is certainly within it. Property tests hold both.
HAVERSINE_MARGIN = 0.0065
HALF_THE_EARTH_KM = 20_040.0  # farther than any two points on it

# geopy's own ellipsoid, in its units (km), so the result is geopy's to the last bit; building it
# once instead of geopy's objects on every call roughly halves the cost
_WGS84_KM = Geodesic(ELLIPSOIDS["WGS-84"][0], ELLIPSOIDS["WGS-84"][2])


# pyproj's Geod is Karney's algorithm, as geographiclib, in C: tens of times faster. Both
# are accurate to 15 nm on WGS84 (their documentation), so pyproj's figure is within 30 nm of
# geopy's; ESTIMATE_ERROR_M leaves a margin of 30 over that (the routing tests compare them)
ESTIMATE_ERROR_M = 1e-6
_WGS84_C = Geod(a=ELLIPSOIDS["WGS-84"][0] * 1000, f=ELLIPSOIDS["WGS-84"][2]) if Geod is not None else None


def estimated_m(a: GeoPoint, b: GeoPoint) -> float | None:
    """The geodesic metres within ESTIMATE_ERROR_M, or None without pyproj."""
    if _WGS84_C is None:
        return None
    return _WGS84_C.inv(a.longitude, a.latitude, b.longitude, b.latitude)[2]


def geodesic_m(a: GeoPoint, b: GeoPoint) -> float:
    """`geopy.distance.geodesic(a, b).meters`, bit for bit (tests check)."""
    return _WGS84_KM.Inverse(a.latitude, a.longitude, b.latitude, b.longitude, Geodesic.DISTANCE)["s12"] * 1000


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def with_margin(radius_km: float) -> float:
    """The haversine distance beyond which a point is certainly farther than radius_km; also,
    applied to a haversine distance, a figure the geodesic distance certainly does not exceed."""
    return radius_km * (1 + HAVERSINE_MARGIN) + 0.001


def at_least_m(great_circle_km: float) -> float:
    """Metres the geodesic distance is certainly not below, given the haversine one (with a
    metre to spare for rounding, as `with_margin`)."""
    return (great_circle_km - 0.001) / (1 + HAVERSINE_MARGIN) * 1000


class Distance:
    """From a customer to one store. The great-circle figure comes free with the spatial index;
    the geodesic is estimated (pyproj) only when a decision depends on it (a store near the rim
    of its radius, or one that could be the nearest that fulfils), and measured exactly
    (geographiclib, as geopy) only when even the estimate's error leaves the decision open,
    since it costs ~70x the estimate. Each step narrows `bounds_m`; deciding by the bounds and
    narrowing only while they cannot decide gives the answer the exact geodesics would."""

    __slots__ = ("_here", "_there", "great_circle_km", "_estimate", "_metres")

    def __init__(self, here: GeoPoint, there: GeoPoint, great_circle_km: float | None = None):
        self._here, self._there = here, there
        self.great_circle_km = haversine_km(here, there) if great_circle_km is None else great_circle_km
        self._estimate: float | None = None
        self._metres: float | None = None

    @classmethod
    def known(cls, here: GeoPoint, there: GeoPoint, metres: float) -> Distance:
        """A geodesic distance computed elsewhere (the brute-force reference's, with geopy)."""
        distance = cls(here, there)
        distance._metres = metres
        return distance

    def metres(self) -> float:
        """The geodesic distance, exactly as geopy gives it."""
        if self._metres is None:
            self._metres = geodesic_m(self._here, self._there)
        return self._metres

    @property
    def exact(self) -> bool:
        return self._metres is not None

    def estimate(self) -> None:
        """Narrows the bounds to the estimate's error, if not narrower yet."""
        if self._metres is None and self._estimate is None:
            self._estimate = estimated_m(self._here, self._there)
            if self._estimate is None:
                self.metres()

    def narrow(self) -> None:
        """One step: from the great circle to the estimate, from the estimate to the exact geodesic."""
        if self._metres is None and self._estimate is None:
            self.estimate()
        else:
            self.metres()

    def bounds_m(self) -> tuple[float, float]:
        """(lowest, highest) the geodesic metres can be: both the geodesic once measured."""
        if self._metres is not None:
            return self._metres, self._metres
        if self._estimate is not None:
            return self._estimate - ESTIMATE_ERROR_M, self._estimate + ESTIMATE_ERROR_M
        return at_least_m(self.great_circle_km), with_margin(self.great_circle_km) * 1000

    def clearly_within_km(self, radius_km: float) -> bool | None:
        """Whether the geodesic distance is <= radius_km as the great circle shows it for
        certain; None near the rim, where only the geodesic can tell."""
        if self.great_circle_km > with_margin(radius_km):
            return False
        if with_margin(self.great_circle_km) < radius_km:
            return True
        return None

    def within_km(self, radius_km: float) -> bool:
        """Geodesic distance <= radius_km, narrowing the bounds only until they tell."""
        if self._metres is None and self._estimate is None and (clearly := self.clearly_within_km(radius_km)) is not None:
            return clearly
        limit = radius_km * 1000
        while True:
            low, high = self.bounds_m()
            if high <= limit:
                return True
            if low > limit:
                return False
            self.narrow()

    def certainly_beyond_m(self, metres: float) -> bool:
        """The geodesic distance is certainly more than `metres`, judged without measuring more."""
        return self.bounds_m()[0] > metres

    def rounded_m(self) -> int:
        """round(the geodesic metres), from the estimate unless a half metre lies within its error."""
        self.estimate()
        while True:
            low, high = self.bounds_m()
            # round is monotone: when both ends round alike, so does everything between them
            if (rounded := round(low)) == round(high):
                return rounded
            self.narrow()

    def shown_m(self) -> int:
        """For an explanation: the geodesic when it was needed, else the great circle (within 0.6%)."""
        if self._metres is None and self._estimate is None:
            return round(self.great_circle_km * 1000)
        return self.rounded_m()


def nearer(a: Distance, a_id: str, b: Distance, b_id: str) -> bool:
    """(a's geodesic, a_id) < (b's geodesic, b_id), narrowing the coarser bounds only until they
    tell: both exact only when the estimates cannot (stores within a micrometre of the same
    distance, such as two in the same spot)."""
    while True:
        a_low, a_high = a.bounds_m()
        b_low, b_high = b.bounds_m()
        if a_high < b_low:
            return True
        if b_high < a_low:
            return False
        if a.exact and b.exact:
            return (a.metres(), a_id) < (b.metres(), b_id)
        if not a.exact and (b.exact or a_high - a_low >= b_high - b_low):
            a.narrow()
        else:
            b.narrow()
