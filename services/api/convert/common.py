"""Protobuf messages <-> domain values. Validation errors name the request field."""

from __future__ import annotations

import base64
import binascii

from aggregates.order import Order
from domain.errors import InvalidInput
from domain.stores import STORE, WAREHOUSE, WEEKDAYS, DailyHours, StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from routing.decision import EXPRESS, ONE_STORE, SPLIT
from protos.omo.v1 import common_pb2, inventory_pb2, orders_pb2, stores_pb2
from services.api.convert.dealers import add_attribution, timestamp
from services.use_cases.stock.inventory import PositionView
from services.use_cases.ordering.order_history import HistoryEntry
from services.use_cases.ordering.quotes import Quote

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def location(field: str, message: common_pb2.LatLng, present: bool) -> GeoPoint:
    if not present:
        raise InvalidInput(field, "is required")
    return GeoPoint.parse(field, message.latitude, message.longitude)


def lat_lng(point: GeoPoint) -> common_pb2.LatLng:
    return common_pb2.LatLng(latitude=point.latitude, longitude=point.longitude)


# --- paging -------------------------------------------------------------------------------

def page_size(value: int) -> int:
    if value == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInput("page_size", f"must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


_TOKEN_PREFIX = "after:"


def encode_page_token(last_id: str) -> str:
    return base64.urlsafe_b64encode((_TOKEN_PREFIX + last_id).encode()).decode() if last_id else ""


def decode_page_token(token: str) -> str:
    """The id to continue after; "" for the first page."""
    if not token:
        return ""
    try:
        decoded = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.startswith(_TOKEN_PREFIX):
        raise InvalidInput("page_token", "is not a token from a previous response")
    return decoded[len(_TOKEN_PREFIX) :]


# --- stores -------------------------------------------------------------------------------

def store_profile(request: stores_pb2.UpsertStoreRequest) -> StoreProfile:
    hours = []
    for i, day in enumerate(request.opening_hours):
        if not 1 <= day.weekday <= 7:
            raise InvalidInput(f"opening_hours[{i}].weekday", "must be MONDAY to SUNDAY")
        hours.append(DailyHours(WEEKDAYS[day.weekday - 1], day.opens, day.closes))
    return StoreProfile.create(
        store_id=request.store_id,
        name=request.name,
        location=location("location", request.location, request.HasField("location")),
        province=request.province,
        city=request.city,
        dealer_id=request.dealer_id,
        opening_hours=hours,
        time_zone=request.time_zone,
        delivery_radius_km=request.delivery_radius_km,
        daily_order_capacity=request.daily_order_capacity,
        active=request.active if request.HasField("active") else True,
        kind=WAREHOUSE if request.kind == stores_pb2.WAREHOUSE else STORE,
        preparation_minutes=request.preparation_minutes,
        hourly_slot_capacity=request.hourly_slot_capacity,
    )


def store_message(profile: StoreProfile) -> stores_pb2.Store:
    return stores_pb2.Store(
        store_id=profile.store_id,
        name=profile.name,
        location=lat_lng(profile.location),
        province=profile.province,
        city=profile.city,
        dealer_id=profile.dealer_id,
        opening_hours=[
            stores_pb2.DailyHours(weekday=WEEKDAYS.index(d.weekday) + 1, opens=d.opens, closes=d.closes)
            for d in profile.opening_hours
        ],
        time_zone=profile.time_zone,
        delivery_radius_km=profile.delivery_radius_km,
        daily_order_capacity=profile.daily_order_capacity,
        active=profile.active,
        kind=stores_pb2.WAREHOUSE if profile.kind == WAREHOUSE else stores_pb2.STORE,
        preparation_minutes=profile.preparation_minutes,
        hourly_slot_capacity=profile.hourly_slot_capacity,
    )


# --- stock --------------------------------------------------------------------------------

def position_message(view: PositionView) -> inventory_pb2.StockPosition:
    return inventory_pb2.StockPosition(
        store_id=view.store_id,
        sku=view.sku,
        on_hand=view.on_hand,
        reserved=view.reserved,
        safety_stock=view.safety_stock,
        available=view.available,
        in_transit=view.in_transit,
        expected=view.expected,
        incoming=view.incoming,
        expected_receipts=[
            inventory_pb2.ExpectedReceipt(reference=reference, quantity=quantity, expected_at=timestamp(at_us))
            for reference, quantity, at_us in view.expected_receipts
        ],
        claimed=view.claimed,
    )


# --- orders -------------------------------------------------------------------------------

_MODES = {common_pb2.DELIVERY: FulfilmentMode.DELIVERY, common_pb2.PICKUP: FulfilmentMode.PICKUP, common_pb2.EXPRESS: FulfilmentMode.EXPRESS}
_FULFILMENTS = {ONE_STORE: orders_pb2.FULFILMENT_ONE_STORE, SPLIT: orders_pb2.FULFILMENT_SPLIT, EXPRESS: orders_pb2.FULFILMENT_EXPRESS}


def fulfilment_mode(value: int) -> FulfilmentMode:
    if value not in _MODES:
        raise InvalidInput("fulfilment_mode", "must be DELIVERY, PICKUP or EXPRESS")
    return _MODES[value]


def money(field: str, message: common_pb2.Money, present: bool) -> Money:
    if not present:
        raise InvalidInput(field, "is required")
    try:
        return Money(message.cents, message.currency)
    except InvalidInput as error:
        raise InvalidInput(f"{field}.{error.field}", str(error).split(": ", 1)[1]) from None


def order_lines(lines) -> list[OrderLine]:
    result = []
    for i, line in enumerate(lines):
        if not line.HasField("unit_price"):
            raise InvalidInput(f"lines[{i}].unit_price", "is required")
        try:
            price = Money(line.unit_price.cents, line.unit_price.currency)
        except InvalidInput as error:
            raise InvalidInput(f"lines[{i}].unit_price.{error.field}", str(error).split(": ", 1)[1]) from None
        result.append(OrderLine(line.sku, line.quantity, price))
    return result


def order_message(order: Order) -> orders_pb2.Order:
    message = orders_pb2.Order(
        order_id=order.order_id,
        idempotency_key=order.idempotency_key,
        customer_id=order.customer_id,
        customer_location=common_pb2.LatLng(latitude=order.customer_location[0], longitude=order.customer_location[1]),
        lines=[
            orders_pb2.OrderLine(
                sku=l["sku"], quantity=l["quantity"],
                unit_price=common_pb2.Money(cents=l["unit_price_cents"], currency=l["currency"]),
            )
            for l in order.lines
        ],
        fulfilment_mode=common_pb2.FulfilmentMode.Value(order.fulfilment_mode),
        pickup_store_id=order.pickup_store_id,
        total=common_pb2.Money(cents=order.total_cents, currency=order.currency),
        status=orders_pb2.OrderStatus.Value(order.status),
        cancel_reason=order.cancel_reason,
        placed_at=order.created_on.isoformat(),
        payment_id=order.payment_id,
        pickup_code=order.pickup_code,
        reroutes=[
            orders_pb2.Reroute(from_store_id=r["store_id"], cause=r["cause"], reason=r["reason"], to_store_ids=r["to"])
            for r in order.reroutes
        ],
    )
    refunded = 0
    for return_id, record in order.returns.items():
        lines = []
        for line in record["lines"]:
            refunded += line["refund_cents"]
            lines.append(orders_pb2.ReturnedLine(
                sku=line["sku"], quantity=line["quantity"], refund=common_pb2.Money(cents=line["refund_cents"], currency=order.currency),
            ))
        message.returns.append(orders_pb2.OrderReturn(return_id=return_id, store_id=record["store_id"], lines=lines))
    message.refunded.CopyFrom(common_pb2.Money(cents=refunded, currency=order.currency))
    for key, record in order.line_cancellations.items():
        message.line_cancellations.append(orders_pb2.LineCancellation(
            idempotency_key=key, lines=[orders_pb2.ShipmentLine(sku=l["sku"], quantity=l["quantity"]) for l in record["lines"]],
            refund=common_pb2.Money(cents=record["refund_cents"], currency=order.currency), reason=record["reason"],
        ))
    if order.pre_sale:
        message.pre_order.CopyFrom(orders_pb2.PreOrder(sku=order.pre_sale["sku"], ships_from=order.pre_sale["ships_from"]))
    _add_shipments(message, order)
    add_attribution(message, order)
    return message


def _add_shipments(message, order: Order) -> None:
    """Fills `shipments`, `fulfilment` and, when one location has it all, `allocation`."""
    message.shipments.extend(
        orders_pb2.Shipment(
            store_id=s["store_id"], distance_m=s["distance_m"], scheduled_for=s["scheduled_for"],
            lines=[orders_pb2.ShipmentLine(sku=sku, quantity=units) for sku, units in s["lines"].items()],
            status=orders_pb2.ShipmentStatus.Value("SHIPMENT_" + s.get("status", "ALLOCATED")),
            promised_by=s.get("promised_by", ""), slot=s.get("slot", ""),
            awaiting=[orders_pb2.ShipmentLine(sku=sku, quantity=units) for sku, units in s.get("awaiting", {}).items()],
            not_after=s.get("not_after", ""),
            transfers=[
                orders_pb2.ShipmentTransfer(
                    transfer_id=t["transfer_id"], from_store_id=t["from_store_id"],
                    lines=[orders_pb2.ShipmentLine(sku=sku, quantity=units) for sku, units in t["lines"].items()],
                )
                for t in s.get("transfers", ())
            ],
        )
        for s in order.shipments
    )
    if order.fulfilment:
        message.fulfilment = _FULFILMENTS[order.fulfilment]
    if order.store_id:
        message.allocation.CopyFrom(
            orders_pb2.Allocation(
                store_id=order.store_id, distance_m=order.distance_m, scheduled_for=order.scheduled_for,
                promised_by=order.shipments[0].get("promised_by", ""),
            )
        )


def explanation_message(order: Order) -> orders_pb2.ExplainAllocationResponse:
    explanation = order.explanation
    message = orders_pb2.ExplainAllocationResponse(
        order_id=order.order_id,
        passed_over=[
            orders_pb2.PassedOverStore(store_id=store_id, distance_m=distance_m, reason_code=code, reason=reason)
            for store_id, distance_m, code, reason in explanation.get("passed_over", [])
        ],
        omitted=explanation.get("omitted", 0),
        search_note=explanation.get("search_note", ""),
        transfer_sources=[
            orders_pb2.PassedOverStore(store_id=store_id, distance_m=distance_m, reason_code=code, reason=reason)
            for store_id, distance_m, code, reason in explanation.get("transfer_sources", [])
        ],
    )
    _add_shipments(message, order)
    return message


def history_message(order_id: str, entries: list[HistoryEntry]) -> orders_pb2.GetOrderHistoryResponse:
    response = orders_pb2.GetOrderHistoryResponse(order_id=order_id)
    for entry in entries:
        message = response.entries.add(
            version=entry.version, step=entry.step, store_id=entry.store_id, caller_role=entry.caller_role,
            caller_token_id=entry.caller_token_id, summary=entry.summary,
        )
        message.at.FromDatetime(entry.at)
    return response


def quote_messages(quotes: list[Quote]) -> orders_pb2.QuoteDeliveryResponse:
    response = orders_pb2.QuoteDeliveryResponse()
    modes = {mode: value for value, mode in _MODES.items()}
    for quote in quotes:
        message = response.quotes.add(mode=modes[quote.mode], available=quote.decision is not None, reason=quote.reason)
        if quote.decision is None:
            continue
        message.fulfilment = _FULFILMENTS[quote.decision.fulfilment]
        for shipment in quote.decision.shipments:
            allocation = shipment.allocation
            message.shipments.add(
                store_id=allocation.store_id, distance_m=allocation.distance_m,
                lines=[orders_pb2.ShipmentLine(sku=sku, quantity=units) for sku, units in shipment.quantities.items()],
                promised_by=_rfc3339(allocation.promised_by), slot=_rfc3339(allocation.slot),
                scheduled_for=_rfc3339(allocation.scheduled_for),
            )
        promises = [s.allocation.promised_by for s in quote.decision.shipments if s.allocation.promised_by]
        message.promised_by = _rfc3339(max(promises)) if promises else ""
    return response


def _rfc3339(moment) -> str:
    return moment.isoformat() if moment is not None else ""
