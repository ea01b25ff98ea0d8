"""Flash sale: a limited-edition launch of one hot SKU through the real gRPC server on PostgreSQL.

Two sales, each of 500 units of a SKU of its own under a launch limit of one unit per buyer:
first all 500 at one store, then 10 at each of 50 stores in one city; then a pre-sale of 500
units of a new SKU no store holds, one unit per customer, hammered by the same kind of buyers and
bots in its window (bench/flash_sale_presale.py). 10,000 real buyers
(each a customer id and a device id of their own, ordering once, retrying with the same key
when told to) and bots, a fifth of the traffic, each bot identity hammering at 10x a buyer's
rate: half reuse a few customer ids, half send a fresh fake customer id each time from a few
devices. All of it arrives through the one checkout caller. Afterwards the units sold, the
units reserved beyond stock, the buyers over the limit and the units pre-ordered are recomputed
from the events.

    python bench/flash_sale.py [--quick] [--json FILE] [--database-url URL]
"""

from __future__ import annotations

import itertools
import random
import sys
import threading
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

from bench.common import LAUNCH_PROJECTOR, bench_parser, callers, machine, scratch_postgres_database, server_process, write_json  # noqa: E402
from aggregates.order import Order  # noqa: E402
from aggregates.pre_sale import PreSale  # noqa: E402
from bench import flash_sale_presale as presale  # noqa: E402
from projections.national_stock.audit import oversold_units  # noqa: E402
from protos.omo.v1 import common_pb2, inventory_pb2, launches_pb2, orders_pb2, stores_pb2  # noqa: E402
from services.client.client import OmoClient  # noqa: E402
from services.bootstrap import build_application  # noqa: E402
from services.demo.demo import percentile  # noqa: E402

CITY_CENTRE = (31.2304, 121.4737)  # People's Square, Shanghai
STORES = 50
LIMIT_PER_BUYER = 1
PRICE = common_pb2.Money(cents=129_900, currency="CNY")
RETRIED = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED, grpc.StatusCode.RESOURCE_EXHAUSTED}


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, seed=23)
    parser.add_argument("--buyers", type=int, help="distinct buyers per sale (default 10,000; quick 2,000)")
    parser.add_argument("--units", type=int, default=500, help="units in each sale (default 500)")
    parser.add_argument("--buyer-threads", type=int, default=48, help="buyers' calls in flight (default 48)")
    parser.add_argument("--bot-threads", type=int, default=8, help="bots' calls in flight (default 8)")
    args = parser.parse_args(argv)
    buyers = args.buyers or (2_000 if args.quick else 10_000)

    database = nullcontext(args.database_url) if args.database_url else scratch_postgres_database()
    with database as url:
        with server_process(url, projections_apart=True, project_args=LAUNCH_PROJECTOR) as target, callers(url) as cast:
            with OmoClient(target, tokens=cast) as client:
                open_stores(client)
                sales = {}
                for name, stock in (("one_store", {"FS-00": args.units}), ("fifty_stores", spread(args.units))):
                    sku = f"DROP-{name.upper().replace('_', '-')}"
                    stock_the_drop(client, sku, stock)
                    set_launch(client, f"launch-{name}", sku)
                    print(f"{name}: {args.units} units of {sku} at {len(stock)} store(s), {buyers} buyers", file=sys.stderr)
                    sales[name] = run_sale(target, cast, sku, name, buyers, args)
                presale.set_pre_sale(client, args.units, LIMIT_PER_BUYER, PRICE)
                print(f"pre_sale: {args.units} units of {presale.PRESALE_SKU} on pre-sale, {buyers} buyers", file=sys.stderr)
                pre_sale = run_sale(target, cast, presale.PRESALE_SKU, "pre_sale", buyers, args)
                read = presale.progress(client)
        audit = audit_events(url)

    for sale in sales.values():
        sale.pop("device_of")  # the launch's devices are held to the limit by its quotas, audited by customer only
        sale.update(audit_of(audit, sale["sku"]))
        sale["reservations_per_s"] = round(sale["sold"] / sale["sell_out_s"], 1)
    pre_sale.pop("reservations_per_s")  # its rate is pre-orders/s, below
    pre_sale.update(presale.pre_sale_figures(read, audit, pre_sale.pop("device_of"), LIMIT_PER_BUYER))
    pre_sale["orders_per_s"] = round(pre_sale["pre_orders"] / pre_sale["sell_out_s"], 1)
    figures = {
        "reservations_per_s": min(s["reservations_per_s"] for s in sales.values()),
        "sold": sum(s["sold"] for s in sales.values()),
        "oversold": audit["oversold"],
        "over_limit_customers": sum(s["over_limit_customers"] for s in sales.values()),
        "buyer_p99_ms": max(s["buyer_p99_ms"] for s in sales.values()),
        "bot_requests_refused": sum(s["bot_requests_refused"] for s in sales.values()),
        "units_per_sale": args.units,
        "buyers_per_sale": buyers,
        "sales": sales,
        "presale_units": args.units,
        "presale_ordered_units": pre_sale["ordered_units_read"],
        "presale_over_limit_buyers": pre_sale["over_limit_customers"] + pre_sale["over_limit_devices"],
        "presale_orders_per_s": pre_sale["orders_per_s"],
        "presale_grpc_ceiling_per_s": pre_sale["grpc_ceiling_per_s"],
        "presale": pre_sale,
        "machine": machine(),
    }
    print(f"\nflash sale on PostgreSQL, {machine()}")
    for name, s in sales.items():
        print(
            f"  {name:<13} sold {s['sold']:>4} of {args.units} in {s['sell_out_s']:.2f} s: {s['reservations_per_s']:>7.1f} reservations/s; "
            f"{s['decisions_per_s']:.0f} PlaceOrder answered/s; buyers p50 {s['buyer_p50_ms']:.1f} ms p99 {s['buyer_p99_ms']:.1f} ms; "
            f"bots {s['bot_requests']} sent, {s['bot_requests_refused']} refused, {s['bot_units']} units; over the limit {s['over_limit_customers']}"
        )
    p = pre_sale
    print(
        f"  pre_sale      pre-ordered {p['ordered_units_read']:>4} of {args.units} in {p['sell_out_s']:.2f} s: {p['orders_per_s']:>7.1f} pre-orders/s; "
        f"{p['decisions_per_s']:.0f} PlaceOrder answered/s; buyers p50 {p['buyer_p50_ms']:.1f} ms p99 {p['buyer_p99_ms']:.1f} ms; "
        f"bots {p['bot_requests']} sent, {p['bot_requests_refused']} refused, {p['bot_units']} units; "
        f"over the limit {figures['presale_over_limit_buyers']} (customers and devices); trivial call beside it {p['grpc_ceiling_per_s']:.0f} /s"
    )
    print(f"  trivial call (ceiling)  {sales['one_store']['grpc_ceiling_per_s']:.0f} /s")
    print(f"  pre-ordered units       {p['ordered_units_read']} read (GetPreSale), {p['ordered_units_placed']} placed, "
          f"{p['ordered_units_held']} held by the pre-sale (recomputed from the events)")
    print(f"  units oversold          {audit['oversold']}     (recomputed from the events)")
    write_json(args.json, figures)
    sold_right = all(s["sold"] == args.units for s in sales.values())
    # when demand is beyond the pre-sale's units (as by default), every unit is pre-ordered, and not one more
    wanted = figures["presale_ordered_units"] == args.units if buyers > args.units else figures["presale_ordered_units"] <= args.units
    pre_sold_right = wanted and presale.figures_agree(pre_sale)
    fine = sold_right and pre_sold_right and not audit["oversold"] and not figures["over_limit_customers"]
    return 0 if fine and not figures["presale_over_limit_buyers"] else 1


def spread(units: int) -> dict[str, int]:
    share, rest = divmod(units, STORES)
    return {f"FS-{i:02d}": share + (1 if i < rest else 0) for i in range(STORES)}


def store_location(i: int) -> tuple[float, float]:
    rng = random.Random(i)
    return CITY_CENTRE[0] + rng.uniform(-0.05, 0.05), CITY_CENTRE[1] + rng.uniform(-0.05, 0.05)


def open_stores(client: OmoClient) -> None:
    for i in range(STORES):
        lat, lng = store_location(i)
        client.stores.UpsertStore(stores_pb2.UpsertStoreRequest(
            store_id=f"FS-{i:02d}", name=f"Flagship {i}", location=common_pb2.LatLng(latitude=lat, longitude=lng),
            province="Shanghai", city="Shanghai", delivery_radius_km=20, daily_order_capacity=100_000, active=True,
        ))


def stock_the_drop(client: OmoClient, sku: str, stock: dict[str, int]) -> None:
    for store_id, units in stock.items():
        client.inventory.ReceiveStock(inventory_pb2.ReceiveStockRequest(
            store_id=store_id, movement_id=f"drop-{sku}", lines=[inventory_pb2.StockLine(sku=sku, quantity=units)],
        ))


def set_launch(client: OmoClient, launch_id: str, sku: str) -> None:
    starts = Timestamp()
    starts.FromDatetime(datetime.now(timezone.utc) - timedelta(minutes=1))
    client.launches.SetLaunch(launches_pb2.SetLaunchRequest(launch=launches_pb2.Launch(
        launch_id=launch_id, sku_limits=[launches_pb2.SkuLimit(sku=sku, max_units_per_buyer=LIMIT_PER_BUYER)],
        starts_at=starts,
    )))


def order_for(sku: str, key: str, customer_id: str, device_id: str, rng: random.Random) -> orders_pb2.PlaceOrderRequest:
    return orders_pb2.PlaceOrderRequest(
        idempotency_key=key, customer_id=customer_id, device_id=device_id,
        customer_location=common_pb2.LatLng(
            latitude=CITY_CENTRE[0] + rng.uniform(-0.06, 0.06), longitude=CITY_CENTRE[1] + rng.uniform(-0.06, 0.06),
        ),
        lines=[orders_pb2.OrderLine(sku=sku, quantity=1, unit_price=PRICE)],
        fulfilment_mode=common_pb2.DELIVERY,
    )


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    buyer_latencies_ms: list[float] = field(default_factory=list)
    buyer_codes: Counter = field(default_factory=Counter)
    bot_codes: Counter = field(default_factory=Counter)
    bot_units: int = 0
    bot_sent: int = 0
    buyer_sent: int = 0
    last_sale_at: float = 0.0
    answered: int = 0
    device_of: dict[str, str] = field(default_factory=dict)  # idempotency key -> device, of each order placed

    def answered_at(self, code: grpc.StatusCode, now: float, request: orders_pb2.PlaceOrderRequest) -> None:
        """Counts an answer (under the lock): a sale moves the sell-out time."""
        self.answered += 1
        if code is grpc.StatusCode.OK:
            self.last_sale_at = max(self.last_sale_at, now)
            self.device_of[request.idempotency_key] = request.device_id


def placed(client: OmoClient, request: orders_pb2.PlaceOrderRequest) -> grpc.StatusCode:
    try:
        client.orders.PlaceOrder(request, timeout=30)
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        return error.code()


def run_sale(target: str, cast, sku: str, name: str, buyers: int, args) -> dict:
    rng = random.Random(f"{args.seed}-{name}")
    queue = iter([order_for(sku, f"{name}-buyer-{i}", f"{name}-c{i}", f"{name}-d{i}", rng) for i in range(buyers)])
    queue_lock = threading.Lock()
    tally = Tally()
    buyers_done = threading.Event()
    # each bot identity sends about ten times what a buyer sends (one order): a fifth of the traffic
    identities = max(1, buyers // 40)
    bot_customers = [f"{name}-bot-c{i}" for i in range(identities)]
    bot_devices = [f"{name}-bot-d{i}" for i in range(identities)]
    started = time.perf_counter()

    def buyer(thread: int) -> None:
        with OmoClient(target, tokens=cast) as client:
            while True:
                with queue_lock:
                    request = next(queue, None)
                if request is None:
                    return
                for attempt in range(4):  # a buyer told to retry does, with the same key
                    began = time.perf_counter()
                    with tally.lock:
                        tally.buyer_sent += 1
                    code = placed(client, request)
                    now = time.perf_counter()
                    with tally.lock:
                        tally.buyer_latencies_ms.append((now - began) * 1000)
                        tally.buyer_codes[code.name] += 1
                        tally.answered_at(code, now, request)
                    if code not in RETRIED:
                        break
                    time.sleep(0.05 * (attempt + 1))

    def bot(thread: int) -> None:
        bot_rng = random.Random(f"{args.seed}-{name}-bot-{thread}")
        with OmoClient(target, tokens=cast) as client:
            for n in itertools.count():
                if buyers_done.is_set():
                    return
                with tally.lock:
                    ahead = tally.bot_sent * 4 > tally.buyer_sent
                    if not ahead:
                        tally.bot_sent += 1
                if ahead:
                    time.sleep(0.001)
                    continue
                reused = bot_rng.random() < 0.5
                # seeded like everything else here: a rerun sends the same fake ids
                customer = bot_rng.choice(bot_customers) if reused else f"fake-{bot_rng.getrandbits(48):012x}"
                request = order_for(sku, f"{name}-bot-{thread}-{n}", customer, bot_rng.choice(bot_devices), bot_rng)
                code = placed(client, request)
                now = time.perf_counter()
                with tally.lock:
                    tally.bot_codes[code.name] += 1
                    tally.bot_units += code is grpc.StatusCode.OK
                    tally.answered_at(code, now, request)

    buyer_threads = [threading.Thread(target=buyer, args=(t,)) for t in range(args.buyer_threads)]
    bot_threads = [threading.Thread(target=bot, args=(t,)) for t in range(args.bot_threads)]
    for t in buyer_threads + bot_threads:
        t.start()
    for t in buyer_threads:
        t.join()
    buyers_done.set()
    for t in bot_threads:
        t.join()
    elapsed = time.perf_counter() - started
    ceiling = trivial_rate(target)
    sell_out_s = max(tally.last_sale_at - started, 1e-9)
    bot_sent = sum(tally.bot_codes.values())
    return {
        "sku": sku,
        "sell_out_s": round(sell_out_s, 3),
        "reservations_per_s": 0.0,  # filled in from the events (units sold / sell-out time)
        "decisions_per_s": round(tally.answered / elapsed, 1),
        "buyer_p50_ms": round(percentile(tally.buyer_latencies_ms, 0.50), 2),
        "buyer_p99_ms": round(percentile(tally.buyer_latencies_ms, 0.99), 2),
        "buyer_answers": dict(tally.buyer_codes),
        "bot_requests": bot_sent,
        "bot_requests_refused": bot_sent - tally.bot_codes.get("OK", 0),
        "bot_answers": dict(tally.bot_codes),
        "bot_units": tally.bot_units,
        "grpc_ceiling_per_s": ceiling,
        "seconds": round(elapsed, 2),
        "device_of": tally.device_of,
    }


def trivial_rate(target: str, seconds: float = 3.0) -> float:
    from grpc_health.v1 import health_pb2

    from bench.common import closed_loop

    result = closed_loop(target, 16, seconds, lambda client, t, n: client.health.Check(health_pb2.HealthCheckRequest(), timeout=30))
    return round(result.ok_per_s, 1)


def audit_events(url: str) -> dict:
    """From every event: units reserved beyond stock; per SKU the units each customer ordered
    (orders cancelled or not: a limit counts what was ordered) and each order placed (key,
    customer, units); per pre-sale the units its pre-orders hold."""
    app = build_application(url)
    try:
        events = []
        position = 0
        while batch := app.recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False):
            events += [app.mapper.to_domain_event(n) for n in batch]
            position = batch[-1].id
        units: dict[str, Counter] = {}
        orders: dict[str, list[tuple[str, str, int]]] = {}
        pre_ordered: Counter = Counter()
        sku_of: dict = {}  # pre-sale id -> its SKU
        for e in events:
            if isinstance(e, Order.OrderPlaced):
                for line in e.lines:
                    units.setdefault(line["sku"], Counter())[e.customer_id] += line["quantity"]
                    orders.setdefault(line["sku"], []).append((e.idempotency_key, e.customer_id, line["quantity"]))
            elif isinstance(e, PreSale.PreSaleOpened):
                sku_of[e.originator_id] = e.sku
            elif isinstance(e, PreSale.PreOrdered):
                pre_ordered[sku_of[e.originator_id]] += e.units
            elif isinstance(e, PreSale.PreOrderReleased):
                pre_ordered[sku_of[e.originator_id]] -= e.units
        return {"oversold": oversold_units(events), "units": units, "orders": orders, "pre_ordered": pre_ordered}
    finally:
        app.close()


def audit_of(audit: dict, sku: str) -> dict:
    by_customer = audit["units"].get(sku, Counter())
    return {"sold": sum(by_customer.values()), "over_limit_customers": sum(1 for u in by_customer.values() if u > LIMIT_PER_BUYER)}


if __name__ == "__main__":
    sys.exit(main())
