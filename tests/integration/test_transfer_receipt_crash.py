"""A process killed (SIGKILL) between a transfer's receipt and the order recording it, on SQLite
and PostgreSQL: the receipt and the units' reservation for the order are one save, so after the
kill the store holds them reserved exactly once; housekeeping then records them on the order,
which goes ahead, and doing it again (or receiving the transfer again) doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from aggregates.order import Order
from aggregates.stock_position import StockPosition
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.use_cases.housekeeping import tidy
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering.orders import PlaceOrder, place_order
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.stock.transfers import receive_transfer, ship_transfer
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE
from tests.order_list_builders import profile

REPO = Path(__file__).resolve().parents[2]
# receives the transfer with the step that records it on the order replaced by a SIGKILL
KILLED_AFTER_THE_RECEIPT = """
import os, signal, sys
from services.bootstrap import build_application
from services.use_cases.stock import pos_sync
from services.use_cases.stock.transfers import receive_transfer

app = build_application(sys.argv[1], order_writer=None)
pos_sync.proceed_backorders = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
receive_transfer(app, sys.argv[2])
"""


def held(app, store_id: str, order_id: str) -> tuple[int, int]:
    """(on hand, units reserved for the order) at the store, as recorded."""
    position = app.find_afresh(StockPosition.create_id(store_id, "SERUM"))
    return position.on_hand, position.reservations.get(order_id, 0)


def test_a_kill_between_the_receipt_and_the_order_loses_and_doubles_nothing(app, database_url):
    for store_id, at in (("S1", PEOPLES_SQUARE), ("S2", JINGAN_TEMPLE)):
        upsert_store(app, profile(store_id, GeoPoint(*at)))
    receive_stock(app, "S2", [("SERUM", 3)])
    order, _ = place_order(app, PlaceOrder(
        idempotency_key="k1", customer_id="C1", customer_location=GeoPoint(*PEOPLES_SQUARE),
        lines=(OrderLine("SERUM", 2, Money(1990, "CNY")),), mode=FulfilmentMode.PICKUP, pickup_store_id="S1",
    ))
    [sent] = order.shipments[0]["transfers"]
    ship_transfer(app, sent["transfer_id"])
    assert held(app, "S2", order.order_id) == (1, 0)

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_THE_RECEIPT, database_url, sent["transfer_id"]],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    app.catch_up()
    assert held(app, "S1", order.order_id) == (2, 2)  # arrived, and reserved for the order once
    assert app.find_afresh(order.id).status == "AWAITING_TRANSFER"  # the order does not know yet

    tidy(app)
    assert app.find_afresh(order.id).status == "ALLOCATED"
    assert held(app, "S1", order.order_id) == (2, 2)
    head = app.recorder.max_notification_id()
    tidy(app)
    assert receive_transfer(app, sent["transfer_id"]).status == "RECEIVED"  # nothing more in transit
    assert app.recorder.max_notification_id() == head
    assert held(app, "S1", order.order_id) == (2, 2)
    assert isinstance(app.find_afresh(Order.create_id("k1")), Order)
