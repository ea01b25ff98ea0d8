"""The placing use case's own decisions, against an in-memory event store and a fake of the
order writer port: where it routes, what it hands the writer, and what it does with each
answer. What the real writer does with a placement is tested against the real one."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from aggregates.order import Order
from domain.errors import IdempotencyKeyReused, NoStoreCanFulfil, SkuNotFound
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.bootstrap import in_memory_application
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.ordering.orders import PlaceOrder, place_order, placed_order
from services.use_cases.ports import OrderWriterUnavailable, Refused, Reroute
from services.use_cases.network.stores import upsert_store
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE
from tests.fakes import FakeOrderWriter

EVENING = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # 20:00 in Shanghai: stores open


@pytest.fixture
def writer() -> FakeOrderWriter:
    return FakeOrderWriter()


@pytest.fixture
def app(writer):
    application = in_memory_application(order_writer=writer, clock=lambda: EVENING)
    for store_id, at, stock in (
        ("S1", PEOPLES_SQUARE, {"LIPSTICK": 1, "SERUM": 5}),
        ("S2", JINGAN_TEMPLE, {"LIPSTICK": 10, "SERUM": 10}),
        ("S3", LUJIAZUI, {"LIPSTICK": 10}),
    ):
        upsert_store(application, StoreProfile(
            store_id=store_id, name=f"Store {store_id}", location=GeoPoint(*at), province="Shanghai", city="Shanghai",
            dealer_id="", opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=5.0,
            daily_order_capacity=1000, active=True,
        ))
        receive_stock(application, store_id, list(stock.items()))
    yield application
    application.close()


def command(key: str, *lines: tuple[str, int], customer: str = "C1") -> PlaceOrder:
    return PlaceOrder(
        idempotency_key=key, customer_id=customer, customer_location=GeoPoint(*PEOPLES_SQUARE),
        lines=tuple(OrderLine(sku, units, Money(1990, "CNY")) for sku, units in lines), mode=FulfilmentMode.DELIVERY,
    )


def test_the_use_case_routes_and_hands_the_writer_what_to_reserve_where(app, writer):
    order, replayed = place_order(app, command("k1", ("LIPSTICK", 1), ("SERUM", 2)))

    (placement,) = writer.placements
    assert placement.wanted == {("S1", "LIPSTICK"): 1, ("S1", "SERUM"): 2}  # the nearest store with every line
    assert [s["store_id"] for s in placement.shipments] == ["S1"]
    assert placement.order_id == Order.create_id("k1") and placement.total == Money(3 * 1990, "CNY")
    assert order.id == placement.order_id and not replayed


def test_a_store_the_writer_finds_short_is_passed_over_and_the_order_routed_again(app, writer):
    writer.answers.append(Reroute(frozenset({"S1"})))

    order, _ = place_order(app, command("k1", ("LIPSTICK", 1)))

    assert writer.stores_reserved_at() == [{"S1"}, {"S2"}]  # S2 is next nearest holding lipstick
    assert order.store_ids == ["S2"]


def test_the_writer_s_refusal_reaches_the_caller(app, writer):
    writer.answers.append(Refused(OrderWriterUnavailable("the order writer is restarting")))

    with pytest.raises(OrderWriterUnavailable, match="restarting"):
        place_order(app, command("k1", ("LIPSTICK", 1)))
    writer.answers.append(Refused(IdempotencyKeyReused("k1")))
    with pytest.raises(IdempotencyKeyReused):
        place_order(app, command("k1", ("LIPSTICK", 1)))


def test_an_order_no_store_can_take_is_refused_without_troubling_the_writer(app, writer):
    with pytest.raises(NoStoreCanFulfil):
        place_order(app, command("k1", ("SERUM", 16)))  # 5 + 10 in reach
    with pytest.raises(SkuNotFound):
        place_order(app, command("k2", ("NO-SUCH-SKU", 1)))
    assert writer.placements == []


def test_a_refused_command_whose_key_the_writer_is_placing_gets_the_order_placed_under_it(app, writer):
    earlier, _ = place_order(app, command("k1", ("LIPSTICK", 1)))
    writer.in_flight.add(Order.create_id("k2"))  # another call with this key is with the writer...
    writer.orders[Order.create_id("k2")] = earlier  # ... which has placed an order under it

    placed = placed_order(app, command("k2", ("SERUM", 16)))  # no store in reach can take this

    assert placed.order is earlier and placed.replayed
    assert writer.placements[-1].lookup_only  # only the key was asked after: nothing to reserve
