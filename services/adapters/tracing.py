"""Traces with OpenTelemetry: on when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, and nothing otherwise. The SDK exports over
OTLP/gRPC in batches off the calls' path; the sampler, the service name and the exporter's
other settings come from the SDK's standard variables (`OTEL_TRACES_SAMPLER`,
`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_HEADERS`, ...).

The spans: one per RPC (the gRPC instrumentation, joining a caller's trace when its metadata
carries one), routing, and the order writer's part: the handing over, the batch the order
went in and that batch's save. The writer may run in a process of its own; it sends each
batch's timings back with its outcomes and the batch and save spans are recorded here, on the
trace of each order the batch answered, so one slow order can be followed to its commit."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from services.adapters.config import ConfigurationError
from services.adapters.order_writer import BatchFigures

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
PROTOCOL_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
# omo.* span names: what an operator searches for beside the RPCs' own
WRITER_PLACE, WRITER_BATCH, WRITER_SAVE = "omo.order_writer.place", "omo.order_writer.batch", "omo.order_writer.save"

tracer = trace.get_tracer("omo")


def tracing_wanted() -> bool:
    return any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def configure_tracing(service_name: str) -> bool:
    """Sets this process's tracer provider to export to the configured endpoint; False (and
    nothing set) when no endpoint is."""
    if not tracing_wanted():
        return False
    for name in PROTOCOL_VARIABLES:
        protocol = os.environ.get(name, "grpc")
        if protocol != "grpc":
            raise ConfigurationError(f"{name}={protocol}: traces are exported over OTLP/gRPC only; unset it or set it to grpc")
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME, when set, wins over ours
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME") or service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return True


def record_batch(figures: BatchFigures) -> None:
    """The batch an order went in, and its save, as children of the current span (the
    order's handing over), at the times the writer measured them."""
    batch = tracer.start_span(
        WRITER_BATCH, start_time=figures.started_ns,
        attributes={"omo.batch.size": figures.size, "omo.batch.conflicts": figures.conflicts},
    )
    if figures.saved_from_ns:
        save = tracer.start_span(WRITER_SAVE, context=trace.set_span_in_context(batch), start_time=figures.saved_from_ns)
        save.end(end_time=figures.saved_until_ns)
    batch.end(end_time=figures.ended_ns)


def trace_id() -> str:
    """The current trace's id as the exporters write it (32 hex digits), or "" when none."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else ""


def server_interceptor(passed_over: Callable[[str], bool]) -> Any:
    """The gRPC instrumentation's interceptor, passing over the methods `passed_over` names
    (health checks, reflection: a load balancer's checks would drown the calls)."""
    from opentelemetry.instrumentation.grpc import server_interceptor as instrumented

    return instrumented(filter_=lambda details: not passed_over(details.method))
