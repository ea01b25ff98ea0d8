"""bench/store_queue.py end to end with tiny parameters: every shipment the checkout placed
reached its own store's stream and no other, and the figures come out under their keys."""

from __future__ import annotations

import json

import pytest

from bench import store_queue
from tests.conftest import postgres_schema_url

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("where", [[], ["--stream-port"]], ids=["streams on the main port", "streams on the stream port"])
def test_every_placed_shipment_reaches_its_own_stores_stream(postgres_database, tmp_path, where):
    out = tmp_path / "store_queue.json"
    url = postgres_schema_url(postgres_database)

    status = store_queue.main(["--quick", "--stores", "20", "--seconds", "2", "--rate", "50", "--grace", "3",
                               "--database-url", url, "--json", str(out), *where])

    figures = json.loads(out.read_text())
    assert status == 0
    for key in ("stores", "orders_per_s", "p50_ms", "p99_ms", "missed", "misdelivered",
                "place_p99_ms_without_streams", "place_p99_ms_with_streams", "health_p99_ms", "reconnects", "machine"):
        assert key in figures, key
    assert figures["stores"] == 20
    assert figures["stream_port"] == bool(where)
    assert figures["streams"] == 26  # the stores and the regional warehouses
    assert figures["missed"] == 0
    assert figures["misdelivered"] == 0
    assert figures["duplicates"] == 0
    assert figures["unknown_orders_seen"] == 0  # the warm-up's orders are checked too
    # the checkout placed orders in both phases and the streams carried the second phase's
    assert figures["placed_per_s_without_streams"] > 0 and figures["placed_per_s_with_streams"] > 0
    assert figures["shipments_measured"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
