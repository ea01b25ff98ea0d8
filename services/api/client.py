"""A typed client for our services, used by the demo, the benchmarks and the tests."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2_grpc

from protos.omo.v1 import (
    dealers_pb2_grpc,
    fulfilment_pb2_grpc,
    inventory_pb2_grpc,
    orders_pb2_grpc,
    pos_pb2_grpc,
    stock_query_pb2_grpc,
    stores_pb2_grpc,
    transfers_pb2_grpc,
)


class OmoClient:
    def __init__(self, target: str):
        self.channel = grpc.insecure_channel(target)
        self.stores = stores_pb2_grpc.StoreServiceStub(self.channel)
        self.inventory = inventory_pb2_grpc.InventoryServiceStub(self.channel)
        self.orders = orders_pb2_grpc.OrderServiceStub(self.channel)
        self.fulfilment = fulfilment_pb2_grpc.FulfilmentServiceStub(self.channel)
        self.pos = pos_pb2_grpc.PosServiceStub(self.channel)
        self.transfers = transfers_pb2_grpc.TransferServiceStub(self.channel)
        self.stock = stock_query_pb2_grpc.StockQueryServiceStub(self.channel)
        self.dealers = dealers_pb2_grpc.DealerServiceStub(self.channel)
        self.cloud_shops = dealers_pb2_grpc.CloudShopServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> OmoClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
