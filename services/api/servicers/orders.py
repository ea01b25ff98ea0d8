"""OrderService: the checkout places, reads, cancels and pays for orders, and starts returns; orders are listed."""

from __future__ import annotations

from protos.omo.v1 import common_pb2, orders_pb2, orders_pb2_grpc
from services.use_cases.ordering import fulfilment, orders
from services.use_cases.ordering.line_cancellation import cancel_order_lines
from services.use_cases.stock import returns
from services.use_cases.ordering.order_history import order_history
from services.use_cases.ordering.quotes import quote_delivery
from domain.values import EPOCH
from services.api.convert import common as convert
from services.api.convert.dealers import moment
from services.api.convert.order_list import list_response, order_query
from services.api.convert.stock_query import consistency_of
from services.api.gate.buyer_guard import BuyerGuard, BuyerLimits, place_as_buyer
from services.api.errors import rpc
from services.api.gate.interceptor import acting
from services.use_cases.application import OmoApplication
from services.use_cases.reads.order_list import OrderList


class OrderServicer(orders_pb2_grpc.OrderServiceServicer):
    def __init__(self, app: OmoApplication, buyer_limits: BuyerLimits | None = None, order_list: OrderList | None = None):
        self.app = app
        self.buyers = BuyerGuard(buyer_limits or BuyerLimits())
        self.order_list = order_list or OrderList.for_application(app)

    @rpc
    def PlaceOrder(self, request, context):
        command = orders.PlaceOrder(
            idempotency_key=request.idempotency_key,
            customer_id=request.customer_id,
            customer_location=convert.location(
                "customer_location", request.customer_location, request.HasField("customer_location")
            ),
            lines=tuple(convert.order_lines(request.lines)),
            mode=convert.fulfilment_mode(request.fulfilment_mode),
            pickup_store_id=request.pickup_store_id,
            cloud_shop_id=request.cloud_shop_id,
            share_code=request.share_code,
            device_id=request.device_id,
            allow_backorder=request.allow_backorder,
            not_after=moment("not_after", request.not_after, True, EPOCH) if request.HasField("not_after") else None,
            by=acting(),
        )
        placed = place_as_buyer(self.buyers, self.app, command)
        return orders_pb2.PlaceOrderResponse(order=convert.order_message(placed.order), replayed=placed.replayed)

    @rpc
    def GetOrder(self, request, context):
        return orders_pb2.GetOrderResponse(order=convert.order_message(orders.get_order(self.app, request.order_id)))

    @rpc
    def ExplainAllocation(self, request, context):
        return convert.explanation_message(orders.get_order(self.app, request.order_id))

    @rpc
    def GetOrderHistory(self, request, context):
        return convert.history_message(request.order_id, order_history(self.app, request.order_id))

    @rpc
    def QuoteDelivery(self, request, context):
        quotes = quote_delivery(
            self.app,
            convert.location("customer_location", request.customer_location, request.HasField("customer_location")),
            [(line.sku, line.quantity) for line in request.lines],
            [convert.fulfilment_mode(mode) for mode in request.modes],
            request.pickup_store_id,
        )
        return convert.quote_messages(quotes)

    @rpc
    def CancelOrder(self, request, context):
        order = orders.cancel_order(self.app, request.order_id, request.reason, by=acting())
        return orders_pb2.CancelOrderResponse(order=convert.order_message(order))

    @rpc
    def CancelOrderLines(self, request, context):
        lines = [(line.sku, line.quantity) for line in request.lines]
        order, refund_cents = cancel_order_lines(self.app, request.order_id, request.idempotency_key, lines, request.reason, by=acting())
        return orders_pb2.CancelOrderLinesResponse(
            order=convert.order_message(order), refund=common_pb2.Money(cents=refund_cents, currency=order.currency),
        )

    @rpc
    def ConfirmPayment(self, request, context):
        amount = convert.money("amount", request.amount, request.HasField("amount"))
        order = fulfilment.confirm_payment(self.app, request.order_id, request.payment_id, amount, by=acting())
        return orders_pb2.ConfirmPaymentResponse(order=convert.order_message(order))

    @rpc
    def ReturnOrder(self, request, context):
        lines = [(line.sku, line.quantity) for line in request.lines]
        order = returns.return_order(self.app, request.order_id, request.return_id, request.store_id, lines, by=acting())
        return orders_pb2.ReturnOrderResponse(order=convert.order_message(order))

    @rpc
    def ListOrders(self, request, context):
        query = order_query(request)
        size = convert.page_size(request.page_size)
        consistency = consistency_of(request.consistency)
        page = self.order_list.list_orders(query, size, request.page_token, consistency, context.time_remaining())
        return list_response(page)
