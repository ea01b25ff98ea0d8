"""Crash safety: `omo serve` killed with SIGKILL in the middle of a checkout load, then started
again on the same PostgreSQL database.

The world: 50 stores in 5 cities (open around the clock, deep stock) and one hot SKU with a
handful of units at one store (and one unit at each other store of its city, none at the
warehouses), which a third of the orders ask for, most of them as PICKUP at that store: its
stock runs out during the run, so a reservation made beyond it would show. Eight client
threads place orders back to back, each under an idempotency key of its own, and record what
the client saw: ACKNOWLEDGED (an order came back), refused (a definite answer), or cut off (the
connection died under the call). Once enough orders (and enough hot ones) went through, the
server is killed with calls in flight, and started again. Two ways:

- `server process`: SIGKILL to the `omo serve` process alone. The order writer it spawned
  (services/writer_link.py) sees its pipe close, finishes what it was given and must exit
  (checked) before the restart; what it commits meanwhile was never acknowledged.
- `process group`: SIGKILL to the server and everything it spawned at once, as when the
  machine or the container dies. Only this one catches a writer that acknowledges before its
  commit is durable: with the server alone killed, such a writer would still commit what it
  acknowledged (checked by hand on a copy of the tree: a writer committing 0.5 s after it
  acknowledged, and one saving each batch's orders and their reservations in two
  transactions, both fail here and both pass the `server process` kill).

What each check catches:

- every acknowledged order is there after the restart, identical to what was acknowledged
  (GetOrder): a server that answers before its write is durable loses some in the kill; one
  that answers with something else than it wrote differs;
- retrying every key with its request gives exactly one order per key: an acknowledged key
  answers `replayed` with the same order (so an order lost in the crash and placed again
  under its deterministic id does not pass), a key cut off either was committed (replayed)
  or is placed now (or refused, placing nothing), and a second retry of each key with an
  order is replayed: an idempotency record lost or doubled in the crash shows here;
- in the event log every key has at most one OrderPlaced, exactly the keys answered with an
  order have one, and nothing else was placed: a key recorded twice, an order its client was
  told does not exist, or a refused attempt that left an order behind;
- no order is half there, from the events: every order is allocated, and the reservations its
  holding shipments name are exactly the reservations on the stock positions, both ways (an
  order saved apart from its reservations, or reservations without their order, or a save
  torn by the kill);
- units reserved never ran beyond on hand at any position (projections/stock_audit.py over
  every event, as bench/checkout.py does), and the hot store's hot SKU ended sold out, so the
  run did race for the last units;
- once the restarted server's projections caught up (after the killed runners' leases
  expire), `omo projections verify` finds no difference: the read models neither counted a
  batch twice nor skipped one across the kill;
- neither server logged an ERROR.

The load is judged by counts, never by timings: the kill waits for enough orders, however
slow the machine. Each case takes about 30 s on a quiet 2-core machine.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

from aggregates.order import PLACED, Order
from aggregates.stock_position import StockPosition, stock_change
from projections.national_stock.audit import oversold_units
from protos.omo.v1 import common_pb2, inventory_pb2, orders_pb2
from services.demo import seeding
from services.client.cast import Cast
from services.client.client import OmoClient
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from services.adapters.config import application_env
from services.demo.demo import seed_network
from services.adapters.projection_runners import EventStore
from tests.conftest import scratch_postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

REPO = Path(__file__).resolve().parents[2]
THREADS = 8
HOT_SKU = "HOT-00001"
HOT_STORE_UNITS = 5  # at the hot store; one more at each other store of its city
MIN_ACKNOWLEDGED = 24  # before the kill
MIN_HOT_PICKUPS = HOT_STORE_UNITS + 4  # before the kill: more than the hot store holds
MIN_LOAD_SECONDS = 1.5
ORPHAN_EXIT_SECONDS = 60  # for what the killed server spawned to exit by itself
# a definite answer placing nothing: stock ran out, no store in reach
REFUSALS = {grpc.StatusCode.FAILED_PRECONDITION}
# answers that say "retry": contention, a database timeout
TRANSIENT = {grpc.StatusCode.ABORTED, grpc.StatusCode.UNAVAILABLE}


# --- the database and the server --------------------------------------------------------


@pytest.fixture
def crash_database() -> Iterator[str]:
    """A PostgreSQL database of this test's own (the server gets the whole database, as
    deployed), dropped afterwards."""
    with scratch_postgres_database("omo_crash") as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def omo_env(url: str) -> dict[str, str]:
    return {**os.environ, "OMO_DATABASE_URL": url}


class Server:
    """`omo serve` in a session (so a process group) of its own, its log in a file."""

    def __init__(self, url: str, log_path: Path):
        self.port = free_port()
        self.target = f"127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "serve", "--port", str(self.port), "--workers", "16"],
                env=omo_env(url), cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.group = self.process.pid  # a session leader's group id is its pid

    def wait_until_serving(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        with OmoClient(self.target) as client:
            while True:
                try:
                    status = client.health.Check(health_pb2.HealthCheckRequest(), timeout=2).status
                    if status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                assert self.process.poll() is None, f"omo serve exited with {self.process.returncode} while starting"
                assert time.monotonic() < deadline, f"omo serve did not start within {seconds:.0f} s"
                time.sleep(0.2)

    def group_alive(self) -> bool:
        """Whether a process of the group still runs (a zombie waiting for its parent to reap
        it does not count: where PID 1 does not reap, it stays one)."""
        if not Path("/proc/self/stat").exists():
            try:
                os.killpg(self.group, 0)
                return True
            except ProcessLookupError:
                return False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # gone meanwhile
            state, group = fields[0], int(fields[2])
            if group == self.group and state not in ("Z", "X"):
                return True
        return False

    def kill_group(self) -> None:
        try:
            os.killpg(self.group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def stop(self) -> None:
        """SIGTERM (a clean stop), then SIGKILL to whatever of the group is left."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill_group()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def omo(url: str, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *arguments], env=omo_env(url), cwd=REPO,
        capture_output=True, text=True, timeout=timeout,
    )


# --- the world and the load ---------------------------------------------------------------


@dataclass
class Hot:
    store: object  # the UpsertStoreRequest of the hot store
    units: dict[str, int]  # store id -> hot units received there


def seed(client: OmoClient, rng: random.Random) -> tuple[seeding.World, Hot]:
    world = seeding.build_world(rng, 50, 30, city_count=5, always_open=True)
    hot_store = world.stores[0]
    hot_store.active = True
    hot_store.daily_order_capacity = 0  # no limit: only its stock refuses a pickup there
    hot_store.delivery_radius_km = 10.0
    seed_network(client, world, rng, workers=4, most_units=10_000)
    hot_city = world.store_cities[hot_store.store_id]
    units = {
        store.store_id: HOT_STORE_UNITS if store is hot_store else 1
        for store in world.stores if world.store_cities[store.store_id] == hot_city
    }
    for store_id, quantity in units.items():
        client.inventory.ReceiveStock(inventory_pb2.ReceiveStockRequest(
            store_id=store_id, movement_id=f"GRN-{store_id}-HOT", lines=[inventory_pb2.StockLine(sku=HOT_SKU, quantity=quantity)],
        ))
    return world, Hot(hot_store, units)


def hot_request(rng: random.Random, hot: Hot, key: str, pickup: bool) -> orders_pb2.PlaceOrderRequest:
    """One unit of the hot SKU: collected at the hot store, or delivered near it."""
    where = hot.store.location
    return orders_pb2.PlaceOrderRequest(
        idempotency_key=key,
        customer_id=f"C{rng.randrange(1, 100_000):07d}",
        customer_location=common_pb2.LatLng(
            latitude=round(where.latitude + rng.uniform(-0.01, 0.01), 6), longitude=round(where.longitude + rng.uniform(-0.01, 0.01), 6),
        ),
        lines=[orders_pb2.OrderLine(sku=HOT_SKU, quantity=1, unit_price=common_pb2.Money(cents=9900, currency="CNY"))],
        fulfilment_mode=common_pb2.PICKUP if pickup else common_pb2.DELIVERY,
        pickup_store_id=hot.store.store_id if pickup else "",
    )


@dataclass
class Attempt:
    key: str
    request: orders_pb2.PlaceOrderRequest
    hot_pickup: bool
    done: bool = False
    response: orders_pb2.PlaceOrderResponse | None = None  # set: ACKNOWLEDGED
    code: grpc.StatusCode | None = None
    details: str = ""
    after_kill: bool = False  # the answer (or the error) came after the kill began

    @property
    def acknowledged(self) -> bool:
        return self.response is not None


class Load:
    """THREADS client threads placing orders back to back until stopped."""

    def __init__(self, target: str, cast: Cast, world: seeding.World, hot: Hot, run: str):
        self.target, self.cast, self.world, self.hot, self.run = target, cast, world, hot, run
        self.attempts: list[Attempt] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.killing = threading.Event()
        self.failures: list[BaseException] = []
        self.threads = [threading.Thread(target=self._worker, args=(t,), daemon=True) for t in range(THREADS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return sum(a.acknowledged for a in self.attempts), sum(a.hot_pickup for a in self.attempts)

    def _request(self, rng: random.Random, thread: int, n: int) -> tuple[orders_pb2.PlaceOrderRequest, bool]:
        key = f"crash-{self.run}-{thread}-{n}"
        if n % 3 == 0:  # a third of the orders want the hot SKU, two thirds of those collect it
            pickup = (n // 3) % 3 != 2
            return hot_request(rng, self.hot, key, pickup), pickup
        return seeding.order_request(rng, self.world, key, customers=100_000), False

    def _worker(self, thread: int) -> None:
        rng = random.Random(1000 + thread)
        try:
            with OmoClient(self.target, tokens=self.cast) as client:
                n = 0
                while not self.stopping.is_set():
                    request, hot_pickup = self._request(rng, thread, n)
                    attempt = Attempt(request.idempotency_key, request, hot_pickup)
                    with self.lock:
                        self.attempts.append(attempt)
                    try:
                        attempt.response = client.orders.PlaceOrder(request, timeout=120)
                    except grpc.RpcError as error:
                        attempt.code, attempt.details = error.code(), error.details() or ""
                    attempt.after_kill = self.killing.is_set()
                    attempt.done = True
                    n += 1
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.failures.append(error)

    def join(self, seconds: float = 120) -> None:
        for thread in self.threads:
            thread.join(seconds)
        assert not any(t.is_alive() for t in self.threads), "client threads still running after the kill"
        assert not self.failures, f"a client thread failed: {self.failures[0]!r}"


def place_with_retries(client: OmoClient, request: orders_pb2.PlaceOrderRequest):
    """A checkout retrying its key: the response, or the definite refusal (an RpcError)."""
    for attempt in range(8):
        try:
            return client.orders.PlaceOrder(request, timeout=120)
        except grpc.RpcError as error:
            if error.code() not in TRANSIENT or attempt == 7:
                return error
            time.sleep(0.25 * (attempt + 1))


def in_parallel(function, items: list, threads: int = THREADS) -> list:
    results: list = [None] * len(items)
    position = iter(range(len(items)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                i = next(position, None)
            if i is None:
                return
            results[i] = function(items[i])

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


# --- reading the event log ----------------------------------------------------------------


def recorded(url: str) -> tuple[list, dict[str, Order], int]:
    """Every event in recorded order, every order folded from its events, and the head."""
    store = EventStore(env=application_env(url))
    try:
        events, position = [], 0
        while batch := store.recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False):
            events += [store.mapper.to_domain_event(n) for n in batch]
            position = batch[-1].id
        orders = {str(e.originator_id): store.repository.get(e.originator_id) for e in events if isinstance(e, Order.OrderPlaced)}
        return events, orders, position
    finally:
        store.close()


def held_as_orders_say(orders) -> dict:
    """(store, sku, order) -> the units each order says are reserved for it there: its
    shipments' units at their stores, less those still awaited (a backorder's claim, units
    coming by transfer), and the units the stores sending them hold until they ship."""
    held: dict = {}
    for order in orders:
        for shipment in order.holding_reservations():
            awaiting = shipment.get("awaiting") or {}
            for sku, units in shipment["lines"].items():
                if units - awaiting.get(sku, 0):
                    held[(shipment["store_id"], sku, order.order_id)] = units - awaiting.get(sku, 0)
            for transfer in shipment.get("transfers", ()):  # none is shipped in these runs
                for sku, units in transfer["lines"].items():
                    key = (transfer["from_store_id"], sku, order.order_id)
                    held[key] = held.get(key, 0) + units
    return held


def positions_from(events: list) -> dict:
    """(store id, sku) -> {"on_hand", "reserved", "safety_stock", "reservations": {order id: units}},
    folded from the StockPosition events alone."""
    where, positions = {}, {}
    for e in events:
        if isinstance(e, StockPosition.StockPositionOpened):
            where[e.originator_id] = (e.store_id, e.sku)
            positions[(e.store_id, e.sku)] = {"on_hand": 0, "reserved": 0, "safety_stock": 0, "reservations": {}}
        elif isinstance(e, StockPosition.Event):
            p = positions[where[e.originator_id]]
            change = stock_change(e)
            p["on_hand"] += change.on_hand
            p["reserved"] += change.reserved
            p["safety_stock"] += change.safety_stock
            if isinstance(e, StockPosition.StockReserved):
                p["reservations"][e.order_id] = e.quantity
            elif isinstance(e, StockPosition.ClaimsServed):  # a backorder's incoming units arrived
                for order_id, units in e.served:
                    p["reservations"][order_id] = p["reservations"].get(order_id, 0) + units
            elif isinstance(e, StockPosition.ReservationReleased) and getattr(e, "left", 0):
                p["reservations"][e.order_id] = e.left  # part of it (lines cancelled)
            elif isinstance(e, (StockPosition.ReservationReleased, StockPosition.ReservationPicked)):
                p["reservations"].pop(e.order_id, None)
    return positions


def wait_for_projections(url: str, seconds: float = 180) -> list[dict]:
    """Until every projection's position reaches the head (the killed server's runners hold
    their leases until they expire; the restarted server's runners take over then)."""
    deadline = time.monotonic() + seconds
    while True:
        result = omo(url, "projections", "status", "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        statuses = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        if statuses and all(s["lag_events"] == 0 for s in statuses):
            return statuses
        assert time.monotonic() < deadline, f"the projections did not catch up within {seconds:.0f} s: {statuses}"
        time.sleep(0.5)


# --- the test -----------------------------------------------------------------------------


@pytest.mark.parametrize("kill", ["server process", "process group"])
def test_sigkill_mid_checkout_loses_no_acknowledged_order_and_leaves_nothing_half_done(kill, crash_database, tmp_path):
    url = crash_database
    clock = time.monotonic()
    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        nonlocal clock
        phases[name], clock = time.monotonic() - clock, time.monotonic()

    servers: list[Server] = []
    cast_app: OmoApplication | None = None
    try:
        servers.append(Server(url, tmp_path / "serve-1.log"))
        servers[0].wait_until_serving()
        cast_app = build_application(url)  # issues the callers' tokens into the server's database
        cast = Cast(cast_app, label="crash test")
        with OmoClient(servers[0].target, tokens=cast) as client:
            world, hot = seed(client, random.Random(2026))
            cast.token("checkout")  # issued before the load, so no thread waits on it
        phase("start and seed")

        # --- the load, and the kill in the middle of it --------------------------------
        load = Load(servers[0].target, cast, world, hot, run=uuid.uuid4().hex[:8])
        began = time.monotonic()
        load.start()
        while True:
            acknowledged, hot_pickups = load.counts()
            if acknowledged >= MIN_ACKNOWLEDGED and hot_pickups >= MIN_HOT_PICKUPS and time.monotonic() - began >= MIN_LOAD_SECONDS:
                break
            assert not load.failures, f"a client thread failed: {load.failures[0]!r}"
            assert servers[0].process.poll() is None, "omo serve died during the load"
            assert time.monotonic() - began < 120, f"too few orders after 120 s: {acknowledged} acknowledged, {hot_pickups} hot pickups"
            time.sleep(0.02)
        load.stopping.set()  # no new calls; those in flight are cut off by the kill
        load.killing.set()
        if kill == "process group":
            os.killpg(servers[0].group, signal.SIGKILL)
        else:
            os.kill(servers[0].process.pid, signal.SIGKILL)
        servers[0].process.wait(timeout=30)
        load.join()
        # what the server spawned (its order writer) must not outlive it: it would go on
        # writing beside the restarted server, after the retries were answered
        deadline = time.monotonic() + ORPHAN_EXIT_SECONDS
        while servers[0].group_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not servers[0].group_alive(), f"processes of the killed server still run {ORPHAN_EXIT_SECONDS} s later"
        phase("load and kill")

        attempts = load.attempts
        assert all(a.done for a in attempts)
        acked = [a for a in attempts if a.acknowledged]
        cut_off = [a for a in attempts if not a.acknowledged and a.after_kill and a.code not in REFUSALS]
        before_kill_errors = Counter(a.code.name for a in attempts if a.code is not None and not a.after_kill)
        print(
            f"load: {len(attempts)} calls, {len(acked)} acknowledged, {len(cut_off)} cut off by the kill, "
            f"errors before the kill {dict(before_kill_errors)}, {time.monotonic() - began:.1f} s"
        )
        assert cut_off, "no call was in flight when the server was killed"
        unexpected = [a for a in attempts if a.code is not None and not a.after_kill and a.code not in REFUSALS | TRANSIENT]
        assert not unexpected, f"{unexpected[0].key}: {unexpected[0].code.name}: {unexpected[0].details}"
        acknowledged_ids = [a.response.order.order_id for a in acked]
        assert len(set(acknowledged_ids)) == len(acknowledged_ids), "two keys were acknowledged with one order id"

        # --- the restart ---------------------------------------------------------------
        servers.append(Server(url, tmp_path / "serve-2.log"))
        servers[1].wait_until_serving()
        phase("restart")
        with OmoClient(servers[1].target, tokens=cast) as client:
            # every acknowledged order is there, as it was acknowledged
            for a in acked:
                try:
                    found = client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=a.response.order.order_id), timeout=60).order
                except grpc.RpcError as error:
                    pytest.fail(f"acknowledged order {a.key} ({a.response.order.order_id}) lost in the crash: {error.code().name}: {error.details()}")
                assert found == a.response.order, f"acknowledged order {a.key} differs after the restart"

            # every key retried with its request: exactly one order each
            retries = in_parallel(lambda a: place_with_retries(client, a.request), attempts)
            placed: dict[str, orders_pb2.Order] = {}
            for a, answer in zip(attempts, retries):
                if a.acknowledged:
                    assert isinstance(answer, orders_pb2.PlaceOrderResponse), f"retry of acknowledged {a.key}: {answer.code().name}: {answer.details()}"
                    assert answer.replayed, f"retry of acknowledged {a.key} placed the order again: it was not committed"
                    assert answer.order == a.response.order, f"retry of acknowledged {a.key} answered another order"
                elif isinstance(answer, grpc.RpcError):
                    assert answer.code() in REFUSALS, f"retry of {a.key}: {answer.code().name}: {answer.details()}"
                    continue
                placed[a.key] = answer.order
            committed_unacknowledged = [a.key for a, r in zip(attempts, retries) if not a.acknowledged and a.key in placed and r.replayed]
            print(
                f"after the restart: {len(placed)} keys have an order; {len(committed_unacknowledged)} not acknowledged "
                f"had been committed; {len(attempts) - len(placed)} refused"
            )
            again = in_parallel(lambda a: place_with_retries(client, a.request), [a for a in attempts if a.key in placed])
            for a, answer in zip([a for a in attempts if a.key in placed], again):
                assert isinstance(answer, orders_pb2.PlaceOrderResponse), f"second retry of {a.key}: {answer.code().name}: {answer.details()}"
                assert answer.replayed and answer.order.order_id == placed[a.key].order_id, f"second retry of {a.key} placed again"

        phase("orders and retries")

        # --- the event log: one order per key, nothing half there, nothing oversold -----
        events, orders, head = recorded(url)
        keys = Counter(e.idempotency_key for e in events if isinstance(e, Order.OrderPlaced))
        assert [k for k, n in keys.items() if n > 1] == [], "a key was placed more than once"
        assert set(keys) == set(placed), (
            f"orders in the log without an answer: {sorted(set(keys) - set(placed))[:5]}; "
            f"answered without an order in the log: {sorted(set(placed) - set(keys))[:5]}"
        )
        assert {o.order_id for o in orders.values()} == {o.order_id for o in placed.values()}
        for order in orders.values():
            assert order.status != PLACED and order.shipments, f"order {order.idempotency_key} is placed but not allocated"
        held_by_orders = held_as_orders_say(orders.values())
        positions = positions_from(events)
        held_on_positions = {
            (store_id, sku, order_id): units
            for (store_id, sku), p in positions.items() for order_id, units in p["reservations"].items()
        }
        torn = sorted(
            (key, held_on_positions.get(key), held_by_orders.get(key))
            for key in held_on_positions.keys() | held_by_orders.keys() if held_on_positions.get(key) != held_by_orders.get(key)
        )
        assert not torn, f"((store, sku, order), units reserved on the position, units the order holds there): {torn[:5]}"
        assert oversold_units(events) == 0
        for (store_id, sku), p in positions.items():
            assert p["reserved"] == sum(p["reservations"].values())
            assert 0 <= p["reserved"] <= p["on_hand"] - p["safety_stock"], f"{store_id}/{sku} reserves beyond stock: {p}"
        at_hot_store = positions[(hot.store.store_id, HOT_SKU)]
        assert at_hot_store["on_hand"] == HOT_STORE_UNITS
        assert at_hot_store["reserved"] == HOT_STORE_UNITS, f"the hot SKU did not sell out at the hot store: {at_hot_store}"

        phase("event log checks")

        # --- the read models: caught up, and equal to the events ------------------------
        statuses = wait_for_projections(url)
        verified = omo(url, "projections", "verify")
        lines = verified.stdout.splitlines()
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert len(lines) == len(statuses), f"verify listed differences:\n{verified.stdout}"
        for line in lines:
            match = re.fullmatch(r"(\w+): verified \d+ [\w ,]+? at position (\d+): 0 differences", line)
            assert match, f"verify listed: {line}"
        national = next(s for s in statuses if s["projection"] == "national_stock")
        assert national["position"] == national["head"] >= head
        assert any("national_stock: verified" in line and f"position {national['position']}:" in line for line in lines)
        phase("projections caught up and verified")
        for server in servers:
            logged = server.log()
            assert " ERROR " not in logged and "Traceback" not in logged, f"{server.log_path.name} logged an error:\n{logged}"
        print(f"event log head {head}; projections {[(s['projection'], s['position']) for s in statuses]}")
        print("seconds: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items()))
    finally:
        for server in servers:
            server.stop()
        if cast_app is not None:
            cast_app.close()
        for n, server in enumerate(servers, start=1):
            print(f"--- omo serve #{n} ({server.log_path.name}) ---\n{server.log()}")
