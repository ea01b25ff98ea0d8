"""The gRPC server: our services, standard health checking and server reflection."""

from __future__ import annotations

from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from protos.omo.v1 import inventory_pb2, inventory_pb2_grpc, orders_pb2, orders_pb2_grpc, stores_pb2, stores_pb2_grpc
from services.api.servicers.inventory import InventoryServicer
from services.api.servicers.orders import OrderServicer
from services.api.servicers.stores import StoreServicer
from protos.omo.v1 import fulfilment_pb2, fulfilment_pb2_grpc, pos_pb2, pos_pb2_grpc, transfers_pb2, transfers_pb2_grpc
from services.api.servicers.fulfilment import FulfilmentServicer
from services.api.servicers.pos import PosServicer
from services.api.servicers.transfers import TransferServicer
from protos.omo.v1 import stock_query_pb2, stock_query_pb2_grpc
from services.api.servicers.stock_query import StockQueryServicer
from services.use_cases.reads.stock_queries import StockQueries
from protos.omo.v1 import dealers_pb2, dealers_pb2_grpc
from services.api.servicers.cloud_shops import CloudShopServicer
from services.api.servicers.dealers import DealerServicer
from protos.omo.v1 import launches_pb2, launches_pb2_grpc
from services.api.gate.buyer_guard import BuyerLimits
from services.api.servicers.launches import LaunchServicer
from projections.dealer_ledger.reader import LedgerReader
from projections.reconciliation.reader import ReconciliationReader
from projections.on_time.reader import OnTimeReader
from services.use_cases.reads.store_performance import StorePerformanceQueries
from services.use_cases.application import OmoApplication
from services.adapters.tracing import server_interceptor
from services.api.access_log import AccessLog
from services.api.open_services import is_open
from services.api.gate.interceptor import Admission, Gate
from services.api.stream_hosting import StreamHosting
from services.api.stream_limits import StreamLimits

SERVICE_NAMES = (
    stores_pb2.DESCRIPTOR.services_by_name["StoreService"].full_name,
    inventory_pb2.DESCRIPTOR.services_by_name["InventoryService"].full_name,
    orders_pb2.DESCRIPTOR.services_by_name["OrderService"].full_name,
    fulfilment_pb2.DESCRIPTOR.services_by_name["FulfilmentService"].full_name,
    pos_pb2.DESCRIPTOR.services_by_name["PosService"].full_name,
    transfers_pb2.DESCRIPTOR.services_by_name["TransferService"].full_name,
    stock_query_pb2.DESCRIPTOR.services_by_name["StockQueryService"].full_name,
    dealers_pb2.DESCRIPTOR.services_by_name["DealerService"].full_name,
    dealers_pb2.DESCRIPTOR.services_by_name["CloudShopService"].full_name,
    launches_pb2.DESCRIPTOR.services_by_name["LaunchService"].full_name,
)
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


class RunningServer:
    def __init__(
        self, server: grpc.Server, port: int, health_servicer: health.HealthServicer,
        streams: StreamHosting, stock: StockQueryServicer, closers: tuple = (),
    ):
        self.server = server
        self.port = port
        self.health = health_servicer
        self.streams = streams
        self.stock = stock
        self.closers = closers  # what runs beside the calls, stopped with them

    def stop(self, grace: float = 5.0) -> None:
        """Stops taking calls, lets calls in flight finish within grace seconds (held streams
        are ended first: their clients reconnect elsewhere)."""
        self.health.enter_graceful_shutdown()
        for close in self.closers:
            close()
        self.server.stop(grace).wait()
        self.stock.close()
        self.streams.close()
        self.stock.queries.close()


def start_server(
    app: OmoApplication, host: str = "127.0.0.1", port: int = 50051, workers: int = 16,
    credentials: grpc.ServerCredentials | None = None, admissions: tuple[Admission, ...] = (),
    stream_limits: StreamLimits = StreamLimits(), max_message_bytes: int = MAX_MESSAGE_BYTES,
    buyer_limits: BuyerLimits = BuyerLimits(), access_log: bool = True, tracing: bool = False,
) -> RunningServer:
    """Starts serving on host:port (port 0 picks a free one) and returns the bound port.
    Every call but health checking and reflection passes the gate: a caller's token, its
    access rule and `admissions` (rate limits). `credentials`: serve TLS; plaintext without.
    `stream_limits`: how long streams may last; `max_message_bytes`: a larger message is
    refused by gRPC itself (RESOURCE_EXHAUSTED) before it is read. `buyer_limits`: how fast
    one customer or device may place orders (the buyer guard). `tracing`: a span per call,
    from OpenTelemetry's gRPC instrumentation, into the tracer provider this process set up.

    Unary calls are served by `workers` threads, as many at once; every call with a streaming
    side runs on a thread of its own beside them, up to `stream_limits.max_streams` held at
    once (see StreamHosting)."""
    streams = StreamHosting(stream_limits.max_streams)
    # the call's span encloses the access line, which names its trace
    traced = [server_interceptor(is_open)] if tracing else []
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="omo-rpc"),
        interceptors=[streams, *traced, AccessLog(lines=access_log), Gate(app, admissions)],
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            ("grpc.so_reuseport", 0),
        ],
    )
    performance = StorePerformanceQueries(OnTimeReader.for_application(app))
    stores_pb2_grpc.add_StoreServiceServicer_to_server(StoreServicer(app, performance), server)
    inventory_pb2_grpc.add_InventoryServiceServicer_to_server(InventoryServicer(app), server)
    orders_pb2_grpc.add_OrderServiceServicer_to_server(OrderServicer(app, buyer_limits), server)
    fulfilment = FulfilmentServicer(app, watch_max_seconds=stream_limits.watch_max_seconds)
    fulfilment_pb2_grpc.add_FulfilmentServiceServicer_to_server(fulfilment, server)
    pos_pb2_grpc.add_PosServiceServicer_to_server(PosServicer(app, stream_limits), server)
    transfers_pb2_grpc.add_TransferServiceServicer_to_server(TransferServicer(app), server)
    stock = StockQueryServicer(StockQueries.for_application(app), stream_limits.watch_max_seconds)
    stock_query_pb2_grpc.add_StockQueryServiceServicer_to_server(stock, server)
    dealer_servicer = DealerServicer(app, LedgerReader.for_application(app), ReconciliationReader.for_application(app))
    dealers_pb2_grpc.add_DealerServiceServicer_to_server(dealer_servicer, server)
    dealers_pb2_grpc.add_CloudShopServiceServicer_to_server(CloudShopServicer(app), server)
    launches_pb2_grpc.add_LaunchServiceServicer_to_server(LaunchServicer(app), server)

    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in ("", *SERVICE_NAMES):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection((*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)

    address = f"{host}:{port}"
    try:
        bound = server.add_secure_port(address, credentials) if credentials is not None else server.add_insecure_port(address)
    except RuntimeError:  # grpc's way of saying the address cannot be bound
        bound = 0
    if bound == 0:
        raise OSError(f"cannot listen on {host}:{port}")
    server.start()
    return RunningServer(server, bound, health_servicer, streams, stock, closers=(fulfilment.close,))
