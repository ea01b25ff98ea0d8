"""Protobuf messages <-> domain values for the stores' own work: POS movements, transfers."""

from __future__ import annotations

from aggregates.transfer import CANCELLED, Transfer
from domain.errors import InvalidInput
from domain.movements import Movement
from domain.values import EPOCH, epoch_us
from protos.omo.v1 import pos_pb2, transfers_pb2
from services.api.convert.dealers import moment
from services.use_cases.stock.pos_sync import BatchResult


def movements(request: pos_pb2.SyncStockRequest) -> list[Movement]:
    result = []
    for i, m in enumerate(request.movements):
        if m.kind == pos_pb2.MOVEMENT_KIND_UNSPECIFIED or m.kind not in pos_pb2.MovementKind.values():
            raise InvalidInput(f"movements[{i}].kind", "is required: SALE, RETURN, RECEIPT, TRANSFER_OUT, TRANSFER_IN, DAMAGE or COUNT")
        # a valid Timestamp only: seconds near 2**63 would overflow the microseconds kept
        at_us = epoch_us(moment(f"movements[{i}].occurred_at", m.occurred_at, True, EPOCH)) if m.HasField("occurred_at") else 0
        result.append(Movement(
            movement_id=m.movement_id, kind=pos_pb2.MovementKind.Name(m.kind), sku=m.sku, quantity=m.quantity,
            occurred_at_us=at_us, transfer_id=m.transfer_id, reason=m.reason,
        ))
    return result


def batch_response(result: BatchResult) -> pos_pb2.SyncStockResponse:
    acks = [
        pos_pb2.MovementAck(movement_id=a.movement_id, outcome=pos_pb2.MovementOutcome.Value(a.outcome), sku=a.sku, on_hand=a.on_hand)
        for a in result.acks
    ]
    return pos_pb2.SyncStockResponse(
        acks=acks,
        applied=sum(a.outcome != "DUPLICATE" for a in result.acks),
        duplicates=sum(a.outcome == "DUPLICATE" for a in result.acks),
        moved_orders=[
            pos_pb2.MovedOrder(order_id=m.order_id, to_store_ids=m.to_store_ids, flagged=m.flagged, reason=m.reason)
            for m in result.moved_orders
        ],
    )


def transfer_message(transfer: Transfer) -> transfers_pb2.Transfer:
    return transfers_pb2.Transfer(
        transfer_id=transfer.transfer_id,
        from_store_id=transfer.from_store_id,
        to_store_id=transfer.to_store_id,
        status=transfers_pb2.TransferStatus.Value("TRANSFER_CANCELLED" if transfer.status == CANCELLED else transfer.status),
        order_id=transfer.order_id,
        lines=[
            transfers_pb2.TransferLine(
                sku=sku, requested=units, shipped=transfer.shipped.get(sku, 0),
                received=transfer.received.get(sku, 0), in_transit=transfer.in_transit(sku),
            )
            for sku, units in transfer.lines.items()
        ],
    )
