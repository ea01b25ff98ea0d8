from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Breakdown(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BREAKDOWN_UNSPECIFIED: _ClassVar[Breakdown]
    BY_PROVINCE: _ClassVar[Breakdown]
    BY_CITY: _ClassVar[Breakdown]
    BY_DEALER: _ClassVar[Breakdown]
    BY_STORE: _ClassVar[Breakdown]
BREAKDOWN_UNSPECIFIED: Breakdown
BY_PROVINCE: Breakdown
BY_CITY: Breakdown
BY_DEALER: Breakdown
BY_STORE: Breakdown

class Freshness(_message.Message):
    __slots__ = ("position", "head", "lag_events", "lag_ms")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    HEAD_FIELD_NUMBER: _ClassVar[int]
    LAG_EVENTS_FIELD_NUMBER: _ClassVar[int]
    LAG_MS_FIELD_NUMBER: _ClassVar[int]
    position: int
    head: int
    lag_events: int
    lag_ms: int
    def __init__(self, position: _Optional[int] = ..., head: _Optional[int] = ..., lag_events: _Optional[int] = ..., lag_ms: _Optional[int] = ...) -> None: ...

class Consistency(_message.Message):
    __slots__ = ("min_position", "up_to_date", "wait_timeout_ms")
    MIN_POSITION_FIELD_NUMBER: _ClassVar[int]
    UP_TO_DATE_FIELD_NUMBER: _ClassVar[int]
    WAIT_TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    min_position: int
    up_to_date: bool
    wait_timeout_ms: int
    def __init__(self, min_position: _Optional[int] = ..., up_to_date: _Optional[bool] = ..., wait_timeout_ms: _Optional[int] = ...) -> None: ...

class StockFigures(_message.Message):
    __slots__ = ("on_hand", "reserved", "safety_stock", "available", "in_transit", "positions", "expected", "incoming")
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    RESERVED_FIELD_NUMBER: _ClassVar[int]
    SAFETY_STOCK_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    IN_TRANSIT_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    INCOMING_FIELD_NUMBER: _ClassVar[int]
    on_hand: int
    reserved: int
    safety_stock: int
    available: int
    in_transit: int
    positions: int
    expected: int
    incoming: int
    def __init__(self, on_hand: _Optional[int] = ..., reserved: _Optional[int] = ..., safety_stock: _Optional[int] = ..., available: _Optional[int] = ..., in_transit: _Optional[int] = ..., positions: _Optional[int] = ..., expected: _Optional[int] = ..., incoming: _Optional[int] = ...) -> None: ...

class StockArea(_message.Message):
    __slots__ = ("province", "city", "dealer", "store_id")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DEALER_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    province: str
    city: str
    dealer: str
    store_id: str
    def __init__(self, province: _Optional[str] = ..., city: _Optional[str] = ..., dealer: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class AreaStock(_message.Message):
    __slots__ = ("area", "sku", "figures")
    AREA_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    area: StockArea
    sku: str
    figures: StockFigures
    def __init__(self, area: _Optional[_Union[StockArea, _Mapping]] = ..., sku: _Optional[str] = ..., figures: _Optional[_Union[StockFigures, _Mapping]] = ...) -> None: ...

class StockRegion(_message.Message):
    __slots__ = ("province", "city", "dealer", "store_id")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DEALER_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    province: str
    city: str
    dealer: str
    store_id: str
    def __init__(self, province: _Optional[str] = ..., city: _Optional[str] = ..., dealer: _Optional[str] = ..., store_id: _Optional[str] = ...) -> None: ...

class GetNationalStockRequest(_message.Message):
    __slots__ = ("sku", "breakdown", "consistency")
    SKU_FIELD_NUMBER: _ClassVar[int]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    breakdown: _containers.RepeatedScalarFieldContainer[Breakdown]
    consistency: Consistency
    def __init__(self, sku: _Optional[str] = ..., breakdown: _Optional[_Iterable[_Union[Breakdown, str]]] = ..., consistency: _Optional[_Union[Consistency, _Mapping]] = ...) -> None: ...

class GetNationalStockResponse(_message.Message):
    __slots__ = ("sku", "national", "by_province", "by_city", "by_dealer", "by_store", "freshness")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_FIELD_NUMBER: _ClassVar[int]
    BY_PROVINCE_FIELD_NUMBER: _ClassVar[int]
    BY_CITY_FIELD_NUMBER: _ClassVar[int]
    BY_DEALER_FIELD_NUMBER: _ClassVar[int]
    BY_STORE_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    sku: str
    national: StockFigures
    by_province: _containers.RepeatedCompositeFieldContainer[AreaStock]
    by_city: _containers.RepeatedCompositeFieldContainer[AreaStock]
    by_dealer: _containers.RepeatedCompositeFieldContainer[AreaStock]
    by_store: _containers.RepeatedCompositeFieldContainer[AreaStock]
    freshness: Freshness
    def __init__(self, sku: _Optional[str] = ..., national: _Optional[_Union[StockFigures, _Mapping]] = ..., by_province: _Optional[_Iterable[_Union[AreaStock, _Mapping]]] = ..., by_city: _Optional[_Iterable[_Union[AreaStock, _Mapping]]] = ..., by_dealer: _Optional[_Iterable[_Union[AreaStock, _Mapping]]] = ..., by_store: _Optional[_Iterable[_Union[AreaStock, _Mapping]]] = ..., freshness: _Optional[_Union[Freshness, _Mapping]] = ...) -> None: ...

class ListLowStockRequest(_message.Message):
    __slots__ = ("threshold", "region", "page_size", "page_token", "consistency")
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    threshold: int
    region: StockRegion
    page_size: int
    page_token: str
    consistency: Consistency
    def __init__(self, threshold: _Optional[int] = ..., region: _Optional[_Union[StockRegion, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency: _Optional[_Union[Consistency, _Mapping]] = ...) -> None: ...

class ListLowStockResponse(_message.Message):
    __slots__ = ("items", "next_page_token", "freshness")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[AreaStock]
    next_page_token: str
    freshness: Freshness
    def __init__(self, items: _Optional[_Iterable[_Union[AreaStock, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., freshness: _Optional[_Union[Freshness, _Mapping]] = ...) -> None: ...

class WatchStockRequest(_message.Message):
    __slots__ = ("sku", "region", "consistency")
    SKU_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    region: StockRegion
    consistency: Consistency
    def __init__(self, sku: _Optional[str] = ..., region: _Optional[_Union[StockRegion, _Mapping]] = ..., consistency: _Optional[_Union[Consistency, _Mapping]] = ...) -> None: ...

class WatchStockResponse(_message.Message):
    __slots__ = ("changes", "freshness")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[AreaStock]
    freshness: Freshness
    def __init__(self, changes: _Optional[_Iterable[_Union[AreaStock, _Mapping]]] = ..., freshness: _Optional[_Union[Freshness, _Mapping]] = ...) -> None: ...
