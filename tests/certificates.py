"""Certificates made for the TLS tests (tests/unit and tests/e2e test_tls, and
tests/unit/test_compose.py): a CA or a leaf signed by it for a fresh P-256 key, written as PEM
files, and `pki`, a module's CA with a server certificate, a client certificate and a
stranger's."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from services.adapters.dev_certificates import issue_certificate


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def issue(common_name: str, by: Issued | None = None, usage=None, names: list[x509.GeneralName] = ()) -> Issued:
    """A certificate for a fresh P-256 key, valid a day: a self-signed CA without `by`, else a
    leaf signed by it."""
    certificate, key = issue_certificate(
        common_name, (by.certificate, by.key) if by else None, usage, names, valid=datetime.timedelta(days=1),
    )
    return Issued(certificate, key)


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
