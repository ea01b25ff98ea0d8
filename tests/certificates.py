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
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


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
