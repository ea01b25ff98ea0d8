"""PosService: a store's POS streams its stock movements."""

from __future__ import annotations

import grpc

from domain.errors import InvalidInput
from protos.omo.v1 import fulfilment_pb2, pos_pb2_grpc
from services.use_cases.stock import pos_sync
from services.api.convert.store_work import batch_response, movements
from services.api.errors import stream_rpc
from services.api.stream_limits import StreamBudget, StreamLimits, paced
from services.use_cases.application import OmoApplication

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
