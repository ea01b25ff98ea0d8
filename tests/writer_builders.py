"""Builders for the order writer's tests (tests/unit and tests/integration, test_order_writer
and test_sold_out): a store opened with stock, a placement and a PlaceOrder command for one
SKU, and a writer link whose writer never starts."""

from __future__ import annotations

import threading

from aggregates.order import Order, shipment_record
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_total
from services.use_cases.application import OmoApplication
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.ordering.orders import PlaceOrder
from services.use_cases.ports import Placement
from services.use_cases.network.stores import upsert_store


PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)
JINGAN_TEMPLE = GeoPoint(31.2243, 121.4468)


def open_store(app: OmoApplication, store_id: str, at: GeoPoint, stock: dict[str, int]) -> None:
    upsert_store(app, StoreProfile(
        store_id=store_id, name=f"Store {store_id}", location=at, province="Shanghai", city="Shanghai",
        dealer_id="", opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=10.0,
        daily_order_capacity=100_000, active=True,
    ))
    receive_stock(app, store_id, list(stock.items()))


def placement(
    key: str, store_id: str, sku: str, units: int = 1, customer: str = "C1", slot: str = "", slot_capacity: int = 0,
) -> Placement:
    """`slot` with `slot_capacity`: the shipment takes a place in that hourly slot of a store
    with that limit."""
    lines = (OrderLine(sku, units, Money(1990, "CNY")),)
    return Placement(
        order_id=Order.create_id(key), idempotency_key=key, fingerprint=f"fp-{key}", customer_id=customer,
        customer_location=PEOPLES_SQUARE, lines=lines, mode=FulfilmentMode.DELIVERY, pickup_store_id="",
        total=order_total(lines), placed_at_us=1, pickup_code="", sale={},
        shipments=[shipment_record(store_id, 100, "2026-11-23", {sku: units}, slot=slot)], fulfilment="ONE_STORE",
        wanted={(store_id, sku): units}, slots={(store_id, slot): slot_capacity} if slot_capacity else {},
    )


def command(key: str, sku: str, customer: str = "C1") -> PlaceOrder:
    return PlaceOrder(
        idempotency_key=key, customer_id=customer, customer_location=PEOPLES_SQUARE,
        lines=(OrderLine(sku, 1, Money(1990, "CNY")),), mode=FulfilmentMode.DELIVERY,
    )


def stuck_writer_link(released: threading.Event):
    """A writer link whose writer does not start, so nothing handed to it is answered, until
    `released` is set (or 5 s passed)."""
    from services.adapters.writer_links import ThreadWriterLink

    class Stuck:
        def close(self):
            pass

    def make_app():
        released.wait(5)
        return Stuck()

    return ThreadWriterLink(make_app)
