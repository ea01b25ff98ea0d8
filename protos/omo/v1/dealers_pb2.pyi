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

class EntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_KIND_UNSPECIFIED: _ClassVar[EntryKind]
    ENTRY_SALE: _ClassVar[EntryKind]
    ENTRY_HQ_SHARE: _ClassVar[EntryKind]
    ENTRY_FULFILMENT_FEE: _ClassVar[EntryKind]
    ENTRY_COMMISSION: _ClassVar[EntryKind]

class ReconciliationOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECONCILIATION_OUTCOME_UNSPECIFIED: _ClassVar[ReconciliationOutcome]
    OUTCOME_MATCHED: _ClassVar[ReconciliationOutcome]
    OUTCOME_MISSING_FROM_BILL: _ClassVar[ReconciliationOutcome]
    OUTCOME_MISSING_FROM_ORDERS: _ClassVar[ReconciliationOutcome]
    OUTCOME_AMOUNT_DIFFERS: _ClassVar[ReconciliationOutcome]
    OUTCOME_WRONG_MERCHANT_ACCOUNT: _ClassVar[ReconciliationOutcome]
    OUTCOME_DUPLICATED_IN_BILL: _ClassVar[ReconciliationOutcome]
ENTRY_KIND_UNSPECIFIED: EntryKind
ENTRY_SALE: EntryKind
ENTRY_HQ_SHARE: EntryKind
ENTRY_FULFILMENT_FEE: EntryKind
ENTRY_COMMISSION: EntryKind
RECONCILIATION_OUTCOME_UNSPECIFIED: ReconciliationOutcome
OUTCOME_MATCHED: ReconciliationOutcome
OUTCOME_MISSING_FROM_BILL: ReconciliationOutcome
OUTCOME_MISSING_FROM_ORDERS: ReconciliationOutcome
OUTCOME_AMOUNT_DIFFERS: ReconciliationOutcome
OUTCOME_WRONG_MERCHANT_ACCOUNT: ReconciliationOutcome
OUTCOME_DUPLICATED_IN_BILL: ReconciliationOutcome

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
    __slots__ = ("occurred_at", "order_id", "sku", "store_id", "kind", "reversal", "counterparty", "amount_cents", "entry_id", "return_id", "adjusts_month")
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
    ADJUSTS_MONTH_FIELD_NUMBER: _ClassVar[int]
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
    adjusts_month: str
    def __init__(self, occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ..., sku: _Optional[str] = ..., store_id: _Optional[str] = ..., kind: _Optional[_Union[EntryKind, str]] = ..., reversal: _Optional[bool] = ..., counterparty: _Optional[str] = ..., amount_cents: _Optional[int] = ..., entry_id: _Optional[str] = ..., return_id: _Optional[str] = ..., adjusts_month: _Optional[str] = ...) -> None: ...

class CounterpartyBalance(_message.Message):
    __slots__ = ("counterparty", "opening_cents", "activity_cents", "settled_cents", "closing_cents")
    COUNTERPARTY_FIELD_NUMBER: _ClassVar[int]
    OPENING_CENTS_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_CENTS_FIELD_NUMBER: _ClassVar[int]
    SETTLED_CENTS_FIELD_NUMBER: _ClassVar[int]
    CLOSING_CENTS_FIELD_NUMBER: _ClassVar[int]
    counterparty: str
    opening_cents: int
    activity_cents: int
    settled_cents: int
    closing_cents: int
    def __init__(self, counterparty: _Optional[str] = ..., opening_cents: _Optional[int] = ..., activity_cents: _Optional[int] = ..., settled_cents: _Optional[int] = ..., closing_cents: _Optional[int] = ...) -> None: ...

class StatementSettlement(_message.Message):
    __slots__ = ("reference", "recorded_at", "counterparty", "amount_cents", "adjusts_month")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    COUNTERPARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    ADJUSTS_MONTH_FIELD_NUMBER: _ClassVar[int]
    reference: str
    recorded_at: _timestamp_pb2.Timestamp
    counterparty: str
    amount_cents: int
    adjusts_month: str
    def __init__(self, reference: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., counterparty: _Optional[str] = ..., amount_cents: _Optional[int] = ..., adjusts_month: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("dealer_id", "month", "lines", "totals", "next_page_token", "position", "lag_events", "lag_seconds", "balances", "settlements", "closed")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    LAG_EVENTS_FIELD_NUMBER: _ClassVar[int]
    LAG_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENTS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    month: str
    lines: _containers.RepeatedCompositeFieldContainer[StatementLine]
    totals: StatementTotals
    next_page_token: str
    position: int
    lag_events: int
    lag_seconds: float
    balances: _containers.RepeatedCompositeFieldContainer[CounterpartyBalance]
    settlements: _containers.RepeatedCompositeFieldContainer[StatementSettlement]
    closed: bool
    def __init__(self, dealer_id: _Optional[str] = ..., month: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[StatementLine, _Mapping]]] = ..., totals: _Optional[_Union[StatementTotals, _Mapping]] = ..., next_page_token: _Optional[str] = ..., position: _Optional[int] = ..., lag_events: _Optional[int] = ..., lag_seconds: _Optional[float] = ..., balances: _Optional[_Iterable[_Union[CounterpartyBalance, _Mapping]]] = ..., settlements: _Optional[_Iterable[_Union[StatementSettlement, _Mapping]]] = ..., closed: _Optional[bool] = ...) -> None: ...

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

class RecordSettlementRequest(_message.Message):
    __slots__ = ("from_party", "to_party", "amount", "month", "reference")
    FROM_PARTY_FIELD_NUMBER: _ClassVar[int]
    TO_PARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    from_party: str
    to_party: str
    amount: _common_pb2.Money
    month: str
    reference: str
    def __init__(self, from_party: _Optional[str] = ..., to_party: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., month: _Optional[str] = ..., reference: _Optional[str] = ...) -> None: ...

class Settlement(_message.Message):
    __slots__ = ("reference", "from_party", "to_party", "amount", "month", "recorded_at")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FROM_PARTY_FIELD_NUMBER: _ClassVar[int]
    TO_PARTY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    reference: str
    from_party: str
    to_party: str
    amount: _common_pb2.Money
    month: str
    recorded_at: str
    def __init__(self, reference: _Optional[str] = ..., from_party: _Optional[str] = ..., to_party: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., month: _Optional[str] = ..., recorded_at: _Optional[str] = ...) -> None: ...

class RecordSettlementResponse(_message.Message):
    __slots__ = ("settlement", "replayed")
    SETTLEMENT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    settlement: Settlement
    replayed: bool
    def __init__(self, settlement: _Optional[_Union[Settlement, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ProviderBillRow(_message.Message):
    __slots__ = ("transaction_time", "payment_id", "merchant_order_id", "kind", "amount", "fee")
    TRANSACTION_TIME_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    MERCHANT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    transaction_time: str
    payment_id: str
    merchant_order_id: str
    kind: str
    amount: str
    fee: str
    def __init__(self, transaction_time: _Optional[str] = ..., payment_id: _Optional[str] = ..., merchant_order_id: _Optional[str] = ..., kind: _Optional[str] = ..., amount: _Optional[str] = ..., fee: _Optional[str] = ...) -> None: ...

class ImportProviderBillRequest(_message.Message):
    __slots__ = ("dealer_id", "rows")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    rows: _containers.RepeatedCompositeFieldContainer[ProviderBillRow]
    def __init__(self, dealer_id: _Optional[str] = ..., rows: _Optional[_Iterable[_Union[ProviderBillRow, _Mapping]]] = ...) -> None: ...

class ImportProviderBillResponse(_message.Message):
    __slots__ = ("bill_id", "rows", "imported")
    BILL_ID_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    bill_id: str
    rows: int
    imported: bool
    def __init__(self, bill_id: _Optional[str] = ..., rows: _Optional[int] = ..., imported: _Optional[bool] = ...) -> None: ...

class GetReconciliationRequest(_message.Message):
    __slots__ = ("dealer_id", "month", "min_position")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    MIN_POSITION_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    month: str
    min_position: int
    def __init__(self, dealer_id: _Optional[str] = ..., month: _Optional[str] = ..., min_position: _Optional[int] = ...) -> None: ...

class BillTotals(_message.Message):
    __slots__ = ("payments_cents", "refunds_cents", "fees_cents", "net_cents")
    PAYMENTS_CENTS_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_CENTS_FIELD_NUMBER: _ClassVar[int]
    FEES_CENTS_FIELD_NUMBER: _ClassVar[int]
    NET_CENTS_FIELD_NUMBER: _ClassVar[int]
    payments_cents: int
    refunds_cents: int
    fees_cents: int
    net_cents: int
    def __init__(self, payments_cents: _Optional[int] = ..., refunds_cents: _Optional[int] = ..., fees_cents: _Optional[int] = ..., net_cents: _Optional[int] = ...) -> None: ...

class OrderPaymentTotals(_message.Message):
    __slots__ = ("payments_cents", "refunds_cents", "net_cents")
    PAYMENTS_CENTS_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_CENTS_FIELD_NUMBER: _ClassVar[int]
    NET_CENTS_FIELD_NUMBER: _ClassVar[int]
    payments_cents: int
    refunds_cents: int
    net_cents: int
    def __init__(self, payments_cents: _Optional[int] = ..., refunds_cents: _Optional[int] = ..., net_cents: _Optional[int] = ...) -> None: ...

class ReconciliationDifference(_message.Message):
    __slots__ = ("outcome", "order_id", "kind", "billed_cents", "recorded_cents", "payment_id", "reference", "bill_id", "bill_line", "advice")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BILLED_CENTS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_CENTS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    BILL_ID_FIELD_NUMBER: _ClassVar[int]
    BILL_LINE_FIELD_NUMBER: _ClassVar[int]
    ADVICE_FIELD_NUMBER: _ClassVar[int]
    outcome: ReconciliationOutcome
    order_id: str
    kind: str
    billed_cents: int
    recorded_cents: int
    payment_id: str
    reference: str
    bill_id: str
    bill_line: int
    advice: str
    def __init__(self, outcome: _Optional[_Union[ReconciliationOutcome, str]] = ..., order_id: _Optional[str] = ..., kind: _Optional[str] = ..., billed_cents: _Optional[int] = ..., recorded_cents: _Optional[int] = ..., payment_id: _Optional[str] = ..., reference: _Optional[str] = ..., bill_id: _Optional[str] = ..., bill_line: _Optional[int] = ..., advice: _Optional[str] = ...) -> None: ...

class OutcomeCount(_message.Message):
    __slots__ = ("outcome", "count")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    outcome: ReconciliationOutcome
    count: int
    def __init__(self, outcome: _Optional[_Union[ReconciliationOutcome, str]] = ..., count: _Optional[int] = ...) -> None: ...

class GetReconciliationResponse(_message.Message):
    __slots__ = ("dealer_id", "month", "bill", "orders", "ledger", "balances", "settlements", "differences", "counts", "closed", "reconciliation_freshness", "ledger_freshness")
    DEALER_ID_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    LEDGER_FIELD_NUMBER: _ClassVar[int]
    BALANCES_FIELD_NUMBER: _ClassVar[int]
    SETTLEMENTS_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    RECONCILIATION_FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    LEDGER_FRESHNESS_FIELD_NUMBER: _ClassVar[int]
    dealer_id: str
    month: str
    bill: BillTotals
    orders: OrderPaymentTotals
    ledger: StatementTotals
    balances: _containers.RepeatedCompositeFieldContainer[CounterpartyBalance]
    settlements: _containers.RepeatedCompositeFieldContainer[StatementSettlement]
    differences: _containers.RepeatedCompositeFieldContainer[ReconciliationDifference]
    counts: _containers.RepeatedCompositeFieldContainer[OutcomeCount]
    closed: bool
    reconciliation_freshness: _stock_query_pb2.Freshness
    ledger_freshness: _stock_query_pb2.Freshness
    def __init__(self, dealer_id: _Optional[str] = ..., month: _Optional[str] = ..., bill: _Optional[_Union[BillTotals, _Mapping]] = ..., orders: _Optional[_Union[OrderPaymentTotals, _Mapping]] = ..., ledger: _Optional[_Union[StatementTotals, _Mapping]] = ..., balances: _Optional[_Iterable[_Union[CounterpartyBalance, _Mapping]]] = ..., settlements: _Optional[_Iterable[_Union[StatementSettlement, _Mapping]]] = ..., differences: _Optional[_Iterable[_Union[ReconciliationDifference, _Mapping]]] = ..., counts: _Optional[_Iterable[_Union[OutcomeCount, _Mapping]]] = ..., closed: _Optional[bool] = ..., reconciliation_freshness: _Optional[_Union[_stock_query_pb2.Freshness, _Mapping]] = ..., ledger_freshness: _Optional[_Union[_stock_query_pb2.Freshness, _Mapping]] = ...) -> None: ...
