"""What an `omo serve` process says of itself on its metrics endpoint (`--metrics-port`), read
as Prometheus reads it: the order writer's queue and batches, calls in flight, streams held
open and the live index's lag. The console shows these; it holds no order writer itself."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from prometheus_client.parser import text_string_to_metric_families

READ_TIMEOUT_SECONDS = 2.0
MAX_BODY_BYTES = 4 * 1024 * 1024


class MetricsAddressInvalid(ValueError):
    pass


@dataclass(frozen=True)
class ServerReadings:
    url: str
    problem: str = ""  # why nothing was read; "" when the endpoint answered
    figures: dict[str, float] = field(default_factory=dict)

    def get(self, name: str) -> float | None:
        return self.figures.get(name)

    @property
    def mean_batch(self) -> float | None:
        batches = self.figures.get("omo_order_writer_batch_size_count")
        return self.figures["omo_order_writer_batch_size_sum"] / batches if batches else None

    @property
    def mean_save_ms(self) -> float | None:
        batches = self.figures.get("omo_order_writer_save_seconds_count")
        return 1000 * self.figures["omo_order_writer_save_seconds_sum"] / batches if batches else None


# the samples the console shows, summed over their labels
SHOWN = (
    "omo_order_writer_queue_depth", "omo_order_writer_batch_size_count", "omo_order_writer_batch_size_sum",
    "omo_order_writer_save_seconds_count", "omo_order_writer_save_seconds_sum", "omo_order_writer_conflicts_total",
    "omo_order_writer_restarts_total", "omo_rpc_in_flight", "omo_streams_open", "omo_live_index_position",
    "omo_live_index_lag_events",
)


def checked_address(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MetricsAddressInvalid(f"{url!r} is not an http(s) address such as http://127.0.0.1:9100/metrics")
    return url


def parsed(url: str, text: str) -> ServerReadings:
    figures: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in SHOWN:
                figures[sample.name] = figures.get(sample.name, 0.0) + sample.value
    return ServerReadings(url, figures=figures)


def read_server(url: str, timeout: float = READ_TIMEOUT_SECONDS) -> ServerReadings:
    """The endpoint's figures now, or why there are none (never raises for a server away)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - an address the operator gave
            body = answer.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        return ServerReadings(url, f"answered HTTP {error.code}")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return ServerReadings(url, f"not answering ({reason})")
    if len(body) > MAX_BODY_BYTES:
        return ServerReadings(url, "answered more than a metrics page holds")
    try:
        return parsed(url, body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return ServerReadings(url, f"answered something other than Prometheus metrics ({type(error).__name__})")
