"""LBS store matching: which store fulfils an order. Pure functions, no I/O."""

from routing.policy import Allocation, NearestStoreWithStock, RoutingRequest, StoreSite

__all__ = ["Allocation", "NearestStoreWithStock", "RoutingRequest", "StoreSite"]
