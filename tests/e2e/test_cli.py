"""The `omo` command with the real server: serve with a clean shutdown, the demo (help and the
demo's parser: tests/unit/test_cli.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2

from services.client.client import OmoClient
from services.demo.demo import run_demo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port: int) -> None:
    with OmoClient(f"127.0.0.1:{port}") as client:
        deadline = time.monotonic() + 120
        while True:
            try:
                status = client.health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                break
            except grpc.RpcError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
    assert status == health_pb2.HealthCheckResponse.SERVING


def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    process = subprocess.Popen(["omo", "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(port)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert "shutting down" in process.stderr.read()
    finally:
        process.kill()


def test_serve_uses_the_default_sqlite_file_under_var(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "OMO_DATABASE_URL"}
    with open(tmp_path / "serve.log", "w") as log:
        process = subprocess.Popen(["omo", "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=log)
    try:
        wait_until_serving(port)
        assert (tmp_path / "var" / "omo.db").exists()
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=60) == 0
        except subprocess.TimeoutExpired:  # say how far the shutdown got
            pytest.fail("serve did not stop within 60 s of SIGINT; its log:\n" + (tmp_path / "serve.log").read_text())
    finally:
        process.kill()


def test_a_signal_during_start_up_still_shuts_down_cleanly(tmp_path):
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'early.db'}"}
    process = subprocess.Popen(["omo", "serve", "--port", str(free_port())], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "early.db").exists():  # the application is starting
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()


def test_a_small_demo_places_orders_through_grpc_and_prints_the_summary(capsys):
    outcome = run_demo(None, stores=60, skus=30, orders=80, seed=3, workers=4)
    assert outcome.placed + sum(outcome.rejections.values()) == 80
    assert outcome.placed > 20
    printed = capsys.readouterr().out
    assert "placed" in printed and "median distance" in printed and "busiest stores" in printed


def test_a_demo_at_night_finds_most_stores_shut_and_promises_their_mornings(capsys):
    evening = run_demo(None, stores=60, skus=30, orders=40, seed=3, workers=4, at="20:00")
    night = run_demo(None, stores=60, skus=30, orders=40, seed=3, workers=4, at="04:00")

    # the same customers: at 04:00 only the 24-hour stores (and pickups) can start at once; the
    # others take the orders for their first slot of the morning rather than sending them away
    def waiting_for_the_morning(run):
        return sum(1 for order in run.orders for s in order.shipments if s.scheduled_for)

    assert waiting_for_the_morning(night) > 2 * max(1, waiting_for_the_morning(evening))
    assert night.fulfilment["EXPRESS"] <= evening.fulfilment["EXPRESS"] + 2
    assert all(s.promised_by for order in night.orders for s in order.shipments)
