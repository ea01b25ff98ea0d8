"""Routing an order on the terms of the dealer that sold it: where a dealer's cloud shop sold
it, its own stores may come first, and other dealers' stores that keep their stock are out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.attribution import HQ, dealer_of
from domain.values import FulfilmentMode, GeoPoint
from routing.sites import RoutingRequest
from services.use_cases.application import OmoApplication


def sold_by(sale: Mapping[str, Any]) -> str:
    """The dealer whose cloud shop sold the order ("" for HQ), from its sale record."""
    return dealer_of(sale.get("seller", HQ))


def routing_request(
    app: OmoApplication, customer_location: GeoPoint, quantities: dict[str, int], mode: FulfilmentMode,
    pickup_store_id: str = "", now: datetime | None = None, seller: str = "",
) -> RoutingRequest:
    return RoutingRequest(
        customer_location, quantities, mode, pickup_store_id, now=now, seller=seller,
        own_stores_first=bool(seller) and app.index.sharing_of(seller).own_stores_first,
    )
