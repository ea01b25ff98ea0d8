"""The launch use cases on SQLite and PostgreSQL: HQ operations set a launch (idempotently)
and read it; orders placed while it runs claim their units on the customer's and the device's
quotas in the same atomic save as the order, and an order over a limit is refused with
nothing saved; orders outside its window, or of other SKUs, are not limited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from aggregates.purchase_quota import PurchaseQuota
from domain.launches import LaunchNotFound, LaunchTerms, PurchaseLimitReached
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.use_cases.stock import inventory
from services.use_cases.ordering import launches, orders
from services.use_cases.network import stores
from services.api.convert import common as convert
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, SetClock, store

DROP_STARTS = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@pytest.fixture
def clock() -> SetClock:
    return SetClock(DROP_STARTS + timedelta(minutes=5))


@pytest.fixture
def shop(database_url, clock) -> Iterator[OmoApplication]:
    """A store near People's Square with plenty of the drop's sneakers, and socks."""
    app = build_application(database_url, clock=clock)
    stores.upsert_store(app, convert.store_profile(store("S1", PEOPLES_SQUARE)))
    inventory.receive_stock(app, "S1", [("AJ1-CHICAGO", 100), ("AJ1-LOW", 100), ("SOCKS", 100)])
    yield app
    app.close()


def drop(*sku_limits: tuple[str, int], total: int = 0, starts: datetime = DROP_STARTS, hours: int = 2) -> LaunchTerms:
    return LaunchTerms.create("DROP-1", list(sku_limits), total, starts, starts + timedelta(hours=hours))


def buy(app: OmoApplication, key: str, *lines: tuple[str, int], customer: str = "C-17", device: str = ""):
    command = orders.PlaceOrder(
        idempotency_key=key, customer_id=customer, customer_location=GeoPoint(*JINGAN_TEMPLE),
        lines=tuple(OrderLine(sku, n, Money(129900, "CNY")) for sku, n in lines), mode=FulfilmentMode.DELIVERY,
        device_id=device,
    )
    return orders.place_order(app, command)


def reserved(app: OmoApplication, sku: str) -> int:
    return inventory.get_stock_position(app, "S1", sku).reserved


# --- setting and reading a launch -----------------------------------------------------------------

def test_setting_the_same_launch_again_changes_nothing_and_new_terms_replace_the_old(shop):
    assert launches.set_launch(shop, drop(("AJ1-CHICAGO", 1))) == (drop(("AJ1-CHICAGO", 1)), True, True)
    head = shop.recorder.max_notification_id()
    assert launches.set_launch(shop, drop(("AJ1-CHICAGO", 1))) == (drop(("AJ1-CHICAGO", 1)), False, False)
    assert shop.recorder.max_notification_id() == head
    assert launches.set_launch(shop, drop(("AJ1-CHICAGO", 2))) == (drop(("AJ1-CHICAGO", 2)), False, True)
    assert launches.get_launch(shop, "DROP-1") == drop(("AJ1-CHICAGO", 2))


def test_an_unknown_launch_is_not_found(shop):
    with pytest.raises(LaunchNotFound, match="launch 'DROP-9' does not exist"):
        launches.get_launch(shop, "DROP-9")


def test_a_launch_set_by_another_server_is_read_and_limits_orders_here(database_url, shop):
    other = build_application(database_url, clock=shop.clock)
    try:
        launches.set_launch(other, drop(("AJ1-CHICAGO", 1)))
    finally:
        other.close()
    assert launches.get_launch(shop, "DROP-1") == drop(("AJ1-CHICAGO", 1))
    buy(shop, "k1", ("AJ1-CHICAGO", 1))
    with pytest.raises(PurchaseLimitReached):
        buy(shop, "k2", ("AJ1-CHICAGO", 1))


# --- the limits on orders ---------------------------------------------------------------------------

def test_a_customers_second_pair_is_refused_and_nothing_of_it_is_saved(shop):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 1)))
    first, _ = buy(shop, "k1", ("AJ1-CHICAGO", 1))
    head = shop.recorder.max_notification_id()
    with pytest.raises(PurchaseLimitReached) as refusal:
        buy(shop, "k2", ("AJ1-CHICAGO", 1), ("SOCKS", 2))
    assert str(refusal.value) == "customer C-17 has ordered 1 of SKU AJ1-CHICAGO (limit 1 per customer in launch DROP-1)"
    assert shop.recorder.max_notification_id() == head
    assert (reserved(shop, "AJ1-CHICAGO"), reserved(shop, "SOCKS")) == (1, 0)
    quota = shop.find(PurchaseQuota.create_id("DROP-1", "customer:C-17"))
    assert quota.claims == {first.order_id: {"AJ1-CHICAGO": 1}}


def test_the_claim_is_saved_with_the_order_in_one_write(shop):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 2)))
    head = shop.recorder.max_notification_id()
    buy(shop, "k1", ("AJ1-CHICAGO", 1), ("SOCKS", 1), device="iphone-9f2")
    topics = [n.topic.rsplit(".", 1)[-1] for n in shop.recorder.select_notifications(start=head + 1, limit=100)]
    assert sorted(topics) == sorted([
        "OrderPlaced", "OrderAllocated", "StockReserved", "StockReserved",
        "PurchaseQuotaOpened", "UnitsClaimed", "PurchaseQuotaOpened", "UnitsClaimed",  # the customer's and the device's
    ])


def test_one_device_is_one_buyer_whatever_customer_id_it_gives(shop):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 1)))
    buy(shop, "k1", ("AJ1-CHICAGO", 1), customer="bot-1", device="emulator-1")
    with pytest.raises(PurchaseLimitReached, match="^device emulator-1 has ordered 1 of SKU AJ1-CHICAGO"):
        buy(shop, "k2", ("AJ1-CHICAGO", 1), customer="bot-2", device="emulator-1")
    buy(shop, "k3", ("AJ1-CHICAGO", 1), customer="bot-2", device="iphone-9f2")  # bot-2 itself has room
    assert reserved(shop, "AJ1-CHICAGO") == 2


def test_the_launchs_total_counts_every_sku_of_it(shop):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 2), ("AJ1-LOW", 2), total=2))
    buy(shop, "k1", ("AJ1-CHICAGO", 1), ("AJ1-LOW", 1))
    with pytest.raises(PurchaseLimitReached, match="has ordered 2 units of launch DROP-1"):
        buy(shop, "k2", ("AJ1-LOW", 1))
    buy(shop, "k3", ("SOCKS", 5))  # not in the launch


def test_orders_before_the_launch_starts_or_after_it_ends_are_not_limited_nor_counted(shop, clock):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 1)))
    clock.now = DROP_STARTS - timedelta(seconds=1)
    buy(shop, "early-1", ("AJ1-CHICAGO", 3))
    clock.now = DROP_STARTS
    buy(shop, "k1", ("AJ1-CHICAGO", 1))  # the 3 bought before do not count
    clock.now = DROP_STARTS + timedelta(hours=2)
    buy(shop, "late-1", ("AJ1-CHICAGO", 2))
    assert reserved(shop, "AJ1-CHICAGO") == 6


def test_a_retried_order_is_replayed_not_refused(shop):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 1)))
    first, _ = buy(shop, "k1", ("AJ1-CHICAGO", 1))
    again, replayed = buy(shop, "k1", ("AJ1-CHICAGO", 1))
    assert (again.order_id, replayed) == (first.order_id, True)


def claimed(app, order_id: str, customer: str, device: str, sku: str, pending=None) -> dict:
    lines = [OrderLine(sku, 1, Money(129900, "CNY"))]
    return {q.id: q for q in launches.claim_purchase_limits(app, order_id, customer, device, lines, app.clock(), pending)}


def test_orders_decided_together_count_each_others_claims_before_they_are_saved(shop):
    """What the order writer does with a batch: later orders claim on the very quotas the
    earlier orders of the batch changed, not saved yet."""
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 1)))
    pending = claimed(shop, "o1", "C-17", "", "AJ1-CHICAGO")
    with pytest.raises(PurchaseLimitReached):
        claimed(shop, "o2", "C-17", "", "AJ1-CHICAGO", pending)
    assert claimed(shop, "o2", "C-17", "", "AJ1-CHICAGO")  # the saved state knows nothing of o1


def test_an_order_refused_for_its_device_claims_nothing_for_its_customer(shop):
    launches.set_launch(shop, drop(("AJ1-CHICAGO", 1), ("AJ1-LOW", 1)))
    pending = claimed(shop, "o1", "C-1", "phone-1", "AJ1-CHICAGO")
    pending.update(claimed(shop, "o2", "C-2", "", "AJ1-LOW", pending))
    with pytest.raises(PurchaseLimitReached, match="^device phone-1"):
        claimed(shop, "o3", "C-2", "phone-1", "AJ1-CHICAGO", pending)  # C-2 has room; the device has not
    customer = pending[PurchaseQuota.create_id("DROP-1", "customer:C-2")]
    assert list(customer.claims) == ["o2"]
    assert [type(e).__name__ for e in customer.pending_events] == ["PurchaseQuotaOpened", "UnitsClaimed"]
