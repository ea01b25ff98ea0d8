"""National stock projection on PostgreSQL: rebuild speed beside the raw read rate of the same
events, and the lag while orders arrive at a steady rate.

1. A backlog of inventory events (stores in real Chinese cities, positions with receipts, POS
   sales, counts, safety stock, transfers, reservations, picks and releases), seeded.
2. The raw read rate: every event read through the event store and decoded, nothing applied
   (and the bare fetch, without decoding).
3. `omo projections`-style rebuild of the whole backlog, timed; then verify (must be 0).
4. `omo project` in a process of its own; orders (a reservation of 1-3 lines at one store, one
   atomic save each; a fifth are cancelled later, releasing their units) placed at a steady
   rate by placer processes of their own (each with its own event store and share of the
   stores, a few threads each); the lag of each is the time from its commit until the
   projection's position covers it, observed by polling the national_stock tracking row every
   2 ms from the bench process.

    python bench/projection.py [--quick] [--json FILE] [--database-url URL] [--placers N] [--threads N]
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm import tqdm  # noqa: E402

from aggregates.stock_position import SALE, TRANSFER_IN, StockPosition  # noqa: E402
from aggregates.store import Store  # noqa: E402
from bench.common import bench_parser, machine, scratch_postgres_database, write_json  # noqa: E402
from domain.errors import DomainError  # noqa: E402
from domain.stores import StoreProfile  # noqa: E402
from domain.values import GeoPoint  # noqa: E402
from projections.definitions import NATIONAL_STOCK  # noqa: E402
from projections.runtime.runner import ProjectionRunner  # noqa: E402
from projections.national_stock.verify import verify  # noqa: E402
from services.demo.demo import percentile  # noqa: E402
from services.adapters.projection_runners import EventStore, stock_event_log  # noqa: E402
from services.adapters.config import application_env, libpq_url  # noqa: E402
from services.demo.seeding import chinese_cities  # noqa: E402

SAVE_AGGREGATES = 100


def store_profiles(rng: random.Random, count: int) -> list[StoreProfile]:
    cities = chinese_cities()[:150]
    profiles = []
    for i in range(count):
        city = rng.choice(cities)
        dealer = "" if rng.random() < 0.2 else f"D{rng.randrange(40):03d}"
        profiles.append(StoreProfile(
            store_id=f"S{i:05d}", name=f"Store {i}", location=GeoPoint(city.latitude, city.longitude),
            province=city.province, city=city.name, dealer_id=dealer, opening_hours=(), time_zone="Asia/Shanghai",
            delivery_radius_km=5.0, daily_order_capacity=500, active=True,
        ))
    return profiles


def position_history(rng: random.Random, position: StockPosition, events: int, clock: list[int]) -> None:
    """About `events` events of a plausible life: receipts, sales, reservations, counts..."""
    order = 0
    while len(position.pending_events) < events:
        clock[0] += 1000
        roll = rng.random()
        try:
            if roll < 0.25:
                position.receive(rng.randint(5, 40), occurred_at_us=clock[0])
            elif roll < 0.45:
                position.move(SALE, -rng.randint(1, 4), clock[0])  # may go below 0: the POS is the truth
            elif roll < 0.65:
                order += 1
                position.reserve(f"bo-{position.id.hex[:8]}-{order}", rng.randint(1, 3))
            elif roll < 0.75 and position.reservations:
                position.pick(next(iter(position.reservations)), clock[0])
            elif roll < 0.82 and position.reservations:
                position.release(next(iter(position.reservations)), "cancelled")
            elif roll < 0.87:
                position.count(rng.randint(0, 60), occurred_at_us=clock[0])
            elif roll < 0.92:
                position.set_safety_stock(rng.randint(0, 5))
            elif roll < 0.96:
                position.expect_transfer(f"T{clock[0]}", rng.randint(1, 10))
            elif position.in_transit:
                transfer, units = next(iter(position.in_transit.items()))
                position.move(TRANSFER_IN, units, clock[0], transfer_id=transfer)
        except DomainError:
            pass  # e.g. nothing available to reserve: refused, nothing recorded


def seed_backlog(store: EventStore, rng: random.Random, target_events: int, stores: int, skus: int) -> tuple[list[StoreProfile], dict]:
    profiles = store_profiles(rng, stores)
    store.save(*[Store.register(p) for p in profiles])
    positions = stores * skus
    per_position = max(2, target_events // positions + 1)
    clock = [1_700_000_000_000_000]
    aggregates: dict[tuple[str, str], StockPosition] = {}
    chunk: list[StockPosition] = []
    with tqdm(total=positions * per_position, unit="ev", desc="seeding", file=sys.stderr) as bar:
        for p in profiles:
            for k in range(skus):
                position = StockPosition(p.store_id, f"SKU{k:04d}")
                position_history(rng, position, per_position, clock)
                aggregates[(p.store_id, position.sku)] = position
                chunk.append(position)
                if len(chunk) == SAVE_AGGREGATES:
                    bar.update(sum(len(a.pending_events) for a in chunk))
                    store.save(*chunk)
                    chunk = []
        if chunk:
            bar.update(sum(len(a.pending_events) for a in chunk))
            store.save(*chunk)
    return profiles, aggregates


def read_rates(store: EventStore) -> tuple[int, float, float]:
    """Every stock event read and decoded (and only fetched), as fast as the library can."""
    event_log = stock_event_log(store)
    head = event_log.head()
    began = time.perf_counter()
    count, after = 0, 0
    while after < head:
        batch = event_log.read(after, 2000, head=head)
        count += len(batch.events)
        after = batch.end
    decoded = time.perf_counter() - began
    began = time.perf_counter()
    fetched, after = 0, 0
    while rows := store.recorder.select_notifications(start=after, limit=2000, stop=head, topics=event_log.topics, inclusive_of_start=False):
        fetched += len(rows)
        after = rows[-1].id
    raw = time.perf_counter() - began
    return count, count / decoded, fetched / raw


def wait_until_leading(url: str, process: subprocess.Popen) -> None:
    import psycopg2

    connection = psycopg2.connect(libpq_url(url))
    connection.autocommit = True
    deadline = time.monotonic() + 60
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT holder FROM stock_projection_tracking WHERE projection = 'national_stock'")
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("omo project did not start")
            time.sleep(0.05)
    connection.close()


def place_orders(url: str, seed: int, rate: float, total: int, slots: int, mine: dict[int, list[list[StockPosition]]],
                 ready, go, began, report) -> None:
    """One placer process: its own event store, one thread per slot it owns. Order n is placed
    by slot n % slots at start + n/rate, at one of that slot's stores (no two slots share a
    position, so no order conflicts with another); each is one atomic save, and its last
    notification id and commit time go to the bench process, which measures the lag."""
    store = EventStore(env=application_env(url))
    try:
        store.recorder.max_notification_id()  # connected before the clock starts
        ready.set()
        go.wait()
        start = began.value

        def placer(slot: int) -> None:
            try:
                place(slot)
            except BaseException as error:  # the bench process stops on it
                report.put(("failed", slot, repr(error)))

        def place(slot: int) -> None:
            rng = random.Random(seed * 100 + slot)
            stores = mine[slot]
            to_cancel: list[tuple[str, list[StockPosition]]] = []
            placed, last = 0, start
            for n in range(slot, total, slots):
                due = start + n / rate
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                order_id = f"bench-order-{n}"
                if to_cancel and rng.random() < 0.2:
                    cancelled_id, changed = to_cancel.pop(rng.randrange(len(to_cancel)))
                    for position in changed:
                        position.release(cancelled_id, "cancelled")
                else:
                    positions = rng.sample(rng.choice(stores), rng.randint(1, 3))
                    changed = []
                    for position in positions:
                        while position.available < 1:
                            position.receive(20, occurred_at_us=0)  # restocked, then reserved
                        position.reserve(order_id, 1)
                        changed.append(position)
                    to_cancel.append((order_id, changed))
                recordings = store.save(*changed)
                last = time.perf_counter()  # committed
                report.put((max(r.notification.id for r in recordings), last, (last - due) * 1000))
                placed += 1
            report.put(("done", placed, last))

        threads = [threading.Thread(target=placer, args=(slot,)) for slot in mine]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        store.close()


def steady_orders(url: str, seed: int, aggregates: dict, rate: float, seconds: float,
                  processes: int = 2, threads: int = 2) -> dict:
    """Orders at a steady rate (order n is due at start + n/rate) from `processes` placer
    processes of `threads` threads each (every slot owns a share of the stores), so that the
    placers neither share an interpreter with each other nor with the lag measurement. The bench
    process polls the national_stock tracking row every 2 ms: an order's lag is the time from
    its commit (taken in the placer, on the same monotonic clock) until that position covers its
    last event (a late report only makes the lag look longer)."""
    import multiprocessing
    import psycopg2
    from heapq import heappop, heappush
    from queue import Empty

    by_store: dict[str, list[StockPosition]] = {}
    for key in sorted(aggregates):
        by_store.setdefault(key[0], []).append(aggregates[key])
    store_ids = sorted(by_store)
    slots = processes * threads
    total = int(rate * seconds)
    context = multiprocessing.get_context("fork")  # the children inherit the seeded positions
    report = context.Queue()
    began = context.Value("d", 0.0, lock=False)
    go = context.Event()
    placers = []
    for p in range(processes):
        mine = {slot: [by_store[s] for s in store_ids[slot::slots]] for slot in range(p, slots, processes)}
        ready = context.Event()
        process = context.Process(target=place_orders, args=(url, seed, rate, total, slots, mine, ready, go, began, report), daemon=True)
        process.start()
        placers.append((process, ready))
    for process, ready in placers:
        if not ready.wait(60):
            raise RuntimeError("an order placer did not start")

    connection = psycopg2.connect(libpq_url(url))
    connection.autocommit = True
    lags: list[float] = []
    delays: list[float] = []
    pending: list[tuple[int, float]] = []
    done, placed, ended = 0, 0, 0.0
    began.value = time.perf_counter() + 0.2
    go.set()
    with connection.cursor() as cursor:
        while True:
            try:
                while True:
                    message = report.get_nowait()
                    if message[0] == "done":
                        done, placed, ended = done + 1, placed + message[1], max(ended, message[2])
                    elif message[0] == "failed":
                        raise RuntimeError(f"order placer {message[1]} failed: {message[2]}")
                    else:
                        heappush(pending, message[:2])
                        delays.append(message[2])
            except Empty:
                pass
            cursor.execute("SELECT position FROM stock_projection_tracking WHERE projection = 'national_stock'")
            position = cursor.fetchone()[0]
            now = time.perf_counter()
            while pending and pending[0][0] <= position:
                _, committed = heappop(pending)
                lags.append((now - committed) * 1000)
            if done == slots and not pending:
                break
            if done == slots and now - pending[0][1] > 30:
                break  # never covered: left out of the samples, which then fall short of the orders placed
            if done < slots and any(p.exitcode not in (None, 0) for p, _ in placers):
                raise RuntimeError("an order placer failed")
            time.sleep(0.002)
    connection.close()
    for process, _ in placers:
        process.join(30)
    return {"lags": lags, "placed": placed, "achieved": placed / (ended - began.value), "delays": delays}


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, seed=17)
    parser.add_argument("--events", type=int, help="backlog of inventory events (default 200,000, quick 20,000)")
    parser.add_argument("--stores", type=int, help="stores (default 400, quick 100)")
    parser.add_argument("--skus", type=int, help="SKUs per store (default 50, quick 20)")
    parser.add_argument("--rate", type=float, default=200.0, help="orders per second in the lag phase (default 200)")
    parser.add_argument("--seconds", type=float, help="length of the lag phase (default 30, quick 5)")
    parser.add_argument("--placers", type=int, default=2, help="order placer processes (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads per placer process (default 2)")
    args = parser.parse_args(argv)
    target = args.events or (20_000 if args.quick else 200_000)
    stores = args.stores or (100 if args.quick else 400)
    skus = args.skus or (20 if args.quick else 50)
    seconds = args.seconds or (5.0 if args.quick else 30.0)
    rng = random.Random(args.seed)

    database = nullcontext(args.database_url) if args.database_url else scratch_postgres_database()
    with database as url:
        store = EventStore(env=application_env(url))
        try:
            _, aggregates = seed_backlog(store, rng, target, stores, skus)
            events, read_per_s, fetch_per_s = read_rates(store)
            print(f"backlog: {events:,} stock and store events at {stores} stores x {skus} SKUs", file=sys.stderr)

            runner = ProjectionRunner(url, stock_event_log(store), NATIONAL_STOCK, batch_size=2000)
            began = time.perf_counter()
            with tqdm(total=store.recorder.max_notification_id(), unit="id", desc="rebuild", file=sys.stderr) as bar:
                runner.rebuild(lambda moved, head: bar.update(moved))
            rebuild_seconds = time.perf_counter() - began
            runner.close()

            env = {**os.environ, "OMO_DATABASE_URL": url}
            project = subprocess.Popen([sys.executable, "-m", "services.cli", "project"], env=env, stderr=subprocess.DEVNULL)
            try:
                wait_until_leading(url, project)
                print(f"placing orders at {args.rate:.0f}/s for {seconds:.0f} s ({args.placers} processes x {args.threads} threads) with `omo project` following", file=sys.stderr)
                orders = steady_orders(url, args.seed, aggregates, args.rate, seconds, args.placers, args.threads)
                lags, placed, achieved = orders["lags"], orders["placed"], orders["achieved"]
            finally:
                project.terminate()
                project.wait(30)
            checker = ProjectionRunner(url, stock_event_log(store), NATIONAL_STOCK)
            result = verify(checker.reader, checker.event_log)
            checker.close()
        finally:
            store.close()

    figures = {
        "rebuild_events_per_s": round(events / rebuild_seconds, 1),
        "read_events_per_s": round(read_per_s, 1),
        "p99_lag_ms": round(percentile(lags, 0.99), 1),
        "differences": len(result.differences),
        "fetch_events_per_s": round(fetch_per_s, 1),
        "p50_lag_ms": round(percentile(lags, 0.50), 1),
        "max_lag_ms": round(max(lags), 1) if lags else None,
        "lag_samples": len(lags),
        "backlog_events": events,
        "rebuild_seconds": round(rebuild_seconds, 2),
        "orders_placed": placed,
        "orders_per_s_due": args.rate,
        "orders_per_s_achieved": round(achieved, 1),
        "p99_commit_after_due_ms": round(percentile(orders["delays"], 0.99), 1),
        "order_placers": f"{args.placers} processes x {args.threads} threads",
        "verified_rows": result.rows,
        "machine": machine(),
    }
    print(f"\nnational stock projection on PostgreSQL, {events:,} events backlog, {machine()}")
    print(f"  read + decode (raw)     {figures['read_events_per_s']:>12,.0f} events/s   (fetch only {figures['fetch_events_per_s']:,.0f}/s)")
    print(f"  rebuild                 {figures['rebuild_events_per_s']:>12,.0f} events/s   ratio {events / rebuild_seconds / read_per_s:.2f} of raw read; {rebuild_seconds:.1f} s")
    print(f"  orders                  {achieved:>12,.1f} /s achieved of {args.rate:.0f}/s due   ({placed:,} placed, committed p99 {figures['p99_commit_after_due_ms']:.1f} ms after due)")
    print(f"  lag at {achieved:.0f} orders/s      p50 {figures['p50_lag_ms']:.1f} ms   p99 {figures['p99_lag_ms']:.1f} ms   max {figures['max_lag_ms']} ms   ({len(lags)} orders)")
    print(f"  differences (verify)    {figures['differences']:>12d}     over {result.rows:,} rows")
    write_json(args.json, figures)
    return 1 if result.differences else 0


if __name__ == "__main__":
    sys.exit(main())
