"""Certificates for development: a CA of its own, a server certificate for the names clients
dial, and a client certificate, as PEM files, so `omo serve` with mutual TLS (and the compose
file) can start on a fresh machine. Never for production: the CA's key lies beside them."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID = datetime.timedelta(days=365)
FILES = ("ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key")


def issue_certificate(
    common_name: str, by: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None, usage=None, names=(),
    valid: datetime.timedelta = VALID,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """(certificate, key) for a fresh P-256 key: a self-signed CA without `by` (a CA's
    (certificate, key)), else a leaf signed by it, for `usage` and the subjectAltName `names`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(by[0].subject if by else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + valid)
        .add_extension(x509.BasicConstraints(ca=by is None, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return builder.sign(by[1] if by else key, hashes.SHA256()), key


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def make_dev_certificates(out: Path, server_names: list[str]) -> list[Path]:
    """Writes FILES into `out` (made if missing): the CA, a server certificate whose
    subjectAltName holds `server_names`, and a client certificate, all signed by the CA.
    Returns the files written. Keys are readable by their owner only."""
    out.mkdir(parents=True, exist_ok=True)
    ca = issue_certificate("omo development CA")
    server = issue_certificate("omo server", ca, ExtendedKeyUsageOID.SERVER_AUTH, [_general_name(n) for n in server_names])
    client = issue_certificate("omo development client", ca, ExtendedKeyUsageOID.CLIENT_AUTH)
    written = []
    for stem, (certificate, key) in (("ca", ca), ("server", server), ("client", client)):
        cert_path, key_path = out / f"{stem}.crt", out / f"{stem}.key"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.touch(mode=0o600)
        key_path.chmod(0o600)
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        written += [cert_path, key_path]
    return written
