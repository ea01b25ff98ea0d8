"""Checkout baseline: PlaceOrder through the real gRPC server on PostgreSQL.

1,000 stores seeded as in the demo, then PlaceOrder with 16 calls in flight for a fixed time,
beside the rate of a trivial gRPC call (a health check) on the same server in the same run:
the ceiling, and beside the floor (bench/floor_server.py: the same requests written in group
commits and answered, by a server that does nothing else, which no design of checkout can
beat). Afterwards the units reserved beyond stock are recomputed from the events.

    python bench/checkout.py [--quick] [--json FILE] [--database-url URL]
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grpc_health.v1 import health_pb2  # noqa: E402

from bench.common import (  # noqa: E402
    LAUNCH_PROJECTOR, bench_parser, callers, closed_loop, free_port, machine, projection_watch, scratch_postgres_database, server_process, write_json,
)
from bench.cpu import cpu_shares  # noqa: E402
from bench.floor_server import floor_process, placer  # noqa: E402
from projections.national_stock.audit import oversold_units  # noqa: E402
from services.demo import seeding  # noqa: E402
from services.client.client import OmoClient  # noqa: E402
from services.bootstrap import build_application  # noqa: E402
from services.demo.demo import seed_network  # noqa: E402


DEEP_SLOTS = 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, seed=11)
    parser.add_argument("--seconds", type=float, help="load time per measurement (default 30, quick 5)")
    parser.add_argument("--in-flight", type=int, default=16, help="calls in flight (default 16)")
    parser.add_argument("--stores", type=int, help="stores to seed (default 1000, quick 200)")
    parser.add_argument("--observability", choices=("default", "on", "off"), default="default",
                        help="the server's metrics and access log: as `omo serve` starts (access log on, metrics off), "
                             "both on, or both off (what they cost is on minus off)")
    args = parser.parse_args(argv)
    seconds = args.seconds or (5.0 if args.quick else 30.0)
    store_count = args.stores or (200 if args.quick else 1000)

    database = nullcontext(args.database_url) if args.database_url else scratch_postgres_database()
    with database as url:
        serve_args = {"default": (), "on": ("--metrics-port", str(free_port())), "off": ("--no-access-log",)}[args.observability]
        with server_process(url, projections_apart=True, project_args=LAUNCH_PROJECTOR, serve_args=serve_args) as target, callers(url) as cast:
            rng = random.Random(args.seed)
            # open around the clock: the figures must not depend on the hour the run starts
            world = seeding.build_world(rng, store_count, 200, always_open=True)
            for request in world.stores:
                # deep slots, as deep stock: each order takes a place (the cost measured), none
                # is ever full (a full slot would measure routing around it instead)
                request.hourly_slot_capacity = DEEP_SLOTS
            with OmoClient(target, tokens=cast) as client:
                # deep stock, so the run measures placing orders rather than running dry
                seed_network(client, world, rng, workers=8, most_units=10_000)
            print(f"seeded {store_count} stores; {seconds:.0f} s per figure, {args.in_flight} in flight", file=sys.stderr)

            run = uuid.uuid4().hex[:8]
            generators = [random.Random(args.seed * 1000 + t) for t in range(args.in_flight)]

            def place(client: OmoClient, thread: int, n: int) -> None:
                request = seeding.order_request(generators[thread], world, f"bench-{run}-{thread}-{n}", customers=1_000_000)
                client.orders.PlaceOrder(request, timeout=30)

            def trivial(client: OmoClient, thread: int, n: int) -> None:
                client.health.Check(health_pb2.HealthCheckRequest(), timeout=30)

            with projection_watch(url) as projection_lag:
                settle(projection_lag)
                with cpu_shares() as cpu:
                    orders = closed_loop(target, args.in_flight, seconds, place, tokens=cast)
                lag = projection_lag()  # the read models as the load ends
            ceiling = closed_loop(target, args.in_flight, seconds, trivial)

            floor_stubs: dict[int, Callable] = {}

            def place_on_floor(client: OmoClient, thread: int, n: int) -> None:
                if (stub := floor_stubs.get(id(client))) is None:
                    stub = floor_stubs[id(client)] = placer(client.channel)
                stub(seeding.order_request(generators[thread], world, f"floor-{run}-{thread}-{n}", customers=1_000_000), timeout=30)

            with floor_process(url, free_port()) as floor_target:
                floor = closed_loop(floor_target, args.in_flight, seconds, place_on_floor)
        oversold = audit(url)

    figures = {
        "orders_per_s": round(orders.ok_per_s, 1),
        "p50_ms": round(orders.percentile_ms(0.50), 2),
        "p99_ms": round(orders.percentile_ms(0.99), 2),
        "grpc_ceiling_per_s": round(ceiling.ok_per_s, 1),
        "floor_per_s": round(floor.ok_per_s, 1),
        "floor_p99_ms": round(floor.percentile_ms(0.99), 2),
        "oversold": oversold,
        "refused_per_s": round(orders.refused / orders.seconds, 1),
        **lag,
        "cpu_ms_per_order": cpu.ms_per(orders.ok),
        "in_flight": args.in_flight,
        "observability": args.observability,
        "stores": store_count,
        "seconds": seconds,
        "machine": machine(),
    }
    print(f"\ncheckout on PostgreSQL, {store_count} stores, {args.in_flight} calls in flight, {machine()}")
    print(f"  PlaceOrder placed       {figures['orders_per_s']:>10.1f} /s   p50 {figures['p50_ms']:.1f} ms   p99 {figures['p99_ms']:.1f} ms")
    print(f"  PlaceOrder refused      {figures['refused_per_s']:>10.1f} /s   (no store in reach could take it)")
    print(f"  trivial call (ceiling)  {figures['grpc_ceiling_per_s']:>10.1f} /s   ratio {orders.ok_per_s / ceiling.ok_per_s:.3f}")
    print(f"  floor                   {figures['floor_per_s']:>10.1f} /s   p99 {figures['floor_p99_ms']:.1f} ms"
          "   (the request written in a group commit and answered: no auth, routing, events)")
    print(f"  units oversold          {oversold:>10d}     (recomputed from the events)")
    if shares := figures["cpu_ms_per_order"]:
        print("  CPU per order (ms)      " + "  ".join(f"{role} {ms:.2f}" for role, ms in shares.items()))
        print(f"  CPU budget per order    {1000 * (os.cpu_count() or 1) / 1500:.2f} ms at 1,500 orders/s on {os.cpu_count()} cores")
    print(f"  national stock lag      {lag['projection_lag_events']:>10d} events, {lag['projection_lag_s']:.2f} s   (as the load ended)")
    write_json(args.json, figures)
    return 1 if oversold else 0


def settle(projection_lag: Callable[[], dict], patience_s: float = 600.0) -> None:
    """Waits for the projector to apply the seeding (a full run seeds about 200,000 events):
    the load is measured with the read models current, as they are in service, not while
    they work through the seeding."""
    deadline = time.monotonic() + patience_s
    while (behind := projection_lag()["projection_lag_events"]) and time.monotonic() < deadline:
        print(f"  the projector has {behind} seeded events still to apply", file=sys.stderr)
        time.sleep(2.0)


def audit(url: str) -> int:
    """Units ever reserved beyond stock, from every event in the store."""
    app = build_application(url)
    try:
        def events():
            position = 0
            while batch := app.recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False):
                for notification in batch:
                    yield app.mapper.to_domain_event(notification)
                position = batch[-1].id

        return oversold_units(events())
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
