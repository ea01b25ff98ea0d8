"""The store's queue under checkout: every store holding a WatchShipments stream on one server
while the checkout places orders at a steady rate.

1,000 stores seeded as in the demo (deep stock, open around the clock), each with a
WatchShipments stream (its POS token) on one `omo serve`, held by the stores' apps in a process
of their own (bench/store_queue_streams.py: grpc.aio, one event loop, a coroutine per stream).
The checkout places orders open loop at a steady rate (200/s): each order has its send time
scheduled in advance and its latency is measured from that time, so a server that stalls cannot
hide the queue behind it. A health check runs beside it at a lower steady rate: the trivial call,
the baseline. Two phases of the same length on the same server: first with no stream held, then
with every store's stream held.

For each order placed while the streams are held: the time from its commit to the moment its
store's stream delivered the ALLOCATED change. The commit is stood for by the order event's own
timestamp, carried in the change (`allocated_at`): it is taken when the event is made, a little
before its transaction commits, so the figure errs long, never short. The time from PlaceOrder's
answer reaching the checkout is reported beside it. After a grace period, every shipment placed
in the run (a short warm-up, unmeasured, comes first) must have reached its own store's stream
(those placed before the streams opened by the history a stream replays when it opens), and no
other store's. A probe reading the store_work projection's position every 5 ms splits the time
into the projection's part and the feed's and stream's part.

    python bench/store_queue.py [--quick] [--stores N] [--seconds S] [--rate R] [--stream-port] [--json FILE]
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from sqlalchemy.exc import ProgrammingError  # noqa: E402

from bench.common import bench_parser, callers, free_port, machine, scratch_postgres_database, server_process, wait_until_serving, write_json  # noqa: E402
from bench.cpu import cpu_shares  # noqa: E402
from bench.projection_probe import PositionProbe, position_probe  # noqa: E402
from domain.callers import CHECKOUT, POS  # noqa: E402
from projections.definitions import NATIONAL_STOCK, STORE_WORK  # noqa: E402
from projections.runtime.database import read_engine  # noqa: E402
from projections.runtime.runner import projection_status  # noqa: E402
from protos.omo.v1 import orders_pb2_grpc  # noqa: E402
from services.adapters.config import application_env  # noqa: E402
from services.adapters.projection_runners import EventStore  # noqa: E402
from services.client.client import OmoClient  # noqa: E402
from services.demo import seeding  # noqa: E402
from services.demo.demo import percentile, seed_network  # noqa: E402

HEALTH_PER_S = 20
WARMUP_S = 3.0


@dataclass
class Phase:
    """What the checkout saw in one phase."""

    seconds: float
    drain_s: float = 0.0  # how long after the last scheduled send the last answer came
    place_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    # order id -> (the moment its answer arrived, us since the epoch; its shipments' stores)
    placed: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)

    def figures(self, suffix: str) -> dict:
        return {
            # over the time to the last answer: a server that falls behind the rate shows it here
            f"placed_per_s_{suffix}": round(len(self.placed) / (self.seconds + self.drain_s), 1),
            f"drain_s_{suffix}": round(self.drain_s, 2),
            f"place_p50_ms_{suffix}": round(percentile(self.place_ms, 0.50), 2),
            f"place_p99_ms_{suffix}": round(percentile(self.place_ms, 0.99), 2),
            f"health_p99_ms_{suffix}": round(percentile(self.health_ms, 0.99), 2),
            f"refused_{suffix}": sum(self.refused.values()),
            f"refused_by_code_{suffix}": dict(sorted(self.refused.items())),
        }


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, seed=23)
    parser.add_argument("--stores", type=int, help="stores to seed, each holding a stream (default 1000, quick 100)")
    parser.add_argument("--seconds", type=float, help="load time of each phase (default 30, quick 5)")
    parser.add_argument("--rate", type=float, default=200.0, help="orders per second the checkout sends (default 200)")
    parser.add_argument(
        "--projector-poll", type=float, default=0.25,
        help="the projector's --poll-interval (default 0.25, the launch setting; the stores' work is woken by commits whatever it is)",
    )
    parser.add_argument("--grace", type=float, default=5.0, help="seconds after the load for the last changes to arrive (default 5)")
    parser.add_argument(
        "--stream-port", action="store_true",
        help="the stores' streams on the server's --stream-port (a second process of the same `omo serve`), "
        "apart from the checkout's calls",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (5.0 if args.quick else 30.0)
    store_count = args.stores or (100 if args.quick else 1000)
    load_at_start = [round(x, 2) for x in os.getloadavg()]

    database = nullcontext(args.database_url) if args.database_url else scratch_postgres_database()
    with database as url:
        # the projections beside the server, in `omo project`: the server's interpreter is not
        # shared with five projection runners, as where checkout is busy; the server's shared
        # feed reads what they write
        projector = ("--poll-interval", str(args.projector_poll))
        stream_port = free_port() if args.stream_port else 0
        serve_args = ("--stream-port", str(stream_port)) if stream_port else ()
        with server_process(url, projections_apart=True, project_args=projector, serve_args=serve_args) as target, callers(url) as cast, projection_lags(url) as lags:
            rng = random.Random(args.seed)
            world = seeding.build_world(rng, store_count, 200, always_open=True)
            with OmoClient(target, tokens=cast) as client:
                seed_network(client, world, rng, workers=8, most_units=10_000)
            sites = [s.store_id for s in world.stores + world.warehouses]  # a warehouse ships EXPRESS: its queue too
            tokens = {store_id: cast.token(POS, store_id=store_id) for store_id in sites}
            checkout = cast.token(CHECKOUT)
            settle(lags)
            print(f"seeded {store_count} stores; {seconds:.0f} s per phase at {args.rate:g} orders/s", file=sys.stderr)

            run = uuid.uuid4().hex[:8]
            warmup = int(WARMUP_S * args.rate)
            requests = [seeding.order_request(rng, world, f"sq-{run}-{n}", customers=1_000_000) for n in range(warmup + int(2 * seconds * args.rate))]
            # the server's first orders warm it up (its caches, its connections): not measured
            warm = asyncio.run(checkout_phase(target, checkout, requests[:warmup], args.rate, WARMUP_S))
            requests = requests[warmup:]
            half = len(requests) // 2
            with cpu_shares() as cpu_without:
                without = asyncio.run(checkout_phase(target, checkout, requests[:half], args.rate, seconds))
            streams_target = f"127.0.0.1:{stream_port}" if stream_port else target
            wait_until_serving(streams_target)
            with held_streams(streams_target, tokens) as streams, position_probe(url, STORE_WORK.name) as probe:
                print(f"{len(sites)} streams live", file=sys.stderr)
                with cpu_shares() as cpu_with:
                    apps_before = streams.cpu_seconds()
                    with_streams = asyncio.run(checkout_phase(target, checkout, requests[half:], args.rate, seconds))
                    cpu_with.seconds["stores' apps"] = streams.cpu_seconds() - apps_before
                lag_after = lags()
                time.sleep(args.grace)
            seen = streams.result

    delivered = deliveries([warm, without], with_streams, seen, probe)
    figures = {
        "stores": store_count,
        "streams": len(sites),
        "orders_per_s": args.rate,
        "p50_ms": delivered.pop("p50_ms"),
        "p99_ms": delivered.pop("p99_ms"),
        "missed": delivered.pop("missed"),
        "misdelivered": delivered.pop("misdelivered"),
        **delivered,
        "place_p99_ms_without_streams": round(percentile(without.place_ms, 0.99), 2),
        "place_p99_ms_with_streams": round(percentile(with_streams.place_ms, 0.99), 2),
        "health_p99_ms": round(percentile(with_streams.health_ms, 0.99), 2),
        **without.figures("without_streams"),
        **with_streams.figures("with_streams"),
        "reconnects": seen["reconnects"],
        "repeated": seen["repeated"],
        "stream_errors": seen["errors"],
        "store_work_lag_events_after_load": lag_after[STORE_WORK.name],
        # cores' worth of CPU each process used in each phase
        "cpu_cores_without_streams": {role: round(used / seconds, 3) for role, used in cpu_without.seconds.items()},
        "cpu_cores_with_streams": {role: round(used / seconds, 3) for role, used in cpu_with.seconds.items()},
        "seconds": seconds,
        "projector_poll_s": args.projector_poll,
        "stream_port": args.stream_port,
        # other work on a shared machine shows here: the figures of a busy run are not comparable
        "load_average_at_start": load_at_start,
        "machine": machine(),
    }
    report(figures)
    write_json(args.json, figures)
    return 1 if figures["missed"] or figures["misdelivered"] else 0


async def checkout_phase(target: str, token: str, requests: list, rate: float, seconds: float) -> Phase:
    """The requests sent at `rate` a second from scheduled times, health checks beside them
    at their own rate; each latency from the call's scheduled time."""
    phase = Phase(seconds)
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(target) as channel:
        orders = orders_pb2_grpc.OrderServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)

        async def place(n: int) -> None:
            try:
                answer = await orders.PlaceOrder(requests[n], metadata=metadata, timeout=30)
            except grpc.aio.AioRpcError as error:
                phase.refused[error.code().name] = phase.refused.get(error.code().name, 0) + 1
                return None
            # the answer's moment is taken before its latency is: both come after the answer
            phase.placed[answer.order.order_id] = (time.time_ns() // 1000, tuple(s.store_id for s in answer.order.shipments))
            return phase.place_ms

        async def check(n: int) -> list[float] | None:
            try:
                await health.Check(health_pb2.HealthCheckRequest(), timeout=30)
            except grpc.aio.AioRpcError as error:
                phase.refused[f"health {error.code().name}"] = phase.refused.get(f"health {error.code().name}", 0) + 1
                return None
            return phase.health_ms

        began = time.monotonic()
        await asyncio.gather(open_loop(place, len(requests), rate), open_loop(check, int(HEALTH_PER_S * seconds), HEALTH_PER_S))
        phase.drain_s = max(0.0, time.monotonic() - began - seconds)
    return phase


async def open_loop(call: Callable[[int], Awaitable[list[float] | None]], count: int, rate: float) -> None:
    """call(n) for n in range(count), the n-th sent at start + n / rate whether or not the ones
    before have been answered; the latency, from the scheduled time, goes to the list the call
    returns (None: not counted)."""
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def timed(n: int, at: float) -> None:
        latencies = await call(n)
        if latencies is not None:
            latencies.append((loop.time() - at) * 1000)

    tasks = []
    for n in range(count):
        at = start + n / rate
        if (delay := at - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(n, at)))
    await asyncio.gather(*tasks)


class HeldStreams:
    result: dict
    pid: int

    def cpu_seconds(self) -> float:
        """CPU the stores' apps' process has used so far (user + system)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def held_streams(target: str, tokens: dict[str, str]) -> Iterator[HeldStreams]:
    """Every store's stream held by a process of its own, live when the block starts; what
    they received is in `.result` after it."""
    held = HeldStreams()
    with tempfile.TemporaryDirectory(prefix="omo-store-queue-") as scratch:
        config, output = Path(scratch, "config.json"), Path(scratch, "changes.json")
        config.write_text(json.dumps({"target": target, "tokens": tokens}))
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.store_queue_streams", str(config), str(output)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        held.pid = process.pid
        try:
            line = process.stdout.readline()
            if not line.startswith("live"):
                raise RuntimeError(f"the streams did not all go live: {line!r}")
            yield held
            process.stdin.write("stop\n")
            process.stdin.close()
            if process.wait(timeout=120) != 0:
                raise RuntimeError("the stream process failed")
            held.result = json.loads(output.read_text())
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def deliveries(before: list[Phase], with_streams: Phase, seen: dict, probe: PositionProbe) -> dict:
    """Every placed shipment against the changes each store's stream received; for those
    placed while the streams were held, where the time went: up to the projection's commit
    (as the probe saw it), and from there to the stream."""
    placed = {order_id: answer for phase in (*before, with_streams) for order_id, answer in phase.placed.items()}
    allocated: dict[tuple[str, str], tuple[int, int, int]] = {}  # (order, stream's store) -> (allocated_at, received, position)
    reached: set[tuple[str, str]] = set()
    misdelivered = unknown = duplicates = 0
    for stream_store, order_id, shipment_store, kind, position, allocated_at_us, received_us in seen["changes"]:
        if order_id not in placed:
            unknown += 1  # an order whose answer the checkout never had (timed out after its commit)
            continue
        if shipment_store != stream_store or stream_store not in placed[order_id][1]:
            misdelivered += 1
            continue
        reached.add((order_id, stream_store))
        if kind == "ALLOCATED":
            if (order_id, stream_store) in allocated:
                duplicates += 1
            else:
                allocated[(order_id, stream_store)] = (allocated_at_us, received_us, position)
    shipments = [(order_id, store) for order_id, (_, stores) in placed.items() for store in stores]
    from_event, from_answer, to_projection, to_stream = [], [], [], []
    for order_id, (answered_us, stores) in with_streams.placed.items():
        for store in stores:
            if (times := allocated.get((order_id, store))) is None:
                continue
            event_us, received_us, position = times
            from_event.append((received_us - event_us) / 1000)
            from_answer.append((received_us - answered_us) / 1000)
            if (applied_us := probe.applied_at_us(position)) is not None:
                to_projection.append((applied_us - event_us) / 1000)
                to_stream.append((received_us - applied_us) / 1000)
    return {
        "p50_ms": round(percentile(from_event, 0.50), 2),
        "p99_ms": round(percentile(from_event, 0.99), 2),
        "max_ms": round(max(from_event, default=0.0), 2),
        "missed": sum(1 for s in shipments if s not in reached),
        "misdelivered": misdelivered,
        "shipments": len(shipments),
        "shipments_measured": len(from_event),
        "not_allocated_first": sum(1 for s in shipments if s in reached and s not in allocated),
        "duplicates": duplicates,
        "unknown_orders_seen": unknown,
        "p50_ms_from_answer": round(percentile(from_answer, 0.50), 2),
        "p99_ms_from_answer": round(percentile(from_answer, 0.99), 2),
        "projection_p50_ms": round(percentile(to_projection, 0.50), 2),
        "projection_p99_ms": round(percentile(to_projection, 0.99), 2),
        "feed_to_stream_p50_ms": round(percentile(to_stream, 0.50), 2),
        "feed_to_stream_p99_ms": round(percentile(to_stream, 0.99), 2),
    }


@contextmanager
def projection_lags(url: str) -> Iterator[Callable[[], dict[str, int]]]:
    """Events each projection the run depends on has still to apply, read when called."""
    store = EventStore(env=application_env(url))
    engine = read_engine(url)
    logs = {p.name: p.event_log(store) for p in (NATIONAL_STOCK, STORE_WORK)}
    try:
        yield lambda: {name: projection_status(engine, log, name).lag_events for name, log in logs.items()}
    finally:
        engine.dispose()
        store.close()


def settle(lags: Callable[[], dict[str, int]], patience_s: float = 600.0) -> None:
    """Waits for the projector to apply the seeding: the streams open on a current store_work."""
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        try:
            behind = max(lags().values())
        except ProgrammingError:  # the projector has not made its tables yet
            behind = -1
        if behind == 0:
            return
        print(f"  the projector has {behind if behind > 0 else 'all the'} seeded events still to apply", file=sys.stderr)
        time.sleep(2.0)


def report(f: dict) -> None:
    print(f"\nstore queue on PostgreSQL, {f['stores']} stores ({f['streams']} streams), {f['orders_per_s']:g} orders/s open loop, "
          f"{f['seconds']:g} s a phase, {f['machine']}")
    if f["stream_port"]:
        print("  the streams held on the server's --stream-port, a second process of the same omo serve")
    print(f"  load average at the start {f['load_average_at_start']}")
    print(f"  commit -> store's stream    p50 {f['p50_ms']:.1f} ms   p99 {f['p99_ms']:.1f} ms   max {f['max_ms']:.1f} ms"
          f"   ({f['shipments_measured']} shipments; bar: p99 < 250 ms)")
    print(f"  answer -> store's stream    p50 {f['p50_ms_from_answer']:.1f} ms   p99 {f['p99_ms_from_answer']:.1f} ms")
    print(f"    of which: event -> store_work applied  p50 {f['projection_p50_ms']:.1f} ms   p99 {f['projection_p99_ms']:.1f} ms;"
          f"   applied -> stream  p50 {f['feed_to_stream_p50_ms']:.1f} ms   p99 {f['feed_to_stream_p99_ms']:.1f} ms")
    print(f"  missed {f['missed']}   misdelivered {f['misdelivered']}   of {f['shipments']} shipments placed"
          f"   (duplicates {f['duplicates']}, reconnects {f['reconnects']})")
    for suffix, label in (("without_streams", "no stream held"), ("with_streams", f"{f['streams']} streams held")):
        print(f"  {label:<20} PlaceOrder placed {f['placed_per_s_' + suffix]:.1f} /s  p50 {f['place_p50_ms_' + suffix]:.1f} ms"
              f"  p99 {f['place_p99_ms_' + suffix]:.1f} ms   health check p99 {f['health_p99_ms_' + suffix]:.1f} ms"
              f"   refused {f['refused_' + suffix]}   last answer {f['drain_s_' + suffix]:.1f} s after the load")
        print("    CPU, cores: " + "  ".join(f"{role} {cores:.2f}" for role, cores in f["cpu_cores_" + suffix].items()))


if __name__ == "__main__":
    sys.exit(main())
