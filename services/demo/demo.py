"""`omo demo`: a whole national network on a database of its own, driven through the real
gRPC client, with a summary of where the orders went."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

import grpc
from tqdm import tqdm

from projections.definitions import ON_TIME, STORE_WORK
from protos.omo.v1 import dealers_pb2, orders_pb2
from services.demo import seeding
from services.demo.reconciliation import ReconciliationRound, print_reconciliation, run_reconciliation
from services.demo.pre_sale import PreSaleRound, count_delivered, print_pre_sale, run_pre_sale
from services.demo.terms import check_terms, print_terms, set_terms
from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.server import start_server
from services.demo.console import keep_console
from services.bootstrap import build_application
from services.adapters.config import redact, sqlite_url
from services.adapters.projection_runners import start_runners
from services.demo.clock import DemoClock
from services.demo.promises import MODES, median_promises
from services.demo.statements import print_statements
from services.demo.store_day import StoreDay, print_store_day, run_store_day
from services.use_cases.ordering.fulfilment import DEFAULT_PAYMENT_TIMEOUT
from services.use_cases.housekeeping import tidy


ASSISTANT_EVERY = 5  # one cloud shop in five has a shop assistant sharing it


@dataclass
class Outcome:
    placed: int = 0
    distances_m: list[int] = field(default_factory=list)
    rejections: Counter = field(default_factory=Counter)
    by_store: Counter = field(default_factory=Counter)  # shipments per store
    fulfilment: Counter = field(default_factory=Counter)  # ONE_STORE, SPLIT, EXPRESS
    by_transfer: int = 0  # pickup orders whose store lacked units other stores send by transfer
    orders: list = field(default_factory=list)  # the placed orders
    # order id -> when it was placed on the demo's clock (the order's own placed_at is the
    # real moment it was saved)
    placed_at: dict[str, datetime] = field(default_factory=dict)
    day: StoreDay | None = None
    terms: Counter = field(default_factory=Counter)  # what dealers' terms and assortments did (demo.terms)
    pre_sale: PreSaleRound | None = None
    reconciliation: ReconciliationRound | None = None


def reconcile_busiest_dealer(app, client: OmoClient, placed: list[orders_pb2.Order]) -> ReconciliationRound | None:
    """The reconciliation round for the dealer whose cloud shops sold the most, with a row of
    another seller's order planted on its bill."""
    sellers = Counter(o.sale.seller for o in placed if o.sale.seller.startswith("DEALER:"))
    dealer = sellers.most_common(1)[0][0]
    other = next(o.order_id for o in placed if o.sale.seller != dealer)
    return run_reconciliation(app, client, dealer.removeprefix("DEALER:"), other)


def rejection_reason(error: grpc.RpcError) -> str:
    """A short label for the summary: the status and the gist of the message."""
    details = error.details() or ""
    if "no active store delivers" in details:
        gist = "no store delivers there"
    elif "no store can fulfil" in details:
        gist = "stores in reach closed, full or short"
    elif "pickup store" in details:
        gist = "pickup store cannot take it"
    else:
        gist = details[:60]
    return f"{error.code().name}: {gist}"


def run_concurrently(calls: Iterable[Any], call: Callable[[Any], Any], workers: int, label: str, total: int) -> list[Any]:
    """Runs call(item) for every item with `workers` in flight; returns results or RpcErrors."""

    def guarded(item: Any) -> Any:
        try:
            return call(item)
        except grpc.RpcError as error:
            return error

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(tqdm(pool.map(guarded, calls), total=total, desc=label, unit="call", file=sys.stderr, leave=False,
                         mininterval=0.1 if sys.stderr.isatty() else 5.0))


def seed_network(client: OmoClient, world: seeding.World, rng: random.Random, workers: int, most_units: int = 30) -> None:
    """Regions and dealers, then the stores they own (and HQ's), their cloud shops (with a
    shop assistant in some) and their stock."""
    regions, dealers = seeding.dealer_network()
    for region in regions:
        client.dealers.RegisterRegion(region)
    failures = [r for r in run_concurrently(dealers, client.dealers.RegisterDealer, workers, "dealers", len(dealers)) if isinstance(r, grpc.RpcError)]
    sites = world.stores + world.warehouses
    failures += [
        r for r in run_concurrently(sites, client.stores.UpsertStore, workers, "stores", len(sites))
        if isinstance(r, grpc.RpcError)
    ]
    shops = seeding.cloud_shops(world)
    failures += [r for r in run_concurrently(shops, client.cloud_shops.OpenCloudShop, workers, "cloud shops", len(shops)) if isinstance(r, grpc.RpcError)]
    for shop in shops[::ASSISTANT_EVERY]:
        client.cloud_shops.AddShopAssistant(
            dealers_pb2.AddShopAssistantRequest(cloud_shop_id=shop.cloud_shop_id, assistant_id=f"SA-{shop.store_id}", name=f"Assistant of {shop.store_id}")
        )
    receipts = seeding.receipts(rng, world, most=most_units)
    failures += [
        r for r in run_concurrently(receipts, client.inventory.ReceiveStock, workers, "stock", len(receipts))
        if isinstance(r, grpc.RpcError)
    ]
    if failures:
        raise RuntimeError(f"seeding failed: {failures[0].code().name}: {failures[0].details()}")


def enter_cloud_shop(client: OmoClient, request: orders_pb2.PlaceOrderRequest) -> orders_pb2.PlaceOrderResponse:
    """The customer opens the mini-program where they are and lands in the nearest store's
    cloud shop; one with a shop assistant there arrives through the assistant's share code."""
    found = client.cloud_shops.FindCloudShop(dealers_pb2.FindCloudShopRequest(location=request.customer_location))
    shop = client.cloud_shops.GetCloudShop(dealers_pb2.GetCloudShopRequest(cloud_shop_id=found.shop.cloud_shop_id))
    placed = orders_pb2.PlaceOrderRequest()
    placed.CopyFrom(request)
    if shop.assistants:
        placed.share_code = shop.assistants[0].share_code
    else:
        placed.cloud_shop_id = found.shop.cloud_shop_id
    return client.orders.PlaceOrder(placed)


def place_orders(client: OmoClient, requests: list, workers: int, now: Callable[[], datetime]) -> Outcome:
    """`now`: the application's clock, which the promises are worked out on."""
    outcome = Outcome()

    def enter(request: orders_pb2.PlaceOrderRequest) -> tuple[orders_pb2.PlaceOrderResponse, datetime]:
        placed = enter_cloud_shop(client, request)
        return placed, now()

    for answer in run_concurrently(requests, enter, workers, "orders", len(requests)):
        if isinstance(answer, grpc.RpcError):
            outcome.rejections[rejection_reason(answer)] += 1
        else:
            result, moment = answer
            outcome.placed_at[result.order.order_id] = moment
            outcome.placed += 1
            outcome.orders.append(result.order)
            outcome.fulfilment[orders_pb2.Fulfilment.Name(result.order.fulfilment).removeprefix("FULFILMENT_")] += 1
            outcome.by_transfer += result.order.status == orders_pb2.AWAITING_TRANSFER
            for shipment in result.order.shipments:
                outcome.distances_m.append(shipment.distance_m)
                outcome.by_store[shipment.store_id] += 1
    return outcome


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def print_summary(outcome: Outcome, world: seeding.World, seconds: float, out: TextIO, at: str) -> None:
    total = outcome.placed + sum(outcome.rejections.values())
    print(
        f"\nOMO demo: {len(world.stores)} stores, {len(world.skus)} SKUs, {total} orders placed as at "
        f"{at} Shanghai time, in {seconds:.1f} s\n",
        file=out,
    )
    print(f"  {'placed':<56}{outcome.placed:>8}", file=out)
    for how, label in (("ONE_STORE", "from one store"), ("SPLIT", "split across stores"), ("EXPRESS", "EXPRESS from a regional warehouse")):
        print(f"  {'  ' + label:<56}{outcome.fulfilment[how]:>8}", file=out)
    print(f"  {'    of them PICKUP, the units sent by transfer from nearby stores':<56}{outcome.by_transfer:>8}", file=out)
    for reason, count in outcome.rejections.most_common():
        print(f"  {'rejected, ' + reason:<56}{count:>8}", file=out)
    if outcome.distances_m:
        print(f"  {'median distance to store or warehouse (m)':<56}{statistics.median(outcome.distances_m):>8.0f}", file=out)
        print(f"  {'p95 distance to store or warehouse (m)':<56}{percentile(outcome.distances_m, 0.95):>8.0f}", file=out)
    medians = median_promises(outcome.orders, outcome.placed_at)
    for mode in MODES:
        if mode in medians:
            print(f"  {'median promise, ' + mode + ' (minutes after placing)':<56}{medians[mode]:>8.0f}", file=out)
    print("\n  busiest stores (shipments)", file=out)
    for store_id, count in outcome.by_store.most_common(5):
        city = world.store_cities[store_id]
        print(f"  {store_id:<8} {city.name + ', ' + city.province:<46}{count:>8}", file=out)


def run_demo(
    database_url: str | None,
    stores: int = 1000,
    skus: int = 200,
    orders: int = 1000,
    seed: int = 7,
    workers: int = 8,
    at: str = "20:00",
    out: TextIO | None = None,
    console_port: int | None = None,
) -> Outcome:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="omo-demo-") as scratch:
        url = database_url or sqlite_url(Path(scratch) / "demo.db")
        print(f"database: {redact(url)}", file=sys.stderr)
        clock = DemoClock(at)
        app = build_application(url, clock=clock)
        # the stores' queues and the on-time figures, kept as `omo serve` keeps them
        runners = start_runners(app, url, [STORE_WORK, ON_TIME])
        server = start_server(app, port=0)
        try:
            cast, target = Cast(app, label="demo"), f"127.0.0.1:{server.port}"
            with OmoClient(target, tokens=cast) as client, OmoClient(target, tokens=cast.store_side) as store_apps:
                rng = random.Random(seed)
                began = datetime.now(timezone.utc) - timedelta(minutes=1)
                world = seeding.build_world(rng, stores, skus)
                seed_network(client, world, rng, workers)
                terms = set_terms(client, world)
                # a fresh key prefix, so a demo re-run on a shared database places new orders
                run_tag = f"demo-{uuid.uuid4().hex[:8]}"
                requests = seeding.orders(rng, world, orders, key_prefix=run_tag)
                outcome = place_orders(client, requests, workers, clock)
                print_summary(outcome, world, time.perf_counter() - started, out or sys.stdout, at)
                outcome.terms = check_terms(terms, outcome.orders)
                print_terms(outcome.terms, out or sys.stdout)
                # before the stores' day: the pre-orders, allocated as their goods arrive, join its work
                outcome.pre_sale = pre_sale = run_pre_sale(
                    client, world, terms, clock, lambda request: enter_cloud_shop(client, request), run_tag, seed,
                )

                def end_evening(latest_promise: datetime | None) -> tuple[str, str]:
                    """The clock moves past the slow stores' promises and the payment timeout, and
                    the server's housekeeping releases the orders still unpaid."""
                    end = max(filter(None, [latest_promise, clock() + DEFAULT_PAYMENT_TIMEOUT]))
                    clock.advance_to(end + timedelta(minutes=1))
                    tidy(app)
                    return clock.start.date().isoformat(), clock.local().date().isoformat()

                outcome.day = day = run_store_day(
                    client, store_apps, outcome.orders, rng, store_ids=[s.store_id for s in world.stores],
                    warehouse_ids=[w.store_id for w in world.warehouses], busiest=[s for s, _ in outcome.by_store.most_common()],
                    provinces={s.province for s in world.stores + world.warehouses}, workers=workers, end_evening=end_evening,
                )
                print_store_day(day, outcome.placed - day.paid, out or sys.stdout)
                count_delivered(pre_sale, day)
                print_pre_sale(pre_sale, out or sys.stdout)
                dealer_ids = [d.dealer.dealer_id for d in seeding.dealer_network()[1]]
                print_statements(app, client, dealer_ids, (began, datetime.now(timezone.utc) + timedelta(minutes=1)), day.worked, out or sys.stdout)
                outcome.reconciliation = reconcile_busiest_dealer(app, client, outcome.orders)
                print_reconciliation(outcome.reconciliation, out or sys.stdout)
                if console_port is not None:
                    server.stop(grace=2)
                    busiest = outcome.reconciliation.dealer_id if outcome.reconciliation else dealer_ids[0]
                    keep_console(app, url, runners, console_port, busiest, out)
        finally:
            server.stop(grace=2)
            runners.shutdown()
            app.close()
    return outcome
