"""The console served for real and driven by headless Chromium (Debian's `chromium` and
`chromium-driver`, through Selenium; `.ci/run` installs them).

One world per module: trade() from tests/ledger_builders.py, time-stamped in PERIOD, every
projection caught up, on a SQLite file. The console is `python -m services.cli console` in a
subprocess of its own on that file, on 127.0.0.1 and a free port, killed when the module ends.
Only SQLite: the browser tests check what a person sees and does (the sign-in form, the session
cookie, links, downloads), none of which depends on the database, while every page's figures
are checked on SQLite and on PostgreSQL by tests/integration/test_console.py through Starlette's
TestClient; a second world and console on PostgreSQL would double this module's time for nothing
the browser sees.

Screenshots of every page visited go to $OMO_SCREENSHOTS, by default test-artifacts/screenshots
under the repository, where CI keeps them.

Without Chromium or its driver these tests skip, except in CI (CI=true), where they fail, as the
PostgreSQL tests do.
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import eventsourcing.domain
import pytest

from domain.callers import DEALER, OPS
from projections.definitions import PROJECTIONS
from projections.runtime.runner import ProjectionRunner
from services.adapters.config import sqlite_url
from services.bootstrap import build_application
from services.client.cast import Cast
from services.use_cases.application import OmoApplication
from tests.conftest import _in_ci
from tests.ledger_builders import trade

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TRADED_FROM = datetime(2026, 11, 15, 4, 0, tzinfo=timezone.utc)
PERIOD = "2026-11"
WINDOW = (1280, 900)
WAIT_SECONDS = 10


def _missing(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"the browser tests need {reason} in CI (.ci/run installs Debian's chromium and chromium-driver)")
    pytest.skip(f"{reason} not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def webdriver_module():
    """Selenium's webdriver module, once Chromium and its driver are known to be there."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not os.access(binary, os.X_OK):
            _missing(str(binary))
    try:
        from selenium import webdriver
    except ImportError:
        _missing("the selenium package (pip install -e '.[test]')")
    return webdriver


# --- the world and the console serving it --------------------------------------------------------


@dataclass
class World:
    app: OmoApplication
    database_url: str
    orders: dict[str, str]
    ops_token: str
    dealer_tokens: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    """trade(app) stamped in PERIOD, with every projection caught up and its lease let go."""
    url = sqlite_url(tmp_path_factory.mktemp("browser-world") / "omo.db")
    app = build_application(url)
    ticks = itertools.count()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: TRADED_FROM + timedelta(microseconds=next(ticks)))
        orders = trade(app)
    cast = Cast(app, label="browser tests")  # before the catch-up: the pages then say "up to date"
    world = World(app, url, orders, cast.token(OPS), {d: cast.token(DEALER, dealer_id=d) for d in ("DA", "DB")})
    for projection in PROJECTIONS.values():
        runner = ProjectionRunner(url, projection.event_log(app), projection, poll_interval=0.01)
        try:
            runner.catch_up()
            runner.release()
        finally:
            runner.close()
    yield world
    app.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The local IPv4/IPv6 addresses listening on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.fixture(scope="module")
def console_url(world, tmp_path_factory) -> Iterator[str]:
    """`omo console` in a subprocess on the world's database, on 127.0.0.1 only; its base URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("console") / "console.log"
    env = {**os.environ, "OMO_DATABASE_URL": world.database_url}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "console", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"omo console exited with {process.returncode} before serving; its log:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/signin", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"omo console did not answer within 60 s; its log:\n{log_path.read_text()}")
            time.sleep(0.1)
        assert f"console on http://127.0.0.1:{port}" in log_path.read_text()
        listening = listening_addresses(port)
        assert listening in (set(), {"0100007F"}), f"the console listens beyond loopback: {listening}"  # 127.0.0.1 only
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# --- the browser -------------------------------------------------------------------------------------


def screenshot_folder() -> Path:
    folder = Path(os.environ.get("OMO_SCREENSHOTS") or REPO / "test-artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(webdriver_module, downloads, tmp_path_factory):
    """One headless Chromium for the module; each test signs in afresh (sign_in clears cookies)."""
    from selenium.webdriver.chrome.service import Service

    webdriver = webdriver_module
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "download.directory_upgrade": True, "safebrowsing.enabled": False,
    })
    # the driver named outright: Selenium Manager never looks for (or downloads) one
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        browser.set_page_load_timeout(30)
        # headless Chromium saves downloads only when told where, through the DevTools protocol
        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        yield browser
    finally:
        browser.quit()
