import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MovementKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MOVEMENT_KIND_UNSPECIFIED: _ClassVar[MovementKind]
    SALE: _ClassVar[MovementKind]
    RETURN: _ClassVar[MovementKind]
    RECEIPT: _ClassVar[MovementKind]
    TRANSFER_OUT: _ClassVar[MovementKind]
    TRANSFER_IN: _ClassVar[MovementKind]
    DAMAGE: _ClassVar[MovementKind]
    COUNT: _ClassVar[MovementKind]

class MovementOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MOVEMENT_OUTCOME_UNSPECIFIED: _ClassVar[MovementOutcome]
    APPLIED: _ClassVar[MovementOutcome]
    DUPLICATE: _ClassVar[MovementOutcome]
    SUPERSEDED: _ClassVar[MovementOutcome]
MOVEMENT_KIND_UNSPECIFIED: MovementKind
SALE: MovementKind
RETURN: MovementKind
RECEIPT: MovementKind
TRANSFER_OUT: MovementKind
TRANSFER_IN: MovementKind
DAMAGE: MovementKind
COUNT: MovementKind
MOVEMENT_OUTCOME_UNSPECIFIED: MovementOutcome
APPLIED: MovementOutcome
DUPLICATE: MovementOutcome
SUPERSEDED: MovementOutcome

class StockMovement(_message.Message):
    __slots__ = ("movement_id", "kind", "sku", "quantity", "occurred_at", "transfer_id", "reason")
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    movement_id: str
    kind: MovementKind
    sku: str
    quantity: int
    occurred_at: _timestamp_pb2.Timestamp
    transfer_id: str
    reason: str
    def __init__(self, movement_id: _Optional[str] = ..., kind: _Optional[_Union[MovementKind, str]] = ..., sku: _Optional[str] = ..., quantity: _Optional[int] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transfer_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SyncStockRequest(_message.Message):
    __slots__ = ("store_id", "movements")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    MOVEMENTS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    movements: _containers.RepeatedCompositeFieldContainer[StockMovement]
    def __init__(self, store_id: _Optional[str] = ..., movements: _Optional[_Iterable[_Union[StockMovement, _Mapping]]] = ...) -> None: ...

class MovementAck(_message.Message):
    __slots__ = ("movement_id", "outcome", "sku", "on_hand")
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    movement_id: str
    outcome: MovementOutcome
    sku: str
    on_hand: int
    def __init__(self, movement_id: _Optional[str] = ..., outcome: _Optional[_Union[MovementOutcome, str]] = ..., sku: _Optional[str] = ..., on_hand: _Optional[int] = ...) -> None: ...

class MovedOrder(_message.Message):
    __slots__ = ("order_id", "to_store_ids", "flagged", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_STORE_IDS_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    to_store_ids: _containers.RepeatedScalarFieldContainer[str]
    flagged: bool
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., to_store_ids: _Optional[_Iterable[str]] = ..., flagged: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class SyncStockResponse(_message.Message):
    __slots__ = ("acks", "applied", "duplicates", "moved_orders")
    ACKS_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    MOVED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    acks: _containers.RepeatedCompositeFieldContainer[MovementAck]
    applied: int
    duplicates: int
    moved_orders: _containers.RepeatedCompositeFieldContainer[MovedOrder]
    def __init__(self, acks: _Optional[_Iterable[_Union[MovementAck, _Mapping]]] = ..., applied: _Optional[int] = ..., duplicates: _Optional[int] = ..., moved_orders: _Optional[_Iterable[_Union[MovedOrder, _Mapping]]] = ...) -> None: ...
