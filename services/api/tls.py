"""TLS for `omo serve` and its clients: credentials from PEM files, and when plaintext is allowed.

Errors name the flag and the file, never the file's contents: a key must not end up in a log.
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import grpc

# names that always resolve to this machine; any other name may reach beyond it
LOOPBACK_NAMES = frozenset({"localhost"})


class TlsSetupError(ValueError):
    """The TLS flags or files cannot make credentials; the message says which and why."""


def plaintext_allowed(host: str) -> bool:
    """Plaintext without being asked for only where no other machine can listen in: loopback."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def read_pem(path: str | Path, what: str, marker: str) -> bytes:
    """The file's bytes, refused when missing, unreadable or not PEM: gRPC would otherwise fail
    later, at bind or at the first handshake, with a message that names no file."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise TlsSetupError(f"cannot read the {what} {str(path)!r}: {error.strerror or error}") from None
    if b"-----BEGIN " not in data or marker.encode() not in data:
        raise TlsSetupError(f"the {what} {str(path)!r} is not PEM (no '-----BEGIN ...{marker}-----' block)")
    return data


def check_key_pair(cert_file: str, key_file: str) -> None:
    """Refuses a key that is not the certificate's: gRPC would report it as a port it cannot bind."""
    try:
        # a password callback, so that an encrypted key fails here instead of prompting on a terminal
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert_file, key_file, password=lambda: b"")
    except ssl.SSLError as error:
        raise TlsSetupError(
            f"the server private key (--tls-key) {key_file!r} does not go with the certificate (--tls-cert) "
            f"{cert_file!r}, or one of them is not valid or the key is encrypted ({error.reason or 'unreadable'})"
        ) from None


def server_credentials(cert_file: str, key_file: str, client_ca_file: str | None = None) -> grpc.ServerCredentials:
    """TLS with this certificate chain and key; with a client CA, mutual TLS: a client must present
    a certificate signed by that CA or the handshake fails."""
    chain = read_pem(cert_file, "server certificate (--tls-cert)", "CERTIFICATE")
    key = read_pem(key_file, "server private key (--tls-key)", "PRIVATE KEY")
    check_key_pair(cert_file, key_file)
    if client_ca_file is None:
        return grpc.ssl_server_credentials([(key, chain)])
    client_ca = read_pem(client_ca_file, "client CA (--client-ca)", "CERTIFICATE")
    return grpc.ssl_server_credentials([(key, chain)], root_certificates=client_ca, require_client_auth=True)


def channel_credentials(ca_file: str | None = None, cert_file: str | None = None, key_file: str | None = None) -> grpc.ChannelCredentials:
    """A client's TLS: trust `ca_file` (the system's roots without it); present `cert_file` and
    `key_file` to a server that requires client certificates."""
    if (cert_file is None) != (key_file is None):
        raise TlsSetupError("a client certificate and its private key go together: give both or neither")
    ca = read_pem(ca_file, "CA certificate", "CERTIFICATE") if ca_file is not None else None
    cert = read_pem(cert_file, "client certificate", "CERTIFICATE") if cert_file is not None else None
    key = read_pem(key_file, "client private key", "PRIVATE KEY") if key_file is not None else None
    return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)


def serving_credentials(
    host: str, cert_file: str | None, key_file: str | None, client_ca_file: str | None, plaintext: bool,
) -> grpc.ServerCredentials | None:
    """What `omo serve` listens with: TLS credentials, or None for plaintext where that is allowed."""
    if (cert_file is None) != (key_file is None):
        raise TlsSetupError("--tls-cert and --tls-key go together: give both")
    if client_ca_file is not None and cert_file is None:
        raise TlsSetupError("--client-ca needs --tls-cert and --tls-key: mutual TLS is TLS first")
    if plaintext and cert_file is not None:
        raise TlsSetupError("--plaintext contradicts --tls-cert/--tls-key: choose one")
    if cert_file is not None:
        return server_credentials(cert_file, key_file, client_ca_file)
    if not (plaintext or plaintext_allowed(host)):
        raise TlsSetupError(
            f"refusing to serve plaintext on {host}, which is not loopback: give --tls-cert and --tls-key "
            "(and --client-ca for mutual TLS), or --plaintext if the network is trusted"
        )
    return None
