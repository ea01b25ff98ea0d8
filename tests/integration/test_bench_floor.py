"""bench/floor_server.py: the floor checkout is measured against answers an order only after
its request is committed, once per idempotency key, as checkout must."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import psycopg2
import pytest

from bench.common import free_port
from bench.floor_server import floor_process, placer
from protos.omo.v1 import common_pb2, orders_pb2
from services.adapters.config import libpq_url
from tests.conftest import postgres_schema_url

pytestmark = pytest.mark.postgres


def committed_keys(url: str) -> list[str]:
    connection = psycopg2.connect(libpq_url(url))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT idempotency_key FROM floor_orders")
            return sorted(key for (key,) in cursor.fetchall())
    finally:
        connection.close()


def test_every_answered_order_is_committed_once_per_key(postgres_database):
    url = postgres_schema_url(postgres_database)
    requests = [
        orders_pb2.PlaceOrderRequest(
            idempotency_key=f"floor-{n:03d}", customer_id=f"C{n}",
            lines=[orders_pb2.OrderLine(sku="SKU-1", quantity=1, unit_price=common_pb2.Money(cents=999, currency="CNY"))],
        )
        for n in range(60)
    ]
    with floor_process(url, free_port()) as target, grpc.insecure_channel(target) as channel:
        place = placer(channel)
        with ThreadPoolExecutor(12) as pool:  # calls in flight: they are committed in groups
            answers = list(pool.map(lambda request: place(request, timeout=30), requests))
        retried = place(requests[0], timeout=30)
        committed = committed_keys(url)

    assert [a.order.idempotency_key for a in answers] == [r.idempotency_key for r in requests]
    assert retried.order.idempotency_key == requests[0].idempotency_key
    assert committed == [r.idempotency_key for r in requests]
