"""The metrics endpoints scraped under a small load, as Prometheus would: `omo serve
--metrics-port` counts each call by method and status code with its latency, the gate's
refusals, the order writer's batches, and shows the live index's position; `omo project
--metrics-port` shows each projection catching up with the event store and counts the events
each applied, the stores' work in its child process included; so does a server that runs the
projections itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.common import free_port, wait_until_serving
from protos.omo.v1 import stores_pb2
from services.client.client import OmoClient
from tests.builders import PEOPLES_SQUARE, line, order, receipt, store

REPO = Path(__file__).resolve().parents[2]


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text) for s in family.samples
    }


def events_each_projection_reads(url: str) -> dict[str, int]:
    """Every event recorded of the kinds each projection reads, as its runner reads them."""
    from projections.definitions import PROJECTIONS
    from services.bootstrap import event_store

    store = event_store(url)
    try:
        return {name: len(p.event_log(store).read(0, 1_000_000).events) for name, p in PROJECTIONS.items()}
    finally:
        store.close()


def caught_up(port: int, url: str, timeout: float = 60) -> tuple[dict, dict[str, int]]:
    """Scrapes until every projection's lag is 0 and it counts as applied every event of its
    kinds recorded: (the figures, those events per projection)."""
    deadline = time.monotonic() + timeout
    while True:
        figures, made = scrape(port), events_each_projection_reads(url)
        lags = {name: figures.get(("omo_projection_lag_events", (("projection", name),))) for name in made}
        applied = {name: figures.get(("omo_projection_events_applied_total", (("projection", name),))) for name in made}
        if set(lags.values()) == {0} and applied == made:
            return figures, made
        assert time.monotonic() < deadline, f"lags {lags}, applied {applied}, of {made} recorded"
        time.sleep(0.2)


def place_a_few_orders(port: int, ops: str, checkout: str) -> None:
    with OmoClient(f"127.0.0.1:{port}", token=ops) as client:
        client.stores.UpsertStore(store("S1", PEOPLES_SQUARE))
        client.inventory.ReceiveStock(receipt("S1", {"SERUM": 10}))
    with OmoClient(f"127.0.0.1:{port}", token=checkout) as client:
        for n in range(3):
            client.orders.PlaceOrder(order(f"k{n}", PEOPLES_SQUARE, line("SERUM", 1), customer=f"C{n}"))


def token(env: dict, role: str) -> str:
    made = subprocess.run([sys.executable, "-m", "services.cli", "tokens", "issue", "--role", role], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    return made.stdout.strip()


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'omo.db'}", "PYTHONPATH": str(REPO)}


def test_both_endpoints_move_as_the_load_says(env):
    ops, checkout = token(env, "ops"), token(env, "checkout")
    port, metrics_port, project_port = free_port(), free_port(), free_port()
    started = [
        subprocess.Popen([sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--order-writer", "thread",
                          "--no-projection", "--no-access-log", "--metrics-port", str(metrics_port)], cwd=REPO, env=env,
                         stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "services.cli", "project", "--poll-interval", "0.05", "--metrics-port", str(project_port)],
                         cwd=REPO, env=env, stderr=subprocess.DEVNULL),
    ]
    try:
        wait_until_serving(f"127.0.0.1:{port}", started[0])
        before = scrape(metrics_port)
        place_a_few_orders(port, ops, checkout)
        with OmoClient(f"127.0.0.1:{port}", token="omo_notatoken_x") as stranger, pytest.raises(grpc.RpcError):
            stranger.stores.ListStores(stores_pb2.ListStoresRequest(page_size=1))
        after = scrape(metrics_port)

        placed = ("omo_rpc_calls_total", (("code", "OK"), ("method", "omo.v1.OrderService/PlaceOrder")))
        assert after[placed] - before.get(placed, 0) == 3
        timed = ("omo_rpc_duration_seconds_count", (("method", "omo.v1.OrderService/PlaceOrder"),))
        assert after[timed] == 3 and after[("omo_rpc_duration_seconds_sum", timed[1])] > 0
        refused = ("omo_gate_refusals_total", (("code", "UNAUTHENTICATED"),))
        assert after[refused] - before.get(refused, 0) == 1
        assert after[("omo_order_writer_batch_size_sum", ())] == 3  # three placements, however batched
        assert after[("omo_rpc_in_flight", ())] == 0
        assert after[("omo_live_index_position", ())] > before[("omo_live_index_position", ())]

        # the projector catches up: every projection's lag falls to 0 at the head the server
        # reached, and it counts every event it read, the stores' work's from its child process
        # too (the projector started on the new database: it applied them all)
        figures, made = caught_up(project_port, env["OMO_DATABASE_URL"])
        assert figures[("omo_projection_position", (("projection", "national_stock"),))] > 0
        assert all(made[name] >= 3 for name in ("national_stock", "order_list", "store_work")), made
        # the server runs none of the projections
        assert {after[("omo_projection_events_applied_total", (("projection", name),))] for name in made} == {0}
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def test_a_server_running_the_projections_counts_the_events_they_apply(env):
    ops, checkout = token(env, "ops"), token(env, "checkout")
    port, metrics_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--no-access-log",
                               "--metrics-port", str(metrics_port)], cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(f"127.0.0.1:{port}", server)
        _, made_before = caught_up(metrics_port, env["OMO_DATABASE_URL"])
        place_a_few_orders(port, ops, checkout)
        _, made = caught_up(metrics_port, env["OMO_DATABASE_URL"])
        assert all(made[name] - made_before[name] >= 3 for name in ("national_stock", "order_list", "store_work")), made
    finally:
        server.terminate()
        server.wait(timeout=30)
