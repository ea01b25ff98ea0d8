"""`omo serve`: the gRPC server with its order writer, housekeeping and projections."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import timedelta

from services.cli.log_setup import add_logging_options, add_metrics_options
from services.adapters.config import DATABASE_URL_VARIABLE, ConfigurationError, database_url, redact


def add_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="run the gRPC server",
        description=f"Run the gRPC server on the database named by {DATABASE_URL_VARIABLE} "
        "(default: a SQLite file under ./var). Stops cleanly on SIGTERM or SIGINT.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=50051, help="port to listen on (default 50051; 0 picks a free one)")
    serve.add_argument(
        "--workers", type=int, default=16,
        help="threads serving unary calls, as many at once (default 16); streams have threads of their own (--max-streams)",
    )
    serve.add_argument("--grace", type=float, default=5.0, help="seconds calls in flight get to finish on shutdown")
    serve.add_argument(
        "--stream-port", type=int, default=0, metavar="PORT",
        help="also serve on this port from a second process, for the stores' held streams (WatchShipments, "
        "WatchStock, SyncStock): in the checkout's own process their sends wait for its interpreter lock "
        "(see Held streams in docs/operations.md); the same services, tokens and limits on both ports",
    )
    serve.add_argument("--parent-pid", type=int, default=0, help=argparse.SUPPRESS)  # the stream port's server
    serve.add_argument(
        "--payment-timeout", type=float, default=15.0, metavar="MINUTES",
        help="cancel allocated orders whose payment is not confirmed within this many minutes, releasing their stock (default 15)",
    )
    serve.add_argument(
        "--no-projection", action="store_true",
        help="do not run the projections (national stock, dealer ledger) in this server (run `omo project` beside it instead)",
    )
    serve.add_argument(
        "--order-writer", choices=("process", "thread"), default="process",
        help="where orders are written: a process of its own beside the server (default; the two do not "
        "share one interpreter lock), or a thread of the server's",
    )
    promise = serve.add_argument_group("promise", "How delivery promises are worked out (see The delivery promise in docs/api.md).")
    promise.add_argument(
        "--delivery-speed-kmh", type=positive(float), default=15.0, metavar="KMH",
        help="courier speed a DELIVERY promise allows for the ride from the store (default 15)",
    )
    promise.add_argument(
        "--express-lead-days", type=int, default=2, choices=range(0, 31), metavar="DAYS",
        help="an EXPRESS order is promised by the end of the day this many days after today (default 2)",
    )
    promise.add_argument(
        "--transfer-lead-hours", type=int, default=24, choices=range(0, 24 * 31), metavar="HOURS",
        help="how long goods shipped between stores take to arrive: a backorder counts units in transit as "
        "arriving this long from now (default 24)",
    )
    add_logging_options(serve)
    add_metrics_options(serve)
    serve.add_argument(
        "--no-access-log", action="store_true",
        help="no line per call (by default each call logs its method, caller's role and token id, status code, "
        "milliseconds and peer at INFO on the omo.access logger)",
    )
    serve.add_argument(
        "--max-lag", type=int, default=10_000, metavar="EVENTS",
        help="a projection further behind than this reports NOT_SERVING under its own health service name, "
        "omo.projection.NAME (default 10000)",
    )
    transfers = serve.add_argument_group("transfers", "Orders backed by transfers (see docs/api.md).")
    transfers.add_argument(
        "--transfer-radius-km", type=float, default=30.0, metavar="KM",
        help="a PICKUP store lacking units that stores this near it hold takes the order, the units sent by "
        "transfer (default 30; 0: never)",
    )
    transfers.add_argument(
        "--delivery-via-nearest-store", action="store_true",
        help="a DELIVERY order no one store can take goes to the customer's nearest store, backed by transfers, "
        "before a split or a warehouse",
    )
    tls = serve.add_argument_group(
        "TLS", "Serve TLS with --tls-cert and --tls-key (PEM files). Plaintext only on a loopback --host "
        "(127.0.0.1, ::1, localhost) or with --plaintext: any other host without TLS refuses to start.",
    )
    tls.add_argument("--tls-cert", metavar="FILE", help="the server's certificate chain, PEM (with --tls-key)")
    tls.add_argument("--tls-key", metavar="FILE", help="the server certificate's private key, PEM (with --tls-cert)")
    tls.add_argument(
        "--client-ca", metavar="FILE",
        help="mutual TLS: require client certificates signed by this CA, PEM (needs --tls-cert and --tls-key)",
    )
    tls.add_argument("--plaintext", action="store_true", help="serve without TLS on a host beyond loopback (a trusted network only)")
    add_limit_arguments(serve)



def rate_limit(value: str):
    from services.api.gate.rate_limits import parse_rate_limit

    try:
        return parse_rate_limit(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def buyer_rate(value: str):
    """RATE/BURST: orders per second (a decimal) and orders at once, each > 0."""
    from decimal import Decimal, InvalidOperation

    rate, _, burst = value.partition("/")
    try:
        parsed = Decimal(rate), int(burst)
    except (InvalidOperation, ValueError):
        raise argparse.ArgumentTypeError(f"expected RATE/BURST such as 2/5, got {value!r}") from None
    if not (parsed[0].is_finite() and parsed[0] > 0 and parsed[1] > 0):
        raise argparse.ArgumentTypeError(f"rate and burst must be > 0, got {value!r}")
    return parsed


def positive(kind: type):
    def parse(value: str):
        number = kind(value)
        if not 0 < number < float("inf"):
            raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {value}")
        return number

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def add_limit_arguments(serve: argparse.ArgumentParser) -> None:
    # the defaults live beside the code that applies them (the API's stream and rate limits,
    # its server), imported only by `serve`: building the parser stays cheap
    limits = serve.add_argument_group("limits", "What one caller may ask of the server (see Limits in docs/operations.md).")
    limits.add_argument(
        "--rate-limit", action="append", type=rate_limit, default=[], metavar="ROLE=RATE/BURST",
        help="calls per second and burst for each caller (token) of the role, e.g. pos=500/1000; repeatable "
        "(defaults checkout=5000/10000, pos=500/1000, dealer=50/100, ops=2000/4000)",
    )
    limits.add_argument(
        "--buyer-rate", type=buyer_rate, metavar="RATE/BURST",
        help="PlaceOrder per second and at once for one end customer, and for one device (default 2/5): "
        "all checkout traffic shares one caller, so bots are told from buyers by these",
    )
    limits.add_argument("--buyer-memory", type=positive(int), metavar="N", help="buyers the server keeps a budget for (default 200000)")
    limits.add_argument("--max-message-bytes", type=positive(int), metavar="BYTES", help="largest message in or out (default 4 MiB)")
    limits.add_argument("--watch-max-seconds", type=positive(float), metavar="S", help="a WatchStock stream ends after this long (default 3600)")
    limits.add_argument("--sync-idle-seconds", type=positive(float), metavar="S", help="a SyncStock stream that sends nothing this long ends (default 300)")
    limits.add_argument("--sync-max-seconds", type=positive(float), metavar="S", help="a SyncStock stream ends after this long (default 3600)")
    limits.add_argument("--sync-max-movements", type=positive(int), metavar="N", help="movements one SyncStock stream may carry (default 100000)")
    limits.add_argument(
        "--max-streams", type=positive(int), metavar="N",
        help="streams (WatchStock, SyncStock, every kind together) the server holds at once, a thread each; "
        "one more is refused with RESOURCE_EXHAUSTED (default 4000)",
    )


def chosen_limits(args: argparse.Namespace):
    """(admissions, stream limits, max message bytes, buyer limits) for start_server from
    `serve`'s options."""
    from services.api.gate.buyer_guard import BuyerLimits
    from services.api.gate.rate_limits import RateLimiter
    from services.api.server import MAX_MESSAGE_BYTES
    from services.api.stream_limits import StreamLimits

    given = {
        name: getattr(args, name)
        for name in ("watch_max_seconds", "sync_idle_seconds", "sync_max_seconds", "sync_max_movements", "max_streams")
        if getattr(args, name) is not None
    }
    buyers = {}
    if args.buyer_rate is not None:
        buyers.update(orders_per_second=args.buyer_rate[0], burst=args.buyer_rate[1])
    if args.buyer_memory is not None:
        buyers["max_buyers"] = args.buyer_memory
    return (
        (RateLimiter(dict(args.rate_limit)),), StreamLimits(**given), args.max_message_bytes or MAX_MESSAGE_BYTES,
        BuyerLimits(**buyers),
    )


def serve(args: argparse.Namespace) -> int:
    from services.adapters.child_processes import ChildCommand, parent_gone
    from services.adapters.heap import freeze_survivors_of_full_collections
    from services.adapters.tracing import configure_tracing
    from services.adapters.health_watch import HealthWatch
    from services.api.server import SERVICE_NAMES, start_server
    from services.api.tls import TlsSetupError, serving_credentials
    from routing.policy import RoutingPolicy
    from routing.promise import PromiseTerms
    from services.bootstrap import build_application, start_background_work
    from projections.definitions import PROJECTIONS
    from projections.runtime.projection import refuse_other_versions

    # refused before anything starts: no database opened, no port bound
    if args.stream_port < 0 or (args.stream_port and args.stream_port == args.port):
        print(f"omo serve: error: --stream-port must be a port other than --port, got {args.stream_port}", file=sys.stderr)
        return 2
    try:
        credentials = serving_credentials(args.host, args.tls_cert, args.tls_key, args.client_ca, args.plaintext)
    except TlsSetupError as error:
        print(f"omo serve: error: {error}", file=sys.stderr)
        return 2

    for flag, port in (("--port", args.port), ("--stream-port", args.stream_port)):
        if port and not args.parent_pid and not port_free(args.host, port):
            raise ConfigurationError(
                f"{flag} {port}: cannot listen on {args.host}:{port} (the port is in use, or --host is not an address of "
                f"this machine); choose another {flag} or --host"
            )

    # first, before the database is opened, so a signal during start-up still ends in a clean shutdown
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    # every projection's, with or without runners here: the server's queries read them all
    refuse_other_versions(database_url(), PROJECTIONS.values())
    freeze_survivors_of_full_collections()
    tracing = configure_tracing("omo-server")
    url = database_url()
    log = logging.getLogger("omo")
    terms = PromiseTerms(
        delivery_speed_kmh=args.delivery_speed_kmh, express_lead_days=args.express_lead_days,
        transfer_lead=timedelta(hours=args.transfer_lead_hours),
    )
    app = build_application(url, order_writer=args.order_writer, routing=RoutingPolicy(
        promise_terms=terms, transfer_radius_km=args.transfer_radius_km, delivery_via_nearest_store=args.delivery_via_nearest_store,
    ))
    streams_child = args.parent_pid != 0  # the stream port's server: no housekeeping, no projections
    if args.order_writer == "process" and not streams_child:  # the stream port's makes one if ever asked to
        log.info("order writer in process %d", app.order_writer.pid)
    admissions, stream_limits, max_message_bytes, buyer_limits = chosen_limits(args)
    try:
        server = start_server(
            app, host=args.host, port=args.port, workers=args.workers, credentials=credentials,
            admissions=admissions, stream_limits=stream_limits, max_message_bytes=max_message_bytes,
            buyer_limits=buyer_limits, access_log=not args.no_access_log, tracing=tracing,
        )
    except OSError:
        app.close()
        raise ConfigurationError(
            f"--port {args.port}: cannot listen on {args.host}:{args.port} (the port is in use, or --host is not an "
            "address of this machine); choose another --port or --host"
        ) from None
    watch = HealthWatch(app, server.health, SERVICE_NAMES, max_lag=args.max_lag).start()
    if args.metrics_port and not streams_child:
        from services.adapters import metrics

        metrics.watch(metrics.server_readings(app, lambda: server.streams.held))
        metrics.watch(metrics.projection_readings(app, url))
        metrics.serve_metrics(args.metrics_host, args.metrics_port)
        log.info("metrics on http://%s:%d/metrics", args.metrics_host, args.metrics_port)
    background = None if streams_child else start_background_work(
        app, payment_timeout=timedelta(minutes=args.payment_timeout), projections=not args.no_projection,
    )
    log.info(
        "serving on %s:%d (%s), database %s", args.host, server.port,
        "plaintext" if credentials is None else "mutual TLS" if args.client_ca else "TLS", redact(url),
    )
    streams = None
    if args.stream_port and not streams_child:
        # the same command on the stream port; argparse takes the last of a repeated option
        again = [*args.argv, "--port", str(args.stream_port), "--stream-port", "0", "--no-projection"]
        streams = ChildCommand(f"serving streams on {args.host}:{args.stream_port}", again).start()
    while not stopping.wait(0.5):
        if parent_gone(args.parent_pid):
            log.warning("the omo serve that started this one is gone; stopping")
            break
        if streams is not None:
            streams.check()
    log.info("shutting down")
    watch.stop()
    if streams is not None:
        streams.stop(timeout=args.grace + 10)
    server.stop(grace=args.grace)
    log.info("stopped serving")
    if background is not None:
        background.stop()
        log.info("housekeeping and projections stopped")
    app.close()
    log.info("closed the database")
    return 0


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (checked before anything starts: gRPC's
    own refusal comes after the database is opened, with a log line of its own)."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        return True
    except OSError:
        return False
