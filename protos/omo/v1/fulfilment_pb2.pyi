import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import common_pb2 as _common_pb2
from . import orders_pb2 as _orders_pb2
from . import stock_query_pb2 as _stock_query_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HandOverTo(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HAND_OVER_TO_UNSPECIFIED: _ClassVar[HandOverTo]
    COURIER: _ClassVar[HandOverTo]
    CUSTOMER: _ClassVar[HandOverTo]

class StoreShipmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STORE_SHIPMENT_STATUS_UNSPECIFIED: _ClassVar[StoreShipmentStatus]
    STORE_ALLOCATED: _ClassVar[StoreShipmentStatus]
    STORE_ACCEPTED: _ClassVar[StoreShipmentStatus]
    STORE_PICKED: _ClassVar[StoreShipmentStatus]
    STORE_HANDED_OVER: _ClassVar[StoreShipmentStatus]
    STORE_DELIVERED: _ClassVar[StoreShipmentStatus]
    STORE_UNFULFILLABLE: _ClassVar[StoreShipmentStatus]
    STORE_CANCELLED: _ClassVar[StoreShipmentStatus]
    STORE_REROUTED_AWAY: _ClassVar[StoreShipmentStatus]

class ShipmentChangeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_CHANGE_KIND_UNSPECIFIED: _ClassVar[ShipmentChangeKind]
    CHANGE_ALLOCATED: _ClassVar[ShipmentChangeKind]
    CHANGE_REROUTED_TO: _ClassVar[ShipmentChangeKind]
    CHANGE_REROUTED_AWAY: _ClassVar[ShipmentChangeKind]
    CHANGE_PAID: _ClassVar[ShipmentChangeKind]
    CHANGE_CANCELLED: _ClassVar[ShipmentChangeKind]
    CHANGE_ACCEPTED: _ClassVar[ShipmentChangeKind]
    CHANGE_PICKED: _ClassVar[ShipmentChangeKind]
    CHANGE_HANDED_OVER: _ClassVar[ShipmentChangeKind]
    CHANGE_DELIVERED: _ClassVar[ShipmentChangeKind]
    CHANGE_UNFULFILLABLE: _ClassVar[ShipmentChangeKind]
    CHANGE_PROMISE_CHANGED: _ClassVar[ShipmentChangeKind]
    CHANGE_LINES_CANCELLED: _ClassVar[ShipmentChangeKind]
HAND_OVER_TO_UNSPECIFIED: HandOverTo
COURIER: HandOverTo
CUSTOMER: HandOverTo
STORE_SHIPMENT_STATUS_UNSPECIFIED: StoreShipmentStatus
STORE_ALLOCATED: StoreShipmentStatus
STORE_ACCEPTED: StoreShipmentStatus
STORE_PICKED: StoreShipmentStatus
STORE_HANDED_OVER: StoreShipmentStatus
STORE_DELIVERED: StoreShipmentStatus
STORE_UNFULFILLABLE: StoreShipmentStatus
STORE_CANCELLED: StoreShipmentStatus
STORE_REROUTED_AWAY: StoreShipmentStatus
SHIPMENT_CHANGE_KIND_UNSPECIFIED: ShipmentChangeKind
CHANGE_ALLOCATED: ShipmentChangeKind
CHANGE_REROUTED_TO: ShipmentChangeKind
CHANGE_REROUTED_AWAY: ShipmentChangeKind
CHANGE_PAID: ShipmentChangeKind
CHANGE_CANCELLED: ShipmentChangeKind
CHANGE_ACCEPTED: ShipmentChangeKind
CHANGE_PICKED: ShipmentChangeKind
CHANGE_HANDED_OVER: ShipmentChangeKind
CHANGE_DELIVERED: ShipmentChangeKind
CHANGE_UNFULFILLABLE: ShipmentChangeKind
CHANGE_PROMISE_CHANGED: ShipmentChangeKind
CHANGE_LINES_CANCELLED: ShipmentChangeKind

class AcceptOrderRequest(_message.Message):
    __slots__ = ("order_id", "store_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class AcceptOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _orders_pb2.Order
    def __init__(self, order: _Optional[_Union[_orders_pb2.Order, _Mapping]] = ...) -> None: ...

class RejectOrderRequest(_message.Message):
    __slots__ = ("order_id", "store_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RejectOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _orders_pb2.Order
    def __init__(self, order: _Optional[_Union[_orders_pb2.Order, _Mapping]] = ...) -> None: ...

class MarkPickedRequest(_message.Message):
    __slots__ = ("order_id", "store_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class MarkPickedResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _orders_pb2.Order
    def __init__(self, order: _Optional[_Union[_orders_pb2.Order, _Mapping]] = ...) -> None: ...

class HandOverRequest(_message.Message):
    __slots__ = ("order_id", "store_id", "to", "pickup_code")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    PICKUP_CODE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    to: HandOverTo
    pickup_code: str
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ..., to: _Optional[_Union[HandOverTo, str]] = ..., pickup_code: _Optional[str] = ...) -> None: ...

class HandOverResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _orders_pb2.Order
    def __init__(self, order: _Optional[_Union[_orders_pb2.Order, _Mapping]] = ...) -> None: ...

class MarkDeliveredRequest(_message.Message):
    __slots__ = ("order_id", "store_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class MarkDeliveredResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: _orders_pb2.Order
    def __init__(self, order: _Optional[_Union[_orders_pb2.Order, _Mapping]] = ...) -> None: ...

class StoreShipment(_message.Message):
    __slots__ = ("order_id", "store_id", "fulfilment_mode", "status", "paid", "lines", "promised_by", "allocated_at", "accepted_at", "picked_at", "handed_over_at", "delivered_at", "position")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    PICKED_AT_FIELD_NUMBER: _ClassVar[int]
    HANDED_OVER_AT_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_AT_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    store_id: str
    fulfilment_mode: _common_pb2.FulfilmentMode
    status: StoreShipmentStatus
    paid: bool
    lines: _containers.RepeatedCompositeFieldContainer[_orders_pb2.ShipmentLine]
    promised_by: str
    allocated_at: _timestamp_pb2.Timestamp
    accepted_at: _timestamp_pb2.Timestamp
    picked_at: _timestamp_pb2.Timestamp
    handed_over_at: _timestamp_pb2.Timestamp
    delivered_at: _timestamp_pb2.Timestamp
    position: int
    def __init__(self, order_id: _Optional[str] = ..., store_id: _Optional[str] = ..., fulfilment_mode: _Optional[_Union[_common_pb2.FulfilmentMode, str]] = ..., status: _Optional[_Union[StoreShipmentStatus, str]] = ..., paid: _Optional[bool] = ..., lines: _Optional[_Iterable[_Union[_orders_pb2.ShipmentLine, _Mapping]]] = ..., promised_by: _Optional[str] = ..., allocated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., picked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handed_over_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delivered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class ListShipmentsRequest(_message.Message):
    __slots__ = ("store_id", "statuses", "due_before", "overdue_only", "page_size", "page_token", "consistency")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    DUE_BEFORE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    statuses: _containers.RepeatedScalarFieldContainer[StoreShipmentStatus]
    due_before: _timestamp_pb2.Timestamp
    overdue_only: bool
    page_size: int
    page_token: str
    consistency: _stock_query_pb2.Consistency
    def __init__(self, store_id: _Optional[str] = ..., statuses: _Optional[_Iterable[_Union[StoreShipmentStatus, str]]] = ..., due_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency: _Optional[_Union[_stock_query_pb2.Consistency, _Mapping]] = ...) -> None: ...

class ListShipmentsResponse(_message.Message):
    __slots__ = ("shipments", "next_page_token", "freshness")
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    shipments: _containers.RepeatedCompositeFieldContainer[StoreShipment]
    next_page_token: str
    freshness: _stock_query_pb2.Freshness
    def __init__(self, shipments: _Optional[_Iterable[_Union[StoreShipment, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., freshness: _Optional[_Union[_stock_query_pb2.Freshness, _Mapping]] = ...) -> None: ...

class WatchShipmentsRequest(_message.Message):
    __slots__ = ("store_id", "after_position")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_POSITION_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    after_position: int
    def __init__(self, store_id: _Optional[str] = ..., after_position: _Optional[int] = ...) -> None: ...

class ShipmentChange(_message.Message):
    __slots__ = ("position", "kind", "shipment")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_FIELD_NUMBER: _ClassVar[int]
    position: int
    kind: ShipmentChangeKind
    shipment: StoreShipment
    def __init__(self, position: _Optional[int] = ..., kind: _Optional[_Union[ShipmentChangeKind, str]] = ..., shipment: _Optional[_Union[StoreShipment, _Mapping]] = ...) -> None: ...

class WatchShipmentsResponse(_message.Message):
    __slots__ = ("change", "freshness")
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    change: ShipmentChange
    freshness: _stock_query_pb2.Freshness
    def __init__(self, change: _Optional[_Union[ShipmentChange, _Mapping]] = ..., freshness: _Optional[_Union[_stock_query_pb2.Freshness, _Mapping]] = ...) -> None: ...
