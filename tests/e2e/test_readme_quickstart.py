"""The README's quickstart, run as written.

The quickstart's shell block is followed step by step through the `omo` command (tokens issued
with `omo tokens issue`, the server started with `omo serve` in an empty directory, so on its
default SQLite file ./var/omo.db); then the README's Python script runs unchanged but for the
server's address (the README shows the default 127.0.0.1:50051; here the server takes a free
port), in a Python process of its own. Its output must be what the README shows, and a second
run must change nothing. (The README as a front door: tests/unit/test_readme_quickstart.py.)

Nothing here imports the project's modules (the README is read by tests/readme.py): the server
and the tokens come from the `omo` command and the script imports what it imports, so the test
follows the code wherever it moves.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.readme import REPO, fenced_blocks, section

README_ADDRESS = "127.0.0.1:50051"


def quickstart_blocks() -> tuple[str, str, str]:
    """The quickstart's first bash block, its Python script and the output shown right after it."""
    blocks = fenced_blocks(section("Quickstart"))
    bash = next(body for language, body in blocks if language == "bash")
    index = next(i for i, (language, _) in enumerate(blocks) if language == "python")
    python = blocks[index][1]
    assert index + 1 < len(blocks) and blocks[index + 1][0] == "", "the script's output should follow it, in a plain block"
    return bash, python, blocks[index + 1][1]


def omo() -> list[str]:
    """The `omo` command of this Python environment."""
    beside = Path(sys.executable).with_name("omo")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("omo")
    return [found] if found else [sys.executable, "-m", "services.cli"]


def environment() -> dict[str, str]:
    """This checkout's code first; no OMO_DATABASE_URL, so `omo` uses ./var/omo.db as the README says."""
    env = {key: value for key, value in os.environ.items() if key != "OMO_DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def wait_for_address(process: subprocess.Popen, log: Path, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        found = re.search(r"serving on (\S+) \(plaintext\)", log.read_text())
        if found:
            return found.group(1)
        assert process.poll() is None, f"omo serve exited with {process.returncode}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"omo serve did not start within {seconds:.0f} s:\n{log.read_text()}"
        time.sleep(0.1)


def start_quickstart_server(bash: str, cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    """Follow the quickstart's shell block: each `export NAME=$(omo ...)` sets NAME in `env`, and
    `omo serve ... &` starts the server (on a free port instead of 50051). Returns the server, its
    address and its log."""
    server = None
    for raw in bash.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("cd "):  # into an empty directory: `cwd` is one
            continue
        exported = re.fullmatch(r"export (\w+)=\$\((omo [^)]*)\)", line)
        if exported:
            name, command = exported.groups()
            result = subprocess.run(omo() + shlex.split(command)[1:], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"`{command}` failed:\n{result.stderr}"
            env[name] = result.stdout.strip()
            continue
        serve = re.fullmatch(r"(omo serve[^&]*)&", line)
        assert serve and server is None, f"the quickstart's shell line {line!r} is not one this test knows how to follow"
        log = cwd / "serve.log"
        with open(log, "w") as log_file:
            server = subprocess.Popen(
                omo() + shlex.split(serve.group(1))[1:] + ["--port", "0"],
                cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True,
            )
    assert server is not None, "the quickstart does not start a server with `omo serve &`"
    return server, wait_for_address(server, log), log


def stop(server: subprocess.Popen) -> int:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_the_python_quickstart_places_an_order_and_reads_the_national_stock(tmp_path):
    bash, script, shown_output = quickstart_blocks()
    assert README_ADDRESS in script
    env = environment()
    server, address, log = start_quickstart_server(bash, tmp_path, env)
    try:
        assert env["OPS_TOKEN"].startswith("omo_") and env["CHECKOUT_TOKEN"].startswith("omo_")
        assert address.startswith("127.0.0.1:")
        path = tmp_path / "quickstart.py"
        path.write_text(script.replace(README_ADDRESS, address))

        def run_script() -> str:
            result = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"the quickstart script failed:\n{result.stderr}\nserver log:\n{log.read_text()}"
            return result.stdout

        first = run_script()
        order_line, stock_line = first.strip().splitlines()
        order_id, status, _, store = order_line.split()
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", order_id)
        assert (status, store) == ("ALLOCATED", "S1")
        # 12 received, 2 reserved by the order: the national figure, read after the order
        assert stock_line == "SERUM-02 nationally: 12 on hand, 2 reserved, 10 available"
        assert first == shown_output, "the README shows other output than the script prints"

        # the same ids again: the receipt is a duplicate and the order replayed, nothing reserved twice
        assert run_script() == first

        # the national figure in the projection's own table, beside the event store
        with sqlite3.connect(tmp_path / "var" / "omo.db") as database:
            row = database.execute("SELECT on_hand, reserved, available FROM stock_national WHERE sku = 'SERUM-02'").fetchone()
        assert row == (12, 2, 10)
    finally:
        code = stop(server)
    assert code == 0, f"omo serve did not stop cleanly on SIGTERM:\n{log.read_text()}"
