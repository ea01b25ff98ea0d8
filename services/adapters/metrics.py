"""Metrics in the Prometheus format, on a port of their own (`--metrics-port`), from the
Prometheus project's client library. A process's registry: calls by method and status code with
their latency and how many are in flight, the gate's refusals, the live index's position and
lag, the order writer's queue, restarts, batches, saves and version conflicts (the writer
sends each batch's figures back, from its own process too), each projection's position and lag, the events each projection
applied in this process (or its children), and the streams open. Figures read from the database
are read when Prometheus scrapes, not on the calls' path."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

REGISTRY = CollectorRegistry(auto_describe=True)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

RPC_CALLS = Counter("omo_rpc_calls", "Calls answered, by method and status code", ["method", "code"], registry=REGISTRY)
RPC_SECONDS = Histogram("omo_rpc_duration_seconds", "Time in the server per call, the gate included", ["method"],
                        buckets=LATENCY_BUCKETS, registry=REGISTRY)
RPC_IN_FLIGHT = Gauge("omo_rpc_in_flight", "Calls being served now", registry=REGISTRY)
GATE_REFUSALS = Counter("omo_gate_refusals", "Calls the gate refused before any servicer, by status code "
                        "(UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED: rate and buyer limits, INVALID_ARGUMENT: "
                        "request limits)", ["code"], registry=REGISTRY)
WRITER_BATCH = Histogram("omo_order_writer_batch_size", "Placements per batch the order writer saved",
                         buckets=(1, 2, 4, 8, 16, 32, 64, 128), registry=REGISTRY)
WRITER_SAVE_SECONDS = Histogram("omo_order_writer_save_seconds", "Time to decide and save one batch, retries included", buckets=LATENCY_BUCKETS,
                                registry=REGISTRY)
WRITER_CONFLICTS = Counter("omo_order_writer_conflicts", "Attempts thrown away on a version conflict and decided again "
                           "(a whole batch, or one placement once batches kept conflicting)",
                           registry=REGISTRY)
WRITER_RESTARTS = Counter("omo_order_writer_restarts", "Times the order writer's process died and was started again",
                          registry=REGISTRY)


class Readings:
    """Gauges read at scrape time: `read()` returns [(name, help, labels, value)] for each."""

    def __init__(self, read: Callable[[], Iterable[tuple[str, str, dict[str, str], float]]]):
        self.read = read

    def collect(self) -> Iterable[Any]:
        families: dict[str, GaugeMetricFamily] = {}
        for name, text, labels, value in self.read():
            family = families.get(name)
            if family is None:
                family = families[name] = GaugeMetricFamily(name, text, labels=sorted(labels))
            family.add_metric([labels[k] for k in sorted(labels)], value)
        return list(families.values())

    def describe(self) -> Iterable[Any]:
        return []


class ProjectionEventsApplied:
    """The events each projection applied, counted by the runners as their batches commit (a
    runner cannot count into this registry itself: projections know nothing of the services)."""

    def collect(self) -> Iterable[Any]:
        from projections.definitions import PROJECTIONS
        from services.adapters.projection_runners import APPLIED

        family = CounterMetricFamily(
            "omo_projection_events_applied", "Events a projection applied in this process (or its children), "
            "of the kinds it reads", labels=["projection"],
        )
        counts = APPLIED.counts()
        for name in PROJECTIONS:  # 0 until the first: a rate from the start
            family.add_metric([name], counts.get(name, 0))
        return [family]

    def describe(self) -> Iterable[Any]:
        return []


REGISTRY.register(ProjectionEventsApplied())


def watch(read: Callable[[], Iterable[tuple[str, str, dict[str, str], float]]]) -> None:
    """Adds gauges read at each scrape."""
    REGISTRY.register(Readings(read))


def serve_metrics(host: str, port: int) -> Any:
    """The endpoint, /metrics on host:port, on a thread of its own: (server, thread)."""
    return start_http_server(port, addr=host, registry=REGISTRY)


def projection_readings(application: Any, url: str) -> Callable[[], list[tuple[str, str, dict[str, str], float]]]:
    """Each projection's position and lag (events and seconds) behind `application`'s event
    store, read from the tracking table at each scrape."""
    from projections.definitions import PROJECTIONS
    from projections.runtime.database import read_engine
    from projections.runtime.runner import projection_status

    engine = read_engine(url)

    def read() -> list[tuple[str, str, dict[str, str], float]]:
        found = []
        for name, projection in PROJECTIONS.items():
            try:
                status = projection_status(engine, projection.event_log(application), name)
            except Exception:  # noqa: BLE001 - not made yet, or the database away: no figure this scrape
                continue
            labels = {"projection": name}
            found += [
                ("omo_projection_position", "The last event a projection applied (notification id)", labels, status.position),
                ("omo_projection_lag_events", "Events recorded that a projection has not applied yet", labels, status.lag_events),
                ("omo_projection_lag_seconds", "How old the oldest event a projection has not applied is", labels, status.lag_seconds),
            ]
        return found

    return read


def server_readings(app: Any, streams_open: Callable[[], int]) -> Callable[[], list[tuple[str, str, dict[str, str], float]]]:
    """The live index's position and lag, the order writer's queue, the streams held open."""

    def read() -> list[tuple[str, str, dict[str, str], float]]:
        found = [
            ("omo_live_index_position", "The last event the server's live index applied", {}, app.index.position),
            ("omo_streams_open", "Streaming calls held open now (the stores' queues, stock watches, POS syncs)", {}, streams_open()),
        ]
        writer = app.started_order_writer
        if writer is not None and hasattr(writer, "queue_depth"):
            found.append(("omo_order_writer_queue_depth", "Placements handed to the order writer and not yet answered", {}, writer.queue_depth))
        with contextlib.suppress(Exception):  # the database away: no figure this scrape, the health service says why
            head = app.recorder.max_notification_id() or 0
            found.append(("omo_live_index_lag_events", "Events recorded that the live index has not applied yet", {}, max(head - app.index.position, 0)))
        return found

    return read
