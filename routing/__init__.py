"""LBS store matching: which store fulfils an order, and why. Pure functions, no I/O."""

from routing.policy import Allocation, Decision, PassedOver, RoutingPolicy, RoutingRequest, StoreDirectory, StoreSite

__all__ = ["Allocation", "Decision", "PassedOver", "RoutingPolicy", "RoutingRequest", "StoreDirectory", "StoreSite"]
