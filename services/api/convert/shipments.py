"""The stores' queue between its messages and the use cases' values: shipments as a store
sees them, their changes, and ListShipments' query."""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.values import EPOCH, epoch_us
from projections.store_work.reads import Change, Shipment
from protos.omo.v1 import common_pb2, fulfilment_pb2, orders_pb2
from services.api.convert.dealers import moment, timestamp
from services.use_cases.reads.store_work import STATUSES, ShipmentQuery

_STATUS = {name: fulfilment_pb2.StoreShipmentStatus.Value(f"STORE_{name}") for name in STATUSES}
_STATUS_NAME = {value: name for name, value in _STATUS.items()}
_STEPS = ("allocated", "accepted", "picked", "handed_over", "delivered")


def shipment_query(request: fulfilment_pb2.ListShipmentsRequest) -> ShipmentQuery:
    statuses = []
    for i, value in enumerate(request.statuses):
        if value not in _STATUS_NAME:
            raise InvalidInput(f"statuses[{i}]", f"must be one of {', '.join('STORE_' + s for s in STATUSES)}")
        statuses.append(_STATUS_NAME[value])
    due_before = request.HasField("due_before")
    return ShipmentQuery(
        store_id=request.store_id, statuses=tuple(statuses),
        due_before_us=epoch_us(moment("due_before", request.due_before, True, EPOCH)) if due_before else None,
        overdue_only=request.overdue_only,
    )


def shipment_message(s: Shipment) -> fulfilment_pb2.StoreShipment:
    message = fulfilment_pb2.StoreShipment(
        order_id=s.order_id, store_id=s.store_id, fulfilment_mode=common_pb2.FulfilmentMode.Value(s.mode),
        status=_STATUS[s.status], paid=s.paid, lines=[orders_pb2.ShipmentLine(sku=sku, quantity=units) for sku, units in s.lines],
        promised_by=s.promised_by, position=s.position,
    )
    for step in _STEPS:
        at = getattr(s, f"{step}_at_us")
        if at is not None:
            getattr(message, f"{step}_at").CopyFrom(timestamp(at))
    return message


def change_message(c: Change) -> fulfilment_pb2.WatchShipmentsResponse:
    return fulfilment_pb2.WatchShipmentsResponse(change=fulfilment_pb2.ShipmentChange(
        position=c.position, kind=fulfilment_pb2.ShipmentChangeKind.Value(f"CHANGE_{c.kind}"), shipment=shipment_message(c.shipment),
    ))
