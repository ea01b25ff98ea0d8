"""Registering and reading stores through gRPC."""

from __future__ import annotations

import grpc
import pytest

from protos.omo.v1 import stores_pb2
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, lat_lng, refused, register_dealers, store


def test_a_registered_store_reads_back_with_every_detail(client):
    register_dealers(client, "D007")
    request = store(
        "S1", PEOPLES_SQUARE, radius_km=6.5, name="People's Square", province="Shanghai", city="Shanghai",
        dealer_id="D007", time_zone="Asia/Shanghai", daily_order_capacity=150,
        opening_hours=[
            stores_pb2.DailyHours(weekday=stores_pb2.SUNDAY, opens="10:00", closes="21:00"),
            stores_pb2.DailyHours(weekday=stores_pb2.MONDAY, opens="09:00", closes="24:00"),
        ],
    )
    created = client.stores.UpsertStore(request)
    assert created.created
    got = client.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1")).store
    assert got == created.store
    assert (got.name, got.dealer_id, got.delivery_radius_km, got.daily_order_capacity) == ("People's Square", "D007", 6.5, 150)
    assert [d.weekday for d in got.opening_hours] == [stores_pb2.MONDAY, stores_pb2.SUNDAY]
    assert got.active


def test_upserting_again_updates_and_the_time_zone_defaults_to_shanghai(client):
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    updated = client.stores.UpsertStore(store("S1", JINGAN_TEMPLE, radius_km=3, active=False))
    assert not updated.created
    got = client.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S1")).store
    assert got.location == lat_lng(JINGAN_TEMPLE)
    assert not got.active and got.time_zone == "Asia/Shanghai"


def test_list_stores_pages_through_every_store_in_id_order(client):
    for n in range(7):
        client.stores.UpsertStore(store(f"S{n:02d}", PEOPLES_SQUARE))
    seen, token = [], ""
    while True:
        page = client.stores.ListStores(stores_pb2.ListStoresRequest(page_size=3, page_token=token))
        seen += [s.store_id for s in page.stores]
        token = page.next_page_token
        if not token:
            break
    assert seen == [f"S{n:02d}" for n in range(7)]


def test_an_unknown_store_is_not_found(client):
    error = refused(client.stores.GetStore, stores_pb2.GetStoreRequest(store_id="S404"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "S404" in error.details()


BAD_STORES = {
    "store_id": lambda r: setattr(r, "store_id", ""),
    "name": lambda r: setattr(r, "name", "n" * 201),
    "location": lambda r: r.ClearField("location"),
    "location.latitude": lambda r: setattr(r.location, "latitude", -91),
    "delivery_radius_km": lambda r: setattr(r, "delivery_radius_km", -1),
    "daily_order_capacity": lambda r: setattr(r, "daily_order_capacity", -5),
    "time_zone": lambda r: setattr(r, "time_zone", "Mars/Olympus"),
    "opening_hours[0].closes": lambda r: r.opening_hours.add(weekday=stores_pb2.MONDAY, opens="22:00", closes="09:00"),
    "opening_hours[0].opens": lambda r: r.opening_hours.add(weekday=stores_pb2.MONDAY, opens="9am", closes="21:00"),
    "opening_hours[0].weekday": lambda r: r.opening_hours.add(opens="09:00", closes="21:00"),
}


@pytest.mark.parametrize("field", list(BAD_STORES))
def test_a_malformed_store_is_invalid_argument_naming_the_field_and_not_registered(client, field):
    request = store("S1", PEOPLES_SQUARE)
    BAD_STORES[field](request)
    error = refused(client.stores.UpsertStore, request)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error.details()
    if field != "store_id":
        assert refused(client.stores.GetStore, stores_pb2.GetStoreRequest(store_id="S1")).code() == grpc.StatusCode.NOT_FOUND


def test_page_size_and_token_are_checked(client):
    assert refused(client.stores.ListStores, stores_pb2.ListStoresRequest(page_size=501)).code() == grpc.StatusCode.INVALID_ARGUMENT
    error = refused(client.stores.ListStores, stores_pb2.ListStoresRequest(page_token="%%%"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "page_token" in error.details()
