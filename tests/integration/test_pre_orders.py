"""A pre-order's life beside the other orders, through the use cases on SQLite and PostgreSQL:
it is listed PRE_ORDERED, its history names the pre-sale's steps, an unpaid one gives its units
back at the payment timeout as any unpaid order does, it is cancelled whole (never line by
line), quotes say it is on pre-sale, the pre-sale's SKU is known before any store stocks it,
and launch ids of pre-sales are kept for them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.assortments import AssortmentChange
from domain.errors import InvalidInput, OrderNotCancellable, SkuNotFound
from domain.launches import LaunchTerms
from domain.presales import PreSaleTerms, presale_reference
from domain.values import FulfilmentMode, Money, OrderLine
from services.bootstrap import build_application
from services.use_cases.network.assortments import set_assortment
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering import fulfilment
from services.use_cases.ordering.launches import set_launch
from services.use_cases.ordering.line_cancellation import cancel_order_lines
from services.use_cases.ordering.order_history import order_history
from services.use_cases.ordering.orders import PlaceOrder, get_order, place_order
from services.use_cases.ordering.presale_plan import plan_pre_sale
from services.use_cases.ordering.presales import get_pre_sale, set_pre_sale
from services.use_cases.ordering.quotes import quote_delivery
from services.use_cases.reads.order_list import OrderQuery
from services.use_cases.stock.inventory import receive_stock
from tests.builders import SetClock
from tests.order_list_builders import JINGAN_TEMPLE, PEOPLES_SQUARE, order_list, order_list_runner, profile

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
PRICE = Money(599_900, "CNY")


@pytest.fixture
def clock() -> SetClock:
    return SetClock(T0 + timedelta(minutes=1))


@pytest.fixture
def app(database_url, clock):
    application = build_application(database_url, clock=clock)
    upsert_store(application, profile("S1", PEOPLES_SQUARE))
    upsert_store(application, profile("S2", JINGAN_TEMPLE))
    set_pre_sale(application, PreSaleTerms.create("PHONE-X", 6, PRICE, T0, T0 + timedelta(hours=2), T0 + timedelta(days=7), 3))
    yield application
    application.close()


def pre_order(app, key: str, units: int = 1, customer: str = "C1", lines: tuple[OrderLine, ...] = ()):
    command = PlaceOrder(
        idempotency_key=key, customer_id=customer, customer_location=PEOPLES_SQUARE,
        lines=lines or (OrderLine("PHONE-X", units, PRICE),), mode=FulfilmentMode.DELIVERY,
    )
    return place_order(app, command)[0]


def test_a_pre_order_is_listed_pre_ordered_and_its_history_names_the_pre_sales_steps(app, clock):
    order = pre_order(app, "K1", units=2)
    runner = order_list_runner(app)
    runner.catch_up()
    listed = order_list(app).list_orders(OrderQuery(status="PRE_ORDERED"), 10).orders
    assert [o.order_id for o in listed] == [order.order_id]
    plan_pre_sale(app, "PHONE-X")
    clock.now = T0 + timedelta(days=7)
    receive_stock(app, "S1", [("PHONE-X", 2)], reference=presale_reference("PHONE-X"))
    runner.catch_up()
    assert [o.status for o in order_list(app).list_orders(OrderQuery(customer_id="C1"), 10).orders] == ["ALLOCATED"]
    runner.release()
    runner.close()
    steps = [(entry.step, entry.store_id) for entry in order_history(app, order.order_id)]
    assert steps == [("PRE_ORDERED", ""), ("PLANNED", "S1"), ("ALLOCATED", "S1")]
    summaries = [entry.summary for entry in order_history(app, order.order_id)]
    assert "2 x PHONE-X of its pre-sale" in summaries[0] and "ship from 2026-12-08" in summaries[0]
    assert "BACKORDERED" in summaries[1] and "in the store's queue" in summaries[2]


def test_an_unpaid_pre_order_gives_its_units_back_at_the_payment_timeout_and_a_paid_one_keeps_them(app, clock):
    unpaid = pre_order(app, "K1", units=3, customer="C1")
    paid = pre_order(app, "K2", units=2, customer="C2")
    fulfilment.confirm_payment(app, paid.order_id, "PAY-2", PRICE.times(2))
    assert get_pre_sale(app, "PHONE-X").units_left == 1
    clock.now += fulfilment.DEFAULT_PAYMENT_TIMEOUT + timedelta(minutes=1)
    assert fulfilment.release_unpaid_orders(app) == [unpaid.order_id]
    assert get_order(app, unpaid.order_id).status == "CANCELLED"
    assert get_order(app, paid.order_id).status == "PRE_ORDERED"
    assert get_pre_sale(app, "PHONE-X").units_left == 4
    plan_pre_sale(app, "PHONE-X")  # planned: it is not placed again in the unpaid list
    assert fulfilment.release_unpaid_orders(app) == []


def test_a_pre_order_is_cancelled_whole_never_line_by_line(app):
    order = pre_order(app, "K1", units=2)
    with pytest.raises(OrderNotCancellable, match="is a pre-order"):
        cancel_order_lines(app, order.order_id, "L1", [("PHONE-X", 1)], "one is enough")


def test_a_quote_says_the_sku_is_on_pre_sale_and_when_it_ships(app):
    quotes = quote_delivery(app, PEOPLES_SQUARE, [("PHONE-X", 1)], [FulfilmentMode.DELIVERY, FulfilmentMode.EXPRESS])
    assert [q.decision for q in quotes] == [None, None]
    assert all("on pre-sale" in q.reason and "2026-12-08T02:00:00+00:00" in q.reason for q in quotes)


def test_the_pre_sales_sku_is_known_to_assortments_before_any_store_stocks_it(app):
    view, changed = set_assortment(app, "S2", AssortmentChange(added=("PHONE-X",)))
    assert changed
    with pytest.raises(SkuNotFound, match="UNKNOWN-SKU"):
        set_assortment(app, "S2", AssortmentChange(added=("UNKNOWN-SKU",)))


def test_a_launch_may_not_take_a_pre_sales_launch_id(app):
    terms = LaunchTerms.create("presale:PHONE-X", [("PHONE-X", 9)], 0, T0, T0 + timedelta(hours=1))
    with pytest.raises(InvalidInput, match="belong to pre-sales"):
        set_launch(app, terms)
