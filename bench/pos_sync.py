"""POS offline catch-up: one SyncStock stream of 20,000 movements into PostgreSQL, beside raw
PostgreSQL inserts of the same rows in the same run.

1. A scratch PostgreSQL database, `omo serve` on it in a process of its own, one store.
2. One seeded POS log (`bench/pos_sync_log.py`): 20,000 movements over ~300 SKUs - receipts
   first, then sales, returns, damages, restocking receipts and some counts - with strictly
   increasing POS timestamps and unique movement ids.
3. The whole log on one SyncStock stream in batches (`--batch-size`, default 500): movements/s
   from the first request to the last acknowledgement. Every movement must be APPLIED.
4. The same stream again: every movement must be acknowledged DUPLICATE
   (`duplicates_applied` counts those that were not: must be 0), timed too.
5. On hand per SKU from the server (GetStockPosition), and from the events replayed by a fresh
   application of our own, against what the log says: any mismatch fails the run.
6. The baseline: the same rows (movement id, store, sku, kind, quantity, timestamp) inserted
   with psycopg2 into a plain table in the same database, 100 rows per transaction (one
   multi-row INSERT each, psycopg2.extras.execute_values).

Exit status 1 when a resent movement was applied again or on hand differs from the log.

    python bench/pos_sync.py [--quick] [--json FILE] [--batch-size N] [--movements N]
                             [--skus N] [--seed N] [--database-url URL]
"""

from __future__ import annotations

import random
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tqdm import tqdm  # noqa: E402

from bench.common import bench_parser, callers, machine, scratch_postgres_database, server_process, write_json  # noqa: E402
from bench.pos_sync_log import LogMovement, build_log, expected_on_hand  # noqa: E402
from protos.omo.v1 import inventory_pb2, pos_pb2  # noqa: E402
from services.client.client import OmoClient  # noqa: E402
from services.adapters.config import libpq_url  # noqa: E402
from tests.builders import PEOPLES_SQUARE, store  # noqa: E402

STORE_ID = "POS-BENCH-001"
TARGET_MOVEMENTS_PER_S = 5_000
BASELINE_ROWS_PER_TRANSACTION = 100


# --- the stream ------------------------------------------------------------------------


def requests_for(log: list[LogMovement], batch_size: int) -> list[pos_pb2.SyncStockRequest]:
    """The log as SyncStock requests, built before the clock starts."""
    requests = []
    for start in range(0, len(log), batch_size):
        batch = []
        for m in log[start : start + batch_size]:
            message = pos_pb2.StockMovement(
                movement_id=m.movement_id, kind=pos_pb2.MovementKind.Value(m.kind), sku=m.sku,
                quantity=m.quantity, reason=m.reason,
            )
            message.occurred_at.seconds, message.occurred_at.nanos = divmod(m.occurred_at_us, 1_000_000)
            message.occurred_at.nanos *= 1000
            batch.append(message)
        requests.append(pos_pb2.SyncStockRequest(store_id=STORE_ID, movements=batch))
    return requests


class StreamRun:
    """One SyncStock stream: its duration (first request pulled -> last ack received), the
    outcome of every movement in order, and the on hand the last ack of each SKU reported."""

    def __init__(self, client: OmoClient, requests: list[pos_pb2.SyncStockRequest], label: str):
        self.started: float | None = None
        self.outcomes: list[str] = []
        self.acked_on_hand: dict[str, int] = {}
        self.batch_seconds: list[float] = []
        total = sum(len(r.movements) for r in requests)

        def feed():
            for request in requests:
                if self.started is None:
                    self.started = time.perf_counter()
                yield request

        bar = tqdm(total=total, desc=f"  {label}", unit="mvt", leave=False, mininterval=0.5, file=sys.stderr)
        last = None
        for response in client.pos.SyncStock(feed(), timeout=3600):
            now = time.perf_counter()
            self.batch_seconds.append(now - (last or self.started))
            last = now
            for ack in response.acks:
                self.outcomes.append(pos_pb2.MovementOutcome.Name(ack.outcome))
                self.acked_on_hand[ack.sku] = ack.on_hand
            bar.update(len(response.acks))
        bar.close()
        self.finished = last
        if len(self.outcomes) != total:
            raise RuntimeError(f"{label}: {len(self.outcomes)} acknowledgements for {total} movements")

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def per_s(self) -> float:
        return len(self.outcomes) / self.seconds

    def count(self, outcome: str) -> int:
        return sum(o == outcome for o in self.outcomes)


# --- checks ----------------------------------------------------------------------------


def server_on_hand(client: OmoClient, skus: list[str]) -> dict[str, int]:
    return {
        sku: client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=STORE_ID, sku=sku)).position.on_hand
        for sku in tqdm(skus, desc="  GetStockPosition", unit="sku", leave=False, file=sys.stderr)
    }


def replayed_on_hand(url: str, skus: list[str]) -> dict[str, int]:
    """Each position loaded from its events by an application of our own (nothing cached)."""
    from aggregates.stock_position import StockPosition
    from services.bootstrap import build_application

    app = build_application(url)
    try:
        return {
            sku: app.repository.get(StockPosition.create_id(STORE_ID, sku)).on_hand
            for sku in tqdm(skus, desc="  replay events", unit="sku", leave=False, file=sys.stderr)
        }
    finally:
        app.close()


def mismatches(expected: dict[str, int], found: dict[str, int]) -> list[tuple[str, int, int | None]]:
    return [(sku, units, found.get(sku)) for sku, units in expected.items() if found.get(sku) != units]


# --- the baseline ----------------------------------------------------------------------


def baseline(url: str, log: list[LogMovement]) -> float:
    """Rows/s inserting the log's rows with psycopg2, 100 rows (one INSERT) per transaction."""
    import psycopg2
    from psycopg2.extras import execute_values

    connection = psycopg2.connect(libpq_url(url))
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_pos_baseline (movement_id text PRIMARY KEY, store_id text NOT NULL, "
                "sku text NOT NULL, kind text NOT NULL, quantity bigint NOT NULL, occurred_at_us bigint NOT NULL)"
            )
        connection.commit()
        rows = [(m.movement_id, STORE_ID, m.sku, m.kind, m.quantity, m.occurred_at_us) for m in log]
        began = time.perf_counter()
        with connection.cursor() as cursor:
            for start in tqdm(range(0, len(rows), BASELINE_ROWS_PER_TRANSACTION), desc="  baseline", unit="txn",
                              leave=False, mininterval=0.5, file=sys.stderr):
                execute_values(
                    cursor,
                    "INSERT INTO bench_pos_baseline (movement_id, store_id, sku, kind, quantity, occurred_at_us) VALUES %s",
                    rows[start : start + BASELINE_ROWS_PER_TRANSACTION], page_size=BASELINE_ROWS_PER_TRANSACTION,
                )
                connection.commit()
        seconds = time.perf_counter() - began
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_pos_baseline")
            (inserted,) = cursor.fetchone()
        if inserted != len(rows):
            raise RuntimeError(f"baseline inserted {inserted} rows of {len(rows)}")
        return len(rows) / seconds
    finally:
        connection.close()


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, seed=7, quick_help="a smoke run well under a minute (2,000 movements)")
    parser.add_argument("--movements", type=int, help="movements in the POS log (default 20,000, quick 2,000)")
    parser.add_argument("--skus", type=int, default=300, help="SKUs the store sells (default 300)")
    parser.add_argument("--batch-size", type=int, default=500, help="movements per SyncStock request, 1-1000 (default 500)")
    args = parser.parse_args(argv)
    count = args.movements or (2_000 if args.quick else 20_000)
    if not 1 <= args.batch_size <= 1000:
        parser.error("--batch-size must be 1-1000")

    log = build_log(random.Random(args.seed), count, args.skus)
    expected = expected_on_hand(log)
    skus = sorted(expected)
    kinds = {k: sum(m.kind == k for m in log) for k in ("RECEIPT", "SALE", "RETURN", "DAMAGE", "COUNT")}
    requests = requests_for(log, args.batch_size)
    print(f"POS log: {len(log):,} movements over {len(skus)} SKUs ("
          + ", ".join(f"{n:,} {k}" for k, n in kinds.items()) + f"); {len(requests)} batches of up to {args.batch_size}",
          file=sys.stderr)

    database = nullcontext(args.database_url) if args.database_url else scratch_postgres_database()
    with database as url:
        with server_process(url) as target, callers(url) as cast, OmoClient(target, tokens=cast) as client:
            client.stores.UpsertStore(store(STORE_ID, PEOPLES_SQUARE, radius_km=5))
            first = StreamRun(client, requests, "sync")
            resend = StreamRun(client, requests, "resend")
            from_server = server_on_hand(client, skus)
        from_events = replayed_on_hand(url, skus)
        baseline_rows_per_s = baseline(url, log)

    not_applied = len(log) - first.count("APPLIED")
    duplicates_applied = len(resend.outcomes) - resend.count("DUPLICATE")
    wrong_server = mismatches(expected, from_server)
    wrong_events = mismatches(expected, from_events)
    wrong_acks = mismatches(expected, first.acked_on_hand)
    ratio = first.per_s / baseline_rows_per_s
    met = first.per_s >= TARGET_MOVEMENTS_PER_S
    failed = bool(duplicates_applied or wrong_server or wrong_events or wrong_acks or not_applied)

    figures = {
        "movements_per_s": round(first.per_s, 1),
        "baseline_rows_per_s": round(baseline_rows_per_s, 1),
        "duplicates_applied": duplicates_applied,
        "ratio": round(ratio, 4),
        "resend_movements_per_s": round(resend.per_s, 1),
        "target_movements_per_s": TARGET_MOVEMENTS_PER_S,
        "target_met": met,
        "movements": len(log),
        "skus": len(skus),
        "batch_size": args.batch_size,
        "batches": len(requests),
        "sync_seconds": round(first.seconds, 3),
        "resend_seconds": round(resend.seconds, 3),
        "batch_p50_ms": round(sorted(first.batch_seconds)[len(first.batch_seconds) // 2] * 1000, 1),
        "batch_max_ms": round(max(first.batch_seconds) * 1000, 1),
        "not_applied_first_time": not_applied,
        "on_hand_mismatches_server": len(wrong_server),
        "on_hand_mismatches_replayed": len(wrong_events),
        "on_hand_mismatches_acks": len(wrong_acks),
        "units_on_hand": sum(expected.values()),
        "kinds": kinds,
        "seed": args.seed,
        "machine": machine(),
    }
    print(f"\nPOS sync on PostgreSQL: one SyncStock stream, {len(log):,} movements over {len(skus)} SKUs, "
          f"batches of {args.batch_size}, {machine()}")
    print(f"  SyncStock, first time        {first.per_s:>10,.1f} movements/s   ({first.seconds:.2f} s; "
          f"batch p50 {figures['batch_p50_ms']:.0f} ms, max {figures['batch_max_ms']:.0f} ms)")
    print(f"  SyncStock, whole resend      {resend.per_s:>10,.1f} movements/s   ({resend.seconds:.2f} s)")
    print(f"  raw PostgreSQL (baseline)    {baseline_rows_per_s:>10,.1f} rows/s        "
          f"(psycopg2, {BASELINE_ROWS_PER_TRANSACTION} rows per transaction)")
    print(f"  first time / baseline        {ratio:>10.3f}")
    print(f"  duplicates_applied           {duplicates_applied:>10d}     (resent movements acknowledged as anything but DUPLICATE)")
    print(f"  not APPLIED the first time   {not_applied:>10d}")
    print(f"  on hand, {len(skus)} SKUs vs the log  {len(wrong_server):>6d} mismatches from GetStockPosition, "
          f"{len(wrong_events)} replaying the events, {len(wrong_acks)} in the last acks "
          f"({sum(expected.values()):,} units on hand in all)")
    for sku, want, got in (wrong_server + wrong_events + wrong_acks)[:10]:
        print(f"    {sku}: the log says {want}, found {got}")
    print(f"  target >= {TARGET_MOVEMENTS_PER_S:,} movements/s: {'met' if met else 'MISSED'}")
    print(f"  result: {'FAILED' if failed else 'ok'}")
    write_json(args.json, figures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
