"""The flash sale's pre-sale round (bench/flash_sale.py): a pre-sale of a new SKU, set through
SetPreSale, that the sale's buyers and bots hammer with PlaceOrder in its window; then its
figures from GetPreSale and from the events, each counted without trusting the other."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import common_pb2, launches_pb2
from services.client.client import OmoClient

PRESALE_SKU = "PRESALE-DROP"
SHIPS_IN = timedelta(days=14)


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def set_pre_sale(client: OmoClient, units: int, per_customer_limit: int, price: common_pb2.Money) -> None:
    """Opens the pre-sale a minute ago, for an hour: the round ends long before."""
    opens = datetime.now(timezone.utc) - timedelta(minutes=1)
    client.launches.SetPreSale(launches_pb2.SetPreSaleRequest(pre_sale=launches_pb2.PreSale(
        sku=PRESALE_SKU, units=units, price=price, orders_from=_stamp(opens), orders_until=_stamp(opens + timedelta(hours=1)),
        ships_from=_stamp(opens + SHIPS_IN), per_customer_limit=per_customer_limit,
    )))


def progress(client: OmoClient) -> launches_pb2.GetPreSaleResponse:
    return client.launches.GetPreSale(launches_pb2.GetPreSaleRequest(sku=PRESALE_SKU))


def pre_sale_figures(read: launches_pb2.GetPreSaleResponse, audit: dict, device_of: dict[str, str], limit: int) -> dict:
    """`audit`: bench/flash_sale.audit_events; `device_of`: the device each order the bench got
    placed was sent from (idempotency key -> device id: the order's events do not name it).
    A buyer over the limit is a customer, or a device, with more units than the limit."""
    placed = audit["orders"].get(PRESALE_SKU, [])  # (key, customer, units) of each order placed
    by_customer, by_device = Counter(), Counter()
    for key, customer, units in placed:
        by_customer[customer] += units
        by_device[device_of.get(key, f"unknown:{key}")] += units
    ordered_in_events = sum(units for _, _, units in placed)
    return {
        "ordered_units_read": read.ordered_units,  # GetPreSale
        "ordered_units_placed": ordered_in_events,  # OrderPlaced events of the SKU
        "ordered_units_held": audit["pre_ordered"].get(PRESALE_SKU, 0),  # the pre-sale's own events
        "pre_orders": len(placed),
        "units_left": read.units_left,
        "over_limit_customers": sum(1 for units in by_customer.values() if units > limit),
        "over_limit_devices": sum(1 for units in by_device.values() if units > limit),
    }


def figures_agree(figures: dict) -> bool:
    return figures["ordered_units_read"] == figures["ordered_units_placed"] == figures["ordered_units_held"]
