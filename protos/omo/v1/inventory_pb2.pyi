import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StockPosition(_message.Message):
    __slots__ = ("store_id", "sku", "on_hand", "reserved", "safety_stock", "available", "in_transit", "expected", "incoming", "expected_receipts", "claimed")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    IN_TRANSIT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    INCOMING_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_RECEIPTS_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    in_transit: int
    expected: int
    incoming: int
    expected_receipts: _containers.RepeatedCompositeFieldContainer[ExpectedReceipt]
    claimed: int
    def __init__(self, store_id: _Optional[str] = ..., sku: _Optional[str] = ..., on_hand: _Optional[int] = ..., reserved: _Optional[int] = ..., safety_stock: _Optional[int] = ..., available: _Optional[int] = ..., in_transit: _Optional[int] = ..., expected: _Optional[int] = ..., incoming: _Optional[int] = ..., expected_receipts: _Optional[_Iterable[_Union[ExpectedReceipt, _Mapping]]] = ..., claimed: _Optional[int] = ...) -> None: ...

class ExpectedReceipt(_message.Message):
    __slots__ = ("reference", "quantity", "expected_at")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    reference: str
    quantity: int
    expected_at: _timestamp_pb2.Timestamp
    def __init__(self, reference: _Optional[str] = ..., quantity: _Optional[int] = ..., expected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StockLine(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class ReceiveStockRequest(_message.Message):
    __slots__ = ("store_id", "lines", "movement_id", "reference", "final")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    lines: _containers.RepeatedCompositeFieldContainer[StockLine]
    movement_id: str
    reference: str
    final: bool
    def __init__(self, store_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[StockLine, _Mapping]]] = ..., movement_id: _Optional[str] = ..., reference: _Optional[str] = ..., final: _Optional[bool] = ...) -> None: ...

class ExpectReceiptRequest(_message.Message):
    __slots__ = ("store_id", "sku", "quantity", "expected_at", "reference")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_AT_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku: str
    quantity: int
    expected_at: _timestamp_pb2.Timestamp
    reference: str
    def __init__(self, store_id: _Optional[str] = ..., sku: _Optional[str] = ..., quantity: _Optional[int] = ..., expected_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reference: _Optional[str] = ...) -> None: ...

class ExpectReceiptResponse(_message.Message):
    __slots__ = ("position", "changed")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    position: StockPosition
    changed: bool
    def __init__(self, position: _Optional[_Union[StockPosition, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class ReceiveStockResponse(_message.Message):
    __slots__ = ("positions", "duplicate")
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    positions: _containers.RepeatedCompositeFieldContainer[StockPosition]
    duplicate: bool
    def __init__(self, positions: _Optional[_Iterable[_Union[StockPosition, _Mapping]]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class AdjustStockRequest(_message.Message):
    __slots__ = ("store_id", "sku", "delta", "reason", "movement_id")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku: str
    delta: int
    reason: str
    movement_id: str
    def __init__(self, store_id: _Optional[str] = ..., sku: _Optional[str] = ..., delta: _Optional[int] = ..., reason: _Optional[str] = ..., movement_id: _Optional[str] = ...) -> None: ...

class AdjustStockResponse(_message.Message):
    __slots__ = ("position", "duplicate")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    position: StockPosition
    duplicate: bool
    def __init__(self, position: _Optional[_Union[StockPosition, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class RecordCountRequest(_message.Message):
    __slots__ = ("store_id", "sku", "counted_quantity", "movement_id")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    COUNTED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    MOVEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku: str
    counted_quantity: int
    movement_id: str
    def __init__(self, store_id: _Optional[str] = ..., sku: _Optional[str] = ..., counted_quantity: _Optional[int] = ..., movement_id: _Optional[str] = ...) -> None: ...

class RecordCountResponse(_message.Message):
    __slots__ = ("position", "duplicate")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    position: StockPosition
    duplicate: bool
    def __init__(self, position: _Optional[_Union[StockPosition, _Mapping]] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class SetSafetyStockRequest(_message.Message):
    __slots__ = ("store_id", "sku", "quantity")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku: str
    quantity: int
    def __init__(self, store_id: _Optional[str] = ..., sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class SetSafetyStockResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: StockPosition
    def __init__(self, position: _Optional[_Union[StockPosition, _Mapping]] = ...) -> None: ...

class GetStockPositionRequest(_message.Message):
    __slots__ = ("store_id", "sku")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    sku: str
    def __init__(self, store_id: _Optional[str] = ..., sku: _Optional[str] = ...) -> None: ...

class GetStockPositionResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: StockPosition
    def __init__(self, position: _Optional[_Union[StockPosition, _Mapping]] = ...) -> None: ...

class ListStockPositionsRequest(_message.Message):
    __slots__ = ("sku", "page_size", "page_token")
    SKU_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sku: str
    page_size: int
    page_token: str
    def __init__(self, sku: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStockPositionsResponse(_message.Message):
    __slots__ = ("positions", "next_page_token")
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    positions: _containers.RepeatedCompositeFieldContainer[StockPosition]
    next_page_token: str
    def __init__(self, positions: _Optional[_Iterable[_Union[StockPosition, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
