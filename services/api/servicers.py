"""gRPC servicers: each method translates the request, runs one use case, translates back."""

from __future__ import annotations

from aggregates.order import Order
from domain.launches import PurchaseLimitReached, buyer_keys
from protos.omo.v1 import inventory_pb2, inventory_pb2_grpc, orders_pb2, orders_pb2_grpc, stores_pb2, stores_pb2_grpc
from services import fulfilment, inventory, launches, orders, returns, stores
from services.api import convert
from services.api.buyer_guard import BuyerGuard, BuyerLimits
from services.api.errors import rpc
from services.application import OmoApplication


class StoreServicer(stores_pb2_grpc.StoreServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    @rpc
    def UpsertStore(self, request, context):
        profile, created = stores.upsert_store(self.app, convert.store_profile(request))
        return stores_pb2.UpsertStoreResponse(store=convert.store_message(profile), created=created)

    @rpc
    def GetStore(self, request, context):
        return stores_pb2.GetStoreResponse(store=convert.store_message(stores.get_store(self.app, request.store_id)))

    @rpc
    def ListStores(self, request, context):
        size = convert.page_size(request.page_size)
        page, last = stores.list_stores(self.app, convert.decode_page_token(request.page_token), size)
        return stores_pb2.ListStoresResponse(
            stores=[convert.store_message(p) for p in page], next_page_token=convert.encode_page_token(last)
        )


class InventoryServicer(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    @rpc
    def ReceiveStock(self, request, context):
        lines = [(line.sku, line.quantity) for line in request.lines]
        views, duplicate = inventory.receive_stock(self.app, request.store_id, lines, request.movement_id)
        return inventory_pb2.ReceiveStockResponse(positions=[convert.position_message(v) for v in views], duplicate=duplicate)

    @rpc
    def AdjustStock(self, request, context):
        view, duplicate = inventory.adjust_stock(
            self.app, request.store_id, request.sku, request.delta, request.reason, request.movement_id
        )
        return inventory_pb2.AdjustStockResponse(position=convert.position_message(view), duplicate=duplicate)

    @rpc
    def RecordCount(self, request, context):
        view, duplicate = inventory.record_count(
            self.app, request.store_id, request.sku, request.counted_quantity, request.movement_id
        )
        return inventory_pb2.RecordCountResponse(position=convert.position_message(view), duplicate=duplicate)

    @rpc
    def SetSafetyStock(self, request, context):
        view = inventory.set_safety_stock(self.app, request.store_id, request.sku, request.quantity)
        return inventory_pb2.SetSafetyStockResponse(position=convert.position_message(view))

    @rpc
    def GetStockPosition(self, request, context):
        view = inventory.get_stock_position(self.app, request.store_id, request.sku)
        return inventory_pb2.GetStockPositionResponse(position=convert.position_message(view))

    @rpc
    def ListStockPositions(self, request, context):
        size = convert.page_size(request.page_size)
        page, last = inventory.list_stock_positions(self.app, request.sku, convert.decode_page_token(request.page_token), size)
        return inventory_pb2.ListStockPositionsResponse(
            positions=[convert.position_message(v) for v in page], next_page_token=convert.encode_page_token(last)
        )


class OrderServicer(orders_pb2_grpc.OrderServiceServicer):
    def __init__(self, app: OmoApplication, buyer_limits: BuyerLimits | None = None):
        self.app = app
        self.buyers = BuyerGuard(buyer_limits or BuyerLimits())

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
        )
        order, replayed = self._place_as_buyer(command)
        return orders_pb2.PlaceOrderResponse(order=convert.order_message(order), replayed=replayed)

    def _place_as_buyer(self, command: orders.PlaceOrder) -> tuple[Order, bool]:
        """place_order behind the buyer guard: refused in memory, before any write, when the
        buyer orders faster than a person or is known to have reached a launch's limit. The
        buyer's quota, checked as the order is saved, stays the authority."""
        buyers, skus, now = buyer_keys(command.customer_id, command.device_id), list(command.quantities()), self.app.clock()
        order_id = str(Order.create_id(command.idempotency_key))
        self.buyers.admit(buyers, order_id, skus, launches.active_launches(self.app, skus, now))
        try:
            placed = orders.placed_order(self.app, command, see_own_order=False)  # the gate reads before every call
        except PurchaseLimitReached as refusal:
            if refusal.exhaustion is not None:
                self.buyers.remember([refusal.exhaustion])
            raise
        self.buyers.remember(placed.exhausted)  # the quotas the order filled
        return placed.order, placed.replayed

    @rpc
    def GetOrder(self, request, context):
        return orders_pb2.GetOrderResponse(order=convert.order_message(orders.get_order(self.app, request.order_id)))

    @rpc
    def ExplainAllocation(self, request, context):
        return convert.explanation_message(orders.get_order(self.app, request.order_id))

    @rpc
    def CancelOrder(self, request, context):
        order = orders.cancel_order(self.app, request.order_id, request.reason)
        return orders_pb2.CancelOrderResponse(order=convert.order_message(order))

    @rpc
    def ConfirmPayment(self, request, context):
        amount = convert.money("amount", request.amount, request.HasField("amount"))
        order = fulfilment.confirm_payment(self.app, request.order_id, request.payment_id, amount)
        return orders_pb2.ConfirmPaymentResponse(order=convert.order_message(order))

    @rpc
    def ReturnOrder(self, request, context):
        lines = [(line.sku, line.quantity) for line in request.lines]
        order = returns.return_order(self.app, request.order_id, request.return_id, request.store_id, lines)
        return orders_pb2.ReturnOrderResponse(order=convert.order_message(order))
