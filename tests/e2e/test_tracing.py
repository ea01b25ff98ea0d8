"""Traces: with a tracer provider set up, a PlaceOrder is one trace from the call to the
commit (the RPC's span, routing, the handing over to the order writer, the batch the order
went in and its save), joining the caller's trace when the call carries one, and its access
line names the trace. The SDK's in-memory exporter collects what the server made."""

from __future__ import annotations

import logging

import grpc
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from aggregates.order import Order
from grpc_health.v1 import health_pb2, health_pb2_grpc
from protos.omo.v1 import orders_pb2
from services.api.server import start_server
from services.client.client import OmoClient
from tests.builders import BEIJING, PEOPLES_SQUARE, line, order, receipt, refused, store

CALLER_TRACE = 0x4BF92F3577B34DA6A3CE929D0E0E4736
TRACEPARENT = f"00-{CALLER_TRACE:032x}-00f067aa0ba902b7-01"


class Collecting(SpanProcessor):
    """Hands finished spans to the test's exporter while a test collects them. A process sets
    its tracer provider once (the tracers made before hold on to it), so the provider set here
    stays for the rest of the run and drops its spans outside these tests."""

    exporter: InMemorySpanExporter | None = None

    def on_end(self, span) -> None:
        if self.exporter is not None:
            self.exporter.export((span,))


COLLECTING = Collecting()


@pytest.fixture
def spans():
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(COLLECTING)
        trace.set_tracer_provider(provider)
    COLLECTING.exporter = InMemorySpanExporter()
    yield COLLECTING.exporter
    COLLECTING.exporter = None


@pytest.fixture
def traced_client(app, cast, spans):
    running = start_server(app, host="127.0.0.1", port=0, tracing=True)
    with OmoClient(f"127.0.0.1:{running.port}", tokens=cast) as client:
        client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
        client.inventory.ReceiveStock(receipt("S1", {"TEA": 5}))
        spans.clear()
        yield client, running.port
    running.stop(grace=1)


def tree(finished, root) -> dict:
    """{name: subtree} under `root`, from the spans' parents."""
    children = [s for s in finished if s.parent is not None and s.parent.span_id == root.context.span_id]
    return {s.name: tree(finished, s) for s in children}


def placing_trace(exporter):
    finished = exporter.get_finished_spans()
    (rpc,) = [s for s in finished if s.name == "/omo.v1.OrderService/PlaceOrder"]
    return rpc, [s for s in finished if s.context.trace_id == rpc.context.trace_id]


def test_a_placed_order_is_one_trace_from_the_call_to_the_commit(traced_client, spans, caplog):
    client, _ = traced_client
    with caplog.at_level(logging.INFO, logger="omo.access"):
        placed = client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("TEA", 2)))
    rpc, in_trace = placing_trace(spans)
    assert rpc.kind is trace.SpanKind.SERVER and rpc.parent is None
    assert tree(in_trace, rpc) == {
        "omo.route": {},
        "omo.order_writer.place": {"omo.order_writer.batch": {"omo.order_writer.save": {}}},
    }
    by_name = {s.name: s for s in in_trace}
    route, place, batch, save = (by_name[n] for n in ("omo.route", "omo.order_writer.place", "omo.order_writer.batch", "omo.order_writer.save"))
    # one after the other, each inside its parent: the order can be followed in time
    assert rpc.start_time <= route.start_time <= route.end_time <= place.start_time
    assert place.start_time <= batch.start_time <= save.start_time <= save.end_time <= batch.end_time <= place.end_time <= rpc.end_time
    assert route.attributes["omo.fulfilment"] == "ONE_STORE"
    assert place.attributes["omo.outcome"] == "Placed"
    assert batch.attributes["omo.batch.size"] == 1 and batch.attributes["omo.batch.conflicts"] == 0
    assert rpc.attributes["omo.caller.role"] == "checkout"
    assert rpc.attributes["rpc.grpc.status_code"] == grpc.StatusCode.OK.value[0]
    assert place.attributes["omo.order_id"] == str(Order.create_id("k1"))
    assert placed.order.status == orders_pb2.ALLOCATED
    (access,) = [r for r in caplog.records if r.name == "omo.access" and "PlaceOrder" in r.getMessage()]
    assert access.access["trace_id"] == format(rpc.context.trace_id, "032x")
    assert f"trace {access.access['trace_id']}" in access.getMessage()


def test_a_call_carrying_a_trace_joins_it(traced_client, spans):
    client, _ = traced_client
    client.orders.PlaceOrder(order("k1", PEOPLES_SQUARE, line("TEA", 1)), metadata=[("traceparent", TRACEPARENT)])
    finished = spans.get_finished_spans()
    (rpc,) = [s for s in finished if s.name == "/omo.v1.OrderService/PlaceOrder"]
    assert rpc.context.trace_id == CALLER_TRACE
    assert rpc.parent is not None and rpc.parent.span_id == 0x00F067AA0BA902B7
    assert {s.name for s in finished if s.context.trace_id == CALLER_TRACE} >= {"omo.route", "omo.order_writer.batch", "omo.order_writer.save"}


def test_a_refused_order_ends_at_routing_with_the_refusal_on_its_spans(traced_client, spans):
    client, _ = traced_client
    error = refused(client.orders.PlaceOrder, order("k1", BEIJING, line("TEA", 1)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    rpc, in_trace = placing_trace(spans)
    assert "omo.order_writer.batch" not in {s.name for s in in_trace}
    routes = [s for s in in_trace if s.name == "omo.route"]
    assert routes and all(s.status.status_code is trace.StatusCode.ERROR for s in routes)
    # the caller's mistake, not the server's: OpenTelemetry's conventions leave the server span's status unset
    assert rpc.status.status_code is trace.StatusCode.UNSET
    assert rpc.attributes["rpc.grpc.status_code"] == grpc.StatusCode.FAILED_PRECONDITION.value[0]


def test_health_checks_make_no_spans(traced_client, spans):
    _, port = traced_client
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    assert spans.get_finished_spans() == ()
