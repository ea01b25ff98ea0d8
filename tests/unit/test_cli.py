"""The `omo` command without a server: help for every command, the demo's parser, its world,
its clock and the promise and on-time figures it prints (serving and the demo run:
tests/e2e/test_cli.py)."""

from __future__ import annotations

import subprocess

import pytest

from services.cli.main import build_parser


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"]])
def test_every_command_has_help(command):
    result = subprocess.run(["omo", *command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage: omo" in result.stdout


def test_the_demo_parser_defaults_match_the_issue():
    args = build_parser().parse_args(["demo"])
    assert (args.stores, args.skus, args.orders) == (1000, 200, 1000)


def test_an_always_open_world_seeds_the_same_stores_with_no_opening_hours():
    import random

    from services.demo import seeding

    usual = seeding.build_world(random.Random(5), 50, 20)
    always = seeding.build_world(random.Random(5), 50, 20, always_open=True)
    assert [s.store_id for s in always.stores] == [s.store_id for s in usual.stores]
    assert [s.location for s in always.stores] == [s.location for s in usual.stores]
    assert any(s.opening_hours for s in usual.stores)
    assert not any(s.opening_hours for s in always.stores)


def test_the_demo_clock_starts_at_the_next_such_time_and_only_moves_on():
    from datetime import datetime, timedelta, timezone

    from services.demo.clock import DemoClock

    real = datetime(2026, 12, 2, 5, 57, tzinfo=timezone.utc)  # 13:57 in Shanghai
    evening, night = DemoClock("20:00", now=real), DemoClock("04:00", now=real)
    assert evening.start.isoformat() == "2026-12-02T20:00:00+08:00"
    assert night.start.isoformat() == "2026-12-03T04:00:00+08:00"  # 04:00 today has passed
    assert evening() >= evening.start
    before = evening()
    evening.advance_to(before - timedelta(hours=1))
    assert before <= evening() < before + timedelta(minutes=1)
    evening.advance_to(before + timedelta(hours=3))
    assert evening() >= before + timedelta(hours=3)


def test_the_demo_reports_promises_per_mode_and_rounds_the_share_as_the_server():
    from datetime import datetime, timedelta, timezone

    from protos.omo.v1 import common_pb2, orders_pb2
    from services.demo.promises import OnTime, median_promises

    placed = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)

    def order(order_id, mode, fulfilment, *promises):
        return orders_pb2.Order(order_id=order_id, fulfilment_mode=mode, fulfilment=fulfilment, shipments=[
            orders_pb2.Shipment(store_id="S1", promised_by=(placed + timedelta(minutes=m)).astimezone(timezone(timedelta(hours=8))).isoformat())
            for m in promises
        ])

    orders = [
        order("a", common_pb2.DELIVERY, orders_pb2.FULFILMENT_ONE_STORE, 30),
        order("b", common_pb2.DELIVERY, orders_pb2.FULFILMENT_SPLIT, 20, 50),  # the latest part counts
        order("c", common_pb2.DELIVERY, orders_pb2.FULFILMENT_EXPRESS, 3000),  # a warehouse ships it EXPRESS
        order("d", common_pb2.PICKUP, orders_pb2.FULFILMENT_ONE_STORE),  # no promise: left out
    ]
    assert median_promises(orders, {o.order_id: placed for o in orders}) == {"DELIVERY": 40, "EXPRESS": 3000}
    assert OnTime("d", "d", on_time=2, overdue=1).per_mille == 667
    assert OnTime("d", "d", on_time=1, late=1, open=3).per_mille == 500
    assert OnTime("d", "d", due=4, open=4).per_mille is None
