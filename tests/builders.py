"""Request builders that read like the business: a store in Shanghai, an order for two units."""

from __future__ import annotations

from datetime import datetime

import grpc
import pytest

from protos.omo.v1 import common_pb2, dealers_pb2, inventory_pb2, orders_pb2, stores_pb2

PEOPLES_SQUARE = (31.2304, 121.4737)
JINGAN_TEMPLE = (31.2243, 121.4468)
LUJIAZUI = (31.2397, 121.4998)
XUJIAHUI = (31.1955, 121.4365)
BEIJING = (39.9042, 116.4074)


def lat_lng(point: tuple[float, float]) -> common_pb2.LatLng:
    return common_pb2.LatLng(latitude=point[0], longitude=point[1])


def store(store_id: str, at: tuple[float, float], radius_km: float = 5.0, active: bool = True, **fields) -> stores_pb2.UpsertStoreRequest:
    return stores_pb2.UpsertStoreRequest(
        store_id=store_id,
        name=fields.pop("name", f"Store {store_id}"),
        location=lat_lng(at),
        province=fields.pop("province", "Shanghai"),
        city=fields.pop("city", "Shanghai"),
        delivery_radius_km=radius_km,
        daily_order_capacity=fields.pop("daily_order_capacity", 200),
        active=active,
        **fields,
    )


def register_dealers(client, *dealer_ids: str, region_id: str = "R-EAST") -> None:
    """Registers the dealers (and their region), so stores can name them as owners."""
    client.dealers.RegisterRegion(dealers_pb2.RegisterRegionRequest(region=dealers_pb2.Region(region_id=region_id, name=region_id)))
    for dealer_id in dealer_ids:
        client.dealers.RegisterDealer(
            dealers_pb2.RegisterDealerRequest(dealer=dealers_pb2.Dealer(dealer_id=dealer_id, name=f"Dealer {dealer_id}", region_id=region_id))
        )


def register_dealers_in(app, *dealer_ids: str, region_id: str = "R-EAST") -> None:
    """`register_dealers` without gRPC, for application-level tests."""
    from domain.dealers import Dealer, Region
    from services.use_cases.network.dealers import register_dealer, register_region

    register_region(app, Region.create(region_id, region_id))
    for dealer_id in dealer_ids:
        register_dealer(app, Dealer.create(dealer_id, f"Dealer {dealer_id}", region_id))


def receipt(store_id: str, quantities: dict[str, int], movement_id: str = "", reference: str = "") -> inventory_pb2.ReceiveStockRequest:
    return inventory_pb2.ReceiveStockRequest(
        store_id=store_id,
        movement_id=movement_id,
        reference=reference,
        lines=[inventory_pb2.StockLine(sku=sku, quantity=q) for sku, q in quantities.items()],
    )


def line(sku: str, quantity: int, cents: int = 1990, currency: str = "CNY") -> orders_pb2.OrderLine:
    return orders_pb2.OrderLine(sku=sku, quantity=quantity, unit_price=common_pb2.Money(cents=cents, currency=currency))


def order(key: str, at: tuple[float, float], *lines: orders_pb2.OrderLine, customer: str = "C1", pickup_store: str = "") -> orders_pb2.PlaceOrderRequest:
    return orders_pb2.PlaceOrderRequest(
        idempotency_key=key,
        customer_id=customer,
        customer_location=lat_lng(at),
        lines=list(lines),
        fulfilment_mode=common_pb2.PICKUP if pickup_store else common_pb2.DELIVERY,
        pickup_store_id=pickup_store,
    )


def position(client, store_id: str, sku: str) -> inventory_pb2.StockPosition:
    return client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=store_id, sku=sku)).position


def refused(call, request) -> grpc.RpcError:
    """The error a call is refused with; fails the test when the call succeeds."""
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return caught.value


def race(ports: list[int], requests: list, token: str) -> list:
    """Every PlaceOrder request from its own thread and channel, released at the same moment,
    spread over the servers on `ports`, all from the checkout caller holding `token`: the
    responses, or the errors."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from services.client.client import OmoClient

    start = threading.Barrier(len(requests))

    def buy(numbered):
        n, request = numbered
        with OmoClient(f"127.0.0.1:{ports[n % len(ports)]}", token=token) as buyer:
            start.wait()
            try:
                return buyer.orders.PlaceOrder(request, timeout=60)
            except grpc.RpcError as error:
                return error

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(buy, enumerate(requests)))


class FakeClock:
    """A monotonic clock in nanoseconds that moves only when told."""

    def __init__(self) -> None:
        self.now_ns = 10**12

    def __call__(self) -> int:
        return self.now_ns

    def advance(self, ms: float) -> None:
        self.now_ns += int(ms * 1_000_000)


class SetClock:
    """The application's wall clock, at the moment a test sets (`now`)."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now
