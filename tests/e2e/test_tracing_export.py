"""`omo serve` as an operator runs it: with the standard OTEL_EXPORTER_OTLP_ENDPOINT set it
exports its spans over OTLP/gRPC (to a collector played here), the order writer in its own
process included, and the writer's batches reach the server's metrics; without it, nothing is
set up; an exporter protocol it does not speak is refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent import futures

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from bench.common import free_port, wait_until_serving
from tests.e2e.test_metrics import REPO, place_a_few_orders, scrape, token

ORDERS = 3


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'omo.db'}", "PYTHONPATH": str(REPO)}


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP trace collector that keeps what it is sent."""

    def __init__(self) -> None:
        self.spans: list = []
        self.services: set[str] = set()

    def Export(self, request, context):  # noqa: N802 - the protocol's name
        for resource_spans in request.resource_spans:
            self.services |= {a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"}
            for scope in resource_spans.scope_spans:
                self.spans.extend(scope.spans)
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture
def collector():
    kept = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(kept, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield kept, port
    server.stop(0)


def children(spans: list, parent) -> dict[str, list]:
    found: dict[str, list] = {}
    for span in spans:
        if span.trace_id == parent.trace_id and span.parent_span_id == parent.span_id:
            found.setdefault(span.name, []).append(span)
    return found


def test_spans_reach_the_collector_from_the_call_to_the_commit_in_the_writer_process(env, collector):
    kept, collector_port = collector
    env = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector_port}", "OTEL_BSP_SCHEDULE_DELAY": "100"}
    ops, checkout = token(env, "ops"), token(env, "checkout")
    port, metrics_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--order-writer", "process", "--no-projection",
         "--metrics-port", str(metrics_port), "--log-format", "json"],
        cwd=REPO, env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_until_serving(f"127.0.0.1:{port}", server)
        place_a_few_orders(port, ops, checkout)
        figures = scrape(metrics_port)
        # the writer's process batches them; its figures reach this process's endpoint
        assert figures[("omo_order_writer_batch_size_count", ())] >= 1
        assert figures[("omo_order_writer_batch_size_sum", ())] == ORDERS
        assert figures[("omo_order_writer_save_seconds_count", ())] == figures[("omo_order_writer_batch_size_count", ())]
        deadline = time.monotonic() + 30
        while len([s for s in kept.spans if s.name == "omo.order_writer.save"]) < ORDERS:
            assert time.monotonic() < deadline, sorted({s.name for s in kept.spans})
            time.sleep(0.1)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert kept.services == {"omo-server"}
    placing = [s for s in kept.spans if s.name == "/omo.v1.OrderService/PlaceOrder"]
    assert len(placing) == ORDERS
    for rpc in placing:
        below = children(kept.spans, rpc)
        assert set(below) == {"omo.route", "omo.order_writer.place"}
        (place,) = below["omo.order_writer.place"]
        (batch,) = children(kept.spans, place)["omo.order_writer.batch"]
        (save,) = children(kept.spans, batch)["omo.order_writer.save"]
        assert rpc.start_time_unix_nano <= place.start_time_unix_nano <= batch.start_time_unix_nano
        assert batch.start_time_unix_nano <= save.start_time_unix_nano <= save.end_time_unix_nano <= batch.end_time_unix_nano
        assert batch.end_time_unix_nano <= place.end_time_unix_nano <= rpc.end_time_unix_nano
    access = [json.loads(line) for line in err.splitlines() if '"omo.access"' in line and "PlaceOrder" in line]
    assert sorted(a["trace_id"] for a in access) == sorted(rpc.trace_id.hex() for rpc in placing)


def test_without_an_endpoint_no_tracer_provider_is_set_up(env):
    env = {k: v for k, v in env.items() if not k.startswith("OTEL_")}
    probe = (
        "from opentelemetry import trace; from services.adapters.tracing import configure_tracing; "
        "print(configure_tracing('omo-server'), type(trace.get_tracer_provider()).__name__)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert shown.stdout.split() == ["False", "ProxyTracerProvider"], shown.stderr


def test_an_exporter_protocol_it_does_not_speak_is_refused_in_one_line(env):
    env = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}
    run = subprocess.run([sys.executable, "-m", "services.cli", "serve", "--port", str(free_port())], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "omo serve: error: OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: traces are exported over OTLP/gRPC only; unset it or set it to grpc"
    ]
