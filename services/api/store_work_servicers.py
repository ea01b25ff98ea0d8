"""gRPC servicers for the stores' own work: the POS stock stream, the staff's steps on
their orders, and transfers between stores."""

from __future__ import annotations

import grpc

from domain.errors import InvalidInput
from protos.omo.v1 import fulfilment_pb2, fulfilment_pb2_grpc, pos_pb2_grpc, transfers_pb2, transfers_pb2_grpc
from services import fulfilment, pos_sync, transfers
from services.api import convert
from services.api.convert_store_work import batch_response, movements, transfer_message
from services.api.errors import rpc, stream_rpc
from services.api.stream_limits import StreamBudget, StreamLimits, paced
from services.application import OmoApplication

_HAND_OVER_TO = {fulfilment_pb2.COURIER: "COURIER", fulfilment_pb2.CUSTOMER: "CUSTOMER"}


class PosServicer(pos_pb2_grpc.PosServiceServicer):
    def __init__(self, app: OmoApplication, limits: StreamLimits = StreamLimits()):
        self.app = app
        self.limits = limits

    @stream_rpc
    def SyncStock(self, request_iterator, context):
        store_id = None
        budget = StreamBudget(self.limits.sync_max_movements)
        for request in paced(_until_call_ended(request_iterator), self.limits.sync_idle_seconds, self.limits.sync_max_seconds):
            budget.spend(len(request.movements))
            if store_id is None:
                store_id = request.store_id
            elif request.store_id != store_id:
                raise InvalidInput("store_id", f"one stream serves one store: it began with {store_id!r}, not {request.store_id!r}")
            yield batch_response(pos_sync.sync_batch(self.app, store_id, movements(request)))


def _until_call_ended(requests):
    """The client's messages, ending quietly when gRPC has ended the call itself (a message over
    the size limit, a client gone away): it has sent the status already, and no error of ours
    is to be logged."""
    try:
        yield from requests
    except grpc.RpcError:
        return


class FulfilmentServicer(fulfilment_pb2_grpc.FulfilmentServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    @rpc
    def AcceptOrder(self, request, context):
        order = fulfilment.accept_order(self.app, request.order_id, request.store_id)
        return fulfilment_pb2.AcceptOrderResponse(order=convert.order_message(order))

    @rpc
    def RejectOrder(self, request, context):
        order = fulfilment.reject_order(self.app, request.order_id, request.store_id, request.reason)
        return fulfilment_pb2.RejectOrderResponse(order=convert.order_message(order))

    @rpc
    def MarkPicked(self, request, context):
        order = fulfilment.mark_picked(self.app, request.order_id, request.store_id)
        return fulfilment_pb2.MarkPickedResponse(order=convert.order_message(order))

    @rpc
    def HandOver(self, request, context):
        if request.to not in _HAND_OVER_TO:
            raise InvalidInput("to", "is required: COURIER or CUSTOMER")
        order = fulfilment.hand_over(self.app, request.order_id, request.store_id, _HAND_OVER_TO[request.to], request.pickup_code)
        return fulfilment_pb2.HandOverResponse(order=convert.order_message(order))

    @rpc
    def MarkDelivered(self, request, context):
        order = fulfilment.mark_delivered(self.app, request.order_id, request.store_id)
        return fulfilment_pb2.MarkDeliveredResponse(order=convert.order_message(order))


class TransferServicer(transfers_pb2_grpc.TransferServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    @rpc
    def RequestTransfer(self, request, context):
        lines = [(line.sku, line.quantity) for line in request.lines]
        transfer, created = transfers.request_transfer(self.app, request.transfer_id, request.from_store_id, request.to_store_id, lines)
        return transfers_pb2.RequestTransferResponse(transfer=transfer_message(transfer), created=created)

    @rpc
    def ShipTransfer(self, request, context):
        return transfers_pb2.ShipTransferResponse(transfer=transfer_message(transfers.ship_transfer(self.app, request.transfer_id)))

    @rpc
    def ReceiveTransfer(self, request, context):
        return transfers_pb2.ReceiveTransferResponse(transfer=transfer_message(transfers.receive_transfer(self.app, request.transfer_id)))

    @rpc
    def GetTransfer(self, request, context):
        return transfers_pb2.GetTransferResponse(transfer=transfer_message(transfers.get_transfer(self.app, request.transfer_id)))
