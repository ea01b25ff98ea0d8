"""FulfilmentService: store staff see their queue, and accept, pick, hand over and deliver the
orders routed to them."""

from __future__ import annotations


from domain.errors import InvalidInput
from protos.omo.v1 import fulfilment_pb2, fulfilment_pb2_grpc
from services.use_cases.ordering import fulfilment
from services.api.convert import common as convert
from services.api.errors import rpc
from services.api.gate.interceptor import acting
from services.api.servicers.shipments import StoreQueue
from services.api.stream_limits import StreamLimits
from services.use_cases.application import OmoApplication
from services.use_cases.reads.store_work import StoreWork

_HAND_OVER_TO = {fulfilment_pb2.COURIER: "COURIER", fulfilment_pb2.CUSTOMER: "CUSTOMER"}


class FulfilmentServicer(fulfilment_pb2_grpc.FulfilmentServiceServicer):
    def __init__(self, app: OmoApplication, queue: StoreQueue | None = None, watch_max_seconds: float = StreamLimits.watch_max_seconds):
        self.app = app
        self.queue = queue or StoreQueue(StoreWork.for_application(app), watch_max_seconds=watch_max_seconds)

    def close(self) -> None:
        """Stops the store queue's shared feed (ending its streams)."""
        self.queue.close()

    def ListShipments(self, request, context):
        return self.queue.ListShipments(request, context)

    def WatchShipments(self, request, context):
        return self.queue.WatchShipments(request, context)

    @rpc
    def AcceptOrder(self, request, context):
        order = fulfilment.accept_order(self.app, request.order_id, request.store_id, by=acting())
        return fulfilment_pb2.AcceptOrderResponse(order=convert.order_message(order))

    @rpc
    def RejectOrder(self, request, context):
        order = fulfilment.reject_order(self.app, request.order_id, request.store_id, request.reason, by=acting())
        return fulfilment_pb2.RejectOrderResponse(order=convert.order_message(order))

    @rpc
    def MarkPicked(self, request, context):
        order = fulfilment.mark_picked(self.app, request.order_id, request.store_id, by=acting())
        return fulfilment_pb2.MarkPickedResponse(order=convert.order_message(order))

    @rpc
    def HandOver(self, request, context):
        if request.to not in _HAND_OVER_TO:
            raise InvalidInput("to", "is required: COURIER or CUSTOMER")
        order = fulfilment.hand_over(
            self.app, request.order_id, request.store_id, _HAND_OVER_TO[request.to], request.pickup_code, by=acting(),
        )
        return fulfilment_pb2.HandOverResponse(order=convert.order_message(order))

    @rpc
    def MarkDelivered(self, request, context):
        order = fulfilment.mark_delivered(self.app, request.order_id, request.store_id, by=acting())
        return fulfilment_pb2.MarkDeliveredResponse(order=convert.order_message(order))
