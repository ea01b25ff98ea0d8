import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import common_pb2 as _common_pb2
from . import stock_query_pb2 as _stock_query_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    PLACED: _ClassVar[OrderStatus]
    ALLOCATED: _ClassVar[OrderStatus]
    CANCELLED: _ClassVar[OrderStatus]
    ACCEPTED: _ClassVar[OrderStatus]
    PICKED: _ClassVar[OrderStatus]
    HANDED_OVER: _ClassVar[OrderStatus]
    DELIVERED: _ClassVar[OrderStatus]
    NEEDS_ATTENTION: _ClassVar[OrderStatus]
    BACKORDERED: _ClassVar[OrderStatus]
    AWAITING_TRANSFER: _ClassVar[OrderStatus]
    PRE_ORDERED: _ClassVar[OrderStatus]

class ShipmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHIPMENT_STATUS_UNSPECIFIED: _ClassVar[ShipmentStatus]
    SHIPMENT_ALLOCATED: _ClassVar[ShipmentStatus]
    SHIPMENT_ACCEPTED: _ClassVar[ShipmentStatus]
    SHIPMENT_PICKED: _ClassVar[ShipmentStatus]
    SHIPMENT_HANDED_OVER: _ClassVar[ShipmentStatus]
    SHIPMENT_DELIVERED: _ClassVar[ShipmentStatus]
    SHIPMENT_UNFULFILLABLE: _ClassVar[ShipmentStatus]
    SHIPMENT_BACKORDERED: _ClassVar[ShipmentStatus]
    SHIPMENT_AWAITING_TRANSFER: _ClassVar[ShipmentStatus]

class Fulfilment(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FULFILMENT_UNSPECIFIED: _ClassVar[Fulfilment]
    FULFILMENT_ONE_STORE: _ClassVar[Fulfilment]
    FULFILMENT_SPLIT: _ClassVar[Fulfilment]
    FULFILMENT_EXPRESS: _ClassVar[Fulfilment]
ORDER_STATUS_UNSPECIFIED: OrderStatus
PLACED: OrderStatus
ALLOCATED: OrderStatus
CANCELLED: OrderStatus
ACCEPTED: OrderStatus
PICKED: OrderStatus
HANDED_OVER: OrderStatus
DELIVERED: OrderStatus
NEEDS_ATTENTION: OrderStatus
BACKORDERED: OrderStatus
AWAITING_TRANSFER: OrderStatus
PRE_ORDERED: OrderStatus
SHIPMENT_STATUS_UNSPECIFIED: ShipmentStatus
SHIPMENT_ALLOCATED: ShipmentStatus
SHIPMENT_ACCEPTED: ShipmentStatus
SHIPMENT_PICKED: ShipmentStatus
SHIPMENT_HANDED_OVER: ShipmentStatus
SHIPMENT_DELIVERED: ShipmentStatus
SHIPMENT_UNFULFILLABLE: ShipmentStatus
SHIPMENT_BACKORDERED: ShipmentStatus
SHIPMENT_AWAITING_TRANSFER: ShipmentStatus
FULFILMENT_UNSPECIFIED: Fulfilment
FULFILMENT_ONE_STORE: Fulfilment
FULFILMENT_SPLIT: Fulfilment
FULFILMENT_EXPRESS: Fulfilment

class OrderLine(_message.Message):
    __slots__ = ("sku", "quantity", "unit_price")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    unit_price: _common_pb2.Money
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class Allocation(_message.Message):
    __slots__ = ("store_id", "distance_m", "scheduled_for", "promised_by")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FOR_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    distance_m: int
    scheduled_for: str
    promised_by: str
    def __init__(self, store_id: _Optional[str] = ..., distance_m: _Optional[int] = ..., scheduled_for: _Optional[str] = ..., promised_by: _Optional[str] = ...) -> None: ...

class ShipmentLine(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("store_id", "distance_m", "scheduled_for", "lines", "status", "promised_by", "slot", "awaiting", "not_after", "transfers")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FOR_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    AWAITING_FIELD_NUMBER: _ClassVar[int]
    NOT_AFTER_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    distance_m: int
    scheduled_for: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    status: ShipmentStatus
    promised_by: str
    slot: str
    awaiting: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    not_after: str
    transfers: _containers.RepeatedCompositeFieldContainer[ShipmentTransfer]
    def __init__(self, store_id: _Optional[str] = ..., distance_m: _Optional[int] = ..., scheduled_for: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., status: _Optional[_Union[ShipmentStatus, str]] = ..., promised_by: _Optional[str] = ..., slot: _Optional[str] = ..., awaiting: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., not_after: _Optional[str] = ..., transfers: _Optional[_Iterable[_Union[ShipmentTransfer, _Mapping]]] = ...) -> None: ...

class ShipmentTransfer(_message.Message):
    __slots__ = ("transfer_id", "from_store_id", "lines")
    TRANSFER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    transfer_id: str
    from_store_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    def __init__(self, transfer_id: _Optional[str] = ..., from_store_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ...) -> None: ...

class Reroute(_message.Message):
    __slots__ = ("from_store_id", "cause", "reason", "to_store_ids")
    FROM_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TO_STORE_IDS_FIELD_NUMBER: _ClassVar[int]
    from_store_id: str
    cause: str
    reason: str
    to_store_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, from_store_id: _Optional[str] = ..., cause: _Optional[str] = ..., reason: _Optional[str] = ..., to_store_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ReturnedLine(_message.Message):
    __slots__ = ("sku", "quantity", "refund")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    refund: _common_pb2.Money
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class OrderReturn(_message.Message):
    __slots__ = ("return_id", "store_id", "lines")
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    return_id: str
    store_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ReturnedLine]
    def __init__(self, return_id: _Optional[str] = ..., store_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ReturnedLine, _Mapping]]] = ...) -> None: ...

class LineCancellation(_message.Message):
    __slots__ = ("idempotency_key", "lines", "refund", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    refund: _common_pb2.Money
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "idempotency_key", "customer_id", "customer_location", "lines", "fulfilment_mode", "pickup_store_id", "total", "status", "allocation", "cancel_reason", "placed_at", "shipments", "fulfilment", "payment_id", "pickup_code", "reroutes", "returns", "refunded", "sale", "attributions", "line_cancellations", "pre_order")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_LOCATION_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    PICKUP_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PICKUP_CODE_FIELD_NUMBER: _ClassVar[int]
    REROUTES_FIELD_NUMBER: _ClassVar[int]
    RETURNS_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    SALE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    LINE_CANCELLATIONS_FIELD_NUMBER: _ClassVar[int]
    PRE_ORDER_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    idempotency_key: str
    customer_id: str
    customer_location: _common_pb2.LatLng
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    fulfilment_mode: _common_pb2.FulfilmentMode
    pickup_store_id: str
    total: _common_pb2.Money
    status: OrderStatus
    allocation: Allocation
    cancel_reason: str
    placed_at: str
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    fulfilment: Fulfilment
    payment_id: str
    pickup_code: str
    reroutes: _containers.RepeatedCompositeFieldContainer[Reroute]
    returns: _containers.RepeatedCompositeFieldContainer[OrderReturn]
    refunded: _common_pb2.Money
    sale: Sale
    attributions: _containers.RepeatedCompositeFieldContainer[ShipmentAttribution]
    line_cancellations: _containers.RepeatedCompositeFieldContainer[LineCancellation]
    pre_order: PreOrder
    def __init__(self, order_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., customer_id: _Optional[str] = ..., customer_location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., fulfilment_mode: _Optional[_Union[_common_pb2.FulfilmentMode, str]] = ..., pickup_store_id: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., allocation: _Optional[_Union[Allocation, _Mapping]] = ..., cancel_reason: _Optional[str] = ..., placed_at: _Optional[str] = ..., shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., fulfilment: _Optional[_Union[Fulfilment, str]] = ..., payment_id: _Optional[str] = ..., pickup_code: _Optional[str] = ..., reroutes: _Optional[_Iterable[_Union[Reroute, _Mapping]]] = ..., returns: _Optional[_Iterable[_Union[OrderReturn, _Mapping]]] = ..., refunded: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., sale: _Optional[_Union[Sale, _Mapping]] = ..., attributions: _Optional[_Iterable[_Union[ShipmentAttribution, _Mapping]]] = ..., line_cancellations: _Optional[_Iterable[_Union[LineCancellation, _Mapping]]] = ..., pre_order: _Optional[_Union[PreOrder, _Mapping]] = ...) -> None: ...

class PreOrder(_message.Message):
    __slots__ = ("sku", "ships_from")
    SKU_FIELD_NUMBER: _ClassVar[int]
    SHIPS_FROM_FIELD_NUMBER: _ClassVar[int]
    sku: str
    ships_from: str
    def __init__(self, sku: _Optional[str] = ..., ships_from: _Optional[str] = ...) -> None: ...

class Sale(_message.Message):
    __slots__ = ("cloud_shop_id", "assistant_id", "seller", "brand_id", "policy_version")
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_FIELD_NUMBER: _ClassVar[int]
    BRAND_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    cloud_shop_id: str
    assistant_id: str
    seller: str
    brand_id: str
    policy_version: int
    def __init__(self, cloud_shop_id: _Optional[str] = ..., assistant_id: _Optional[str] = ..., seller: _Optional[str] = ..., brand_id: _Optional[str] = ..., policy_version: _Optional[int] = ...) -> None: ...

class AttributedLine(_message.Message):
    __slots__ = ("sku", "quantity", "total_cents", "seller_cents", "fulfiller_cents", "hq_cents", "assistant_cents")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CENTS_FIELD_NUMBER: _ClassVar[int]
    SELLER_CENTS_FIELD_NUMBER: _ClassVar[int]
    FULFILLER_CENTS_FIELD_NUMBER: _ClassVar[int]
    HQ_CENTS_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_CENTS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    total_cents: int
    seller_cents: int
    fulfiller_cents: int
    hq_cents: int
    assistant_cents: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ..., total_cents: _Optional[int] = ..., seller_cents: _Optional[int] = ..., fulfiller_cents: _Optional[int] = ..., hq_cents: _Optional[int] = ..., assistant_cents: _Optional[int] = ...) -> None: ...

class ShipmentAttribution(_message.Message):
    __slots__ = ("store_id", "seller", "fulfiller", "assistant", "brand_id", "policy_version", "lines")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    SELLER_FIELD_NUMBER: _ClassVar[int]
    FULFILLER_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_FIELD_NUMBER: _ClassVar[int]
    BRAND_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    seller: str
    fulfiller: str
    assistant: str
    brand_id: str
    policy_version: int
    lines: _containers.RepeatedCompositeFieldContainer[AttributedLine]
    def __init__(self, store_id: _Optional[str] = ..., seller: _Optional[str] = ..., fulfiller: _Optional[str] = ..., assistant: _Optional[str] = ..., brand_id: _Optional[str] = ..., policy_version: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[AttributedLine, _Mapping]]] = ...) -> None: ...

class PlaceOrderRequest(_message.Message):
    __slots__ = ("idempotency_key", "customer_id", "customer_location", "lines", "fulfilment_mode", "pickup_store_id", "cloud_shop_id", "share_code", "device_id", "allow_backorder", "not_after")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_LOCATION_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    PICKUP_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    SHARE_CODE_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    ALLOW_BACKORDER_FIELD_NUMBER: _ClassVar[int]
    NOT_AFTER_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    customer_id: str
    customer_location: _common_pb2.LatLng
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    fulfilment_mode: _common_pb2.FulfilmentMode
    pickup_store_id: str
    cloud_shop_id: str
    share_code: str
    device_id: str
    allow_backorder: bool
    not_after: _timestamp_pb2.Timestamp
    def __init__(self, idempotency_key: _Optional[str] = ..., customer_id: _Optional[str] = ..., customer_location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., fulfilment_mode: _Optional[_Union[_common_pb2.FulfilmentMode, str]] = ..., pickup_store_id: _Optional[str] = ..., cloud_shop_id: _Optional[str] = ..., share_code: _Optional[str] = ..., device_id: _Optional[str] = ..., allow_backorder: _Optional[bool] = ..., not_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PlaceOrderResponse(_message.Message):
    __slots__ = ("order", "replayed")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    order: Order
    replayed: bool
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetOrderRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class CancelOrderLinesRequest(_message.Message):
    __slots__ = ("order_id", "idempotency_key", "lines", "reason")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    idempotency_key: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    reason: str
    def __init__(self, order_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelOrderLinesResponse(_message.Message):
    __slots__ = ("order", "refund")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    order: Order
    refund: _common_pb2.Money
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., refund: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class PassedOverStore(_message.Message):
    __slots__ = ("store_id", "distance_m", "reason_code", "reason")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    distance_m: int
    reason_code: str
    reason: str
    def __init__(self, store_id: _Optional[str] = ..., distance_m: _Optional[int] = ..., reason_code: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ExplainAllocationRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class ExplainAllocationResponse(_message.Message):
    __slots__ = ("order_id", "allocation", "passed_over", "omitted", "shipments", "fulfilment", "search_note", "transfer_sources")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_FIELD_NUMBER: _ClassVar[int]
    PASSED_OVER_FIELD_NUMBER: _ClassVar[int]
    OMITTED_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    SEARCH_NOTE_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_SOURCES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    allocation: Allocation
    passed_over: _containers.RepeatedCompositeFieldContainer[PassedOverStore]
    omitted: int
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    fulfilment: Fulfilment
    search_note: str
    transfer_sources: _containers.RepeatedCompositeFieldContainer[PassedOverStore]
    def __init__(self, order_id: _Optional[str] = ..., allocation: _Optional[_Union[Allocation, _Mapping]] = ..., passed_over: _Optional[_Iterable[_Union[PassedOverStore, _Mapping]]] = ..., omitted: _Optional[int] = ..., shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., fulfilment: _Optional[_Union[Fulfilment, str]] = ..., search_note: _Optional[str] = ..., transfer_sources: _Optional[_Iterable[_Union[PassedOverStore, _Mapping]]] = ...) -> None: ...

class ConfirmPaymentRequest(_message.Message):
    __slots__ = ("order_id", "payment_id", "amount")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    payment_id: str
    amount: _common_pb2.Money
    def __init__(self, order_id: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ...) -> None: ...

class ConfirmPaymentResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class ReturnOrderRequest(_message.Message):
    __slots__ = ("order_id", "return_id", "store_id", "lines")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    return_id: str
    store_id: str
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    def __init__(self, order_id: _Optional[str] = ..., return_id: _Optional[str] = ..., store_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ...) -> None: ...

class ReturnOrderResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: Order
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class GetOrderHistoryRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class OrderHistoryEntry(_message.Message):
    __slots__ = ("version", "at", "step", "store_id", "caller_role", "caller_token_id", "summary")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    CALLER_ROLE_FIELD_NUMBER: _ClassVar[int]
    CALLER_TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    version: int
    at: _timestamp_pb2.Timestamp
    step: str
    store_id: str
    caller_role: str
    caller_token_id: str
    summary: str
    def __init__(self, version: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., step: _Optional[str] = ..., store_id: _Optional[str] = ..., caller_role: _Optional[str] = ..., caller_token_id: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class GetOrderHistoryResponse(_message.Message):
    __slots__ = ("order_id", "entries")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    entries: _containers.RepeatedCompositeFieldContainer[OrderHistoryEntry]
    def __init__(self, order_id: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[OrderHistoryEntry, _Mapping]]] = ...) -> None: ...

class QuoteDeliveryRequest(_message.Message):
    __slots__ = ("customer_location", "lines", "modes", "pickup_store_id")
    CUSTOMER_LOCATION_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    MODES_FIELD_NUMBER: _ClassVar[int]
    PICKUP_STORE_ID_FIELD_NUMBER: _ClassVar[int]
    customer_location: _common_pb2.LatLng
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    modes: _containers.RepeatedScalarFieldContainer[_common_pb2.FulfilmentMode]
    pickup_store_id: str
    def __init__(self, customer_location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., modes: _Optional[_Iterable[_Union[_common_pb2.FulfilmentMode, str]]] = ..., pickup_store_id: _Optional[str] = ...) -> None: ...

class QuotedShipment(_message.Message):
    __slots__ = ("store_id", "distance_m", "lines", "promised_by", "slot", "scheduled_for")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_FOR_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    distance_m: int
    lines: _containers.RepeatedCompositeFieldContainer[ShipmentLine]
    promised_by: str
    slot: str
    scheduled_for: str
    def __init__(self, store_id: _Optional[str] = ..., distance_m: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[ShipmentLine, _Mapping]]] = ..., promised_by: _Optional[str] = ..., slot: _Optional[str] = ..., scheduled_for: _Optional[str] = ...) -> None: ...

class DeliveryQuote(_message.Message):
    __slots__ = ("mode", "available", "fulfilment", "shipments", "promised_by", "reason")
    MODE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FIELD_NUMBER: _ClassVar[int]
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    mode: _common_pb2.FulfilmentMode
    available: bool
    fulfilment: Fulfilment
    shipments: _containers.RepeatedCompositeFieldContainer[QuotedShipment]
    promised_by: str
    reason: str
    def __init__(self, mode: _Optional[_Union[_common_pb2.FulfilmentMode, str]] = ..., available: _Optional[bool] = ..., fulfilment: _Optional[_Union[Fulfilment, str]] = ..., shipments: _Optional[_Iterable[_Union[QuotedShipment, _Mapping]]] = ..., promised_by: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class QuoteDeliveryResponse(_message.Message):
    __slots__ = ("quotes",)
    QUOTES_FIELD_NUMBER: _ClassVar[int]
    quotes: _containers.RepeatedCompositeFieldContainer[DeliveryQuote]
    def __init__(self, quotes: _Optional[_Iterable[_Union[DeliveryQuote, _Mapping]]] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ("customer_id", "store_id", "date", "status", "page_size", "page_token", "consistency")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    store_id: str
    date: str
    status: OrderStatus
    page_size: int
    page_token: str
    consistency: _stock_query_pb2.Consistency
    def __init__(self, customer_id: _Optional[str] = ..., store_id: _Optional[str] = ..., date: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency: _Optional[_Union[_stock_query_pb2.Consistency, _Mapping]] = ...) -> None: ...

class ListedOrder(_message.Message):
    __slots__ = ("order_id", "customer_id", "status", "fulfilment_mode", "placed_at", "total", "store_ids", "promised_by", "paid")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_MODE_FIELD_NUMBER: _ClassVar[int]
    PLACED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    STORE_IDS_FIELD_NUMBER: _ClassVar[int]
    PROMISED_BY_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    customer_id: str
    status: OrderStatus
    fulfilment_mode: _common_pb2.FulfilmentMode
    placed_at: str
    total: _common_pb2.Money
    store_ids: _containers.RepeatedScalarFieldContainer[str]
    promised_by: str
    paid: bool
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., fulfilment_mode: _Optional[_Union[_common_pb2.FulfilmentMode, str]] = ..., placed_at: _Optional[str] = ..., total: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., store_ids: _Optional[_Iterable[str]] = ..., promised_by: _Optional[str] = ..., paid: _Optional[bool] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ("orders", "next_page_token", "freshness")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[ListedOrder]
    next_page_token: str
    freshness: _stock_query_pb2.Freshness
    def __init__(self, orders: _Optional[_Iterable[_Union[ListedOrder, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., freshness: _Optional[_Union[_stock_query_pb2.Freshness, _Mapping]] = ...) -> None: ...
