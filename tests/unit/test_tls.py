"""TLS without a server: the plaintext rule, the `omo serve` flags and the certificate files
they name (TLS through the real server: tests/e2e/test_tls.py)."""

from __future__ import annotations

import pytest

from services.api.tls import TlsSetupError, channel_credentials, plaintext_allowed, server_credentials, serving_credentials
from services.cli.main import main
from tests import certificates

pki = certificates.pki  # our CA and its certificates, made once for this module


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


def test_serve_help_lists_the_tls_flags(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["serve", "--help"])
    assert exit.value.code == 0
    help_text = capsys.readouterr().out
    for flag in ("--tls-cert FILE", "--tls-key FILE", "--client-ca FILE", "--plaintext"):
        assert flag in help_text
