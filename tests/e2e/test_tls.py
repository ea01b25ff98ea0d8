"""TLS and mutual TLS through the real gRPC server with certificates made here, and `omo serve`
with the TLS flags (the plaintext rule and the flags without a server: tests/unit/test_tls.py)."""

from __future__ import annotations

import os
import signal
import subprocess
from contextlib import contextmanager

import grpc
import pytest
from grpc_health.v1 import health_pb2

from protos.omo.v1 import stores_pb2
from services.client.client import OmoClient
from services.api.server import start_server
from services.api.tls import channel_credentials, server_credentials
from services.adapters.config import sqlite_url
from tests import certificates
from tests.builders import PEOPLES_SQUARE, store
from tests.e2e.test_cli import free_port

REFUSED_HANDSHAKE = grpc.StatusCode.UNAVAILABLE
pki = certificates.pki  # our CA and its certificates, made once for this module


@pytest.fixture
def database_url(tmp_path) -> str:
    """TLS sits below the database: SQLite is enough (overrides conftest's SQLite + PostgreSQL)."""
    return sqlite_url(tmp_path / "omo.db")


@contextmanager
def serving(app, credentials):
    running = start_server(app, host="127.0.0.1", port=0, credentials=credentials)
    try:
        yield f"127.0.0.1:{running.port}"
    finally:
        running.stop(grace=1)


def list_stores(target: str, cast, credentials: grpc.ChannelCredentials | None) -> list[str]:
    with OmoClient(target, tokens=cast, channel_credentials=credentials) as client:
        return [s.store_id for s in client.stores.ListStores(stores_pb2.ListStoresRequest(), timeout=10).stores]


def assert_refused(target: str, cast, credentials: grpc.ChannelCredentials | None) -> None:
    """The caller's attempt to register a store fails at the handshake."""
    with OmoClient(target, tokens=cast, channel_credentials=credentials) as client:
        with pytest.raises(grpc.RpcError) as refused:
            client.stores.UpsertStore(store("S-INTRUDER", PEOPLES_SQUARE), timeout=10)
    assert refused.value.code() == REFUSED_HANDSHAKE


def test_a_tls_round_trip_and_a_refused_plaintext_client(app, cast, pki):
    with serving(app, server_credentials(pki.server.cert, pki.server.key)) as target:
        trusted = channel_credentials(ca_file=pki.ca)
        with OmoClient(target, tokens=cast, channel_credentials=trusted) as client:
            client.stores.UpsertStore(store("S1", PEOPLES_SQUARE), timeout=10)
            assert client.health.Check(health_pb2.HealthCheckRequest(), timeout=10).status == health_pb2.HealthCheckResponse.SERVING
        assert_refused(target, cast, None)
        # a client that does not trust the server's CA will not talk to it either
        assert_refused(target, cast, channel_credentials(ca_file=pki.stranger_ca))
        assert list_stores(target, cast, trusted) == ["S1"]


def test_mutual_tls_serves_only_clients_with_a_certificate_from_its_ca(app, cast, pki):
    with serving(app, server_credentials(pki.server.cert, pki.server.key, client_ca_file=pki.ca)) as target:
        assert_refused(target, cast, channel_credentials(ca_file=pki.ca))
        assert_refused(target, cast, channel_credentials(ca_file=pki.ca, cert_file=pki.stranger.cert, key_file=pki.stranger.key))
        assert_refused(target, cast, None)
        with_certificate = channel_credentials(ca_file=pki.ca, cert_file=pki.client.cert, key_file=pki.client.key)
        # nothing the refused callers sent was applied
        assert list_stores(target, cast, with_certificate) == []


def test_serve_refuses_plaintext_beyond_loopback_before_opening_anything(tmp_path):
    database = tmp_path / "never.db"
    env = {**os.environ, "OMO_DATABASE_URL": sqlite_url(database)}
    result = subprocess.run(
        ["omo", "serve", "--host", "0.0.0.0", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to serve plaintext on 0.0.0.0" in result.stderr and "--tls-cert" in result.stderr
    assert not database.exists()


def test_serve_with_mutual_tls_from_the_command_line(tmp_path, pki):
    port = free_port()
    env = {**os.environ, "OMO_DATABASE_URL": sqlite_url(tmp_path / "serve.db")}
    process = subprocess.Popen(
        ["omo", "serve", "--port", str(port), "--tls-cert", pki.server.cert, "--tls-key", pki.server.key, "--client-ca", pki.ca],
        env=env, stderr=subprocess.PIPE, text=True,
    )
    try:
        with_certificate = channel_credentials(ca_file=pki.ca, cert_file=pki.client.cert, key_file=pki.client.key)
        with OmoClient(f"localhost:{port}", channel_credentials=with_certificate) as client:
            check = client.health.Check(health_pb2.HealthCheckRequest(), timeout=60, wait_for_ready=True)
        assert check.status == health_pb2.HealthCheckResponse.SERVING
        with OmoClient(f"localhost:{port}", channel_credentials=channel_credentials(ca_file=pki.ca)) as client:
            with pytest.raises(grpc.RpcError) as refused:
                client.health.Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert refused.value.code() == REFUSED_HANDSHAKE
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        log = process.stderr.read()
        assert f"serving on 127.0.0.1:{port} (mutual TLS)" in log
        assert "PRIVATE KEY" not in log
    finally:
        process.kill()
