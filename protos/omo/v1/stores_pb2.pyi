import datetime

from . import common_pb2 as _common_pb2
from . import stock_query_pb2 as _stock_query_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Weekday(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEEKDAY_UNSPECIFIED: _ClassVar[Weekday]
    MONDAY: _ClassVar[Weekday]
    TUESDAY: _ClassVar[Weekday]
    WEDNESDAY: _ClassVar[Weekday]
    THURSDAY: _ClassVar[Weekday]
    FRIDAY: _ClassVar[Weekday]
    SATURDAY: _ClassVar[Weekday]
    SUNDAY: _ClassVar[Weekday]

class LocationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOCATION_KIND_UNSPECIFIED: _ClassVar[LocationKind]
    STORE: _ClassVar[LocationKind]
    WAREHOUSE: _ClassVar[LocationKind]
WEEKDAY_UNSPECIFIED: Weekday
MONDAY: Weekday
TUESDAY: Weekday
WEDNESDAY: Weekday
THURSDAY: Weekday
FRIDAY: Weekday
SATURDAY: Weekday
SUNDAY: Weekday
LOCATION_KIND_UNSPECIFIED: LocationKind
STORE: LocationKind
WAREHOUSE: LocationKind

class DailyHours(_message.Message):
    __slots__ = ("weekday", "opens", "closes")
    WEEKDAY_FIELD_NUMBER: _ClassVar[int]
    OPENS_FIELD_NUMBER: _ClassVar[int]
    CLOSES_FIELD_NUMBER: _ClassVar[int]
    weekday: Weekday
    opens: str
    closes: str
    def __init__(self, weekday: _Optional[_Union[Weekday, str]] = ..., opens: _Optional[str] = ..., closes: _Optional[str] = ...) -> None: ...

class Store(_message.Message):
    __slots__ = ("store_id", "name", "location", "province", "city", "dealer_id", "opening_hours", "time_zone", "delivery_radius_km", "daily_order_capacity", "active", "kind", "preparation_minutes", "hourly_slot_capacity")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_RADIUS_KM_FIELD_NUMBER: _ClassVar[int]
    DAILY_ORDER_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PREPARATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    HOURLY_SLOT_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    name: str
    location: _common_pb2.LatLng
    province: str
    city: str
    dealer_id: str
    opening_hours: _containers.RepeatedCompositeFieldContainer[DailyHours]
    time_zone: str
    delivery_radius_km: float
    daily_order_capacity: int
    active: bool
    kind: LocationKind
    preparation_minutes: int
    hourly_slot_capacity: int
    def __init__(self, store_id: _Optional[str] = ..., name: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., province: _Optional[str] = ..., city: _Optional[str] = ..., dealer_id: _Optional[str] = ..., opening_hours: _Optional[_Iterable[_Union[DailyHours, _Mapping]]] = ..., time_zone: _Optional[str] = ..., delivery_radius_km: _Optional[float] = ..., daily_order_capacity: _Optional[int] = ..., active: _Optional[bool] = ..., kind: _Optional[_Union[LocationKind, str]] = ..., preparation_minutes: _Optional[int] = ..., hourly_slot_capacity: _Optional[int] = ...) -> None: ...

class UpsertStoreRequest(_message.Message):
    __slots__ = ("store_id", "name", "location", "province", "city", "dealer_id", "opening_hours", "time_zone", "delivery_radius_km", "daily_order_capacity", "active", "kind", "preparation_minutes", "hourly_slot_capacity")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_RADIUS_KM_FIELD_NUMBER: _ClassVar[int]
    DAILY_ORDER_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PREPARATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    HOURLY_SLOT_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    name: str
    location: _common_pb2.LatLng
    province: str
    city: str
    dealer_id: str
    opening_hours: _containers.RepeatedCompositeFieldContainer[DailyHours]
    time_zone: str
    delivery_radius_km: float
    daily_order_capacity: int
    active: bool
    kind: LocationKind
    preparation_minutes: int
    hourly_slot_capacity: int
    def __init__(self, store_id: _Optional[str] = ..., name: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., province: _Optional[str] = ..., city: _Optional[str] = ..., dealer_id: _Optional[str] = ..., opening_hours: _Optional[_Iterable[_Union[DailyHours, _Mapping]]] = ..., time_zone: _Optional[str] = ..., delivery_radius_km: _Optional[float] = ..., daily_order_capacity: _Optional[int] = ..., active: _Optional[bool] = ..., kind: _Optional[_Union[LocationKind, str]] = ..., preparation_minutes: _Optional[int] = ..., hourly_slot_capacity: _Optional[int] = ...) -> None: ...

class UpsertStoreResponse(_message.Message):
    __slots__ = ("store", "created")
    STORE_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    store: Store
    created: bool
    def __init__(self, store: _Optional[_Union[Store, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetStoreRequest(_message.Message):
    __slots__ = ("store_id",)
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    def __init__(self, store_id: _Optional[str] = ...) -> None: ...

class GetStoreResponse(_message.Message):
    __slots__ = ("store",)
    STORE_FIELD_NUMBER: _ClassVar[int]
    store: Store
    def __init__(self, store: _Optional[_Union[Store, _Mapping]] = ...) -> None: ...

class ListStoresRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStoresResponse(_message.Message):
    __slots__ = ("stores", "next_page_token")
    STORES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stores: _containers.RepeatedCompositeFieldContainer[Store]
    next_page_token: str
    def __init__(self, stores: _Optional[_Iterable[_Union[Store, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PerformanceRegion(_message.Message):
    __slots__ = ("province", "city")
    PROVINCE_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    province: str
    city: str
    def __init__(self, province: _Optional[str] = ..., city: _Optional[str] = ...) -> None: ...

class GetStorePerformanceRequest(_message.Message):
    __slots__ = ("store_id", "dealer_id", "region", "from_date", "to_date", "page_size", "page_token", "consistency")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    dealer_id: str
    region: PerformanceRegion
    from_date: str
    to_date: str
    page_size: int
    page_token: str
    consistency: _stock_query_pb2.Consistency
    def __init__(self, store_id: _Optional[str] = ..., dealer_id: _Optional[str] = ..., region: _Optional[_Union[PerformanceRegion, _Mapping]] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., consistency: _Optional[_Union[_stock_query_pb2.Consistency, _Mapping]] = ...) -> None: ...

class PerformanceFigures(_message.Message):
    __slots__ = ("due", "on_time", "late", "open", "overdue", "on_time_per_mille")
    DUE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_PER_MILLE_FIELD_NUMBER: _ClassVar[int]
    due: int
    on_time: int
    late: int
    open: int
    overdue: int
    on_time_per_mille: int
    def __init__(self, due: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., open: _Optional[int] = ..., overdue: _Optional[int] = ..., on_time_per_mille: _Optional[int] = ...) -> None: ...

class StoreDayPerformance(_message.Message):
    __slots__ = ("local_day", "figures")
    LOCAL_DAY_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    local_day: str
    figures: PerformanceFigures
    def __init__(self, local_day: _Optional[str] = ..., figures: _Optional[_Union[PerformanceFigures, _Mapping]] = ...) -> None: ...

class StorePerformance(_message.Message):
    __slots__ = ("store_id", "total", "days")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    total: PerformanceFigures
    days: _containers.RepeatedCompositeFieldContainer[StoreDayPerformance]
    def __init__(self, store_id: _Optional[str] = ..., total: _Optional[_Union[PerformanceFigures, _Mapping]] = ..., days: _Optional[_Iterable[_Union[StoreDayPerformance, _Mapping]]] = ...) -> None: ...

class GetStorePerformanceResponse(_message.Message):
    __slots__ = ("stores", "total", "store_count", "next_page_token", "as_of", "freshness")
    STORES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    STORE_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    stores: _containers.RepeatedCompositeFieldContainer[StorePerformance]
    total: PerformanceFigures
    store_count: int
    next_page_token: str
    as_of: _timestamp_pb2.Timestamp
    freshness: _stock_query_pb2.Freshness
    def __init__(self, stores: _Optional[_Iterable[_Union[StorePerformance, _Mapping]]] = ..., total: _Optional[_Union[PerformanceFigures, _Mapping]] = ..., store_count: _Optional[int] = ..., next_page_token: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., freshness: _Optional[_Union[_stock_query_pb2.Freshness, _Mapping]] = ...) -> None: ...

class Assortment(_message.Message):
    __slots__ = ("store_id", "lists_everything", "listed_count")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    LISTS_EVERYTHING_FIELD_NUMBER: _ClassVar[int]
    LISTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    lists_everything: bool
    listed_count: int
    def __init__(self, store_id: _Optional[str] = ..., lists_everything: _Optional[bool] = ..., listed_count: _Optional[int] = ...) -> None: ...

class SetAssortmentRequest(_message.Message):
    __slots__ = ("store_id", "add_skus", "remove_skus", "list_everything")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    ADD_SKUS_FIELD_NUMBER: _ClassVar[int]
    REMOVE_SKUS_FIELD_NUMBER: _ClassVar[int]
    LIST_EVERYTHING_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    add_skus: _containers.RepeatedScalarFieldContainer[str]
    remove_skus: _containers.RepeatedScalarFieldContainer[str]
    list_everything: bool
    def __init__(self, store_id: _Optional[str] = ..., add_skus: _Optional[_Iterable[str]] = ..., remove_skus: _Optional[_Iterable[str]] = ..., list_everything: _Optional[bool] = ...) -> None: ...

class SetAssortmentResponse(_message.Message):
    __slots__ = ("assortment", "changed")
    ASSORTMENT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    assortment: Assortment
    changed: bool
    def __init__(self, assortment: _Optional[_Union[Assortment, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class GetAssortmentRequest(_message.Message):
    __slots__ = ("store_id", "page_size", "page_token")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    page_size: int
    page_token: str
    def __init__(self, store_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetAssortmentResponse(_message.Message):
    __slots__ = ("assortment", "skus", "next_page_token")
    ASSORTMENT_FIELD_NUMBER: _ClassVar[int]
    SKUS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    assortment: Assortment
    skus: _containers.RepeatedScalarFieldContainer[str]
    next_page_token: str
    def __init__(self, assortment: _Optional[_Union[Assortment, _Mapping]] = ..., skus: _Optional[_Iterable[str]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
