"""`omo demo`: a national store network seeded and worked through the real gRPC server."""

from __future__ import annotations

import argparse
import os

from services.adapters.config import DATABASE_URL_VARIABLE, ConfigurationError


def clock_time(value: str) -> str:
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise argparse.ArgumentTypeError(f"expected HH:MM, got {value!r}")
    return f"{int(hours):02d}:{int(minutes):02d}"


def add_parser(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo", help="seed a national store network and place orders through gRPC",
        description="Start the server in-process on a free port with a fresh SQLite database of its own "
        f"(or {DATABASE_URL_VARIABLE} when set), seed stores in real Chinese cities and their stock, "
        "place orders from customers near real cities through the gRPC client, and print a summary "
        "(where the orders went, the median promise per mode). Then a small pre-sale of a new SKU (SetPreSale, pre-orders, "
        "one refused over the per-customer limit, PlanPreSale, the goods received under the pre-sale's reference, the "
        "pre-orders allocated earliest first). Then the stores' day, the pre-orders with the other orders: the checkout pays "
        "most orders, walk-in sales move some, and the stores find their work in their queues, as their "
        "own POS (each lists it with ListShipments; the busiest locations watch it with WatchShipments) and "
        "deliver what is paid, except a few slow stores; the evening ends with the day's on-time share "
        "(GetStorePerformance), returns, and the dealers' statements.",
    )
    demo.add_argument("--stores", type=int, default=1000, help="stores to seed (default 1000)")
    demo.add_argument("--skus", type=int, default=200, help="SKUs in the catalogue (default 200)")
    demo.add_argument("--orders", type=int, default=1000, help="orders to place (default 1000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed: the same seed seeds the same data")
    demo.add_argument("--workers", type=int, default=8, help="gRPC calls in flight, and stores working their queues at once (default 8)")
    demo.add_argument(
        "--at", default="20:00", type=clock_time,
        help="place the orders as if at this Shanghai time, HH:MM, the next time it comes (default 20:00, "
        "the daily peak; stores open 09:00-22:00, so night orders find them shut)",
    )
    demo.add_argument(
        "--console", action="store_true",
        help="then leave the web console running on the demo's data (on 127.0.0.1) and print its address and an ops "
        "sign-in token; Ctrl-C stops it",
    )
    demo.add_argument("--console-port", type=int, default=8080, metavar="PORT", help="the console's port (default 8080)")


def demo(args: argparse.Namespace) -> int:
    from services.cli.serve import port_free
    from services.demo.console import HOST
    from services.demo.demo import run_demo

    if args.console and not port_free(HOST, args.console_port):  # said now, not after the demo's minutes
        raise ConfigurationError(f"--console-port {args.console_port}: {HOST}:{args.console_port} is in use; choose another")
    run_demo(
        os.environ.get(DATABASE_URL_VARIABLE), stores=args.stores, skus=args.skus,
        orders=args.orders, seed=args.seed, workers=args.workers, at=args.at,
        console_port=args.console_port if args.console else None,
    )
    return 0
