"""The second half of `omo demo`: the stores' day after the orders are placed. The checkout
confirms payment for most orders, some stores sell reserved units over the counter (their
POS streams the sales, and the orders affected move to other stores), stores work their paid
orders through to delivery, and a few customers return goods."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import common_pb2, fulfilment_pb2, inventory_pb2, orders_pb2, pos_pb2
from services.client.client import OmoClient

PAID_SHARE = 0.9  # the rest stay unpaid, for the payment timeout to release
COUNTER_SALES = 30  # (store, sku) shelves a walk-in customer empties
WORKED_SHARE = 0.5  # paid orders the stores take all the way to delivery
RETURNS = 10


@dataclass
class StoreDay:
    paid: int = 0
    counter_sales: int = 0
    moved: int = 0
    flagged: int = 0
    delivered: int = 0
    returned_units: int = 0
    refunded_cents: int = 0
    refused: Counter = field(default_factory=Counter)
    worked: list = field(default_factory=list)  # ids of the orders stores worked on


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(timezone.utc))
    return stamp


def _pay(client: OmoClient, order: orders_pb2.Order) -> orders_pb2.Order:
    request = orders_pb2.ConfirmPaymentRequest(order_id=order.order_id, payment_id=f"PAY-{order.order_id[:8]}", amount=order.total)
    return client.orders.ConfirmPayment(request).order


def _empty_shelves(client: OmoClient, orders: list[orders_pb2.Order], rng: random.Random, day: StoreDay) -> None:
    """Walk-in customers buy every unit of a reserved SKU at some stores."""
    shelves = sorted({(s.store_id, l.sku) for o in orders for s in o.shipments for l in s.lines})
    for n, (store_id, sku) in enumerate(rng.sample(shelves, min(COUNTER_SALES, len(shelves)))):
        on_hand = client.inventory.GetStockPosition(inventory_pb2.GetStockPositionRequest(store_id=store_id, sku=sku)).position.on_hand
        if on_hand <= 0:
            continue
        sale = pos_pb2.StockMovement(
            movement_id=f"demo-walk-in-{n}", kind=pos_pb2.SALE, sku=sku, quantity=on_hand, occurred_at=_now(), reason="walk-in"
        )
        for response in client.pos.SyncStock(iter([pos_pb2.SyncStockRequest(store_id=store_id, movements=[sale])])):
            day.counter_sales += 1
            day.moved += sum(not m.flagged for m in response.moved_orders)
            day.flagged += sum(m.flagged for m in response.moved_orders)


def _work(client: OmoClient, order: orders_pb2.Order) -> orders_pb2.Order:
    """Each store takes its shipment from acceptance to the customer."""
    for shipment in order.shipments:
        ids = {"order_id": order.order_id, "store_id": shipment.store_id}
        client.fulfilment.AcceptOrder(fulfilment_pb2.AcceptOrderRequest(**ids))
        client.fulfilment.MarkPicked(fulfilment_pb2.MarkPickedRequest(**ids))
        if order.fulfilment_mode == common_pb2.PICKUP:
            order = client.fulfilment.HandOver(
                fulfilment_pb2.HandOverRequest(**ids, to=fulfilment_pb2.CUSTOMER, pickup_code=order.pickup_code)
            ).order
        else:
            client.fulfilment.HandOver(fulfilment_pb2.HandOverRequest(**ids, to=fulfilment_pb2.COURIER))
            order = client.fulfilment.MarkDelivered(fulfilment_pb2.MarkDeliveredRequest(**ids)).order
    return order


def run_store_day(client: OmoClient, placed: list[orders_pb2.Order], rng: random.Random) -> StoreDay:
    day = StoreDay()
    paid = []
    for order in placed:
        if rng.random() < PAID_SHARE:
            paid.append(_pay(client, order))
    day.paid = len(paid)
    _empty_shelves(client, paid, rng, day)
    delivered = []
    for order in paid:
        if rng.random() >= WORKED_SHARE:
            continue
        current = client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order.order_id)).order
        if current.status != orders_pb2.ALLOCATED:
            continue  # flagged for customer service after a counter sale
        day.worked.append(current.order_id)
        try:
            delivered.append(_work(client, current))
        except grpc.RpcError as error:
            day.refused[error.code().name] += 1
    for n, order in enumerate(rng.sample(delivered, min(RETURNS, len(delivered)))):
        first = order.lines[0]
        request = orders_pb2.ReturnOrderRequest(
            order_id=order.order_id, return_id=f"demo-return-{n}", store_id=order.shipments[-1].store_id,
            lines=[orders_pb2.ShipmentLine(sku=first.sku, quantity=1)],
        )
        returned = client.orders.ReturnOrder(request).order
        day.returned_units += 1
        day.refunded_cents += returned.refunded.cents
    day.delivered = len(delivered)
    return day


def print_store_day(day: StoreDay, unpaid: int, out: TextIO) -> None:
    print("\n  the stores' day", file=out)
    rows = [
        ("orders paid (the rest wait for the payment timeout)", day.paid),
        ("  unpaid", unpaid),
        ("shelves emptied by walk-in customers (POS SyncStock)", day.counter_sales),
        ("  orders moved to another location as a result", day.moved),
        ("  orders flagged for customer service (nowhere to go)", day.flagged),
        ("orders delivered (accepted, picked, handed over)", day.delivered),
        ("units returned at a store", day.returned_units),
    ]
    for label, value in rows:
        print(f"  {label:<56}{value:>8}", file=out)
    print(f"  {'refunded (cents)':<56}{day.refunded_cents:>8}", file=out)
    for code, count in day.refused.most_common():
        print(f"  {'refused step, ' + code:<56}{count:>8}", file=out)
