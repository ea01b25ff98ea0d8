"""Protobuf messages <-> dealer, cloud shop, policy and attribution values."""

from __future__ import annotations

from datetime import datetime, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from aggregates.cloud_shop import CloudShop
from aggregates.order import Order
from domain.attribution import (
    ASSISTANT_PART, COMMISSION, FULFILLER_PART, FULFILMENT_FEE, HQ_PART, HQ_SHARE, SALE, SELLER_PART, PolicyTerms,
)
from domain.errors import InvalidInput
from domain.stores import StoreProfile
from protos.omo.v1 import common_pb2, dealers_pb2, orders_pb2
from services.use_cases.network.statements import Statement


def moment(field: str, stamp: Timestamp, present: bool, default: datetime) -> datetime:
    if not present:
        return default
    if not 0 <= stamp.nanos < 1_000_000_000 or not -62135596800 <= stamp.seconds <= 253402300799:
        raise InvalidInput(field, "is not a valid timestamp")
    return stamp.ToDatetime(tzinfo=timezone.utc)


def timestamp(us: int) -> Timestamp:
    stamp = Timestamp()
    stamp.FromMicroseconds(us)
    return stamp


def policy_terms(message: dealers_pb2.AttributionPolicy) -> PolicyTerms:
    fixed = message.fulfilment_fee_fixed
    return PolicyTerms.create(
        hq_share_bp=message.hq_share_bp, fulfilment_fee_bp=message.fulfilment_fee_bp,
        fulfilment_fee_fixed_cents=fixed.cents, assistant_commission_bp=message.assistant_commission_bp,
    )


def policy_message(brand_id: str, version: int, terms: PolicyTerms, currency: str = "CNY", note: str = "") -> dealers_pb2.AttributionPolicy:
    return dealers_pb2.AttributionPolicy(
        brand_id=brand_id, version=version, hq_share_bp=terms.hq_share_bp, fulfilment_fee_bp=terms.fulfilment_fee_bp,
        fulfilment_fee_fixed=common_pb2.Money(cents=terms.fulfilment_fee_fixed_cents, currency=currency),
        assistant_commission_bp=terms.assistant_commission_bp, note=note,
    )


def cloud_shop_message(shop: CloudShop, store: StoreProfile | None) -> dealers_pb2.CloudShop:
    message = dealers_pb2.CloudShop(
        cloud_shop_id=shop.cloud_shop_id, store_id=shop.store_id, name=shop.name, brand_id=shop.brand_id, active=shop.active,
    )
    if store is not None:
        message.dealer_id = store.dealer_id
        message.city = store.city
        message.location.CopyFrom(common_pb2.LatLng(latitude=store.location.latitude, longitude=store.location.longitude))
    return message


def assistant_messages(shop: CloudShop) -> list[dealers_pb2.ShopAssistant]:
    return [
        dealers_pb2.ShopAssistant(assistant_id=assistant_id, name=a["name"], share_code=a["share_code"])
        for assistant_id, a in sorted(shop.assistants.items())
    ]


def add_attribution(message: orders_pb2.Order, order: Order) -> None:
    """Fills the order's `sale` and `attributions`."""
    sale = order.sale
    message.sale.CopyFrom(orders_pb2.Sale(
        cloud_shop_id=sale["cloud_shop_id"], assistant_id=sale["assistant_id"], seller=sale["seller"],
        brand_id=sale["brand_id"], policy_version=sale["policy_version"],
    ))
    for store_id, attribution in order.attributions.items():
        message.attributions.append(orders_pb2.ShipmentAttribution(
            store_id=store_id, seller=attribution["seller"], fulfiller=attribution["fulfiller"],
            assistant=attribution["assistant"], brand_id=attribution["brand_id"], policy_version=attribution["policy_version"],
            lines=[
                orders_pb2.AttributedLine(
                    sku=sku, quantity=line["units"], total_cents=line["total_cents"],
                    seller_cents=line["parts"][SELLER_PART], fulfiller_cents=line["parts"][FULFILLER_PART],
                    hq_cents=line["parts"][HQ_PART], assistant_cents=line["parts"][ASSISTANT_PART],
                )
                for sku, line in attribution["lines"].items()
            ],
        ))


_ENTRY_KINDS = {SALE: dealers_pb2.ENTRY_SALE, HQ_SHARE: dealers_pb2.ENTRY_HQ_SHARE, FULFILMENT_FEE: dealers_pb2.ENTRY_FULFILMENT_FEE, COMMISSION: dealers_pb2.ENTRY_COMMISSION}


def statement_message(month: str, statement: Statement) -> dealers_pb2.GetStatementResponse:
    totals = statement.totals
    lines = []
    for line in statement.lines:
        stamp = Timestamp()
        stamp.FromDatetime(line.occurred_at)
        lines.append(dealers_pb2.StatementLine(
            occurred_at=stamp, order_id=line.order_id, sku=line.sku, store_id=line.store_id, kind=_ENTRY_KINDS[line.kind],
            reversal=line.reversal, counterparty=line.counterparty, amount_cents=line.amount_cents, entry_id=line.entry_id,
            return_id=line.return_id, adjusts_month=line.adjusts_month,
        ))
    freshness = statement.freshness
    return dealers_pb2.GetStatementResponse(
        dealer_id=statement.dealer_id, month=month, lines=lines, next_page_token=statement.next_page_token,
        totals=dealers_pb2.StatementTotals(
            gross_sales_cents=totals.gross_sales, returns_cents=totals.returns,
            fulfilment_fees_paid_cents=totals.fulfilment_fees_paid, fulfilment_fees_earned_cents=totals.fulfilment_fees_earned,
            hq_share_cents=totals.hq_share, assistant_commissions_cents=totals.assistant_commissions,
            net_payable_cents=totals.net_payable, entries=totals.lines,
        ),
        position=statement.as_of_position, lag_events=freshness.lag_events, lag_seconds=freshness.lag_ms / 1000,
        balances=[
            dealers_pb2.CounterpartyBalance(
                counterparty=b.counterparty, opening_cents=b.opening_cents, activity_cents=b.activity_cents,
                settled_cents=b.settled_cents, closing_cents=b.closing_cents,
            )
            for b in statement.balances
        ],
        settlements=[
            dealers_pb2.StatementSettlement(
                reference=s.reference, recorded_at=_stamp(s.occurred_at), counterparty=s.counterparty, amount_cents=s.amount_cents,
                adjusts_month=s.adjusts_month,
            )
            for s in statement.settlements
        ],
        closed=statement.closed,
    )


def _stamp(moment) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp

