import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
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
