"""`omo serve --stream-port`: a second server process on its own port for the stores' held
streams, started again when it dies, stopped with its parent, and gone when its parent is killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

import grpc
import pytest

from protos.omo.v1 import fulfilment_pb2, stores_pb2
from services.bootstrap import build_application
from services.client.cast import Cast
from services.client.client import OmoClient
from tests.builders import PEOPLES_SQUARE, store
from tests.e2e.test_cli import free_port, wait_until_serving
from tests.integration.test_projection_wakeup import alive, children_of
from tests.integration.test_projection_runner import wait_for


def stream_servers(parent_pid: int) -> list[int]:
    """The parent's children started as its stream server (its order writer is a child too)."""
    found = []
    for pid in children_of(parent_pid):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:  # gone meanwhile
            if b"--parent-pid" in cmdline.read():
                found.append(pid)
    return found


def first_change(target: str, cast: Cast) -> fulfilment_pb2.WatchShipmentsResponse:
    with OmoClient(target, tokens=cast.store_side) as client:
        stream = client.fulfilment.WatchShipments(fulfilment_pb2.WatchShipmentsRequest(store_id="S1"), timeout=20)
        first = next(stream)
        stream.cancel()
        return first


def test_serve_with_a_stream_port_serves_on_both_ports_and_keeps_the_stream_server_running(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    app = build_application(url)
    cast = Cast(app, label="stream-port")
    cast.token("ops"), cast.token("pos", store_id="S1")
    app.close()
    port, stream_port = free_port(), free_port()
    env = {**os.environ, "OMO_DATABASE_URL": url}
    command = [sys.executable, "-m", "services.cli", "serve", "--port", str(port), "--stream-port", str(stream_port)]
    parent = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(port)
        wait_until_serving(stream_port)
        with OmoClient(f"127.0.0.1:{port}", tokens=cast) as client:
            client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, radius_km=5))
        # the same services and tokens on the stream port: a store's stream, and unary calls too
        assert first_change(f"127.0.0.1:{stream_port}", cast).HasField("freshness")
        with OmoClient(f"127.0.0.1:{stream_port}", tokens=cast) as client:
            assert [s.store_id for s in client.stores.ListStores(stores_pb2.ListStoresRequest()).stores] == ["S1"]

        (child,) = stream_servers(parent.pid)
        os.kill(child, signal.SIGKILL)
        wait_for(lambda: [c for c in stream_servers(parent.pid) if c != child], 30, "a new stream server")
        wait_until_serving(stream_port)
        assert first_change(f"127.0.0.1:{stream_port}", cast).HasField("freshness")

        servers = stream_servers(parent.pid)
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(60) == 0
        assert not any(alive(c) for c in servers), "the stream server outlived omo serve's stop"
        with pytest.raises(grpc.RpcError):
            first_change(f"127.0.0.1:{stream_port}", cast)

        # a stream server whose parent is killed stops by itself
        parent = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        wait_until_serving(stream_port)
        orphans = stream_servers(parent.pid)
        assert orphans
        parent.kill()
        parent.wait(10)
        wait_for(lambda: not any(alive(c) for c in orphans), 20, "the orphaned stream server to stop")
    finally:
        for pid in children_of(parent.pid):
            os.kill(pid, signal.SIGKILL)
        parent.kill()
        parent.wait(10)


def test_a_stream_port_equal_to_the_port_is_refused_in_one_line(tmp_path):
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "--port", "50999", "--stream-port", "50999"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["omo serve: error: --stream-port must be a port other than --port, got 50999"]
    assert not (tmp_path / "serve.db").exists()  # refused before the database was opened
