"""The floor under any PlaceOrder on this machine: a gRPC server that does nothing for an order
but what every design must (receive the real request, write it durably, answer), to measure
beside the real server in the same run.

Each call's request is queued; one thread takes what has queued and inserts it in one
transaction (group commit, as our order writer does), and a call is answered only after that
commit. No authentication, routing, stock, events or projections: whatever checkout does on
top of this costs more, so its rate is an upper bound on ours.

    python -m bench.floor_server --port P --dsn DSN   (serves until terminated)
"""

from __future__ import annotations

import argparse
import queue
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager

import grpc
import psycopg2
from psycopg2.extras import execute_values

from protos.omo.v1 import orders_pb2
from services.adapters.config import libpq_url

METHOD = "/omo.bench.v1.Floor/PlaceOrder"
MAX_BATCH = 128


def group_commit(dsn: str, inbox: queue.SimpleQueue) -> None:
    connection = psycopg2.connect(dsn)
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS floor_orders (idempotency_key text PRIMARY KEY, request bytea NOT NULL)")
    while True:
        batch = [inbox.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(inbox.get(block=False))
            except queue.Empty:
                break
        rows = {request.idempotency_key: (request.idempotency_key, request.SerializeToString()) for request, _ in batch}
        try:
            with connection, connection.cursor() as cursor:
                execute_values(cursor, "INSERT INTO floor_orders VALUES %s ON CONFLICT DO NOTHING", list(rows.values()))
        except Exception as error:  # noqa: BLE001 - every caller must hear
            for _, done in batch:
                done.set_exception(error)
            continue
        for _, done in batch:
            done.set_result(None)


def serve(port: int, dsn: str, workers: int) -> grpc.Server:
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=group_commit, args=(dsn, inbox), daemon=True).start()

    def place_order(request: orders_pb2.PlaceOrderRequest, context: grpc.ServicerContext) -> orders_pb2.PlaceOrderResponse:
        done: futures.Future = futures.Future()
        inbox.put((request, done))
        done.result(timeout=30)
        return orders_pb2.PlaceOrderResponse(order=orders_pb2.Order(
            order_id=str(uuid.uuid4()), idempotency_key=request.idempotency_key, customer_id=request.customer_id,
            lines=request.lines,
        ))

    handler = grpc.unary_unary_rpc_method_handler(
        place_order, request_deserializer=orders_pb2.PlaceOrderRequest.FromString,
        response_serializer=orders_pb2.PlaceOrderResponse.SerializeToString,
    )
    service, method = METHOD.strip("/").split("/")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(service, {method: handler})])
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server


@contextmanager
def floor_process(database_url: str, port: int) -> Iterator[str]:
    """The floor server in a process of its own (its own interpreter lock, as `omo serve`'s
    writer has) on the database of `database_url`; yields its address."""
    dsn = libpq_url(database_url)
    command = [sys.executable, "-m", "bench.floor_server", "--port", str(port), "--dsn", dsn]
    process = subprocess.Popen(command)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=60)
        channel.close()
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def placer(channel: grpc.Channel):
    """PlaceOrder on the floor server, called like a stub's method."""
    return channel.unary_unary(
        METHOD, request_serializer=orders_pb2.PlaceOrderRequest.SerializeToString,
        response_deserializer=orders_pb2.PlaceOrderResponse.FromString,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True, help="a psycopg2 connection string")
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()
    server = serve(args.port, args.dsn, args.workers)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.stop(grace=2)


if __name__ == "__main__":
    main()
