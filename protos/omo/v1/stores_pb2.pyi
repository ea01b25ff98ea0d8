from . import common_pb2 as _common_pb2
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
