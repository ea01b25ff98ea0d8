"""Pre-sales hold their promises for any run of pre-orders, cancellations, a plan and receipts,
through the use cases and the real order writer, on SQLite and PostgreSQL:

- taking orders: a pre-order is refused exactly when the model says so (sold out, or the
  customer over the per-customer limit), and never more units are pre-ordered than the
  pre-sale's;
- allocation: at each location no more units are allocated to pre-orders than were received
  there under the pre-sale's reference, and a later pre-order is never served before an
  earlier one there: each pre-order holds exactly what first come first served gives it;
- GetPreSale's figures are those same numbers.

Each example runs on a SKU of its own, so one event store serves them all."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates.order import ALLOCATED, BACKORDERED, CANCELLED, PRE_ORDERED
from aggregates.stock_position import StockPosition
from domain.launches import PurchaseLimitReached
from domain.presales import PreSaleSoldOut, PreSaleTerms, presale_reference
from domain.values import FulfilmentMode, Money, OrderLine
from services.bootstrap import build_application
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering.orders import PlaceOrder, cancel_order, get_order, place_order
from services.use_cases.ordering.presale_plan import plan_pre_sale
from services.use_cases.ordering.presales import get_pre_sale, set_pre_sale
from services.use_cases.stock.inventory import receive_stock
from tests.order_list_builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, profile

STORES = {"S1": PEOPLES_SQUARE, "S2": JINGAN_TEMPLE, "S3": LUJIAZUI}
PRICE = Money(499_900, "CNY")
LIMIT = 3
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
SKUS = (f"PHONE-{n}" for n in itertools.count())

pre_orders = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(sorted(STORES)), st.integers(1, 3)), min_size=1, max_size=14,
)  # (customer, the store nearest them, units)


@pytest.fixture
def app(database_url):
    application = build_application(database_url, clock=lambda: NOW)
    for store_id, at in STORES.items():
        upsert_store(application, profile(store_id, at))
    yield application
    application.close()


def test_pre_orders_take_exactly_what_the_model_allows_and_the_goods_serve_them_first_come_first_served(app):
    tally: Counter = Counter()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(
        units=st.integers(1, 20), wanted=pre_orders, cancelled=st.sets(st.integers(0, 6), max_size=3),
        cancel_after_plan=st.booleans(), receipts=st.lists(st.tuples(st.sampled_from(sorted(STORES)), st.integers(1, 6)), max_size=8),
    )
    def pre_sale_run(units, wanted, cancelled, cancel_after_plan, receipts):
        sku = next(SKUS)
        set_pre_sale(app, PreSaleTerms.create(sku, units, PRICE, NOW - timedelta(hours=1), NOW + timedelta(hours=1), NOW + timedelta(days=3), LIMIT))

        # taking orders: each refused exactly when the model says
        left, by_customer, held = units, Counter(), []  # held: (order id, store, units), placement order
        for i, (customer, near, quantity) in enumerate(wanted):
            command = PlaceOrder(
                idempotency_key=f"{sku}-{i}", customer_id=f"C{customer}", customer_location=STORES[near],
                lines=(OrderLine(sku, quantity, PRICE),), mode=FulfilmentMode.DELIVERY,
            )
            due = PreSaleSoldOut if quantity > left else PurchaseLimitReached if by_customer[customer] + quantity > LIMIT else None
            if due is not None:
                with pytest.raises(due):
                    place_order(app, command)
                tally[due.__name__] += 1
                continue
            order, _ = place_order(app, command)
            assert order.status == PRE_ORDERED
            left -= quantity
            by_customer[customer] += quantity
            held.append((order.order_id, near, quantity))
            tally["pre-ordered"] += 1
        assert get_pre_sale(app, sku).ordered_units == units - left <= units

        gone = {held[i][0] for i in cancelled if i < len(held)}

        def cancel_chosen() -> None:
            for order_id in gone:
                assert cancel_order(app, order_id, "changed their mind").status == CANCELLED
                tally["cancelled"] += 1

        if not cancel_after_plan:
            cancel_chosen()
        outcome = plan_pre_sale(app, sku)
        assert not outcome.unplanned
        if cancel_after_plan:
            cancel_chosen()
        live = [(o, store, q) for o, store, q in held if o not in gone]
        assert get_pre_sale(app, sku).ordered_units == sum(q for _, _, q in live)

        # the goods arrive: never more than announced still to come at each store
        received = Counter()
        for store_id, quantity in receipts:
            position = app.find(StockPosition.create_id(store_id, sku))
            to_come = position.expected.get(presale_reference(sku), {}).get("quantity", 0) if position else 0
            if quantity := min(quantity, to_come):
                receive_stock(app, store_id, [(sku, quantity)], reference=presale_reference(sku))
                received[store_id] += quantity
                tally["received"] += 1

        # first come first served at each store, never beyond what arrived
        view = {location.location_id: location for location in get_pre_sale(app, sku).locations}
        for store_id in STORES:
            there = [(o, q) for o, store, q in live if store == store_id]
            position = app.find(StockPosition.create_id(store_id, sku))
            arrived, allocated = received[store_id], 0
            for order_id, quantity in there:
                due_units = min(max(arrived, 0), quantity)
                arrived -= quantity
                held_now = position.reservations.get(order_id, 0) if position else 0
                assert held_now == due_units, f"{order_id} at {store_id} holds {held_now}, first come first served gives {due_units}"
                assert get_order(app, order_id).status == (ALLOCATED if due_units == quantity else BACKORDERED)
                allocated += held_now
                tally["allocated in full" if due_units == quantity else "waiting"] += 1
            assert allocated <= received[store_id]
            if there:
                assert (view[store_id].received_units, view[store_id].allocated_units) == (received[store_id], allocated)
                assert view[store_id].waiting_units == sum(q for _, q in there) - allocated

    pre_sale_run()
    least = {"pre-ordered": 20, "PreSaleSoldOut": 1, "PurchaseLimitReached": 1, "cancelled": 3, "received": 5, "allocated in full": 5, "waiting": 3}
    short = {kind: (tally[kind], n) for kind, n in least.items() if tally[kind] < n}
    assert not short, f"kinds of step that happened too seldom (done, at least): {short}; all: {dict(tally)}"
