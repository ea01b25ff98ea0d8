"""Distances on the earth. geopy's geodesic (WGS84 ellipsoid) is the real distance; the
spherical haversine is only a cheap pre-filter with a bounded error."""

from __future__ import annotations

import math

from geopy.distance import geodesic

from domain.values import GeoPoint

EARTH_MEAN_RADIUS_KM = 6371.0088
# The sphere is off from the WGS84 ellipsoid by well under 0.6%: anything the haversine
# puts beyond radius * (1 + margin) is certainly beyond the radius.
HAVERSINE_MARGIN = 0.01


def geodesic_m(a: GeoPoint, b: GeoPoint) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def with_margin(radius_km: float) -> float:
    """The haversine distance beyond which a point is certainly farther than radius_km."""
    return radius_km * (1 + HAVERSINE_MARGIN) + 0.001

