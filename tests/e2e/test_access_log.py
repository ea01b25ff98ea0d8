"""The server's logs as a log collector reads them: `omo serve --log-format json` writes one
JSON object per line, and one access line per call (method, caller's role and token id, status
code, milliseconds, peer) that never holds the token or anything of the request; with
--no-access-log there is none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from bench.common import free_port, wait_until_serving
from protos.omo.v1 import stores_pb2
from services.client.client import OmoClient

REPO = Path(__file__).resolve().parents[2]


def serve(env: dict, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--order-writer", "thread", "--no-projection",
         "--log-format", "json", *extra],
        cwd=REPO, env=env, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'omo.db'}", "PYTHONPATH": str(REPO)}


def issued_token(env: dict) -> str:
    made = subprocess.run([sys.executable, "-m", "services.cli", "tokens", "issue", "--role", "ops"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def calls(port: int, token: str) -> None:
    with OmoClient(f"127.0.0.1:{port}", token=token) as client:
        client.stores.ListStores(stores_pb2.ListStoresRequest(page_size=10))
        with pytest.raises(grpc.RpcError):
            client.stores.GetStore(stores_pb2.GetStoreRequest(store_id="S404"))
    with OmoClient(f"127.0.0.1:{port}", token="omo_notatoken_secret") as stranger, pytest.raises(grpc.RpcError):
        stranger.stores.ListStores(stores_pb2.ListStoresRequest(page_size=10))


def logged_calls(env: dict, *extra: str) -> tuple[str, str]:
    """(the token used, what the server wrote) for the calls, on a server with `extra` options."""
    token, port = issued_token(env), free_port()
    server = serve(env, port, *extra)
    try:
        wait_until_serving(f"127.0.0.1:{port}", server)
        calls(port, token)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    return token, err


def test_json_lines_and_one_access_line_per_call(env):
    token, err = logged_calls(env)
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line is JSON
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    access = [line for line in lines if line["logger"] == "omo.access" and line["method"].startswith("omo.v1.")]
    token_id = token.split("_")[1]
    assert [(a["method"], a["code"], a["role"], a["token_id"]) for a in access] == [
        ("omo.v1.StoreService/ListStores", "OK", "ops", token_id),
        ("omo.v1.StoreService/GetStore", "NOT_FOUND", "ops", token_id),
        ("omo.v1.StoreService/ListStores", "UNAUTHENTICATED", "", ""),
    ]
    assert all(a["level"] == "INFO" and a["ms"] >= 0 and a["peer"].startswith("ipv") and "exception" not in a for a in access)
    assert token not in err and "notatoken_secret" not in err and "S404" not in err


def test_no_access_lines_when_switched_off(env):
    _, err = logged_calls(env, "--no-access-log")
    assert not [line for line in map(json.loads, filter(str.strip, err.splitlines())) if line["logger"] == "omo.access"]
