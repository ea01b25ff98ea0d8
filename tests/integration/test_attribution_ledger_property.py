"""The property the dealers rely on, over random dealer networks, policies, owner changes,
orders, deliveries, cancellations and partial returns (on SQLite and PostgreSQL): across all
parties the ledger sums to the delivered order totals minus refunds, to the cent; the
customer's side is exactly the opposite; and each dealer's statement total equals the sum of
its ledger entries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import combinations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, text

from aggregates.order import TO_COURIER, Order
from domain.attribution import CUSTOMER, PolicyTerms
from domain.dealers import CloudShopProfile, Dealer, Region
from domain.errors import DomainError, IllegalTransition, InvalidInput, NoStoreCanFulfil, OrderNotCancellable
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, epoch_us
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
# "deliver" and a "return" marked steered (True) are aimed, at run time, at what the model says
# they may act on (an order awaiting delivery; a delivered one's units not yet returned), so most
# of them take effect; the others land on any order, often to be refused
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"), st.integers(0, 3), st.booleans(),
            st.dictionaries(st.sampled_from("ABC"), st.integers(1, 4), min_size=1, max_size=3), st.booleans(),  # delivered at once
        ),
        st.tuples(st.just("deliver"), st.integers(0, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("return"), st.integers(0, 20), st.sampled_from("ABC"), st.integers(1, 4), st.booleans()),
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


@dataclass
class OrderModel:
    lines: dict[str, int]
    shipments: list[tuple[str, dict[str, int]]]  # (store, sku -> units), in the order's order
    state: str = "placed"  # placed, delivered or cancelled
    returned: dict[str, int] = field(default_factory=dict)

    def left_to_return(self) -> dict[str, int]:
        return {sku: left for sku, units in sorted(self.lines.items()) if (left := units - self.returned.get(sku, 0)) > 0}


class Market:
    """The model of what the steps may do: the units each store has available, each order's
    state, and each store's latest owner change. `due` says which refusal a step is due (None:
    it must take effect); `took_effect` moves the model on."""

    def __init__(self, prefix: str, dealer_ids: list[str], owners: list[int], stock: list[dict[str, int]]) -> None:
        self.prefix, self.dealer_ids = prefix, dealer_ids
        self.stores = [f"{prefix}S{n}" for n in range(len(owners))]
        # as build receives it: the first store holds a unit of every SKU at least
        self.available = {
            (store, f"{prefix}{sku}"): units or int(n == 0) for n, store in enumerate(self.stores) for sku, units in stock[n].items()
        }
        self.owners = {store: (0, dealer_ids[owner] if owner >= 0 else "") for store, owner in zip(self.stores, owners)}
        self.orders: dict[str, OrderModel] = {}

    def placeable(self, lines: dict[str, int]) -> bool:
        """Routing's promise: one store, or a split across at most three, that together have
        every unit available."""
        return any(
            all(sum(self.available.get((store, sku), 0) for store in group) >= units for sku, units in lines.items())
            for size in (1, 2, 3) for group in combinations(self.stores, size)
        )

    def awaiting_delivery(self) -> list[str]:
        return [order_id for order_id, order in self.orders.items() if order.state == "placed"]

    def returnable(self) -> list[str]:
        return [order_id for order_id, order in self.orders.items() if order.state == "delivered" and order.left_to_return()]

    def due(self, kind: str, order_id: str = "", lines: dict[str, int] | None = None, moment_us: int = 0, store: str = "") -> type[DomainError] | None:
        order = self.orders.get(order_id)
        if kind == "order":
            return None if self.placeable(lines) else NoStoreCanFulfil
        if kind == "deliver":
            return None if order.state == "placed" else IllegalTransition
        if kind == "cancel":
            return OrderNotCancellable if order.state == "delivered" else None
        if kind == "return":
            ((sku, units),) = lines.items()
            if order.state != "delivered":
                return IllegalTransition
            if sku not in order.lines:
                return InvalidInput
            return None if units <= order.left_to_return().get(sku, 0) else IllegalTransition
        if kind == "owner":
            return IllegalTransition if moment_us < self.owners[store][0] else None
        return None  # a policy: any terms may follow any others

    def placed(self, order_id: str, lines: dict[str, int], shipments: list[tuple[str, dict[str, int]]]) -> None:
        for store, units in shipments:
            for sku, n in units.items():
                assert n <= self.available.get((store, sku), 0), f"order {order_id} took {n} of {sku} at {store}, beyond what it had"
                self.available[(store, sku)] -= n
        assert {sku: sum(units.get(sku, 0) for _, units in shipments) for sku in lines} == lines
        self.orders[order_id] = OrderModel(lines, shipments)

    def took_effect(self, kind: str, order_id: str = "", lines: dict[str, int] | None = None, moment_us: int = 0, store: str = "", owner: str = "") -> None:
        order = self.orders.get(order_id)
        if kind == "deliver":
            order.state = "delivered"  # the reserved units left the shelves: nothing more is available
        elif kind == "cancel" and order.state == "placed":
            order.state = "cancelled"
            for at, units in order.shipments:
                for sku, n in units.items():
                    self.available[(at, sku)] += n
        elif kind == "return":
            ((sku, units),) = lines.items()
            order.returned[sku] = order.returned.get(sku, 0) + units
            at = order.shipments[0][0]  # where the customer brings them back
            self.available[(at, sku)] = self.available.get((at, sku), 0) + units
        elif kind == "owner":
            latest_from, latest_owner = self.owners[store]
            if not (latest_owner == owner and latest_from <= moment_us):  # else it changes nothing
                self.owners[store] = (moment_us, owner)


def run(app, prefix: str, dealer_ids: list[str], plan: list[tuple], market: Market) -> tuple[list[str], dict[str, list[int]]]:
    """Plays the plan; each step is refused exactly when the model says one is due, with the
    refusal it says. Returns the orders placed and, per kind of step, [taken effect, refused]."""
    orders: list[str] = []
    tally: dict[str, list[int]] = {}

    def attempt(kind: str, step, action, **about) -> bool:
        due = market.due(kind, **about)
        try:
            action()
        except DomainError as refusal:
            assert type(refusal) is due, f"{step} was refused: {refusal!r}"
            tally.setdefault(kind, [0, 0])[1] += 1
            return False
        assert due is None, f"{step} took effect; {due.__name__} was due"
        tally.setdefault(kind, [0, 0])[0] += 1
        return True

    for n, step in enumerate(plan):
        kind = step[0]
        if kind == "order":
            _, shop, with_assistant, lines, deliver_now = step
            shop_id = f"{prefix}CS{shop}"
            code = cloud_shops.get_cloud_shop(app, shop_id).assistants[f"{prefix}SA{shop}"]["share_code"] if with_assistant else ""
            wanted = {f"{prefix}{sku}": units for sku, units in sorted(lines.items())}
            command = PlaceOrder(
                idempotency_key=f"{prefix}k{n}", customer_id="C1", customer_location=GeoPoint(*SPOTS[shop]),
                lines=tuple(OrderLine(sku, units, Money(PRICES[sku[-1]], "CNY")) for sku, units in wanted.items()),
                mode=FulfilmentMode.DELIVERY, cloud_shop_id="" if with_assistant else shop_id, share_code=code,
            )
            placed = []
            if attempt("order", step, lambda: placed.append(place_order(app, command)[0]), lines=wanted):
                order = placed[0]
                orders.append(order.order_id)
                market.placed(order.order_id, wanted, [(s["store_id"], dict(s["lines"])) for s in order.shipments])
                if deliver_now and attempt("deliver", step, lambda: deliver(app, order.order_id), order_id=order.order_id):
                    market.took_effect("deliver", order.order_id)
        elif kind in ("deliver", "cancel", "return") and orders:
            aimed = market.awaiting_delivery() if kind == "deliver" else market.returnable() if kind == "return" and step[4] else []
            order_id = (aimed or orders)[step[1] % len(aimed or orders)]
            if kind == "return":
                store_id = get_order(app, order_id).store_ids[0]
                sku, units = f"{prefix}{step[2]}", step[3]
                if aimed:  # a line with units left, and at most those
                    left = market.orders[order_id].left_to_return()
                    sku = sorted(left)["ABC".index(step[2]) % len(left)]
                    units = min(units, left[sku])
                action = lambda: return_order(app, order_id, f"{prefix}r{n}", store_id, [(sku, units)])  # noqa: E731
                about = {"order_id": order_id, "lines": {sku: units}}
            elif kind == "deliver":
                action, about = (lambda: deliver(app, order_id)), {"order_id": order_id}
            else:
                action, about = (lambda: cancel_order(app, order_id, "changed mind")), {"order_id": order_id}
            if attempt(kind, step, action, **about):
                market.took_effect(kind, **about)
        elif kind == "owner":
            _, store, owner, minutes = step
            moment = datetime.now(timezone.utc) + timedelta(minutes=minutes)
            about = {"store": f"{prefix}S{store}", "moment_us": epoch_us(moment)}
            dealer_id = dealer_ids[owner] if owner >= 0 else ""
            if attempt("owner", step, lambda: dealers.change_store_owner(app, about["store"], dealer_id, moment), **about):
                market.took_effect("owner", owner=dealer_id, **about)
        elif kind == "policy":
            attempt("policy", step, lambda: dealers.set_policy(app, f"{prefix}brand", step[1], "property test"))
        app.catch_up()
        assert {key: app.index.available(*key) for key in market.available} == market.available, f"after {step}"
    return orders, tally


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
    orders, tally = run(app, prefix, dealer_ids, plan, Market(prefix, dealer_ids, *network))
    for kind, (took_effect, refused) in tally.items():  # for --hypothesis-show-statistics
        for outcome, happened in (("took effect", took_effect), ("refused", refused)):
            if happened:
                event(f"{kind} {outcome}")
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
