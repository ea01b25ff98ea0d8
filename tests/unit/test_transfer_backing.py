"""Where the placing use case sends an order its store lacks units for, against an in-memory
event store and a fake of the order writer: the transfers it hands the writer, for PICKUP by
default and for DELIVERY only when the policy prefers the customer's nearest store, within the
transfer radius and no further."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.errors import NoStoreCanFulfil
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from routing.policy import RoutingPolicy
from services.bootstrap import in_memory_application
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering.orders import PlaceOrder, place_order
from services.use_cases.stock.inventory import receive_stock
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE
from tests.fakes import FakeOrderWriter
from tests.order_list_builders import profile

EVENING = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # 20:00 in Shanghai: stores open


def world(**policy) -> tuple:
    writer = FakeOrderWriter()
    app = in_memory_application(order_writer=writer, clock=lambda: EVENING, routing=RoutingPolicy(**policy))
    for store_id, at, units in (("S1", PEOPLES_SQUARE, 1), ("S2", JINGAN_TEMPLE, 1), ("S3", LUJIAZUI, 2)):
        upsert_store(app, profile(store_id, GeoPoint(*at)))
        receive_stock(app, store_id, [("SERUM", units)])
    return app, writer


def command(units: int, mode: FulfilmentMode, pickup: str = "") -> PlaceOrder:
    return PlaceOrder(
        idempotency_key="k1", customer_id="C1", customer_location=GeoPoint(*PEOPLES_SQUARE),
        lines=(OrderLine("SERUM", units, Money(1990, "CNY")),), mode=mode, pickup_store_id=pickup,
    )


def test_a_pickup_store_short_of_units_is_sent_them_by_the_nearest_stores():
    app, writer = world()
    order, _ = place_order(app, command(3, FulfilmentMode.PICKUP, "S1"))
    (placement,) = writer.placements
    assert placement.wanted == {("S1", "SERUM"): 1, ("S2", "SERUM"): 1, ("S3", "SERUM"): 1}
    assert [(t["from_store_id"], t["lines"]) for t in placement.transfers] == [("S2", {"SERUM": 1}), ("S3", {"SERUM": 1})]
    assert all(t["transfer_id"].startswith("S1/o") for t in placement.transfers)
    [shipment] = order.shipments
    assert (shipment["store_id"], shipment["status"], shipment["awaiting"]) == ("S1", "AWAITING_TRANSFER", {"SERUM": 2})
    assert [s[2] for s in order.explanation["transfer_sources"]] == ["SOURCE", "SOURCE"]


@pytest.mark.parametrize("policy", [{"transfer_radius_km": 0}, {"transfer_radius_km": 2.0}])
def test_no_transfer_beyond_the_radius(policy):
    app, writer = world(**policy)  # S2 lies 2.6 km from S1, S3 2.9 km
    with pytest.raises(NoStoreCanFulfil):
        place_order(app, command(3, FulfilmentMode.PICKUP, "S1"))
    assert not writer.placements


def test_delivery_goes_to_the_nearest_store_by_transfer_only_when_the_policy_says_so():
    app, writer = world()
    place_order(app, command(2, FulfilmentMode.DELIVERY))
    assert not writer.placements[0].transfers and writer.placements[0].wanted == {("S3", "SERUM"): 2}

    app, writer = world(delivery_via_nearest_store=True)
    place_order(app, command(3, FulfilmentMode.DELIVERY))  # no one store holds 3: S1, the nearest, is sent 2
    (placement,) = writer.placements
    assert [s["store_id"] for s in placement.shipments] == ["S1"] and placement.shipments[0]["status"] == "AWAITING_TRANSFER"
    assert sum(t["lines"]["SERUM"] for t in placement.transfers) == 2
