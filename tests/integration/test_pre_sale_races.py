"""Buyers racing for a pre-sale's last units, through two servers' applications (each with its
own order writer) on one event store: exactly the pre-sale's units are pre-ordered, never
more, nobody over the per-customer limit, and every refusal says sold out or over the limit.
On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from aggregates.pre_sale import PreSale
from domain.launches import PurchaseLimitReached
from domain.presales import PreSaleSoldOut, PreSaleTerms
from domain.values import FulfilmentMode, Money, OrderLine
from services.bootstrap import build_application
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering.orders import PlaceOrder, place_order
from services.use_cases.ordering.presales import get_pre_sale, set_pre_sale
from tests.order_list_builders import PEOPLES_SQUARE, profile

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
PRICE = Money(899_900, "CNY")
UNITS, LIMIT = 17, 2
BUYERS, ORDERS_EACH = 12, 3  # 36 orders of 1 unit for 17 units, each buyer wanting 3 of a limit of 2


@pytest.fixture
def servers(database_url):
    apps = [build_application(database_url, clock=lambda: NOW) for _ in range(2)]
    upsert_store(apps[0], profile("S1", PEOPLES_SQUARE))
    set_pre_sale(apps[0], PreSaleTerms.create("PHONE-9", UNITS, PRICE, NOW - timedelta(hours=1), NOW + timedelta(hours=1), NOW + timedelta(days=5), LIMIT))
    for app in apps:
        app.catch_up()
    yield apps
    for app in apps:
        app.close()


def test_racing_buyers_pre_order_exactly_the_pre_sales_units_and_nobody_beyond_their_limit(servers):
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(BUYERS)

    def buyer(n: int) -> None:
        app = servers[n % 2]
        start.wait()
        for k in range(ORDERS_EACH):
            command = PlaceOrder(
                idempotency_key=f"B{n}-{k}", customer_id=f"C{n}", customer_location=PEOPLES_SQUARE,
                lines=(OrderLine("PHONE-9", 1, PRICE),), mode=FulfilmentMode.DELIVERY,
            )
            try:
                place_order(app, command)
                result = "placed"
            except (PreSaleSoldOut, PurchaseLimitReached) as refusal:
                result = type(refusal).__name__
            with lock:
                outcomes.append((n, result))

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == BUYERS * ORDERS_EACH
    placed = Counter(n for n, result in outcomes if result == "placed")
    assert sum(placed.values()) == UNITS
    assert max(placed.values()) <= LIMIT
    # no other outcome: any other refusal would have ended its buyer's thread short of its orders
    assert set(result for _, result in outcomes) <= {"placed", "PreSaleSoldOut", "PurchaseLimitReached"}
    servers[1].catch_up()
    pre_sale = servers[1].find(PreSale.create_id("PHONE-9"))
    assert (pre_sale.ordered_units, len(pre_sale.ordered)) == (UNITS, UNITS)
    assert get_pre_sale(servers[0], "PHONE-9").units_left == 0
