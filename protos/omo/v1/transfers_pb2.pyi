from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TransferStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRANSFER_STATUS_UNSPECIFIED: _ClassVar[TransferStatus]
    REQUESTED: _ClassVar[TransferStatus]
    IN_TRANSIT: _ClassVar[TransferStatus]
    RECEIVED: _ClassVar[TransferStatus]
    TRANSFER_CANCELLED: _ClassVar[TransferStatus]
TRANSFER_STATUS_UNSPECIFIED: TransferStatus
REQUESTED: TransferStatus
IN_TRANSIT: TransferStatus
RECEIVED: TransferStatus
TRANSFER_CANCELLED: TransferStatus

class TransferLine(_message.Message):
    __slots__ = ("sku", "requested", "shipped", "received", "in_transit")
    SKU_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    SHIPPED_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    IN_TRANSIT_FIELD_NUMBER: _ClassVar[int]
    sku: str
    requested: int
    shipped: int
    received: int
    in_transit: int
    def __init__(self, sku: _Optional[str] = ..., requested: _Optional[int] = ..., shipped: _Optional[int] = ..., received: _Optional[int] = ..., in_transit: _Optional[int] = ...) -> None: ...

class Transfer(_message.Message):
    __slots__ = ("transfer_id", "from_store_id", "to_store_id", "status", "lines", "order_id")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    from_store_id: str
    to_store_id: str
    status: TransferStatus
    lines: _containers.RepeatedCompositeFieldContainer[TransferLine]
    order_id: str
    def __init__(self, transfer_id: _Optional[str] = ..., from_store_id: _Optional[str] = ..., to_store_id: _Optional[str] = ..., status: _Optional[_Union[TransferStatus, str]] = ..., lines: _Optional[_Iterable[_Union[TransferLine, _Mapping]]] = ..., order_id: _Optional[str] = ...) -> None: ...

class RequestedLine(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class RequestTransferRequest(_message.Message):
    __slots__ = ("transfer_id", "from_store_id", "to_store_id", "lines")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    from_store_id: str
    to_store_id: str
    lines: _containers.RepeatedCompositeFieldContainer[RequestedLine]
    def __init__(self, transfer_id: _Optional[str] = ..., from_store_id: _Optional[str] = ..., to_store_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[RequestedLine, _Mapping]]] = ...) -> None: ...

class RequestTransferResponse(_message.Message):
    __slots__ = ("transfer", "created")
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    created: bool
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class ShipTransferRequest(_message.Message):
    __slots__ = ("transfer_id",)
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    def __init__(self, transfer_id: _Optional[str] = ...) -> None: ...

class ShipTransferResponse(_message.Message):
    __slots__ = ("transfer",)
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ...) -> None: ...

class ReceiveTransferRequest(_message.Message):
    __slots__ = ("transfer_id",)
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    def __init__(self, transfer_id: _Optional[str] = ...) -> None: ...

class ReceiveTransferResponse(_message.Message):
    __slots__ = ("transfer",)
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ...) -> None: ...

class GetTransferRequest(_message.Message):
    __slots__ = ("transfer_id",)
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    def __init__(self, transfer_id: _Optional[str] = ...) -> None: ...

class GetTransferResponse(_message.Message):
    __slots__ = ("transfer",)
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    transfer: Transfer
    def __init__(self, transfer: _Optional[_Union[Transfer, _Mapping]] = ...) -> None: ...
