"""ListOrders: its request as a query of the order list, and a page of orders as its response."""

from __future__ import annotations

from datetime import timedelta

from domain.errors import InvalidInput
from domain.values import EPOCH
from projections.order_list.reads import ListedOrder
from protos.omo.v1 import common_pb2, orders_pb2
from services.api.convert.stock_query import freshness_message
from services.use_cases.reads.order_list import STATUSES, OrderPage, OrderQuery


def order_query(request: orders_pb2.ListOrdersRequest) -> OrderQuery:
    status = ""
    if request.status:
        # an enum value this server does not know arrives as a bare number
        if request.status not in orders_pb2.OrderStatus.values():
            raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}, or unset for every status")
        status = orders_pb2.OrderStatus.Name(request.status)
    return OrderQuery(request.customer_id, request.store_id, request.date, status)


def listed_message(o: ListedOrder) -> orders_pb2.ListedOrder:
    return orders_pb2.ListedOrder(
        order_id=o.order_id, customer_id=o.customer_id, status=orders_pb2.OrderStatus.Value(o.status),
        fulfilment_mode=common_pb2.FulfilmentMode.Value(o.mode),
        placed_at=(EPOCH + timedelta(microseconds=o.placed_at_us)).isoformat(),
        total=common_pb2.Money(cents=o.total_cents, currency=o.currency), store_ids=o.store_ids,
        promised_by=o.promised_by, paid=o.paid,
    )


def list_response(page: OrderPage) -> orders_pb2.ListOrdersResponse:
    return orders_pb2.ListOrdersResponse(
        orders=[listed_message(o) for o in page.orders], next_page_token=page.next_page_token,
        freshness=freshness_message(page.freshness),
    )
