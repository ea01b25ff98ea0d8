"""The property the dealers rely on, over random dealer networks, policies, owner changes,
orders, deliveries, cancellations and partial returns (on SQLite and PostgreSQL): across all
parties the ledger sums to the delivered order totals minus refunds, to the cent; the
customer's side is exactly the opposite; and each dealer's statement total equals the sum of
its ledger entries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, text

from aggregates.order import TO_COURIER, Order
from domain.attribution import CUSTOMER, PolicyTerms
from domain.dealers import CloudShopProfile, Dealer, Region
from domain.errors import DomainError
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from projections.definitions import DEALER_LEDGER
from projections.runtime.runner import ProjectionRunner
from services.use_cases.network import cloud_shops, dealers
from services.use_cases.ordering.fulfilment import accept_order, confirm_payment, hand_over, mark_delivered, mark_picked
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.ordering.orders import PlaceOrder, cancel_order, get_order, place_order
from services.use_cases.stock.returns import return_order
from services.use_cases.network.statements import whole_statement
from services.use_cases.network.stores import upsert_store

SPOTS = [(31.2304, 121.4737), (31.2243, 121.4468), (31.2397, 121.4998), (31.1955, 121.4365)]
PRICES = {"A": 1_999, "B": 333, "C": 12_345}

terms = st.builds(
    lambda hq, fee, fixed, commission: PolicyTerms.create(
        hq_share_bp=hq, fulfilment_fee_bp=fee, fulfilment_fee_fixed_cents=fixed, assistant_commission_bp=commission,
    ),
    st.integers(0, 3000), st.integers(0, 3000), st.integers(0, 2000), st.integers(0, 1000),
)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"), st.integers(0, 3), st.booleans(),
            st.dictionaries(st.sampled_from("ABC"), st.integers(1, 4), min_size=1, max_size=3), st.booleans(),  # delivered at once
        ),
        st.tuples(st.just("deliver"), st.integers(0, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("return"), st.integers(0, 20), st.sampled_from("ABC"), st.integers(1, 4)),
        st.tuples(st.just("return"), st.integers(0, 20), st.sampled_from("ABC"), st.integers(1, 2)),
        st.tuples(st.just("owner"), st.integers(0, 3), st.integers(-1, 2), st.integers(-30, 30)),
        st.tuples(st.just("policy"), terms),
    ),
    min_size=3, max_size=14,
)
networks = st.tuples(
    st.lists(st.integers(-1, 2), min_size=4, max_size=4),  # each store's first owner: a dealer, or -1 for HQ
    st.lists(st.fixed_dictionaries({sku: st.integers(0, 8) for sku in "ABC"}), min_size=4, max_size=4),  # stock
)


def build(app, prefix: str, owners: list[int], stock: list[dict[str, int]]) -> list[str]:
    dealers.register_region(app, Region.create(f"{prefix}R", "East"))
    dealer_ids = [f"{prefix}D{n}" for n in range(3)]
    for dealer_id in dealer_ids:
        dealers.register_dealer(app, Dealer.create(dealer_id, dealer_id, f"{prefix}R"))
    for n, (owner, spot) in enumerate(zip(owners, SPOTS)):
        store_id = f"{prefix}S{n}"
        upsert_store(app, StoreProfile(
            store_id=store_id, name=store_id, location=GeoPoint(*spot), province="Shanghai", city="Shanghai",
            dealer_id=dealer_ids[owner] if owner >= 0 else "", opening_hours=(), time_zone="Asia/Shanghai",
            delivery_radius_km=50.0, daily_order_capacity=0, active=True,
        ))
        # every SKU somewhere, so orders are routed rather than refused as unknown
        lines = [(f"{prefix}{sku}", units or (n == 0)) for sku, units in stock[n].items() if units or n == 0]
        if lines:
            receive_stock(app, store_id, lines)
        cloud_shops.open_cloud_shop(app, CloudShopProfile.create(f"{prefix}CS{n}", store_id, store_id, f"{prefix}brand"))
        cloud_shops.add_shop_assistant(app, f"{prefix}CS{n}", f"{prefix}SA{n}", "Assistant")
    return dealer_ids


def deliver(app, order_id: str) -> None:
    order = get_order(app, order_id)
    confirm_payment(app, order_id, f"pay-{order_id}", Money(order.total_cents, "CNY"))
    for shipment in order.shipments:
        for step in (accept_order, mark_picked):
            step(app, order_id, shipment["store_id"])
        hand_over(app, order_id, shipment["store_id"], TO_COURIER)
        mark_delivered(app, order_id, shipment["store_id"])


def run(app, prefix: str, dealer_ids: list[str], plan: list[tuple]) -> list[str]:
    orders: list[str] = []
    for n, step in enumerate(plan):
        try:
            if step[0] == "order":
                _, shop, with_assistant, lines, deliver_now = step
                shop_id = f"{prefix}CS{shop}"
                code = cloud_shops.get_cloud_shop(app, shop_id).assistants[f"{prefix}SA{shop}"]["share_code"] if with_assistant else ""
                order, _ = place_order(app, PlaceOrder(
                    idempotency_key=f"{prefix}k{n}", customer_id="C1", customer_location=GeoPoint(*SPOTS[shop]),
                    lines=tuple(OrderLine(f"{prefix}{sku}", units, Money(PRICES[sku], "CNY")) for sku, units in sorted(lines.items())),
                    mode=FulfilmentMode.DELIVERY, cloud_shop_id="" if with_assistant else shop_id, share_code=code,
                ))
                orders.append(order.order_id)
                if deliver_now:
                    deliver(app, order.order_id)
            elif step[0] == "deliver" and orders:
                deliver(app, orders[step[1] % len(orders)])
            elif step[0] == "cancel" and orders:
                cancel_order(app, orders[step[1] % len(orders)], "changed mind")
            elif step[0] == "return" and orders:
                _, which, sku, units = step
                order_id = orders[which % len(orders)]
                store_id = get_order(app, order_id).store_ids[0]
                return_order(app, order_id, f"{prefix}r{n}", store_id, [(f"{prefix}{sku}", units)])
            elif step[0] == "owner":
                _, store, owner, minutes = step
                moment = datetime.now(timezone.utc) + timedelta(minutes=minutes)
                dealers.change_store_owner(app, f"{prefix}S{store}", dealer_ids[owner] if owner >= 0 else "", moment)
            elif step[0] == "policy":
                dealers.set_policy(app, f"{prefix}brand", step[1], "property test")
        except DomainError:
            pass  # refused (out of stock, not delivered yet, already picked...): changes nothing
    return orders


def delivered_minus_refunds(app, order_ids: list[str]) -> int:
    total = 0
    for order_id in order_ids:
        order: Order = get_order(app, order_id)
        for attribution in order.attributions.values():
            total += sum(line["total_cents"] for line in attribution["lines"].values())
        total -= sum(line["refund_cents"] for r in order.returns.values() for line in r["lines"])
    return total


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(network=networks, plan=steps)
def test_the_ledger_sums_to_delivered_totals_minus_refunds_and_every_statement_to_its_entries(app, network, plan):
    prefix = f"p{uuid.uuid4().hex[:6]}"
    dealer_ids = build(app, prefix, *network)
    orders = run(app, prefix, dealer_ids, plan)
    runner = ProjectionRunner(app.database_url, DEALER_LEDGER.event_log(app), DEALER_LEDGER)
    try:
        runner.catch_up()
        with runner.reader.connect() as connection:
            rows = connection.execute(
                text("SELECT debit, credit, amount_cents FROM ledger_entries WHERE order_id IN :ids").bindparams(bindparam("ids", expanding=True)),
                {"ids": orders or ["none"]},
            ).all()
        balance: dict[str, int] = {}
        for debit, credit, cents in rows:
            balance[debit] = balance.get(debit, 0) - cents
            balance[credit] = balance.get(credit, 0) + cents
        earned = delivered_minus_refunds(app, orders)
        assert sum(v for party, v in balance.items() if party != CUSTOMER) == earned
        assert balance.get(CUSTOMER, 0) == -earned
        month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
        for dealer_id in dealer_ids:
            statement, lines = whole_statement(runner.reader, dealer_id, month)
            assert statement.totals.net_payable == sum(line.amount_cents for line in lines) == balance.get(f"DEALER:{dealer_id}", 0)
    finally:
        runner.release()
        runner.close()
