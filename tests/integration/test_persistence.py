"""Everything is kept as events and survives a restart."""

from __future__ import annotations

from aggregates.order import ALLOCATED
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.use_cases.stock import inventory
from services.use_cases.ordering import orders
from services.use_cases.network import stores
from services.api.convert import common as convert
from services.bootstrap import build_application
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, store


def test_stores_stock_and_orders_survive_a_restart(database_url):
    first = build_application(database_url)
    stores.upsert_store(first, convert.store_profile(store("S1", PEOPLES_SQUARE)))
    inventory.receive_stock(first, "S1", [("SERUM-02", 5)], movement_id="GRN-1")
    placed, _ = orders.place_order(
        first,
        orders.PlaceOrder(
            idempotency_key="k1", customer_id="C1", customer_location=GeoPoint(*JINGAN_TEMPLE),
            lines=(OrderLine("SERUM-02", 2, Money(1990, "CNY")),), mode=FulfilmentMode.DELIVERY,
        ),
    )
    first.close()

    second = build_application(database_url)
    try:
        assert stores.get_store(second, "S1").location == GeoPoint(*PEOPLES_SQUARE)
        view = inventory.get_stock_position(second, "S1", "SERUM-02")
        assert (view.on_hand, view.reserved) == (5, 2)
        reloaded = orders.get_order(second, placed.order_id)
        assert reloaded.status == ALLOCATED and reloaded.store_id == "S1"
        # the live index is rebuilt from the events, and the resend of GRN-1 is still a duplicate
        assert second.index.available("S1", "SERUM-02") == 3
        _, duplicate = inventory.receive_stock(second, "S1", [("SERUM-02", 5)], movement_id="GRN-1")
        assert duplicate
        assert inventory.get_stock_position(second, "S1", "SERUM-02").on_hand == 5
    finally:
        second.close()


def test_the_events_are_named_in_the_domains_words(database_url):
    app = build_application(database_url)
    try:
        stores.upsert_store(app, convert.store_profile(store("S1", PEOPLES_SQUARE)))
        inventory.receive_stock(app, "S1", [("SERUM-02", 5)])
        placed, _ = orders.place_order(
            app,
            orders.PlaceOrder(
                idempotency_key="k1", customer_id="C1", customer_location=GeoPoint(*PEOPLES_SQUARE),
                lines=(OrderLine("SERUM-02", 1, Money(1990, "CNY")),), mode=FulfilmentMode.DELIVERY,
            ),
        )
        orders.cancel_order(app, placed.order_id, "customer asked")
        topics = [n.topic.rsplit(".", 1)[-1] for n in app.recorder.select_notifications(start=1, limit=100)]
        assert topics == [
            "StoreRegistered", "StockPositionOpened", "StockMoved",
            "OrderPlaced", "OrderAllocated", "StockReserved",
            "OrderCancelled", "ReservationReleased",
        ]
    finally:
        app.close()
