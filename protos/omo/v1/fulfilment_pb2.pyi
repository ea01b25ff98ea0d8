from . import orders_pb2 as _orders_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HandOverTo(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HAND_OVER_TO_UNSPECIFIED: _ClassVar[HandOverTo]
    COURIER: _ClassVar[HandOverTo]
    CUSTOMER: _ClassVar[HandOverTo]
HAND_OVER_TO_UNSPECIFIED: HandOverTo
COURIER: HandOverTo
CUSTOMER: HandOverTo

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
