"""Pre-sales through the real gRPC server on SQLite and PostgreSQL: HQ operations open a pre-sale
of a SKU no store has yet (SetPreSale, refusals that write nothing); in its window the checkout's
orders for it are pre-orders (PRE_ORDERED), held to its price, its units and each customer's
limit, and a cancelled one gives its units back; planning (PlanPreSale) sends each pre-order to
the location routing would choose were the goods everywhere, and the goods received there under
the pre-sale's reference serve the earliest pre-orders first. GetPreSale follows every step.

The application's clock is the test's: pre-orders are taken in the window, planned after it,
and the goods arrive when the pre-sale ships."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import common_pb2, launches_pb2, orders_pb2, stores_pb2
from services.api.gate.buyer_guard import BuyerLimits
from services.api.server import start_server
from services.bootstrap import build_application
from services.client.cast import Cast
from services.client.client import OmoClient
from services.use_cases.ordering.fulfilment import release_unpaid_orders
from tests.builders import BEIJING, JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, SetClock, line, order, race, receipt, refused, store
from tests.store_work_builders import in_queue, running_store_work

PHONE, SOCKS = "PHONE-X", "SOCKS"
PRICE = 599900
REFERENCE = f"presale:{PHONE}"
OPENS = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
CLOSES = OPENS + timedelta(hours=2)
SHIPS = OPENS + timedelta(days=10)
HANGZHOU = (30.2741, 120.1551)  # 165 km from every store
UNTHROTTLED = BuyerLimits(orders_per_second=100_000, burst=100_000)  # the pre-sale alone must hold


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def pre_sale(units: int = 3, cents: int = PRICE, opens: datetime = OPENS, closes: datetime = CLOSES, ships: datetime = SHIPS,
             limit: int = 2) -> launches_pb2.SetPreSaleRequest:
    return launches_pb2.SetPreSaleRequest(pre_sale=launches_pb2.PreSale(
        sku=PHONE, units=units, price=common_pb2.Money(cents=cents, currency="CNY"), orders_from=stamp(opens),
        orders_until=stamp(closes), ships_from=stamp(ships), per_customer_limit=limit,
    ))


def pre_order(key: str, quantity: int = 1, customer: str = "C1", at=PEOPLES_SQUARE, cents: int = PRICE, pickup_store: str = "",
              also: tuple = ()) -> orders_pb2.PlaceOrderRequest:
    return order(key, at, line(PHONE, quantity, cents=cents), *also, customer=customer, pickup_store=pickup_store)


def progress(client) -> launches_pb2.GetPreSaleResponse:
    return client.launches.GetPreSale(launches_pb2.GetPreSaleRequest(sku=PHONE))


def locations(figures) -> dict[str, tuple[int, ...]]:
    """store -> (planned orders, planned units, announced, received, allocated, waiting)."""
    return {
        l.store_id: (l.planned_orders, l.planned_units, l.announced_units, l.received_units, l.allocated_units, l.waiting_units)
        for l in figures.locations
    }


def plan(client) -> launches_pb2.PlanPreSaleResponse:
    return client.launches.PlanPreSale(launches_pb2.PlanPreSaleRequest(sku=PHONE))


def get(client, order_id: str) -> orders_pb2.Order:
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order


class Shop:
    """A served application on the test's clock: NEAR at People's Square selling socks."""

    def __init__(self, database_url: str):
        self.clock = SetClock(OPENS + timedelta(minutes=5))
        self.app = build_application(database_url, clock=self.clock)
        self.server = start_server(self.app, host="127.0.0.1", port=0, buyer_limits=UNTHROTTLED)
        self.cast = Cast(self.app)
        for role in ("ops", "checkout"):  # issued (an event each) before any test reads the head
            self.cast.token(role)
        self.client = OmoClient(f"127.0.0.1:{self.server.port}", tokens=self.cast)
        self.client.stores.UpsertStore(store("NEAR", PEOPLES_SQUARE))
        self.client.inventory.ReceiveStock(receipt("NEAR", {SOCKS: 10}))

    def head(self) -> int:
        return self.app.recorder.max_notification_id()

    def close(self) -> None:
        self.client.close()
        self.server.stop(grace=0.1)
        self.app.close()


@pytest.fixture
def shop(database_url) -> Iterator[Shop]:
    opened = Shop(database_url)
    yield opened
    opened.close()


# --- setting a pre-sale ------------------------------------------------------------------------

def test_ops_opens_a_pre_sale_changes_it_and_setting_it_again_changes_nothing(shop):
    client = shop.client
    first = client.launches.SetPreSale(pre_sale())
    assert (first.created, first.changed) == (True, True)
    assert first.pre_sale == pre_sale().pre_sale
    changed = client.launches.SetPreSale(pre_sale(units=5))
    assert (changed.created, changed.changed, changed.pre_sale.units) == (False, True, 5)
    head = shop.head()
    again = client.launches.SetPreSale(pre_sale(units=5))  # a retry
    assert (again.created, again.changed) == (False, False) and shop.head() == head
    read = progress(client)
    assert read.pre_sale == changed.pre_sale
    assert read.pre_sale.ships_from.ToDatetime(tzinfo=timezone.utc) == SHIPS
    assert (read.ordered_orders, read.ordered_units, read.units_left, read.waiting_units, list(read.locations)) == (0, 0, 5, 0, [])


def _without(field: str):
    def change(request):
        request.pre_sale.ClearField(field)
    return change


BAD_TERMS = {
    "orders_until before orders_from": (lambda r: r.CopyFrom(pre_sale(closes=OPENS - timedelta(hours=1))), "pre_sale.orders_until"),
    "ships_from before orders_from": (lambda r: r.CopyFrom(pre_sale(ships=OPENS - timedelta(days=1))), "pre_sale.ships_from"),
    "no units": (lambda r: r.CopyFrom(pre_sale(units=0)), "pre_sale.units"),
    "a price of 0": (lambda r: r.CopyFrom(pre_sale(cents=0)), "pre_sale.price.cents"),
    "no per-customer limit": (lambda r: r.CopyFrom(pre_sale(limit=0)), "pre_sale.per_customer_limit"),
    "no price": (_without("price"), "pre_sale.price"),
    "no orders_from": (_without("orders_from"), "pre_sale.orders_from"),
    "no orders_until": (_without("orders_until"), "pre_sale.orders_until"),
    "no ships_from": (_without("ships_from"), "pre_sale.ships_from"),
    "no pre_sale": (lambda r: r.ClearField("pre_sale"), "pre_sale"),
}


@pytest.mark.parametrize(("change", "field"), BAD_TERMS.values(), ids=list(BAD_TERMS))
def test_terms_that_make_no_sense_are_invalid_argument_naming_the_field_and_write_nothing(shop, change, field):
    request = pre_sale()
    change(request)
    head = shop.head()
    error = refused(shop.client.launches.SetPreSale, request)
    assert (error.code(), error.details().split(":")[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field), error.details()
    assert shop.head() == head
    assert refused(shop.client.launches.GetPreSale, launches_pb2.GetPreSaleRequest(sku=PHONE)).code() == grpc.StatusCode.NOT_FOUND


def test_an_unknown_pre_sale_is_not_found(shop):
    for call, request in ((shop.client.launches.GetPreSale, launches_pb2.GetPreSaleRequest(sku="PHONE-Y")),
                          (shop.client.launches.PlanPreSale, launches_pb2.PlanPreSaleRequest(sku="PHONE-Y"))):
        error = refused(call, request)
        assert error.code() == grpc.StatusCode.NOT_FOUND and "PHONE-Y" in error.details()


def test_units_below_those_pre_ordered_already_are_refused_and_change_nothing(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale(units=5))
    client.orders.PlaceOrder(pre_order("k1", 2))
    head = shop.head()
    error = refused(client.launches.SetPreSale, pre_sale(units=1))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "2 units pre-ordered already" in error.details()
    assert shop.head() == head and progress(client).pre_sale.units == 5
    assert client.launches.SetPreSale(pre_sale(units=2)).changed  # exactly what is ordered: sold out
    assert progress(client).units_left == 0


# --- pre-ordering ------------------------------------------------------------------------------

def test_an_order_in_the_window_is_a_pre_order_and_a_retry_returns_it(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale())
    placed = client.orders.PlaceOrder(pre_order("k1", 2))
    made = placed.order
    assert made.status == orders_pb2.PRE_ORDERED and not made.shipments
    assert made.pre_order.sku == PHONE and datetime.fromisoformat(made.pre_order.ships_from) == SHIPS
    assert made.total.cents == 2 * PRICE
    retry = client.orders.PlaceOrder(pre_order("k1", 2))
    assert (retry.replayed, retry.order.order_id) == (True, made.order_id)
    figures = progress(client)
    assert (figures.ordered_orders, figures.ordered_units, figures.units_left) == (1, 2, 1)
    assert (figures.unplanned_orders, figures.unplanned_units, figures.waiting_units) == (1, 2, 2)


def test_another_price_or_another_sku_with_it_is_refused_and_writes_nothing(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale())
    head = shop.head()
    cheaper = refused(client.orders.PlaceOrder, pre_order("k1", cents=PRICE - 1))
    assert cheaper.code() == grpc.StatusCode.FAILED_PRECONDITION and "pre-sale price" in cheaper.details()
    mixed = refused(client.orders.PlaceOrder, pre_order("k2", also=(line(SOCKS, 1),)))
    assert mixed.code() == grpc.StatusCode.FAILED_PRECONDITION and "SOCKS" in mixed.details()
    assert shop.head() == head
    assert progress(client).units_left == 3
    assert client.orders.PlaceOrder(order("k3", PEOPLES_SQUARE, line(SOCKS, 1))).order.status == orders_pb2.ALLOCATED


def test_no_more_units_are_pre_ordered_than_the_pre_sale_has(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale(units=3))
    client.orders.PlaceOrder(pre_order("k1", 2, customer="C1"))
    too_many = refused(client.orders.PlaceOrder, pre_order("k2", 2, customer="C2"))
    assert too_many.code() == grpc.StatusCode.FAILED_PRECONDITION and "has 1 units left, 2 wanted" in too_many.details()
    client.orders.PlaceOrder(pre_order("k3", 1, customer="C2"))
    sold_out = refused(client.orders.PlaceOrder, pre_order("k4", 1, customer="C3"))
    assert sold_out.code() == grpc.StatusCode.FAILED_PRECONDITION and "has 0 units left" in sold_out.details()
    figures = progress(client)
    assert (figures.ordered_orders, figures.ordered_units, figures.units_left) == (2, 3, 0)


def test_sixteen_customers_at_once_pre_order_exactly_the_pre_sales_units(shop):
    shop.client.launches.SetPreSale(pre_sale(units=5))
    requests = [pre_order(f"rush-{n}", customer=f"C-{n}") for n in range(16)]
    results = race([shop.server.port], requests, shop.cast.token("checkout"))
    won = [r for r in results if isinstance(r, orders_pb2.PlaceOrderResponse)]
    lost = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(won) == 5 and all(r.order.status == orders_pb2.PRE_ORDERED for r in won)
    assert {e.code() for e in lost} == {grpc.StatusCode.FAILED_PRECONDITION}
    figures = progress(shop.client)
    assert (figures.ordered_orders, figures.ordered_units, figures.units_left) == (5, 5, 0)


def test_a_customer_pre_orders_no_more_than_the_per_customer_limit(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale(units=10, limit=2))
    client.orders.PlaceOrder(pre_order("k1", 2, customer="C-17"))
    error = refused(client.orders.PlaceOrder, pre_order("k2", 1, customer="C-17"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == f"customer C-17 has ordered 2 of SKU {PHONE} (limit 2 per customer in launch {REFERENCE})"
    assert client.orders.PlaceOrder(pre_order("k3", 2, customer="C-18")).order.status == orders_pb2.PRE_ORDERED
    assert progress(client).ordered_units == 4


def test_a_cancelled_pre_order_gives_its_units_back(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale(units=3))
    placed = client.orders.PlaceOrder(pre_order("k1", 2, customer="C1")).order
    assert progress(client).units_left == 1
    cancelled = client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order_id, reason="changed my mind")).order
    assert cancelled.status == orders_pb2.CANCELLED
    figures = progress(client)
    assert (figures.ordered_orders, figures.ordered_units, figures.units_left) == (0, 0, 3)
    assert client.orders.PlaceOrder(pre_order("k2", 2, customer="C2")).order.status == orders_pb2.PRE_ORDERED


def test_a_paid_pre_order_is_kept_and_an_unpaid_one_gives_its_units_back_after_the_payment_timeout(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale(units=3))
    paid = client.orders.PlaceOrder(pre_order("k1", 2, customer="C1")).order
    unpaid = client.orders.PlaceOrder(pre_order("k2", 1, customer="C2")).order
    confirmed = client.orders.ConfirmPayment(orders_pb2.ConfirmPaymentRequest(order_id=paid.order_id, payment_id="pay-1", amount=paid.total))
    assert (confirmed.order.status, confirmed.order.payment_id) == (orders_pb2.PRE_ORDERED, "pay-1")
    shop.clock.now += timedelta(minutes=16)
    assert release_unpaid_orders(shop.app, timedelta(minutes=15)) == [unpaid.order_id]
    assert get(client, unpaid.order_id).status == orders_pb2.CANCELLED
    assert get(client, paid.order_id).status == orders_pb2.PRE_ORDERED
    assert (progress(client).ordered_units, progress(client).units_left) == (2, 1)


# --- planning ----------------------------------------------------------------------------------

def test_planning_sends_each_pre_order_where_routing_would_and_planning_again_plans_nothing(shop):
    client = shop.client
    client.stores.UpsertStore(store("FAR", JINGAN_TEMPLE))  # 2.6 km from People's Square
    client.stores.UpsertStore(store("EAST", LUJIAZUI))  # nearest Lujiazui, selling socks only online
    client.inventory.ReceiveStock(receipt("EAST", {SOCKS: 5}))
    client.stores.SetAssortment(stores_pb2.SetAssortmentRequest(store_id="EAST", add_skus=[SOCKS]))
    warehouse = store("W-NORTH", BEIJING, radius_km=0)
    warehouse.kind = stores_pb2.WAREHOUSE
    client.stores.UpsertStore(warehouse)
    client.launches.SetPreSale(pre_sale(units=10))
    near = client.orders.PlaceOrder(pre_order("near", customer="C1")).order
    past_east = client.orders.PlaceOrder(pre_order("past-east", customer="C2", at=LUJIAZUI)).order
    pickup = client.orders.PlaceOrder(pre_order("pickup", customer="C3", pickup_store="FAR")).order
    far_away = client.orders.PlaceOrder(pre_order("far-away", 2, customer="C4", at=HANGZHOU)).order
    shop.clock.now = CLOSES + timedelta(hours=1)

    planned = plan(client)
    assert {p.store_id: p.orders for p in planned.planned} == {"NEAR": 2, "FAR": 1, "W-NORTH": 1}
    assert not planned.unplanned
    where = {o.order_id: get(client, o.order_id) for o in (near, past_east, pickup, far_away)}
    assert {o.order_id: [s.store_id for s in o.shipments] for o in where.values()} == {
        near.order_id: ["NEAR"], past_east.order_id: ["NEAR"], pickup.order_id: ["FAR"], far_away.order_id: ["W-NORTH"],
    }
    assert all(o.status == orders_pb2.BACKORDERED for o in where.values())
    assert where[far_away.order_id].fulfilment == orders_pb2.FULFILMENT_EXPRESS
    assert where[near.order_id].fulfilment == orders_pb2.FULFILMENT_ONE_STORE
    explained = client.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=past_east.order_id))
    assert {p.store_id: p.reason_code for p in explained.passed_over}["EAST"] == "NOT_LISTED"
    expected = {"NEAR": (2, 2, 2, 0, 0, 2), "FAR": (1, 1, 1, 0, 0, 1), "W-NORTH": (1, 2, 2, 0, 0, 2)}
    assert locations(planned.progress) == expected
    assert (planned.progress.unplanned_orders, planned.progress.waiting_units, planned.progress.allocated_units) == (0, 5, 0)

    again = plan(client)
    assert not again.planned and not again.unplanned
    assert locations(again.progress) == expected and again.progress == progress(client)


def test_the_goods_received_serve_the_earliest_pre_orders_first(shop):
    client = shop.client
    client.launches.SetPreSale(pre_sale(units=10))
    first = client.orders.PlaceOrder(pre_order("first", 2, customer="C1")).order
    shop.clock.now += timedelta(minutes=1)
    second = client.orders.PlaceOrder(pre_order("second", 1, customer="C2")).order
    shop.clock.now = CLOSES + timedelta(hours=1)
    plan(client)
    assert locations(progress(client)) == {"NEAR": (2, 3, 3, 0, 0, 3)}

    shop.clock.now = SHIPS
    with running_store_work(shop.app):
        client.inventory.ReceiveStock(receipt("NEAR", {PHONE: 2}, movement_id="DN-1", reference=REFERENCE))
        assert get(client, first.order_id).status == orders_pb2.ALLOCATED
        assert get(client, second.order_id).status == orders_pb2.BACKORDERED
        figures = progress(client)
        assert locations(figures) == {"NEAR": (2, 3, 3, 2, 2, 1)}
        assert (figures.allocated_units, figures.waiting_units) == (2, 1)
        assert first.order_id in in_queue(client, "NEAR") and second.order_id not in in_queue(client, "NEAR")

        client.inventory.ReceiveStock(receipt("NEAR", {PHONE: 1}, movement_id="DN-2", reference=REFERENCE))
        assert get(client, second.order_id).status == orders_pb2.ALLOCATED
        figures = progress(client)
        assert locations(figures) == {"NEAR": (2, 3, 3, 3, 3, 0)}
        assert (figures.allocated_units, figures.waiting_units, figures.units_left) == (3, 0, 7)
        assert set(in_queue(client, "NEAR")) >= {first.order_id, second.order_id}

    history = client.orders.GetOrderHistory(orders_pb2.GetOrderHistoryRequest(order_id=first.order_id)).entries
    steps = [e.step for e in history]
    assert steps[:3] == ["PRE_ORDERED", "PLANNED", "ALLOCATED"], steps
    assert history[1].caller_role == "ops" and history[1].store_id == "NEAR"
    assert "pre-sale" in history[0].summary and "arrived at store NEAR" in history[2].summary


def test_a_pre_order_no_location_can_take_stays_pre_ordered_with_the_reason(shop):
    client = shop.client  # no warehouse: nothing reaches Hangzhou
    client.launches.SetPreSale(pre_sale(units=10))
    stranded = client.orders.PlaceOrder(pre_order("far-away", customer="C4", at=HANGZHOU)).order
    client.orders.PlaceOrder(pre_order("near", customer="C1"))
    shop.clock.now = CLOSES + timedelta(hours=1)
    planned = plan(client)
    assert {p.store_id: p.orders for p in planned.planned} == {"NEAR": 1}
    assert [u.order_id for u in planned.unplanned] == [stranded.order_id]
    assert planned.unplanned[0].reason.startswith("no active store delivers to"), planned.unplanned[0].reason
    assert get(client, stranded.order_id).status == orders_pb2.PRE_ORDERED
    assert (planned.progress.unplanned_orders, planned.progress.unplanned_units, planned.progress.waiting_units) == (1, 1, 2)
