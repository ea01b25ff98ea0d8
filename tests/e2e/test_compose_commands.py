"""The compose file's containers' commands, run without Docker the way the containers would run
them, on a PostgreSQL database of their own: the certs service's `omo certs dev`, the server's
`omo serve` on those certificates (its port moved to a free one, /certs to a folder here), the
projector's `omo project` beside it on the same new database, and the server's health check,
`omo health` with the client certificate: SERVING, exit 0; a wrong CA: exit 1. The server's and
the projector's metrics answer (their ports moved to free ones, on loopback)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from tests.conftest import postgres_schema_url

REPO = Path(__file__).resolve().parents[2]


def run_as_container(command: list[str], certs: Path, port: int) -> list[str]:
    """The command with /certs at `certs` and the server's port at `port`."""
    moved = [a.replace("/certs", str(certs)) for a in command]
    return [str(port) if a == "50051" else a.replace(":50051", f":{port}") for a in moved]


def metrics_here(command: list[str]) -> tuple[list[str], int]:
    """The command with its metrics on a free port on loopback: (command, port)."""
    from bench.common import free_port

    moved, port = list(command), free_port()
    moved[moved.index("--metrics-port") + 1] = str(port)
    moved[moved.index("--metrics-host") + 1] = "127.0.0.1"
    return moved, port


def omo(arguments: list[str], env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "services.cli", *arguments[1:]], cwd=REPO, env=env, **kwargs)


def test_the_containers_commands_start_and_the_server_reports_healthy(postgres_database, tmp_path):
    from bench.common import free_port

    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    env = {**os.environ, "OMO_DATABASE_URL": postgres_schema_url(postgres_database), "PYTHONPATH": str(REPO)}
    port, certs = free_port(), tmp_path / "certs"
    made = omo(run_as_container(services["certs"]["command"], certs, port), env)
    assert made.wait(timeout=60) == 0 and (certs / "client.key").exists()
    assert omo(run_as_container(services["certs"]["command"], certs, port), env).wait(timeout=60) == 0  # kept, again

    server_command = run_as_container(services["omo"]["command"], certs, port)
    server_command[server_command.index("--host") + 1] = "127.0.0.1"  # a test binds loopback only
    server_command, server_metrics = metrics_here(server_command)
    projector_command, projector_metrics = metrics_here(services["projector"]["command"])
    started = [omo(server_command, env, stderr=subprocess.DEVNULL), omo(projector_command, env, stderr=subprocess.DEVNULL)]
    try:
        check = run_as_container(services["omo"]["healthcheck"]["test"][1:], certs, port)
        deadline = time.monotonic() + 60
        while omo(check, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).wait(timeout=30) != 0:
            assert time.monotonic() < deadline, "the server never reported SERVING"
            assert all(p.poll() is None for p in started), "a container's command exited"
            time.sleep(0.5)
        answer = subprocess.run([sys.executable, "-m", "services.cli", *check[1:]], cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
        assert answer.returncode == 0 and answer.stdout.strip() == f"localhost:{port}: SERVING"
        stranger = tmp_path / "stranger"
        assert omo(["omo", "certs", "dev", "--out", str(stranger)], env, stdout=subprocess.DEVNULL).wait(timeout=60) == 0
        wrong_ca = [a.replace(str(certs / "ca.crt"), str(stranger / "ca.crt")) for a in check]
        refused = subprocess.run([sys.executable, "-m", "services.cli", *wrong_ca[1:]], cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
        assert refused.returncode == 1 and "no answer (UNAVAILABLE" in refused.stderr
        for metrics_port, shown in ((server_metrics, "omo_rpc_calls_total"), (projector_metrics, "omo_projection_events_applied_total")):
            text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
            assert shown in text and 'omo_projection_lag_events{projection="store_work"}' in text
        assert all(p.poll() is None for p in started)
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)
