"""Where a SyncStock batch spends its time: the bench's POS log applied in process with
services.use_cases.stock.pos_sync.sync_batch on a PostgreSQL OmoApplication (no gRPC), under cProfile, then the
same log again (all duplicates). Prints the rate and the top functions (cProfile), or with
--no-profile the wall time spent in a few functions (loading positions, save, the live index
following the saved events and catching up, ...) without the profiler's overhead.
eventsourcing reads its settings from the environment too, so a setting can be tried without
changing code, e.g.
AGGREGATE_CACHE_FASTFORWARD=n python bench/pos_sync_profile.py --no-profile

    python bench/pos_sync_profile.py [--movements N] [--batch-size N] [--top N] [--sort tottime]
                                     [--no-profile] [--database-url URL]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import scratch_postgres_database  # noqa: E402
from bench.pos_sync import STORE_ID  # noqa: E402
from bench.pos_sync_log import build_log, expected_on_hand  # noqa: E402
from domain.movements import Movement  # noqa: E402
from domain.stores import StoreProfile  # noqa: E402
from domain.values import GeoPoint  # noqa: E402
from services.use_cases.stock import pos_sync  # noqa: E402
from services.use_cases.network import stores
from services.use_cases.application import OmoApplication  # noqa: E402
from services.bootstrap import build_application  # noqa: E402


class Timers:
    """Wall time spent inside a few functions (patched on the app and modules): no profiler
    overhead, nested time counted in each."""

    def __init__(self, app: OmoApplication):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._wrap(app, "position_or_new", "load positions (position_or_new)")
        self._wrap(app.repository, "get", "repository.get (all)")
        self._wrap(app, "save", "app.save (encode + insert)")
        self._wrap(app, "catch_up", "live index catch_up")
        self._wrap(app.index, "follow_saved", "live index follow_saved (in save)")
        self._wrap(pos_sync, "move_losing_orders", "move_losing_orders")
        self._wrap(pos_sync, "require_store", "require_store")
        self._wrap(app.index, "movement_fingerprint", "index.movement_fingerprint")

    def _wrap(self, owner, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def timed(*a, **k):
            began = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - began
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, name, timed)

    def report(self, total: float) -> None:
        for label, s in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            print(f"    {label:<36} {s:8.2f} s  {100 * s / total:5.1f}%  {self.calls[label]:>7,} calls  "
                  f"{1000 * s / self.calls[label]:8.3f} ms/call")


ORIGINALS = {"move_losing_orders": pos_sync.move_losing_orders, "require_store": pos_sync.require_store}


def run(app: OmoApplication, batches: list[list[Movement]], label: str, top: int, sort: str, profile: bool = True) -> None:
    profiler = cProfile.Profile()
    timers = None if profile else Timers(app)
    seconds = []
    for batch in batches:
        began = time.perf_counter()
        if profile:
            profiler.enable()
        pos_sync.sync_batch(app, STORE_ID, batch)
        if profile:
            profiler.disable()
        seconds.append(time.perf_counter() - began)
    total = sum(seconds)
    count = sum(len(b) for b in batches)
    thirds = [sum(seconds[k * len(seconds) // 3 : (k + 1) * len(seconds) // 3]) for k in range(3)]
    print(f"\n=== {label}: {count:,} movements in {total:.2f} s = {count / total:,.0f} movements/s{' (under cProfile)' if profile else ''}; "
          f"batch ms first/last {seconds[0] * 1000:.0f}/{seconds[-1] * 1000:.0f}; "
          f"thirds of the run {', '.join(f'{t:.1f} s' for t in thirds)}"
          + ("" if profile else " (no profiler; wall time by function below)"))
    if not profile:
        timers.report(total)
        for owner in (app, app.repository, pos_sync, app.index):  # unpatch
            for name in ("position_or_new", "get", "save", "catch_up", "follow_saved", "move_losing_orders", "require_store",
                         "movement_fingerprint"):
                if name in vars(owner) and owner is not pos_sync:
                    delattr(owner, name)
        for name, fn in ORIGINALS.items():
            setattr(pos_sync, name, fn)
        return
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(top)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movements", type=int, default=20_000)
    parser.add_argument("--skus", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative or tottime")
    parser.add_argument("--database-url")
    parser.add_argument("--no-profile", action="store_true", help="wall time by function instead of cProfile")
    args = parser.parse_args(argv)

    log = build_log(random.Random(args.seed), args.movements, args.skus)
    movements = [Movement(m.movement_id, m.kind, m.sku, m.quantity, m.occurred_at_us, "", m.reason) for m in log]
    batches = [movements[i : i + args.batch_size] for i in range(0, len(movements), args.batch_size)]
    database = nullcontext(args.database_url) if args.database_url else scratch_postgres_database()
    with database as url:
        app = build_application(url)
        try:
            stores.upsert_store(app, StoreProfile(
                store_id=STORE_ID, name="POS bench", location=GeoPoint(31.2304, 121.4737), province="Shanghai",
                city="Shanghai", dealer_id="", opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=5.0,
                daily_order_capacity=200, active=True,
            ))
            app.catch_up()
            run(app, batches, "first time", args.top, args.sort, not args.no_profile)
            run(app, batches, "resend", args.top, args.sort, not args.no_profile)
            from aggregates.stock_position import StockPosition
            wrong = [s for s, n in expected_on_hand(log).items()
                     if app.repository.get(StockPosition.create_id(STORE_ID, s)).on_hand != n]
            print(f"on hand mismatches: {len(wrong)}")
        finally:
            app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
