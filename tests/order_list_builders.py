"""Orders for the order list's tests, placed through the use cases: routed by PlaceOrder, or
decided here with promises (as the promise will make them) and saved with their stock
reserved; a runner of the order list and its reader."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from aggregates.order import Order, shipment_record
from aggregates.stock_position import StockPosition, reserve_all
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from projections.definitions import ORDER_LIST
from projections.runtime.runner import ProjectionRunner
from services.use_cases.application import OmoApplication
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.reads.order_list import OrderList
from services.use_cases.ordering.orders import PlaceOrder, place_order
from services.use_cases.ports import Placement
from services.use_cases.network.stores import upsert_store

SERUM = "SERUM"
PRICE = 1990
PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)
JINGAN_TEMPLE = GeoPoint(31.2243, 121.4468)
LUJIAZUI = GeoPoint(31.2397, 121.4998)


def profile(store_id: str, at: GeoPoint, time_zone: str = "Asia/Shanghai", dealer: str = "") -> StoreProfile:
    return StoreProfile.create(
        store_id=store_id, name=f"Store {store_id}", location=at, province="Shanghai", city="Shanghai", dealer_id=dealer,
        opening_hours=[], time_zone=time_zone, delivery_radius_km=5.0, daily_order_capacity=0, active=True,
    )


def network(app: OmoApplication, time_zones: dict[str, str] | None = None, dealers: dict[str, str] | None = None) -> None:
    """S1 at People's Square, S2 at Jing'an Temple, S3 at Lujiazui, 50 serums each; their
    time zones and owners (registered dealers) as given, else Shanghai's and HQ."""
    zones, owners = time_zones or {}, dealers or {}
    for store_id, at in (("S1", PEOPLES_SQUARE), ("S2", JINGAN_TEMPLE), ("S3", LUJIAZUI)):
        upsert_store(app, profile(store_id, at, zones.get(store_id, "Asia/Shanghai"), owners.get(store_id, "")))
        receive_stock(app, store_id, [(SERUM, 50)])


def place(app: OmoApplication, key: str, customer: str = "C1", units: int = 1, at: GeoPoint = PEOPLES_SQUARE) -> Order:
    order, _ = place_order(app, PlaceOrder(
        idempotency_key=key, customer_id=customer, customer_location=at,
        lines=(OrderLine(SERUM, units, Money(PRICE, "CNY")),), mode=FulfilmentMode.DELIVERY,
    ))
    return order


def place_backorder(app: OmoApplication, key: str, sku: str, units: int, customer: str = "C1") -> Order:
    """An order of `units` of `sku` that no store holds now, allowed to wait three days for
    incoming stock."""
    order, _ = place_order(app, PlaceOrder(
        idempotency_key=key, customer_id=customer, customer_location=PEOPLES_SQUARE,
        lines=(OrderLine(sku, units, Money(PRICE, "CNY")),), mode=FulfilmentMode.DELIVERY,
        allow_backorder=True, not_after=datetime.now(timezone.utc) + timedelta(days=3),
    ))
    return order


def place_promised(app: OmoApplication, key: str, parts: list[tuple[str, int, str]], customer: str = "C1") -> Order:
    """An order shipped from each (store, units, promised_by) part, its stock reserved there,
    decided here as the promise will decide it."""
    units = sum(n for _, n, _ in parts)
    placement = Placement(
        order_id=Order.create_id(key), idempotency_key=key, fingerprint=key, customer_id=customer,
        customer_location=PEOPLES_SQUARE, lines=(OrderLine(SERUM, units, Money(PRICE, "CNY")),),
        mode=FulfilmentMode.DELIVERY, total=Money(units * PRICE, "CNY"),
        shipments=[
            shipment_record(store_id, 1000, promised_by[:10], {SERUM: n}, promised_by=promised_by)
            for store_id, n, promised_by in parts
        ],
        fulfilment="SPLIT" if len(parts) > 1 else "ONE_STORE",
        wanted={(store_id, SERUM): n for store_id, n, _ in parts},
    )
    positions = {key: app.find(StockPosition.create_id(*key)) for key in placement.wanted}
    order = placement.new_order()
    assert not reserve_all(positions, order.order_id, placement.wanted)
    app.save(order, *positions.values())
    return order


def place_unallocated(app: OmoApplication, key: str, customer: str = "C1") -> Order:
    """An order recorded and not (yet) allocated: PLACED."""
    order = Order.place(
        idempotency_key=key, request_fingerprint=key, customer_id=customer, customer_location=PEOPLES_SQUARE,
        lines=(OrderLine(SERUM, 1, Money(PRICE, "CNY")),), fulfilment_mode=FulfilmentMode.PICKUP, pickup_store_id="S1",
        total=Money(PRICE, "CNY"),
    )
    app.save(order)
    return order


def order_list_runner(app: OmoApplication, **options) -> ProjectionRunner:
    options.setdefault("poll_interval", 0.01)
    return ProjectionRunner(app.database_url, ORDER_LIST.event_log(app), ORDER_LIST, **options)


def order_list(app: OmoApplication) -> OrderList:
    return OrderList.for_application(app)
