"""`omo console`: the web console for HQ operations, dealers and stores (services/console)."""

from __future__ import annotations

import argparse
import logging
import sys

from services.adapters.config import DATABASE_URL_VARIABLE, ConfigurationError, database_url, redact
from services.cli.log_setup import add_logging_options


def add_parser(commands: argparse._SubParsersAction) -> None:
    console = commands.add_parser(
        "console", help="run the web console (national stock, orders, the system, dealers' statements)",
        description=f"Serve the web console on the database named by {DATABASE_URL_VARIABLE} (default: a SQLite file "
        "under ./var). Sign in with an ops, dealer or pos token from `omo tokens issue`; the console applies the "
        "gRPC API's access rules. It reads the projections: run `omo serve` (or `omo project`) beside it to keep "
        "them current. Stops cleanly on SIGTERM or SIGINT.",
    )
    console.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    console.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    console.add_argument(
        "--api-metrics", action="append", default=[], metavar="URL",
        help="an `omo serve --metrics-port` endpoint, such as http://127.0.0.1:9100/metrics, whose order writer queue "
        "the system page shows (repeat for each server)",
    )
    add_logging_options(console)
    tls = console.add_argument_group(
        "TLS", "Serve HTTPS with --tls-cert and --tls-key (PEM files), as `omo serve` does; the session cookie is then "
        "Secure. Plain HTTP only on a loopback --host (127.0.0.1, ::1, localhost) or with --plaintext.",
    )
    tls.add_argument("--tls-cert", metavar="FILE", help="the server's certificate chain, PEM (with --tls-key)")
    tls.add_argument("--tls-key", metavar="FILE", help="the server certificate's private key, PEM (with --tls-cert)")
    tls.add_argument("--plaintext", action="store_true", help="serve plain HTTP on a host beyond loopback (a trusted network only)")


def console(args: argparse.Namespace) -> int:
    from projections.definitions import PROJECTIONS
    from projections.runtime.projection import refuse_other_versions
    from services.api.tls import TlsSetupError, serving_credentials
    from services.bootstrap import build_application
    from services.console.serving import serve_until_stopped
    from services.console.web import Console

    try:  # the same refusals as `omo serve`'s, before anything starts
        serving_credentials(args.host, args.tls_cert, args.tls_key, None, args.plaintext)
    except TlsSetupError as error:
        print(f"omo console: error: {str(error).replace(' (and --client-ca for mutual TLS)', '')}", file=sys.stderr)
        return 2
    from services.adapters.server_metrics import MetricsAddressInvalid, checked_address
    from services.cli.serve import port_free

    try:
        servers = tuple(checked_address(url) for url in args.api_metrics)
    except MetricsAddressInvalid as error:
        print(f"omo console: error: --api-metrics: {error}", file=sys.stderr)
        return 2

    if not port_free(args.host, args.port):
        raise ConfigurationError(
            f"--port {args.port}: cannot listen on {args.host}:{args.port} (the port is in use, or --host is not an "
            "address of this machine); choose another --port or --host"
        )
    url = database_url()
    refuse_other_versions(url, PROJECTIONS.values())
    app = build_application(url, order_writer=None)  # it reads; it places no orders
    secure = args.tls_cert is not None
    web = Console(app, secure=secure, servers=servers)
    log = logging.getLogger("omo")
    log.info("console on %s://%s:%d, database %s", "https" if secure else "http", args.host, args.port, redact(url))
    try:
        serve_until_stopped(web, args.host, args.port, args.tls_cert, args.tls_key)
    finally:
        web.close()
        app.close()
        log.info("console stopped")
    return 0
