"""A typed client for our services, used by the demo, the benchmarks and the tests.

Every call carries the caller's bearer token: either one token for every call (`token=`,
what a real caller has), or `tokens=`, a function choosing the token by the method and the
request (the demo and the tests play several callers over one channel; see `cast.Cast`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2_grpc

from protos.omo.v1 import (
    dealers_pb2_grpc,
    fulfilment_pb2_grpc,
    inventory_pb2_grpc,
    launches_pb2_grpc,
    orders_pb2_grpc,
    pos_pb2_grpc,
    stock_query_pb2_grpc,
    stores_pb2_grpc,
    transfers_pb2_grpc,
)

# (full method name without the leading slash, the request or a stream's first request) -> token or None
TokenChooser = Callable[[str, Any], "str | None"]


class OmoClient:
    def __init__(
        self, target: str, token: str | None = None, tokens: TokenChooser | None = None,
        channel_credentials: grpc.ChannelCredentials | None = None, options: list[tuple[str, Any]] | None = None,
    ):
        if token is not None and tokens is not None:
            raise ValueError("give one token or a token chooser, not both")
        if channel_credentials is None:
            self._raw_channel = grpc.insecure_channel(target, options=options)
        else:
            self._raw_channel = grpc.secure_channel(target, channel_credentials, options=options)
        chooser = tokens if tokens is not None else (lambda method, request: token)
        self.channel = grpc.intercept_channel(self._raw_channel, BearerToken(chooser, needs_request=tokens is not None))
        self.stores = stores_pb2_grpc.StoreServiceStub(self.channel)
        self.inventory = inventory_pb2_grpc.InventoryServiceStub(self.channel)
        self.orders = orders_pb2_grpc.OrderServiceStub(self.channel)
        self.fulfilment = fulfilment_pb2_grpc.FulfilmentServiceStub(self.channel)
        self.pos = pos_pb2_grpc.PosServiceStub(self.channel)
        self.transfers = transfers_pb2_grpc.TransferServiceStub(self.channel)
        self.stock = stock_query_pb2_grpc.StockQueryServiceStub(self.channel)
        self.dealers = dealers_pb2_grpc.DealerServiceStub(self.channel)
        self.cloud_shops = dealers_pb2_grpc.CloudShopServiceStub(self.channel)
        self.launches = launches_pb2_grpc.LaunchServiceStub(self.channel)
        self.health = health_pb2_grpc.HealthStub(self.channel)

    def close(self) -> None:
        self._raw_channel.close()

    def __enter__(self) -> OmoClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class _CallDetails(grpc.ClientCallDetails):
    method: str
    timeout: float | None
    metadata: Any
    credentials: Any
    wait_for_ready: Any
    compression: Any


def _first_and_all(requests: Iterator[Any]) -> tuple[Any, Iterator[Any]]:
    """The first request of a stream (None when empty) and the whole stream again."""
    requests = iter(requests)
    for first in requests:
        return first, itertools.chain((first,), requests)
    return None, iter(())


class BearerToken(
    grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor,
):
    """Adds `authorization: Bearer <token>` to every call (none when the chooser gives None)."""

    def __init__(self, choose: TokenChooser, needs_request: bool):
        self.choose = choose
        self.needs_request = needs_request

    def _with_token(self, details: grpc.ClientCallDetails, request: Any) -> grpc.ClientCallDetails:
        token = self.choose(details.method.lstrip("/"), request)
        metadata = [item for item in (details.metadata or ()) if item[0] != "authorization"]
        if token is not None:
            metadata.append(("authorization", f"Bearer {token}"))
        return _CallDetails(details.method, details.timeout, metadata, details.credentials, details.wait_for_ready, details.compression)

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._with_token(client_call_details, request), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._with_token(client_call_details, request), request)

    def _streaming(self, continuation, details, request_iterator):
        first = None
        if self.needs_request:
            first, request_iterator = _first_and_all(request_iterator)
        return continuation(self._with_token(details, first), request_iterator)

    intercept_stream_unary = _streaming
    intercept_stream_stream = _streaming
