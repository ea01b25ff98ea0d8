"""The `omo` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import timedelta

from services.config import DATABASE_URL_VARIABLE, database_url, redact
from services.projection_commands import add_parsers as add_projection_parsers
from services.projection_commands import project, projections, start_in_server as start_projection_in_server
from services.statement_commands import add_parsers as add_statement_parsers
from services.statement_commands import statements
from services.token_commands import add_parsers as add_token_parsers
from services.token_commands import tokens


def clock_time(value: str) -> str:
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise argparse.ArgumentTypeError(f"expected HH:MM, got {value!r}")
    return f"{int(hours):02d}:{int(minutes):02d}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omo", description="OMO order and inventory backbone.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="run the gRPC server",
        description=f"Run the gRPC server on the database named by {DATABASE_URL_VARIABLE} "
        "(default: a SQLite file under ./var). Stops cleanly on SIGTERM or SIGINT.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=50051, help="port to listen on (default 50051; 0 picks a free one)")
    serve.add_argument("--workers", type=int, default=16, help="gRPC worker threads (default 16)")
    serve.add_argument("--grace", type=float, default=5.0, help="seconds calls in flight get to finish on shutdown")
    serve.add_argument(
        "--payment-timeout", type=float, default=15.0, metavar="MINUTES",
        help="cancel allocated orders whose payment is not confirmed within this many minutes, releasing their stock (default 15)",
    )
    serve.add_argument(
        "--no-projection", action="store_true",
        help="do not run the projections (national stock, dealer ledger) in this server (run `omo project` beside it instead)",
    )

    demo = commands.add_parser(
        "demo", help="seed a national store network and place orders through gRPC",
        description="Start the server in-process on a free port with a fresh SQLite database of its own "
        f"(or {DATABASE_URL_VARIABLE} when set), seed stores in real Chinese cities and their stock, "
        "place orders from customers near real cities through the gRPC client, and print a summary.",
    )
    demo.add_argument("--stores", type=int, default=1000, help="stores to seed (default 1000)")
    demo.add_argument("--skus", type=int, default=200, help="SKUs in the catalogue (default 200)")
    demo.add_argument("--orders", type=int, default=1000, help="orders to place (default 1000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed: the same seed seeds the same data")
    demo.add_argument("--workers", type=int, default=8, help="gRPC calls in flight (default 8)")
    demo.add_argument(
        "--at", default="20:00", type=clock_time,
        help="place the orders as if at this Shanghai time, HH:MM (default 20:00, the daily peak; "
        "stores open 09:00-22:00, so night orders find them shut)",
    )
    add_projection_parsers(commands)
    add_statement_parsers(commands)
    add_token_parsers(commands)
    return parser


def serve(args: argparse.Namespace) -> int:
    from services.api.server import start_server
    from services.housekeeping import Housekeeper
    from services.application import OmoApplication

    # first, so a signal during start-up still ends in a clean shutdown
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    url = database_url()
    log = logging.getLogger("omo")
    app = OmoApplication(url)
    server = start_server(app, host=args.host, port=args.port, workers=args.workers)
    housekeeper = Housekeeper(app, payment_timeout=timedelta(minutes=args.payment_timeout)).start()
    projection = None if args.no_projection else start_projection_in_server(app, url)
    log.info("serving on %s:%d, database %s", args.host, server.port, redact(url))
    stopping.wait()
    log.info("shutting down")
    server.stop(grace=args.grace)
    housekeeper.stop()
    if projection is not None:
        projection.shutdown()
    app.close()
    return 0


def demo(args: argparse.Namespace) -> int:
    from services.demo import run_demo

    run_demo(
        os.environ.get(DATABASE_URL_VARIABLE), stores=args.stores, skus=args.skus,
        orders=args.orders, seed=args.seed, workers=args.workers, at=args.at,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    return {"serve": serve, "demo": demo, "project": project, "projections": projections, "statements": statements, "tokens": tokens}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
