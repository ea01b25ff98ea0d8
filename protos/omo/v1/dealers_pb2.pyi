import datetime

from . import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_KIND_UNSPECIFIED: _ClassVar[EntryKind]
    ENTRY_SALE: _ClassVar[EntryKind]
    ENTRY_HQ_SHARE: _ClassVar[EntryKind]
    ENTRY_FULFILMENT_FEE: _ClassVar[EntryKind]
    ENTRY_COMMISSION: _ClassVar[EntryKind]
ENTRY_KIND_UNSPECIFIED: EntryKind
ENTRY_SALE: EntryKind
ENTRY_HQ_SHARE: EntryKind
ENTRY_FULFILMENT_FEE: EntryKind
ENTRY_COMMISSION: EntryKind

class Region(_message.Message):
    __slots__ = ("region_id", "name")
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    region_id: str
    name: str
    def __init__(self, region_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class Dealer(_message.Message):
    __slots__ = ("dealer_id", "name", "region_id")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_ID_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    name: str
    region_id: str
    def __init__(self, dealer_id: _Optional[str] = ..., name: _Optional[str] = ..., region_id: _Optional[str] = ...) -> None: ...

class RegisterRegionRequest(_message.Message):
    __slots__ = ("region",)
    REGION_FIELD_NUMBER: _ClassVar[int]
    region: Region
    def __init__(self, region: _Optional[_Union[Region, _Mapping]] = ...) -> None: ...

class RegisterRegionResponse(_message.Message):
    __slots__ = ("region", "created")
    REGION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    region: Region
    created: bool
    def __init__(self, region: _Optional[_Union[Region, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class RegisterDealerRequest(_message.Message):
    __slots__ = ("dealer",)
    DEALER_FIELD_NUMBER: _ClassVar[int]
    dealer: Dealer
    def __init__(self, dealer: _Optional[_Union[Dealer, _Mapping]] = ...) -> None: ...

class RegisterDealerResponse(_message.Message):
    __slots__ = ("dealer", "created")
    DEALER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    dealer: Dealer
    created: bool
    def __init__(self, dealer: _Optional[_Union[Dealer, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetDealerRequest(_message.Message):
    __slots__ = ("dealer_id",)
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    def __init__(self, dealer_id: _Optional[str] = ...) -> None: ...

class GetDealerResponse(_message.Message):
    __slots__ = ("dealer", "stock_sharing")
    DEALER_FIELD_NUMBER: _ClassVar[int]
    STOCK_SHARING_FIELD_NUMBER: _ClassVar[int]
    dealer: Dealer
    stock_sharing: StockSharing
    def __init__(self, dealer: _Optional[_Union[Dealer, _Mapping]] = ..., stock_sharing: _Optional[_Union[StockSharing, _Mapping]] = ...) -> None: ...

class StoreOwnership(_message.Message):
    __slots__ = ("dealer_id", "effective_from")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    effective_from: _timestamp_pb2.Timestamp
    def __init__(self, dealer_id: _Optional[str] = ..., effective_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeStoreOwnerRequest(_message.Message):
    __slots__ = ("store_id", "dealer_id", "effective_from")
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    store_id: str
    dealer_id: str
    effective_from: _timestamp_pb2.Timestamp
    def __init__(self, store_id: _Optional[str] = ..., dealer_id: _Optional[str] = ..., effective_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChangeStoreOwnerResponse(_message.Message):
    __slots__ = ("owners",)
    OWNERS_FIELD_NUMBER: _ClassVar[int]
    owners: _containers.RepeatedCompositeFieldContainer[StoreOwnership]
    def __init__(self, owners: _Optional[_Iterable[_Union[StoreOwnership, _Mapping]]] = ...) -> None: ...

class AttributionPolicy(_message.Message):
    __slots__ = ("brand_id", "version", "hq_share_bp", "fulfilment_fee_bp", "fulfilment_fee_fixed", "assistant_commission_bp", "note")
    BRAND_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    HQ_SHARE_BP_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FEE_BP_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FEE_FIXED_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_COMMISSION_BP_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    brand_id: str
    version: int
    hq_share_bp: int
    fulfilment_fee_bp: int
    fulfilment_fee_fixed: _common_pb2.Money
    assistant_commission_bp: int
    note: str
    def __init__(self, brand_id: _Optional[str] = ..., version: _Optional[int] = ..., hq_share_bp: _Optional[int] = ..., fulfilment_fee_bp: _Optional[int] = ..., fulfilment_fee_fixed: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., assistant_commission_bp: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class SetAttributionPolicyRequest(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AttributionPolicy
    def __init__(self, policy: _Optional[_Union[AttributionPolicy, _Mapping]] = ...) -> None: ...

class SetAttributionPolicyResponse(_message.Message):
    __slots__ = ("policy", "changed")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    policy: AttributionPolicy
    changed: bool
    def __init__(self, policy: _Optional[_Union[AttributionPolicy, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class GetAttributionPolicyRequest(_message.Message):
    __slots__ = ("brand_id", "version")
    BRAND_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    brand_id: str
    version: int
    def __init__(self, brand_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetAttributionPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: AttributionPolicy
    def __init__(self, policy: _Optional[_Union[AttributionPolicy, _Mapping]] = ...) -> None: ...

class StatementLine(_message.Message):
    __slots__ = ("occurred_at", "order_id", "sku", "store_id", "kind", "reversal", "counterparty", "amount_cents", "entry_id", "return_id")
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REVERSAL_FIELD_NUMBER: _ClassVar[int]
    COUNTERPARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    RETURN_ID_FIELD_NUMBER: _ClassVar[int]
    occurred_at: _timestamp_pb2.Timestamp
    order_id: str
    sku: str
    store_id: str
    kind: EntryKind
    reversal: bool
    counterparty: str
    amount_cents: int
    entry_id: str
    return_id: str
    def __init__(self, occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ..., sku: _Optional[str] = ..., store_id: _Optional[str] = ..., kind: _Optional[_Union[EntryKind, str]] = ..., reversal: _Optional[bool] = ..., counterparty: _Optional[str] = ..., amount_cents: _Optional[int] = ..., entry_id: _Optional[str] = ..., return_id: _Optional[str] = ...) -> None: ...

class StatementTotals(_message.Message):
    __slots__ = ("gross_sales_cents", "returns_cents", "fulfilment_fees_paid_cents", "fulfilment_fees_earned_cents", "hq_share_cents", "assistant_commissions_cents", "net_payable_cents", "entries")
    GROSS_SALES_CENTS_FIELD_NUMBER: _ClassVar[int]
    RETURNS_CENTS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FEES_PAID_CENTS_FIELD_NUMBER: _ClassVar[int]
    FULFILMENT_FEES_EARNED_CENTS_FIELD_NUMBER: _ClassVar[int]
    HQ_SHARE_CENTS_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_COMMISSIONS_CENTS_FIELD_NUMBER: _ClassVar[int]
    NET_PAYABLE_CENTS_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    gross_sales_cents: int
    returns_cents: int
    fulfilment_fees_paid_cents: int
    fulfilment_fees_earned_cents: int
    hq_share_cents: int
    assistant_commissions_cents: int
    net_payable_cents: int
    entries: int
    def __init__(self, gross_sales_cents: _Optional[int] = ..., returns_cents: _Optional[int] = ..., fulfilment_fees_paid_cents: _Optional[int] = ..., fulfilment_fees_earned_cents: _Optional[int] = ..., hq_share_cents: _Optional[int] = ..., assistant_commissions_cents: _Optional[int] = ..., net_payable_cents: _Optional[int] = ..., entries: _Optional[int] = ...) -> None: ...

class GetStatementRequest(_message.Message):
    __slots__ = ("dealer_id", "month", "page_size", "page_token", "min_position")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MIN_POSITION_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    month: str
    page_size: int
    page_token: str
    min_position: int
    def __init__(self, dealer_id: _Optional[str] = ..., month: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., min_position: _Optional[int] = ...) -> None: ...

class GetStatementResponse(_message.Message):
    __slots__ = ("dealer_id", "month", "lines", "totals", "next_page_token", "position", "lag_events", "lag_seconds")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    LAG_EVENTS_FIELD_NUMBER: _ClassVar[int]
    LAG_SECONDS_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    month: str
    lines: _containers.RepeatedCompositeFieldContainer[StatementLine]
    totals: StatementTotals
    next_page_token: str
    position: int
    lag_events: int
    lag_seconds: float
    def __init__(self, dealer_id: _Optional[str] = ..., month: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[StatementLine, _Mapping]]] = ..., totals: _Optional[_Union[StatementTotals, _Mapping]] = ..., next_page_token: _Optional[str] = ..., position: _Optional[int] = ..., lag_events: _Optional[int] = ..., lag_seconds: _Optional[float] = ...) -> None: ...

class ShopAssistant(_message.Message):
    __slots__ = ("assistant_id", "name", "share_code")
    ASSISTANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SHARE_CODE_FIELD_NUMBER: _ClassVar[int]
    assistant_id: str
    name: str
    share_code: str
    def __init__(self, assistant_id: _Optional[str] = ..., name: _Optional[str] = ..., share_code: _Optional[str] = ...) -> None: ...

class CloudShop(_message.Message):
    __slots__ = ("cloud_shop_id", "store_id", "name", "brand_id", "active", "dealer_id", "location", "city")
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BRAND_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CITY_FIELD_NUMBER: _ClassVar[int]
    cloud_shop_id: str
    store_id: str
    name: str
    brand_id: str
    active: bool
    dealer_id: str
    location: _common_pb2.LatLng
    city: str
    def __init__(self, cloud_shop_id: _Optional[str] = ..., store_id: _Optional[str] = ..., name: _Optional[str] = ..., brand_id: _Optional[str] = ..., active: _Optional[bool] = ..., dealer_id: _Optional[str] = ..., location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., city: _Optional[str] = ...) -> None: ...

class OpenCloudShopRequest(_message.Message):
    __slots__ = ("cloud_shop_id", "store_id", "name", "brand_id")
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    STORE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BRAND_ID_FIELD_NUMBER: _ClassVar[int]
    cloud_shop_id: str
    store_id: str
    name: str
    brand_id: str
    def __init__(self, cloud_shop_id: _Optional[str] = ..., store_id: _Optional[str] = ..., name: _Optional[str] = ..., brand_id: _Optional[str] = ...) -> None: ...

class OpenCloudShopResponse(_message.Message):
    __slots__ = ("shop", "created")
    SHOP_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    shop: CloudShop
    created: bool
    def __init__(self, shop: _Optional[_Union[CloudShop, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class CloseCloudShopRequest(_message.Message):
    __slots__ = ("cloud_shop_id",)
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    cloud_shop_id: str
    def __init__(self, cloud_shop_id: _Optional[str] = ...) -> None: ...

class CloseCloudShopResponse(_message.Message):
    __slots__ = ("shop",)
    SHOP_FIELD_NUMBER: _ClassVar[int]
    shop: CloudShop
    def __init__(self, shop: _Optional[_Union[CloudShop, _Mapping]] = ...) -> None: ...

class GetCloudShopRequest(_message.Message):
    __slots__ = ("cloud_shop_id",)
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    cloud_shop_id: str
    def __init__(self, cloud_shop_id: _Optional[str] = ...) -> None: ...

class GetCloudShopResponse(_message.Message):
    __slots__ = ("shop", "assistants")
    SHOP_FIELD_NUMBER: _ClassVar[int]
    ASSISTANTS_FIELD_NUMBER: _ClassVar[int]
    shop: CloudShop
    assistants: _containers.RepeatedCompositeFieldContainer[ShopAssistant]
    def __init__(self, shop: _Optional[_Union[CloudShop, _Mapping]] = ..., assistants: _Optional[_Iterable[_Union[ShopAssistant, _Mapping]]] = ...) -> None: ...

class AddShopAssistantRequest(_message.Message):
    __slots__ = ("cloud_shop_id", "assistant_id", "name")
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    cloud_shop_id: str
    assistant_id: str
    name: str
    def __init__(self, cloud_shop_id: _Optional[str] = ..., assistant_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class AddShopAssistantResponse(_message.Message):
    __slots__ = ("assistant",)
    ASSISTANT_FIELD_NUMBER: _ClassVar[int]
    assistant: ShopAssistant
    def __init__(self, assistant: _Optional[_Union[ShopAssistant, _Mapping]] = ...) -> None: ...

class FindCloudShopRequest(_message.Message):
    __slots__ = ("location", "share_code", "cloud_shop_id")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SHARE_CODE_FIELD_NUMBER: _ClassVar[int]
    CLOUD_SHOP_ID_FIELD_NUMBER: _ClassVar[int]
    location: _common_pb2.LatLng
    share_code: str
    cloud_shop_id: str
    def __init__(self, location: _Optional[_Union[_common_pb2.LatLng, _Mapping]] = ..., share_code: _Optional[str] = ..., cloud_shop_id: _Optional[str] = ...) -> None: ...

class FindCloudShopResponse(_message.Message):
    __slots__ = ("shop", "distance_m", "assistant_id")
    SHOP_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    ASSISTANT_ID_FIELD_NUMBER: _ClassVar[int]
    shop: CloudShop
    distance_m: int
    assistant_id: str
    def __init__(self, shop: _Optional[_Union[CloudShop, _Mapping]] = ..., distance_m: _Optional[int] = ..., assistant_id: _Optional[str] = ...) -> None: ...

class StockSharing(_message.Message):
    __slots__ = ("share_stock", "own_stores_first")
    SHARE_STOCK_FIELD_NUMBER: _ClassVar[int]
    OWN_STORES_FIRST_FIELD_NUMBER: _ClassVar[int]
    share_stock: bool
    own_stores_first: bool
    def __init__(self, share_stock: _Optional[bool] = ..., own_stores_first: _Optional[bool] = ...) -> None: ...

class SetStockSharingRequest(_message.Message):
    __slots__ = ("dealer_id", "sharing")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    SHARING_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    sharing: StockSharing
    def __init__(self, dealer_id: _Optional[str] = ..., sharing: _Optional[_Union[StockSharing, _Mapping]] = ...) -> None: ...

class SetStockSharingResponse(_message.Message):
    __slots__ = ("dealer_id", "sharing", "changed")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    SHARING_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    sharing: StockSharing
    changed: bool
    def __init__(self, dealer_id: _Optional[str] = ..., sharing: _Optional[_Union[StockSharing, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...
