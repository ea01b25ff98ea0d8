"""Serving a console with uvicorn until SIGTERM or SIGINT, for `omo console` and `omo demo --console`."""

from __future__ import annotations

import signal

from services.console.web import Console

GRACE_SECONDS = 5


def serve_until_stopped(web: Console, host: str, port: int, tls_cert: str | None = None, tls_key: str | None = None) -> None:
    """Blocks while the console serves; returns once a signal stopped it (the caller closes
    the console and its application)."""
    import uvicorn

    # uvicorn stops on SIGTERM/SIGINT, then raises the signal again for the handler it found:
    # this one lets the caller close its readers and the database before it exits
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    uvicorn.run(
        web.asgi, host=host, port=port, ssl_certfile=tls_cert, ssl_keyfile=tls_key,
        log_config=None, access_log=False, proxy_headers=False, server_header=False,
        # a browser keeps its connection open; a stop waits for the pages being served, not for it
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
