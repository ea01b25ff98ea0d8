"""A limited-edition drop through the real gRPC server, on SQLite and PostgreSQL: HQ
operations set a launch, the checkout's orders are limited per customer and per device
(FAILED_PRECONDITION saying which limit), retries replay, orders outside the window are not
limited; a buyer ordering faster than a person is refused RESOURCE_EXHAUSTED with a retry
hint; and sixteen orders of one customer at once (on one server, and split over two servers
sharing the database) sell exactly the limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from aggregates.purchase_quota import PurchaseQuota
from protos.omo.v1 import launches_pb2, orders_pb2
from services.api.gate.buyer_guard import BuyerLimits
from services.client.client import OmoClient
from services.api.server import start_server
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from tests.builders import PEOPLES_SQUARE, line, order, position, race, receipt, refused, store

NOW = datetime.now(timezone.utc)
REACHED = "customer C-17 has ordered 1 of SKU AJ1-CHICAGO (limit 1 per customer in launch DROP-1)"
# no throttling of buyers: the quota alone must keep them to the limit
UNTHROTTLED = BuyerLimits(orders_per_second=100_000, burst=100_000)


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def launch(launch_id: str = "DROP-1", limits: dict[str, int] | None = None, total: int = 0,
           starts: datetime = NOW - timedelta(hours=1), ends: datetime | None = NOW + timedelta(hours=1)) -> launches_pb2.SetLaunchRequest:
    message = launches_pb2.Launch(
        launch_id=launch_id, max_units_per_buyer=total, starts_at=stamp(starts),
        sku_limits=[launches_pb2.SkuLimit(sku=sku, max_units_per_buyer=n) for sku, n in (limits or {"AJ1-CHICAGO": 1}).items()],
    )
    if ends is not None:
        message.ends_at.CopyFrom(stamp(ends))
    return launches_pb2.SetLaunchRequest(launch=message)


def pair(key: str, customer: str = "C-17", device: str = "", sku: str = "AJ1-CHICAGO", quantity: int = 1) -> orders_pb2.PlaceOrderRequest:
    request = order(key, PEOPLES_SQUARE, line(sku, quantity, cents=129900), customer=customer)
    request.device_id = device
    return request


@pytest.fixture
def drop_day(client):
    """A store with plenty of the drop's sneakers; ops has set DROP-1: one pair per buyer."""
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.inventory.ReceiveStock(receipt("S1", {"AJ1-CHICAGO": 100, "AJ1-LOW": 100}))
    client.launches.SetLaunch(launch())
    return client


def test_ops_sets_a_launch_and_setting_it_again_changes_nothing(client):
    first = client.launches.SetLaunch(launch(limits={"AJ1-CHICAGO": 1, "AJ1-LOW": 0}, total=2))
    assert (first.created, first.changed) == (True, True)
    again = client.launches.SetLaunch(launch(limits={"AJ1-LOW": 0, "AJ1-CHICAGO": 1}, total=2))
    assert (again.created, again.changed) == (False, False)
    read = client.launches.GetLaunch(launches_pb2.GetLaunchRequest(launch_id="DROP-1")).launch
    assert read == first.launch
    assert [(l.sku, l.max_units_per_buyer) for l in read.sku_limits] == [("AJ1-CHICAGO", 1), ("AJ1-LOW", 0)]
    assert read.max_units_per_buyer == 2 and read.starts_at.ToDatetime(timezone.utc) == NOW - timedelta(hours=1)


def test_a_launch_that_makes_no_sense_is_invalid_argument_naming_the_field(client):
    error = refused(client.launches.SetLaunch, launch(limits={"AJ1-CHICAGO": -1}))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("launch.sku_limits[0].max_units_per_buyer: must be >= 0")
    no_start = launch()
    no_start.launch.ClearField("starts_at")
    assert refused(client.launches.SetLaunch, no_start).details().startswith("launch.starts_at: is required")
    assert refused(client.launches.GetLaunch, launches_pb2.GetLaunchRequest(launch_id="DROP-9")).code() == grpc.StatusCode.NOT_FOUND


def test_a_customers_second_pair_is_refused_with_the_limit_and_a_retry_of_the_first_is_replayed(drop_day):
    first = drop_day.orders.PlaceOrder(pair("k1", device="iphone-9f2"))
    error = refused(drop_day.orders.PlaceOrder, pair("k2"))
    assert (error.code(), error.details()) == (grpc.StatusCode.FAILED_PRECONDITION, REACHED)
    again = refused(drop_day.orders.PlaceOrder, pair("k3"))  # refused by the server's memory now
    assert (again.code(), again.details()) == (grpc.StatusCode.FAILED_PRECONDITION, REACHED)
    retry = drop_day.orders.PlaceOrder(pair("k1", device="iphone-9f2"))
    assert (retry.order.order_id, retry.replayed) == (first.order.order_id, True)
    assert position(drop_day, "S1", "AJ1-CHICAGO").reserved == 1


def test_the_same_device_under_another_customer_id_is_refused_too(drop_day):
    drop_day.orders.PlaceOrder(pair("k1", customer="C-17", device="emulator-1"))
    error = refused(drop_day.orders.PlaceOrder, pair("k2", customer="C-99", device="emulator-1"))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == "device emulator-1 has ordered 1 of SKU AJ1-CHICAGO (limit 1 per device in launch DROP-1)"
    assert drop_day.orders.PlaceOrder(pair("k3", customer="C-99", device="iphone-9f2")).order.order_id


def test_orders_outside_the_launchs_window_and_of_other_skus_are_not_limited(drop_day):
    drop_day.launches.SetLaunch(launch("DROP-2", {"AJ1-LOW": 1}, starts=NOW + timedelta(days=1), ends=None))
    drop_day.launches.SetLaunch(launch("DROP-0", {"AJ1-LOW": 1}, starts=NOW - timedelta(days=2), ends=NOW - timedelta(days=1)))
    for key in ("k1", "k2", "k3"):
        drop_day.orders.PlaceOrder(pair(key, sku="AJ1-LOW"))
    assert position(drop_day, "S1", "AJ1-LOW").reserved == 3


def test_raising_the_limit_lets_a_refused_customer_buy_again_at_once(drop_day):
    drop_day.orders.PlaceOrder(pair("k1"))
    assert refused(drop_day.orders.PlaceOrder, pair("k2")).code() == grpc.StatusCode.FAILED_PRECONDITION
    changed = drop_day.launches.SetLaunch(launch(limits={"AJ1-CHICAGO": 2}))
    assert (changed.created, changed.changed) == (False, True)
    assert not drop_day.orders.PlaceOrder(pair("k2")).replayed
    assert "has ordered 2 of SKU AJ1-CHICAGO (limit 2" in refused(drop_day.orders.PlaceOrder, pair("k3")).details()


def test_a_malformed_device_id_is_invalid_argument(drop_day):
    error = refused(drop_day.orders.PlaceOrder, pair("k1", device="not a device"))
    assert (error.code(), error.details().split(":")[0]) == (grpc.StatusCode.INVALID_ARGUMENT, "device_id")


# --- a buyer ordering faster than a person -------------------------------------------------------

@pytest.fixture
def strict_client(app, cast) -> Iterator[OmoClient]:
    """A server letting each buyer place two orders at once, then one every 100 s."""
    running = start_server(app, port=0, buyer_limits=BuyerLimits(orders_per_second="0.01", burst=2))
    try:
        with OmoClient(f"127.0.0.1:{running.port}", tokens=cast) as c:
            yield c
    finally:
        running.stop(grace=1)


def test_a_buyer_over_their_rate_is_refused_with_a_retry_hint_and_others_are_served(strict_client):
    strict_client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    strict_client.inventory.ReceiveStock(receipt("S1", {"SOCKS": 100}))
    strict_client.orders.PlaceOrder(pair("k1", sku="SOCKS"))
    strict_client.orders.PlaceOrder(pair("k2", sku="SOCKS"))
    error = refused(strict_client.orders.PlaceOrder, pair("k3", sku="SOCKS"))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert error.details().startswith("too many orders from customer C-17: retry after")
    assert 90_000 <= int(dict(error.trailing_metadata())["retry-after-ms"]) <= 100_000
    assert strict_client.orders.PlaceOrder(pair("k4", customer="C-18", sku="SOCKS")).order.order_id
    assert position(strict_client, "S1", "SOCKS").reserved == 3


# --- concurrency --------------------------------------------------------------------------------

def _sold_to_one_customer_at_once(app: OmoApplication, client: OmoClient, ports: list[int], token: str) -> None:
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
    client.inventory.ReceiveStock(receipt("S1", {"AJ1-CHICAGO": 100}))
    client.launches.SetLaunch(launch(limits={"AJ1-CHICAGO": 3}))

    results = race(ports, [pair(f"scalper-{n}") for n in range(16)], token)

    won = [r for r in results if isinstance(r, orders_pb2.PlaceOrderResponse)]
    lost = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(won) == 3, [r.details() for r in lost]
    assert {e.code() for e in lost} == {grpc.StatusCode.FAILED_PRECONDITION}
    assert all("limit 3 per customer in launch DROP-1" in e.details() for e in lost)
    assert position(client, "S1", "AJ1-CHICAGO").reserved == 3
    app.catch_up()
    quota = app.find_afresh(PurchaseQuota.create_id("DROP-1", "customer:C-17"))
    assert quota.claimed == {"AJ1-CHICAGO": 3} and set(quota.claims) == {r.order.order_id for r in won}


def test_sixteen_orders_of_one_customer_at_once_buy_exactly_the_limit(app, cast):
    running = start_server(app, port=0, buyer_limits=UNTHROTTLED)
    try:
        with OmoClient(f"127.0.0.1:{running.port}", tokens=cast) as client:
            _sold_to_one_customer_at_once(app, client, [running.port], cast.token("checkout"))
    finally:
        running.stop(grace=1)


def test_two_servers_on_one_database_sell_one_customer_exactly_the_limit(database_url, app, cast):
    """Each server has its own order writer, cache and guard: only the quota's version in the
    event store keeps them apart."""
    other_app = build_application(database_url)
    first = start_server(app, port=0, buyer_limits=UNTHROTTLED)
    second = start_server(other_app, port=0, buyer_limits=UNTHROTTLED)
    try:
        with OmoClient(f"127.0.0.1:{first.port}", tokens=cast) as client:
            _sold_to_one_customer_at_once(app, client, [first.port, second.port], cast.token("checkout"))
    finally:
        first.stop(grace=1)
        second.stop(grace=1)
        other_app.close()
