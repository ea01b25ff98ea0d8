"""`omo demo --console`: a small demo, then the console left running on its data, signed in over
real HTTP with the ops and dealer tokens it prints, stopped cleanly by SIGINT."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_in(base: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    form = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    assert client.post("/signin", data={"csrf": csrf, "token": token}).status_code == 303
    return client


def test_demo_console_serves_the_demo_s_data_to_the_tokens_it_prints(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "services.cli", "demo", "--stores", "30", "--skus", "12", "--orders", "30", "--seed", "3",
               "--workers", "4", "--console", "--console-port", str(port)]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}  # no OMO_DATABASE_URL: the demo's own SQLite
    with open(tmp_path / "demo.log", "w") as log:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        printed, deadline = [], time.monotonic() + 240
        while not any("dealer token" in line for line in printed):
            line = process.stdout.readline()
            assert line, "the demo ended without a console:\n" + "".join(printed) + (tmp_path / "demo.log").read_text()[-3000:]
            printed.append(line)
            assert time.monotonic() < deadline
        text = "".join(printed)
        assert f"console: http://127.0.0.1:{port}/" in text
        ops_token = re.search(r"ops token \(HQ operations\): (\S+)", text).group(1)
        dealer_id, dealer_token = re.search(r"dealer token \((\w+)\): (\S+)", text).groups()
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):  # uvicorn starts listening just after the tokens are printed
            try:
                httpx.get(base + "/signin", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)

        ops = signed_in(base, ops_token)
        system = ops.get("/system")
        assert system.status_code == 200 and "dealer_ledger" in system.text and "cannot be read" not in system.text
        low = ops.get("/stock/low", params={"threshold": "100000"})
        assert low.status_code == 200 and low.text.count('href="/stock?sku=') >= 12  # the catalogue, and the pre-sale's SKU
        dealer = signed_in(base, dealer_token)
        statement = dealer.get(dealer.get("/dealers").headers["location"])
        assert statement.status_code == 200 and f"Statement of DEALER:{dealer_id}" in statement.text
        assert dealer.get("/stock", params={"sku": "SKU-00001"}).status_code == 403

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()
