"""InventoryService: stock received, adjusted, counted and read, store by store."""

from __future__ import annotations

from protos.omo.v1 import inventory_pb2, inventory_pb2_grpc
from services.use_cases.stock import inventory
from domain.values import EPOCH, epoch_us
from services.api.convert import common as convert
from services.api.convert.dealers import moment
from services.api.errors import rpc
from services.use_cases.application import OmoApplication


class InventoryServicer(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    @rpc
    def ReceiveStock(self, request, context):
        lines = [(line.sku, line.quantity) for line in request.lines]
        views, duplicate = inventory.receive_stock(
            self.app, request.store_id, lines, request.movement_id, request.reference, final=request.final,
        )
        return inventory_pb2.ReceiveStockResponse(positions=[convert.position_message(v) for v in views], duplicate=duplicate)

    @rpc
    def ExpectReceipt(self, request, context):
        expected_at = moment("expected_at", request.expected_at, request.HasField("expected_at"), EPOCH)
        view, changed = inventory.expect_receipt(
            self.app, request.store_id, request.sku, request.quantity, epoch_us(expected_at), request.reference,
        )
        return inventory_pb2.ExpectReceiptResponse(position=convert.position_message(view), changed=changed)

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
