import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SkuLimit(_message.Message):
    __slots__ = ("sku", "max_units_per_buyer")
    SKU_FIELD_NUMBER: _ClassVar[int]
    MAX_UNITS_PER_BUYER_FIELD_NUMBER: _ClassVar[int]
    sku: str
    max_units_per_buyer: int
    def __init__(self, sku: _Optional[str] = ..., max_units_per_buyer: _Optional[int] = ...) -> None: ...

class Launch(_message.Message):
    __slots__ = ("launch_id", "sku_limits", "max_units_per_buyer", "starts_at", "ends_at")
    LAUNCH_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_LIMITS_FIELD_NUMBER: _ClassVar[int]
    MAX_UNITS_PER_BUYER_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    launch_id: str
    sku_limits: _containers.RepeatedCompositeFieldContainer[SkuLimit]
    max_units_per_buyer: int
    starts_at: _timestamp_pb2.Timestamp
    ends_at: _timestamp_pb2.Timestamp
    def __init__(self, launch_id: _Optional[str] = ..., sku_limits: _Optional[_Iterable[_Union[SkuLimit, _Mapping]]] = ..., max_units_per_buyer: _Optional[int] = ..., starts_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetLaunchRequest(_message.Message):
    __slots__ = ("launch",)
    LAUNCH_FIELD_NUMBER: _ClassVar[int]
    launch: Launch
    def __init__(self, launch: _Optional[_Union[Launch, _Mapping]] = ...) -> None: ...

class SetLaunchResponse(_message.Message):
    __slots__ = ("launch", "created", "changed")
    LAUNCH_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    launch: Launch
    created: bool
    changed: bool
    def __init__(self, launch: _Optional[_Union[Launch, _Mapping]] = ..., created: _Optional[bool] = ..., changed: _Optional[bool] = ...) -> None: ...

class GetLaunchRequest(_message.Message):
    __slots__ = ("launch_id",)
    LAUNCH_ID_FIELD_NUMBER: _ClassVar[int]
    launch_id: str
    def __init__(self, launch_id: _Optional[str] = ...) -> None: ...

class GetLaunchResponse(_message.Message):
    __slots__ = ("launch",)
    LAUNCH_FIELD_NUMBER: _ClassVar[int]
    launch: Launch
    def __init__(self, launch: _Optional[_Union[Launch, _Mapping]] = ...) -> None: ...

class PreSale(_message.Message):
    __slots__ = ("sku", "units", "price", "orders_from", "orders_until", "ships_from", "per_customer_limit")
    SKU_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FROM_FIELD_NUMBER: _ClassVar[int]
    ORDERS_UNTIL_FIELD_NUMBER: _ClassVar[int]
    SHIPS_FROM_FIELD_NUMBER: _ClassVar[int]
    PER_CUSTOMER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    sku: str
    units: int
    price: _common_pb2.Money
    orders_from: _timestamp_pb2.Timestamp
    orders_until: _timestamp_pb2.Timestamp
    ships_from: _timestamp_pb2.Timestamp
    per_customer_limit: int
    def __init__(self, sku: _Optional[str] = ..., units: _Optional[int] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., orders_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., orders_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ships_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., per_customer_limit: _Optional[int] = ...) -> None: ...

class SetPreSaleRequest(_message.Message):
    __slots__ = ("pre_sale",)
    PRE_SALE_FIELD_NUMBER: _ClassVar[int]
    pre_sale: PreSale
    def __init__(self, pre_sale: _Optional[_Union[PreSale, _Mapping]] = ...) -> None: ...

class SetPreSaleResponse(_message.Message):
    __slots__ = ("pre_sale", "created", "changed")
    PRE_SALE_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    pre_sale: PreSale
    created: bool
    changed: bool
    def __init__(self, pre_sale: _Optional[_Union[PreSale, _Mapping]] = ..., created: _Optional[bool] = ..., changed: _Optional[bool] = ...) -> None: ...

class GetPreSaleRequest(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: str
    def __init__(self, sku: _Optional[str] = ...) -> None: ...

class PreSaleLocation(_message.Message):
    __slots__ = ("store_id", "planned_orders", "planned_units", "announced_units", "received_units", "allocated_units", "waiting_units")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    PLANNED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    PLANNED_UNITS_FIELD_NUMBER: _ClassVar[int]
    ANNOUNCED_UNITS_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_UNITS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_UNITS_FIELD_NUMBER: _ClassVar[int]
    WAITING_UNITS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    planned_orders: int
    planned_units: int
    announced_units: int
    received_units: int
    allocated_units: int
    waiting_units: int
    def __init__(self, store_id: _Optional[str] = ..., planned_orders: _Optional[int] = ..., planned_units: _Optional[int] = ..., announced_units: _Optional[int] = ..., received_units: _Optional[int] = ..., allocated_units: _Optional[int] = ..., waiting_units: _Optional[int] = ...) -> None: ...

class GetPreSaleResponse(_message.Message):
    __slots__ = ("pre_sale", "ordered_orders", "ordered_units", "units_left", "unplanned_orders", "unplanned_units", "locations", "allocated_units", "waiting_units")
    PRE_SALE_FIELD_NUMBER: _ClassVar[int]
    ORDERED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    ORDERED_UNITS_FIELD_NUMBER: _ClassVar[int]
    UNITS_LEFT_FIELD_NUMBER: _ClassVar[int]
    UNPLANNED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    UNPLANNED_UNITS_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_UNITS_FIELD_NUMBER: _ClassVar[int]
    WAITING_UNITS_FIELD_NUMBER: _ClassVar[int]
    pre_sale: PreSale
    ordered_orders: int
    ordered_units: int
    units_left: int
    unplanned_orders: int
    unplanned_units: int
    locations: _containers.RepeatedCompositeFieldContainer[PreSaleLocation]
    allocated_units: int
    waiting_units: int
    def __init__(self, pre_sale: _Optional[_Union[PreSale, _Mapping]] = ..., ordered_orders: _Optional[int] = ..., ordered_units: _Optional[int] = ..., units_left: _Optional[int] = ..., unplanned_orders: _Optional[int] = ..., unplanned_units: _Optional[int] = ..., locations: _Optional[_Iterable[_Union[PreSaleLocation, _Mapping]]] = ..., allocated_units: _Optional[int] = ..., waiting_units: _Optional[int] = ...) -> None: ...

class PlanPreSaleRequest(_message.Message):
    __slots__ = ("sku",)
    SKU_FIELD_NUMBER: _ClassVar[int]
    sku: str
    def __init__(self, sku: _Optional[str] = ...) -> None: ...

class PlannedAt(_message.Message):
    __slots__ = ("store_id", "orders")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    orders: int
    def __init__(self, store_id: _Optional[str] = ..., orders: _Optional[int] = ...) -> None: ...

class UnplannedPreOrder(_message.Message):
    __slots__ = ("order_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class PlanPreSaleResponse(_message.Message):
    __slots__ = ("planned", "unplanned", "progress")
    PLANNED_FIELD_NUMBER: _ClassVar[int]
    UNPLANNED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    planned: _containers.RepeatedCompositeFieldContainer[PlannedAt]
    unplanned: _containers.RepeatedCompositeFieldContainer[UnplannedPreOrder]
    progress: GetPreSaleResponse
    def __init__(self, planned: _Optional[_Iterable[_Union[PlannedAt, _Mapping]]] = ..., unplanned: _Optional[_Iterable[_Union[UnplannedPreOrder, _Mapping]]] = ..., progress: _Optional[_Union[GetPreSaleResponse, _Mapping]] = ...) -> None: ...
