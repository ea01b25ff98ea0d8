"""TransferService: stock moved from one store to another."""

from __future__ import annotations


from protos.omo.v1 import fulfilment_pb2, transfers_pb2, transfers_pb2_grpc
from services.use_cases.stock import transfers
from services.api.convert.store_work import transfer_message
from services.api.errors import rpc
from services.use_cases.application import OmoApplication

_HAND_OVER_TO = {fulfilment_pb2.COURIER: "COURIER", fulfilment_pb2.CUSTOMER: "CUSTOMER"}


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
