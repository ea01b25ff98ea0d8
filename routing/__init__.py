"""LBS store matching: which store fulfils an order, and why. Pure functions, no I/O."""

from routing.decision import EXPRESS, ONE_STORE, SPLIT, Allocation, Decision, PassedOver, Shipment
from routing.policy import RoutingPolicy
from routing.sites import RoutingRequest, StoreDirectory, StoreSite

__all__ = [
    "EXPRESS", "ONE_STORE", "SPLIT", "Allocation", "Decision", "PassedOver", "RoutingPolicy", "RoutingRequest",
    "Shipment", "StoreDirectory", "StoreSite",
]
