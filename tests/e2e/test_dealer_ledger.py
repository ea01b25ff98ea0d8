"""The dealer ledger run by `omo serve`, beside the national stock (the projection itself:
tests/integration/test_dealer_ledger.py)."""

from __future__ import annotations

import os
import signal
import subprocess

from projections.runtime.runner import projection_status
from services.bootstrap import build_application
from services.adapters.config import sqlite_url
from tests.integration.test_dealer_ledger import wait_for
from tests.ledger_builders import dealer_network, ledger_runner, ledger_table, sell


def test_omo_serve_runs_the_ledger_beside_the_national_stock(tmp_path):
    from tests.e2e.test_cli import free_port, wait_until_serving

    url = sqlite_url(tmp_path / "serve.db")
    port = free_port()
    process = subprocess.Popen(["omo", "serve", "--port", str(port)], env={**os.environ, "OMO_DATABASE_URL": url}, stderr=subprocess.DEVNULL)
    app = build_application(url)
    observer = ledger_runner(app, holder="observer")
    try:
        wait_until_serving(port)
        code = dealer_network(app)
        sell(app, "a", {"SERUM": 1}, cloud_shop="CS-A", share_code=code)
        head = app.recorder.max_notification_id()
        status = lambda name: projection_status(observer.reader, observer.event_log, name)  # noqa: E731
        wait_for(lambda: status("dealer_ledger").position == head and status("national_stock").position == head, what="both projections")
        assert status("dealer_ledger").holder not in (None, "observer")
        assert len(ledger_table(observer.reader)) == 4
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        observer.close()
        app.close()
