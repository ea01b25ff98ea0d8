"""An order's steps through the store, as store staff and the checkout call them over gRPC,
and the lifecycle's tables: how an order reaches each status, and which steps each status
allows. The tables are checked on their own in tests/unit/test_order_lifecycle_service.py and
driven through the real server in tests/e2e/test_order_lifecycle_service.py."""

from __future__ import annotations

from protos.omo.v1 import fulfilment_pb2, orders_pb2


# --- the calls, as store staff and the checkout make them ------------------------------------


def get(client, order_id: str) -> orders_pb2.Order:
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order


def pay(client, placed: orders_pb2.Order, payment_id: str = "pay-1") -> orders_pb2.Order:
    return client.orders.ConfirmPayment(
        orders_pb2.ConfirmPaymentRequest(order_id=placed.order_id, payment_id=payment_id, amount=placed.total)
    ).order


def accept(client, order_id: str, store_id: str = "S1") -> orders_pb2.Order:
    return client.fulfilment.AcceptOrder(fulfilment_pb2.AcceptOrderRequest(order_id=order_id, store_id=store_id)).order


def pick(client, order_id: str, store_id: str = "S1") -> orders_pb2.Order:
    return client.fulfilment.MarkPicked(fulfilment_pb2.MarkPickedRequest(order_id=order_id, store_id=store_id)).order


def to_courier(client, order_id: str, store_id: str = "S1") -> orders_pb2.Order:
    return client.fulfilment.HandOver(
        fulfilment_pb2.HandOverRequest(order_id=order_id, store_id=store_id, to=fulfilment_pb2.COURIER)
    ).order


def to_customer(client, order_id: str, store_id: str = "S1", code: str | None = None) -> orders_pb2.Order:
    if code is None:
        code = get(client, order_id).pickup_code
    return client.fulfilment.HandOver(
        fulfilment_pb2.HandOverRequest(order_id=order_id, store_id=store_id, to=fulfilment_pb2.CUSTOMER, pickup_code=code)
    ).order


def deliver(client, order_id: str, store_id: str = "S1") -> orders_pb2.Order:
    return client.fulfilment.MarkDelivered(fulfilment_pb2.MarkDeliveredRequest(order_id=order_id, store_id=store_id)).order


def reject(client, order_id: str, store_id: str = "S1", reason: str = "freezer broken") -> orders_pb2.Order:
    return client.fulfilment.RejectOrder(
        fulfilment_pb2.RejectOrderRequest(order_id=order_id, store_id=store_id, reason=reason)
    ).order


def cancel(client, order_id: str, store_id: str = "S1") -> orders_pb2.Order:
    return client.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=order_id, reason="changed mind")).order


# --- the matrix: every status x every step it does not allow -----------------------------------

STEPS = {
    "accept": lambda c, oid: accept(c, oid),
    "reject": lambda c, oid: reject(c, oid),
    "pick": lambda c, oid: pick(c, oid),
    "hand_over_courier": lambda c, oid: to_courier(c, oid),
    "hand_over_customer": lambda c, oid: to_customer(c, oid),
    "deliver": lambda c, oid: deliver(c, oid),
    "cancel": lambda c, oid: cancel(c, oid),
}
# how an order of each mode gets to each status it can reach, one step after another
PATHS = {
    "DELIVERY": {
        "ALLOCATED_UNPAID": [],
        "ALLOCATED": ["pay"],
        "ACCEPTED": ["pay", "accept"],
        "PICKED": ["pay", "accept", "pick"],
        "HANDED_OVER": ["pay", "accept", "pick", "hand_over_courier"],
        "DELIVERED": ["pay", "accept", "pick", "hand_over_courier", "deliver"],
        "CANCELLED": ["pay", "accept", "cancel"],
        "NEEDS_ATTENTION": ["pay", "walk_in_sale_of_reserved_units"],
    },
    "PICKUP": {
        "ALLOCATED_UNPAID": [],
        "ALLOCATED": ["pay"],
        "ACCEPTED": ["pay", "accept"],
        "PICKED": ["pay", "accept", "pick"],
        "DELIVERED": ["pay", "accept", "pick", "hand_over_customer"],
        "CANCELLED": ["pay", "cancel"],
        "NEEDS_ATTENTION": ["pay", "walk_in_sale_of_reserved_units"],
    },
}
# the statuses each step moves an order on from
ALLOWED = {
    "DELIVERY": {
        "accept": {"ALLOCATED"},
        "reject": {"ALLOCATED_UNPAID", "ALLOCATED", "ACCEPTED"},
        "pick": {"ACCEPTED"},
        "hand_over_courier": {"PICKED"},
        "hand_over_customer": set(),
        "deliver": {"HANDED_OVER"},
        "cancel": {"ALLOCATED_UNPAID", "ALLOCATED", "ACCEPTED", "NEEDS_ATTENTION"},
    },
    "PICKUP": {
        "accept": {"ALLOCATED"},
        "reject": {"ALLOCATED_UNPAID", "ALLOCATED", "ACCEPTED"},
        "pick": {"ACCEPTED"},
        "hand_over_courier": set(),
        "hand_over_customer": {"PICKED"},
        "deliver": set(),
        "cancel": {"ALLOCATED_UNPAID", "ALLOCATED", "ACCEPTED", "NEEDS_ATTENTION"},
    },
}
# the status each step leads to: the same step there again is a retry and changes nothing
REPEATED_AT = {
    "DELIVERY": {"accept": "ACCEPTED", "pick": "PICKED", "hand_over_courier": "HANDED_OVER", "deliver": "DELIVERED", "cancel": "CANCELLED"},
    "PICKUP": {"accept": "ACCEPTED", "pick": "PICKED", "hand_over_customer": "DELIVERED", "deliver": "DELIVERED", "cancel": "CANCELLED"},
}
# handing over to the wrong party is refused for the order's mode, whatever its status
WRONG_PARTY = {"DELIVERY": "hand_over_customer", "PICKUP": "hand_over_courier"}
# what the refusal names: the shipment's status (a flagged one is UNFULFILLABLE)
NAMED = {"ALLOCATED_UNPAID": "ALLOCATED", "NEEDS_ATTENTION": "UNFULFILLABLE"}


def refused_steps(mode: str, at: str) -> list[str]:
    return [
        step for step in STEPS
        if at not in ALLOWED[mode][step] and REPEATED_AT[mode].get(step) != at
    ]


def repeated_steps(mode: str, at: str) -> list[str]:
    return [step for step, target in REPEATED_AT[mode].items() if target == at]
