"""TLS and mutual TLS with certificates made here, the plaintext rule, and the `omo serve` flags."""

from __future__ import annotations

import datetime
import ipaddress
import os
import signal
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from grpc_health.v1 import health_pb2

from protos.omo.v1 import stores_pb2
from services.client.client import OmoClient
from services.api.server import start_server
from services.api.tls import TlsSetupError, channel_credentials, plaintext_allowed, server_credentials, serving_credentials
from services.cli.main import main
from services.adapters.config import sqlite_url
from tests.builders import PEOPLES_SQUARE, store
from tests.test_cli import free_port

REFUSED_HANDSHAKE = grpc.StatusCode.UNAVAILABLE


@pytest.fixture
def database_url(tmp_path) -> str:
    """TLS sits below the database: SQLite is enough (overrides conftest's SQLite + PostgreSQL)."""
    return sqlite_url(tmp_path / "omo.db")


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def issue(common_name: str, by: Issued | None = None, usage=None, names: list[x509.GeneralName] = ()) -> Issued:
    """A certificate for a fresh P-256 key: a self-signed CA without `by`, else a leaf signed by it."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(by.certificate.subject if by else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=by is None, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return Issued(builder.sign(by.key if by else key, hashes.SHA256()), key)


def write(directory: Path, stem: str, issued: Issued) -> SimpleNamespace:
    cert, key = directory / f"{stem}.crt", directory / f"{stem}.key"
    cert.write_bytes(issued.certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(issued.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return SimpleNamespace(cert=str(cert), key=str(key))


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> SimpleNamespace:
    """Our CA, a server certificate for localhost and 127.0.0.1 and a client certificate signed by
    it, and a stranger: a client certificate from a CA the server does not trust."""
    directory = tmp_path_factory.mktemp("pki")
    ca = issue("omo test CA")
    stranger_ca = issue("someone else's CA")
    server_names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    return SimpleNamespace(
        ca=write(directory, "ca", ca).cert,
        stranger_ca=write(directory, "stranger-ca", stranger_ca).cert,
        server=write(directory, "server", issue("omo server", ca, ExtendedKeyUsageOID.SERVER_AUTH, server_names)),
        client=write(directory, "client", issue("pos S1", ca, ExtendedKeyUsageOID.CLIENT_AUTH)),
        stranger=write(directory, "stranger", issue("pos elsewhere", stranger_ca, ExtendedKeyUsageOID.CLIENT_AUTH)),
    )


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


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_plaintext_is_allowed_on_loopback(host):
    assert plaintext_allowed(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "[::]", "", "10.1.2.3", "omo.example.com", "localhost.example.com"])
def test_plaintext_is_not_allowed_beyond_loopback(host):
    assert not plaintext_allowed(host)


def test_serving_credentials_follow_the_flags(pki):
    assert serving_credentials("127.0.0.1", None, None, None, plaintext=False) is None
    assert serving_credentials("0.0.0.0", None, None, None, plaintext=True) is None
    assert serving_credentials("0.0.0.0", pki.server.cert, pki.server.key, pki.ca, plaintext=False) is not None


@pytest.mark.parametrize("flags, complaint", [
    (dict(host="0.0.0.0"), "refusing to serve plaintext on 0.0.0.0"),
    (dict(host="127.0.0.1", cert_file="server.crt"), "--tls-cert and --tls-key go together"),
    (dict(host="127.0.0.1", key_file="server.key"), "--tls-cert and --tls-key go together"),
    (dict(host="127.0.0.1", client_ca_file="ca.crt"), "--client-ca needs --tls-cert and --tls-key"),
    (dict(host="0.0.0.0", cert_file="server.crt", key_file="server.key", plaintext=True), "--plaintext contradicts"),
])
def test_serving_credentials_refuse_contradicting_or_missing_flags(flags, complaint):
    arguments = dict(cert_file=None, key_file=None, client_ca_file=None, plaintext=False) | flags
    with pytest.raises(TlsSetupError, match=complaint):
        serving_credentials(**arguments)


def test_missing_or_non_pem_files_are_named_without_their_contents(pki, tmp_path):
    with pytest.raises(TlsSetupError, match=r"cannot read the server certificate \(--tls-cert\) '.*nowhere.crt'"):
        server_credentials(str(tmp_path / "nowhere.crt"), pki.server.key)
    not_a_key = tmp_path / "server.key"
    not_a_key.write_text("hunter2-not-a-pem-key")
    with pytest.raises(TlsSetupError, match=r"server private key \(--tls-key\) '.*server.key' is not PEM") as refused:
        server_credentials(pki.server.cert, str(not_a_key))
    assert "hunter2" not in str(refused.value)
    # a certificate given where the key belongs is not a key
    with pytest.raises(TlsSetupError, match="is not PEM"):
        server_credentials(pki.server.cert, pki.server.cert)
    with pytest.raises(TlsSetupError, match=r"--tls-key\) '.*client.key' does not go with the certificate"):
        server_credentials(pki.server.cert, pki.client.key)
    with pytest.raises(TlsSetupError, match="cannot read the client CA"):
        server_credentials(pki.server.cert, pki.server.key, client_ca_file=str(tmp_path))
    with pytest.raises(TlsSetupError, match="go together"):
        channel_credentials(ca_file=pki.ca, cert_file=pki.client.cert)


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


def test_serve_help_lists_the_tls_flags(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["serve", "--help"])
    assert exit.value.code == 0
    help_text = capsys.readouterr().out
    for flag in ("--tls-cert FILE", "--tls-key FILE", "--client-ca FILE", "--plaintext"):
        assert flag in help_text
