"""`omo console` over real HTTPS: a certificate from `make_dev_certificates`, the sign-in over
TLS gives a Secure cookie, the pages answer, a plain-HTTP request to the TLS port is not served,
and plain HTTP beyond loopback is refused before anything starts."""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from domain.callers import OPS
from services.adapters.dev_certificates import make_dev_certificates
from services.bootstrap import build_application
from services.use_cases.network.tokens import issue_token

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_console_over_https_signs_in_with_a_secure_cookie(tmp_path):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    app = build_application(url, order_writer=None)
    try:
        _, token = issue_token(app, OPS, label="https test")
    finally:
        app.close()
    make_dev_certificates(tmp_path / "tls", ["localhost", "127.0.0.1"])
    port = free_port()
    env = {**os.environ, "OMO_DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "services.cli", "console", "--port", str(port),
               "--tls-cert", str(tmp_path / "tls" / "server.crt"), "--tls-key", str(tmp_path / "tls" / "server.key")]
    with open(tmp_path / "console.log", "w") as log:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=log)
    try:
        client = httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt")), timeout=10,
                              follow_redirects=False)
        deadline = time.monotonic() + 60
        while True:
            try:
                form = client.get("/signin")
                break
            except httpx.TransportError:
                assert process.poll() is None, (tmp_path / "console.log").read_text()
                assert time.monotonic() < deadline, "the console did not come up"
                time.sleep(0.2)
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = client.post("/signin", data={"csrf": csrf, "token": token})
        assert answer.status_code == 303
        assert "secure" in answer.headers["set-cookie"].lower() and "httponly" in answer.headers["set-cookie"].lower()
        assert client.get("/system").status_code == 200
        try:  # the TLS port answers no plain HTTP page
            plain = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5)
            assert plain.status_code >= 400
        except httpx.TransportError:
            pass
        process.send_signal(signal.SIGTERM)  # the client's connection still open: the stop does not wait for it
        assert process.wait(timeout=30) == 0
        assert "console stopped" in (tmp_path / "console.log").read_text()
    finally:
        process.kill()
        process.wait()


def test_the_console_refuses_plain_http_beyond_loopback_in_one_line(tmp_path):
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "services.cli", "console", "--host", "0.0.0.0", "--port", str(free_port())],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("omo console: error:") and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c.db").exists()  # refused before the database was opened
