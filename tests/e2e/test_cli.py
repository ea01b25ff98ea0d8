"""The `omo` command with the real server: serve with a clean shutdown, the demo, whose stores
find their work only through their queues (help and the demo's parser: tests/unit/test_cli.py)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from typing import ClassVar
from uuid import UUID

import grpc
import pytest
from grpc_health.v1 import health_pb2

from protos.omo.v1 import fulfilment_pb2
from services.adapters.config import sqlite_url
from services.bootstrap import build_application
from services.client.client import OmoClient
from services.demo import demo as demo_module
from services.demo.demo import run_demo
from services.demo.pre_sale import PER_CUSTOMER, PRE_ORDERS, UNITS
from services.demo.store_day import BACKORDERS, WATCHED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(port: int) -> None:
    with OmoClient(f"127.0.0.1:{port}") as client:
        deadline = time.monotonic() + 120
        while True:
            try:
                status = client.health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                break
            except grpc.RpcError:
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
    assert status == health_pb2.HealthCheckResponse.SERVING


def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    process = subprocess.Popen(["omo", "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(port)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert "shutting down" in process.stderr.read()
    finally:
        process.kill()


def test_serve_uses_the_default_sqlite_file_under_var(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "OMO_DATABASE_URL"}
    with open(tmp_path / "serve.log", "w") as log:
        process = subprocess.Popen(["omo", "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=log)
    try:
        wait_until_serving(port)
        assert (tmp_path / "var" / "omo.db").exists()
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=60) == 0
        except subprocess.TimeoutExpired:  # say how far the shutdown got
            pytest.fail("serve did not stop within 60 s of SIGINT; its log:\n" + (tmp_path / "serve.log").read_text())
    finally:
        process.kill()


def test_a_signal_during_start_up_still_shuts_down_cleanly(tmp_path):
    env = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'early.db'}"}
    process = subprocess.Popen(["omo", "serve", "--port", str(free_port())], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "early.db").exists():  # the application is starting
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()


class CountingClient(OmoClient):
    """The demo's client, counting the store queue calls it makes, per store."""

    listed: ClassVar[Counter] = Counter()
    watched: ClassVar[Counter] = Counter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stub, cls = self.fulfilment, type(self)
        list_shipments, watch_shipments = stub.ListShipments, stub.WatchShipments

        def listing(request, **options):
            cls.listed[request.store_id] += 1
            return list_shipments(request, **options)

        def watching(request, **options):
            cls.watched[request.store_id] += 1
            return watch_shipments(request, **options)

        stub.ListShipments, stub.WatchShipments = listing, watching


class EmptyStream:
    """A WatchShipments stream with nothing in the store's history: only the live heartbeat."""

    def __iter__(self):
        return iter([fulfilment_pb2.WatchShipmentsResponse()])

    def cancel(self) -> None:
        pass


class BlindQueueClient(OmoClient):
    """The demo's client with every store's queue reporting nothing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fulfilment.ListShipments = lambda request, **options: fulfilment_pb2.ListShipmentsResponse()
        self.fulfilment.WatchShipments = lambda request, **options: EmptyStream()


def test_a_small_demo_places_orders_through_grpc_and_prints_the_summary(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(demo_module, "OmoClient", CountingClient)
    monkeypatch.setattr(CountingClient, "listed", Counter())
    monkeypatch.setattr(CountingClient, "watched", Counter())
    url = sqlite_url(tmp_path / "demo.db")
    outcome = run_demo(url, stores=60, skus=30, orders=80, seed=3, workers=4)
    assert outcome.placed + sum(outcome.rejections.values()) == 80
    assert outcome.placed > 20
    printed = capsys.readouterr().out
    assert "placed" in printed and "median distance" in printed and "busiest stores" in printed
    # routing kept the dealers' terms and the assortments (the demo checks each shipment) and met them
    assert "dealers' terms and assortments, kept by routing" in printed
    assert outcome.terms["shipments from stores with an assortment"] > 0
    for mode in ("DELIVERY", "EXPRESS"):
        minutes = re.search(rf"median promise, {mode} \(minutes after placing\) +(\d+)", printed)
        assert minutes, f"no median promise for {mode}"
        # a store delivers within hours at most; a warehouse by the end of the day after tomorrow
        assert 0 < int(minutes.group(1)) < 24 * 60 if mode == "DELIVERY" else 24 * 60 < int(minutes.group(1)) < 4 * 24 * 60
    share = re.search(r"on-time share \(on time / \(on time \+ late \+ overdue\)\) +([\d.]+)%", printed)
    assert share and 0 < float(share.group(1)) < 100  # the slow stores miss theirs, the others keep them

    day = outcome.day
    busiest = [store_id for store_id, _ in outcome.by_store.most_common(WATCHED)]
    # the busiest watch their queue, each with one stream; every other location lists its own
    assert dict(CountingClient.watched) == {store_id: 1 for store_id in busiest}
    assert day.listed_stores == 60 + 6 - len(busiest)
    locations = {f"S{n:05d}" for n in range(1, 61)} | {f"W{n:02d}" for n in range(1, 7)}
    assert locations - set(busiest) <= set(CountingClient.listed) <= locations
    assert day.queue.list_calls >= day.listed_stores
    assert day.queue.streamed_changes > 0 and day.slow_stores

    # every paid order ends with the customer, but for the slow stores' parts, still waiting
    app = build_application(url, order_writer=None)
    try:
        orders = [app.find_afresh(UUID(order.order_id)) for order in outcome.orders]
        backorders = [app.find_afresh(UUID(order_id)) for order_id in day.backorder_ids]
        pre_orders = [app.find_afresh(UUID(order_id)) for order_id in outcome.pre_sale.order_ids]
    finally:
        app.close()
    # the new arrival's backorders waited for the warehouse's receipt, then went as any order
    assert day.backordered == day.backorders_allocated == len(backorders) == BACKORDERS
    assert all(o.paid and o.shipments[0]["store_id"].startswith("W") for o in backorders)
    assert re.search(rf"allocated when the warehouse received it +{BACKORDERS}\b", printed)
    paid = [o for o in orders if o.paid and not o.cancelled]
    assert len(paid) == day.paid and day.delivered > 0
    # pickup orders whose store lacked units went ahead once their transfers arrived
    by_transfer = [o for o in paid if any(s.get("transfers") for s in o.shipments)]
    assert day.by_transfer_allocated == len(by_transfer) and all(o.status != "AWAITING_TRANSFER" for o in by_transfer)
    assert day.transfers_received == sum(len(s.get("transfers", ())) for o in by_transfer for s in o.shipments)
    # the pre-sale's pre-orders, paid as placed and allocated as their goods arrived, went through the day as any order
    pre_sale = outcome.pre_sale
    assert all(o.paid and o.pre_sale["sku"] == pre_sale.sku and o.shipments[0]["store_id"] == pre_sale.location_of[o.order_id] for o in pre_orders)
    assert pre_sale.ordered_units == sum(PRE_ORDERS) and pre_sale.refused_over_limit == 1
    assert pre_sale.allocated == len(PRE_ORDERS) and pre_sale.delivered + pre_sale.left_at_slow == len(PRE_ORDERS)
    assert re.search(
        rf"pre-sale of {pre_sale.sku}: {sum(PRE_ORDERS)} of {UNITS} units pre-ordered in {len(PRE_ORDERS)} pre-orders, 1 refused over "
        rf"the limit of {PER_CUSTOMER}; planned at \d+ locations, {len(PRE_ORDERS)} allocated earliest first; "
        rf"{pre_sale.delivered} delivered, {pre_sale.left_at_slow} at slow stores\n", printed,
    )
    statuses = Counter()
    for order in (*paid, *pre_orders):
        for shipment in order.shipments:
            slow = shipment["store_id"] in day.slow_stores
            statuses[slow, shipment["status"]] += 1
            # flagged for customer service after a walk-in sale: no store can work it
            assert shipment["status"] in ("ALLOCATED" if slow else "DELIVERED", "UNFULFILLABLE"), (order.order_id, shipment)
    assert statuses[True, "ALLOCATED"] == day.left_at_slow > 0
    assert day.overdue_at_slow == day.left_at_slow + statuses[True, "UNFULFILLABLE"]
    assert day.delivered == sum(o.status == "DELIVERED" for o in (*paid, *backorders, *pre_orders))
    assert day.on_time.overdue >= day.left_at_slow and day.on_time.late == 0
    # some customers dropped one unit before the store picked: paid already, so each is owed its price
    cut = [o for o in paid if o.line_cancellations]
    assert len(cut) == day.lines_cancelled > 0
    assert all(sum(line["quantity"] for c in o.line_cancellations.values() for line in c["lines"]) == 1 for o in cut)
    assert day.cancelled_refund_cents == sum(c["refund_cents"] for o in cut for c in o.line_cancellations.values()) > 0
    assert re.search(rf"paid orders with one unit cancelled \(CancelOrderLines\) +{day.lines_cancelled}\b", printed)
    # the busiest dealer's bill, with one difference of each kind planted, each reported once
    reconciled = outcome.reconciliation
    assert reconciled is not None and sum(reconciled.differences.values()) == 5 and set(reconciled.differences.values()) == {1}
    assert reconciled.closing_with_hq_cents == 0 and reconciled.settled_cents > 0
    assert re.search(
        rf"reconciliation of dealer {reconciled.dealer_id} for {reconciled.month}: a bill of {reconciled.rows} rows with 5 planted "
        r"differences, each reported once \(amount_differs 1, duplicated_in_bill 1, missing_from_bill 1, missing_from_orders 1, "
        r"wrong_merchant_account 1\); paid HQ [\d.]+, balance with HQ now 0.00\n", printed,
    )


def test_a_demo_whose_queues_report_nothing_delivers_nothing(capsys, monkeypatch):
    """The stores know their work only from their queues: with every queue empty, the paid
    orders stay where the checkout left them and no promise is kept."""
    monkeypatch.setattr(demo_module, "OmoClient", BlindQueueClient)
    outcome = run_demo(None, stores=40, skus=20, orders=40, seed=3, workers=4)
    day = outcome.day
    assert day.paid > 20
    assert day.queue.shipments_delivered == day.delivered == day.waiting == 0 and not day.queue.worked
    assert outcome.pre_sale.allocated == len(PRE_ORDERS) and outcome.pre_sale.delivered == 0  # allocated, and no store saw them
    figures = day.on_time
    assert figures.on_time == figures.late == 0 and figures.open == figures.due > 0
    share = re.search(r"on-time share \(on time / \(on time \+ late \+ overdue\)\) +(\S+)", capsys.readouterr().out).group(1)
    assert share in ("0.0%", "-")  # nothing kept; "-" while no promise has passed either


def test_a_demo_at_night_finds_most_stores_shut_and_promises_their_mornings(capsys):
    evening = run_demo(None, stores=60, skus=30, orders=40, seed=3, workers=4, at="20:00")
    night = run_demo(None, stores=60, skus=30, orders=40, seed=3, workers=4, at="04:00")

    # the same customers: at 04:00 only the 24-hour stores (and pickups) can start at once; the
    # others take the orders for their first slot of the morning rather than sending them away
    def waiting_for_the_morning(run):
        return sum(1 for order in run.orders for s in order.shipments if s.scheduled_for)

    assert waiting_for_the_morning(night) > 2 * max(1, waiting_for_the_morning(evening))
    assert night.fulfilment["EXPRESS"] <= evening.fulfilment["EXPRESS"] + 2
    assert all(s.promised_by for order in night.orders for s in order.shipments)
