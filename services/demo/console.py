"""`omo demo --console`: once the demo has run, the web console on its data, until stopped."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from domain.callers import DEALER, OPS
from projections.definitions import PROJECTIONS
from services.adapters.projection_runners import Runners, start_runners
from services.console.serving import serve_until_stopped
from services.console.web import Console
from services.use_cases.application import OmoApplication
from services.use_cases.network.tokens import issue_token

HOST = "127.0.0.1"


def keep_console(app: OmoApplication, url: str, runners: Runners, port: int, dealer_id: str, out: TextIO | None = None) -> None:
    """Runs the projections the demo did not, serves the console on 127.0.0.1:`port` and
    prints its address and sign-in tokens; returns on SIGINT or SIGTERM."""
    out = out or sys.stdout
    running = {runner.projection for runner in runners}
    for runner in start_runners(app, url, [p for name, p in PROJECTIONS.items() if name not in running]):
        runners.append(runner)
    _, ops_token = issue_token(app, OPS, label="demo console")
    print(f"\nconsole: http://{HOST}:{port}/ (Ctrl-C stops it, and the demo with it)", file=out)
    print(f"  ops token (HQ operations): {ops_token}", file=out)
    if dealer_id:
        _, dealer_token = issue_token(app, DEALER, dealer_id=dealer_id, label="demo console")
        print(f"  dealer token ({dealer_id}): {dealer_token}", file=out)
    out.flush()
    logging.getLogger("omo").info("demo console on http://%s:%d", HOST, port)
    web = Console(app)
    try:
        serve_until_stopped(web, HOST, port)
    finally:
        web.close()
