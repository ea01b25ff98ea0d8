"""Use cases: placing, reading and cancelling online orders."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from opentelemetry import trace

from aggregates.order import CANCELLED, Order, shipment_record
from aggregates.pre_sale import PreSale
from aggregates.stock_position import StockPosition
from aggregates.transfer import Transfer
from domain.errors import Contention, DomainError, InvalidInput, NoStoreCanFulfil, OrderNotFound, SkuNotFound
from domain.dealers import checked_share_code
from domain.values import FulfilmentMode, GeoPoint, OrderLine, identifier, optional_identifier, order_lines, text, order_total
from routing.hours import local_time
from routing.decision import ONE_STORE, Decision, Shipment
from services.use_cases.application import MAX_ATTEMPTS, OmoApplication, RetryDecision, epoch_us
from services.use_cases.ports import Placed, Placement, Refused, Reroute
from services.use_cases.network.cloud_shops import sale_of
from services.use_cases.ordering.backorder_routing import backorder, checked_bound, transit_arrival, waiting_record
from services.use_cases.ordering.launches import active_launches
from services.use_cases.ordering.presales import checked_pre_order, pre_sale_taking_orders
from services.use_cases.ordering.selling import routing_request, sold_by
from services.use_cases.ordering.transfer_backing import awaiting_record, back_with_transfers, nearest_store_in_reach
from services.use_cases.ordering.slots import given_back, slot_ids

MAX_IDEMPOTENCY_KEY_LENGTH = 128
# the OpenTelemetry API alone: spans cost next to nothing unless a process sets up the SDK
tracer = trace.get_tracer("omo")
BACKORDER_NOTE = "no location could take it now: backordered, counting incoming stock expected by {}"


@dataclass(frozen=True)
class PlaceOrder:
    idempotency_key: str
    customer_id: str
    customer_location: GeoPoint
    lines: tuple[OrderLine, ...]
    mode: FulfilmentMode
    pickup_store_id: str = ""
    cloud_shop_id: str = ""  # where the customer shops; "" sells for HQ
    share_code: str = ""  # of the shop assistant who brought the customer, if any
    device_id: str = ""  # the device the checkout saw, if any: launch limits apply per device too
    # the customer accepts waiting for incoming stock until not_after when none is here now
    allow_backorder: bool = False
    not_after: datetime | None = None
    by: str = ""  # the caller placing it (not part of the request: a retry by another token is the same order)

    def __post_init__(self) -> None:
        optional_identifier("cloud_shop_id", self.cloud_shop_id)
        optional_identifier("device_id", self.device_id)
        if self.share_code:
            checked_share_code(self.share_code)
        identifier("idempotency_key", self.idempotency_key, max_length=MAX_IDEMPOTENCY_KEY_LENGTH)
        identifier("customer_id", self.customer_id)
        order_lines(list(self.lines))
        if self.mode is FulfilmentMode.PICKUP:
            identifier("pickup_store_id", self.pickup_store_id)
        elif self.pickup_store_id:
            raise InvalidInput("pickup_store_id", f"must be empty for {self.mode.value}: only PICKUP names a store")
        if self.allow_backorder and self.not_after is None:
            raise InvalidInput("not_after", "is required with allow_backorder: the latest moment the customer accepts the goods arriving")
        if self.not_after is not None and not self.allow_backorder:
            raise InvalidInput("not_after", "bounds a backorder: set allow_backorder too, or leave it empty")

    def fingerprint(self) -> str:
        """What makes two requests under one idempotency key the same request."""
        body = [
            self.customer_id,
            [self.customer_location.latitude, self.customer_location.longitude],
            [[l.sku, l.quantity, l.unit_price.cents, l.unit_price.currency] for l in self.lines],
            self.mode.value,
            self.pickup_store_id,
            *([self.cloud_shop_id, self.share_code] if self.cloud_shop_id or self.share_code else []),
            *([["device_id", self.device_id]] if self.device_id else []),  # absent: fingerprints as before
            *([["backorder", self.not_after.isoformat()]] if self.allow_backorder else []),
        ]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()

    def quantities(self) -> dict[str, int]:
        return {line.sku: line.quantity for line in self.lines}


def new_pickup_code() -> str:
    """Six digits the customer shows at the counter; only the order's holder learns them."""
    return f"{secrets.randbelow(1_000_000):06d}"


def place_order(app: OmoApplication, command: PlaceOrder) -> tuple[Order, bool]:
    """(order, replayed): `placed_order` as the library's callers use it."""
    placed = placed_order(app, command)
    return placed.order, placed.replayed


def placed_order(app: OmoApplication, command: PlaceOrder, see_own_order: bool = True) -> Placed:
    """Routes the order here and has the order writer reserve
    every line at the chosen stores and record it, in one atomic save with the batch it
    joins. Returns the writer's Placed: the order, whether the key had already placed it
    (replayed), and the launch quotas it filled.

    Routing reads this server's index as it is (the gate has just read the log); a store
    whose stock it overstated only costs a second decision. A refusal is only ever given on
    the log read to its head, and not to a retry of an order placed before: that gets the order.

    `see_own_order`: return only once this process's index has the order's events. The gRPC
    server passes False: its gate reads the log before every call, which gives the caller's
    next call the same, and a read per order is CPU the checkout path cannot spare."""
    passed_over: set[str] = set()  # stores whose stock the index overstated
    for _ in range(MAX_ATTEMPTS):
        try:
            with tracer.start_as_current_span("omo.route") as span:
                placement = _decided(app, command, passed_over)
                if span.is_recording():
                    span.set_attributes({"omo.fulfilment": placement.fulfilment, "omo.shipments": len(placement.shipments)})
        except DomainError:
            if _may_have_placed(app, command) and isinstance(found := app.order_writer.place(_lookup(command)), Placed):
                return _acknowledged(app, found, see_own_order)
            raise
        outcome = app.order_writer.place(placement)
        if isinstance(outcome, Reroute):
            passed_over |= outcome.store_ids
            app.catch_up()
            continue
        if isinstance(outcome, Refused):
            raise outcome.error
        return _acknowledged(app, outcome, see_own_order)
    raise Contention("the stock involved is changing too fast; retry the request")


def _decided(app: OmoApplication, command: PlaceOrder, passed_over: set[str]) -> Placement:
    """The order as this server decides it: where it is sold, where it goes, what it reserves.
    Refused only after reading the log to its head: what was missing may have just arrived
    (stock received, a store or a SKU registered, a launch set, at another server)."""
    try:
        return _decide(app, command, passed_over)
    except DomainError:
        known = app.index.position
        app.catch_up()  # may be a read another caller started after this one arrived: shared
        if app.index.position == known:
            raise
        return _decide(app, command, passed_over)


def _may_have_placed(app: OmoApplication, command: PlaceOrder) -> bool:
    """Whether an order may exist under the key of a refused command, which a retry must get
    back. The refusal came after reading the log from after the command arrived, so an order
    placed before it is in the index; one still being placed is in this server's writer
    link. Only then is the order writer asked (a round trip the refusals of a sold-out
    launch, most of its traffic, do without)."""
    order_id = Order.create_id(command.idempotency_key)
    return order_id in app.index.placed_orders or app.order_writer.placing(order_id)


def _decide(app: OmoApplication, command: PlaceOrder, passed_over: set[str]) -> Placement:
    for sku in command.quantities():
        if not app.index.knows_sku(sku):
            raise SkuNotFound(sku)
    now = app.clock()
    if (pre_sale := pre_sale_taking_orders(app, command.quantities(), now)) is not None:
        # a pre-order: it takes units of the pre-sale, and no stock anywhere until it is planned
        checked = checked_pre_order(app, pre_sale, command.lines, command.mode, command.pickup_store_id)
        return replace(_ordered(app, command, now, sale_of(app, command.cloud_shop_id, command.share_code)), pre_sale=checked)
    if command.allow_backorder:
        checked_bound(command.not_after, now)
    sale = sale_of(app, command.cloud_shop_id, command.share_code)
    where = _where(app, command, now, passed_over, sold_by(sale))
    decision, shipments = where.decision, where.shipments
    return replace(
        _ordered(app, command, now, sale),
        shipments=shipments,
        fulfilment=decision.fulfilment,
        explanation=where.explanation,
        wanted=where.wanted,
        claims=where.claims,
        not_after_us=epoch_us(command.not_after) if where.claims else 0,
        transit_arrives_us=transit_arrival(app, now) if where.claims else 0,
        transfers=where.transfers,
        slots=slot_limits(app, shipments),
    )


def _ordered(app: OmoApplication, command: PlaceOrder, now: datetime, sale: dict) -> Placement:
    """The order as the customer placed it, sold as `sale` says, before where it goes."""
    return replace(
        _lookup(command),
        customer_id=command.customer_id,
        customer_location=command.customer_location,
        lines=command.lines,
        mode=command.mode,
        pickup_store_id=command.pickup_store_id,
        total=order_total(command.lines),
        placed_at_us=epoch_us(now),
        pickup_code=new_pickup_code() if command.mode is FulfilmentMode.PICKUP else "",
        sale=sale,
        device_id=command.device_id,  # the writer claims launch limits per customer and per device
        launches=tuple(active_launches(app, command.quantities(), now)),
        by=command.by,
    )


@dataclass(frozen=True)
class _Where:
    """Where the order goes: the decision, the shipments as recorded, the units reserved and
    claimed by (store, sku), the transfers that send units, and the explanation."""

    decision: Decision
    shipments: list[dict]
    wanted: dict[tuple[str, str], int]
    explanation: dict
    claims: dict[tuple[str, str], int] = field(default_factory=dict)
    transfers: list[dict] = field(default_factory=list)


def _where(app: OmoApplication, command: PlaceOrder, now: datetime, passed_over: set[str], seller: str) -> _Where:
    """Routed as usual; when no location can take it, from a store backed by transfers (the
    PICKUP store, or the DELIVERY customer's nearest when the policy prefers it), else against
    incoming stock when the customer allows a backorder."""
    quantities, mode = command.quantities(), command.mode
    via_nearest = mode is FulfilmentMode.DELIVERY and app.routing.delivery_via_nearest_store
    try:
        decision = route(app, command.customer_location, quantities, mode, command.pickup_store_id, now, passed_over, seller)
        refusal = None
    except NoStoreCanFulfil as error:
        decision, refusal = None, error
    if refusal is not None or (via_nearest and decision.fulfilment != ONE_STORE):
        backed_at = command.pickup_store_id if mode is FulfilmentMode.PICKUP else nearest_store_in_reach(app, command.customer_location) if via_nearest else None
        if backed_at:
            try:
                backing = back_with_transfers(
                    app, Order.create_id(command.idempotency_key), command.customer_location, quantities, mode, backed_at, now, passed_over,
                    seller,
                )
                record = awaiting_record(app, shipment_record_of(app, backing.decision.shipments[0], now), backing, mode, now)
                return _Where(
                    backing.decision, [record], backing.wanted, explanation_record(backing.decision, sources=backing.sources),
                    transfers=backing.transfers,
                )
            except NoStoreCanFulfil as error:
                refusal = NoStoreCanFulfil(f"{refusal}; {error}") if refusal is not None else None
    if refusal is None:
        shipments = [shipment_record_of(app, shipment, now) for shipment in decision.shipments]
        return _Where(decision, shipments, units_by_position(decision), explanation_record(decision))
    if not command.allow_backorder:
        raise refusal
    waiting = backorder(app, command.customer_location, quantities, mode, command.pickup_store_id, now, command.not_after, passed_over, seller)
    shipments = [
        waiting_record(app, record, waiting.awaiting[store], waiting.arrivals[store], command.not_after, mode)
        if (store := record["store_id"]) in waiting.awaiting else record
        for record in (shipment_record_of(app, shipment, now) for shipment in waiting.decision.shipments)
    ]
    note = BACKORDER_NOTE.format(command.not_after.isoformat()) if waiting.claims else ""
    return _Where(waiting.decision, shipments, waiting.wanted, explanation_record(waiting.decision, note), claims=waiting.claims)


def route(
    app: OmoApplication, customer_location: GeoPoint, quantities: dict[str, int], mode: FulfilmentMode,
    pickup_store_id: str, now: datetime, passed_over: Collection[str] = (), seller: str = "",
) -> Decision:
    """Where the order would go now, and its promise: for placing it and for quoting it.
    `seller`: the dealer whose cloud shop sells it ("" for HQ)."""
    for sku in quantities:
        if app.index.sold_out(sku):
            raise NoStoreCanFulfil(f"sku {sku!r} is sold out: no store or warehouse has a unit available")
    request = routing_request(app, customer_location, quantities, mode, pickup_store_id, now, seller)
    return app.routing.choose(request, app.index.directory(), app.index.available, app.index.taken(), passed_over)


def _lookup(command: PlaceOrder) -> Placement:
    """Only the key and what it was for: the writer answers with the order placed under it."""
    return Placement(
        order_id=Order.create_id(command.idempotency_key), idempotency_key=command.idempotency_key,
        fingerprint=command.fingerprint(),
    )


def _acknowledged(app: OmoApplication, placed: Placed, see_own_order: bool) -> Placed:
    """With see_own_order, once this process's index has the order's events."""
    if see_own_order and app.index.position < placed.position:
        app.catch_up()
    return placed


def units_by_position(decision: Decision) -> dict[tuple[str, str], int]:
    """(store, sku) -> the units the decision takes there."""
    return {(s.allocation.store_id, sku): units for s in decision.shipments for sku, units in s.quantities.items()}


def shipment_record_of(app: OmoApplication, shipment: Shipment, now) -> dict:
    allocation = shipment.allocation
    site = app.index.directory().get(allocation.store_id)
    return shipment_record(
        store_id=allocation.store_id,
        distance_m=allocation.distance_m,
        store_day=local_time(allocation.scheduled_for or now, site.time_zone).date().isoformat(),
        lines=dict(shipment.quantities),
        scheduled_for=allocation.scheduled_for.isoformat() if allocation.scheduled_for else "",
        promised_by=allocation.promised_by.isoformat() if allocation.promised_by else "",
        slot=allocation.slot.isoformat() if allocation.slot else "",
    )


def slot_limits(app: OmoApplication, shipments: list[dict]) -> dict[tuple[str, str], int]:
    """(store, slot) -> the store's hourly limit, for the shipments at stores with one."""
    sites = app.index.directory().sites
    return {
        (s["store_id"], s["slot"]): sites[s["store_id"]].hourly_slot_capacity
        for s in shipments if s["slot"] and sites[s["store_id"]].hourly_slot_capacity
    }


def explanation_record(decision: Decision, note: str = "", sources: list[list] | None = None) -> dict:
    """The decision's reasons as event data: plain JSON types only. `note`: added to the
    decision's own search note; `sources`: the stores considered to send units by transfer
    ([store, metres, code, reason])."""
    record = {
        "passed_over": [[p.store_id, p.distance_m, p.code, p.reason] for p in decision.passed_over],
        "omitted": decision.omitted,
        "search_note": "; ".join(n for n in (decision.search_note, note) if n),
    }
    if sources:
        record["transfer_sources"] = sources
    return record


def order_uuid(order_id: str) -> UUID:
    try:
        return UUID(order_id)
    except ValueError:
        raise InvalidInput("order_id", f"must be an order id as returned by PlaceOrder, got {order_id!r}") from None


def get_order(app: OmoApplication, order_id: str) -> Order:
    """The order as it stands, also after another server's change."""
    app.catch_up()
    return load_order(app, order_id)


def load_order(app: OmoApplication, order_id: str) -> Order:
    """The order as this process knows it, for a use case about to change it: a copy
    another server has outdated only costs a version conflict and a retry."""
    order = app.find(order_uuid(order_id))
    if not isinstance(order, Order):
        raise OrderNotFound(order_id)
    return order


def reserved_position_ids(order: Order, store_id: str | None = None) -> list[UUID]:
    """The stock positions holding the order's reservations (at one store, or all), with, for
    all, those of the stores sending it units by transfer."""
    holding = [s for s in order.holding_reservations() if store_id in (None, s["store_id"])]
    return [StockPosition.create_id(s["store_id"], sku) for s in holding for sku in s["lines"]] + (
        source_position_ids(holding) if store_id is None else []
    )


def source_position_ids(shipments: list[dict]) -> list[UUID]:
    """The positions of the stores sending the shipments' units by transfer."""
    return [
        StockPosition.create_id(t["from_store_id"], sku) for s in shipments for t in s.get("transfers", ()) for sku in t["lines"]
    ]


def transfers_to_cancel(app: OmoApplication, shipments: list[dict], reason: str) -> list[Transfer]:
    """The transfers sending the shipments' units, cancelled where not yet shipped: what changed."""
    cancelled = []
    for transfer_id in [t["transfer_id"] for s in shipments for t in s.get("transfers", ())]:
        transfer = app.repository.get(Transfer.create_id(transfer_id))
        if transfer.cancel(reason):
            cancelled.append(transfer)
    return cancelled


def cancel_order(app: OmoApplication, order_id: str, reason: str, only_if_unpaid: bool = False, by: str = "") -> Order:
    """Cancels the order and releases its reservations in one atomic save; allowed until a
    store has picked it. Cancelling a cancelled order returns it unchanged. With
    only_if_unpaid, an order paid meanwhile is left as it is."""
    aggregate_id = order_uuid(order_id)
    text("reason", reason)

    def plan() -> tuple[list[UUID], list[UUID]]:
        order = load_order(app, order_id)
        position_ids = reserved_position_ids(order)
        transfer_ids = [Transfer.create_id(t["transfer_id"]) for s in order.holding_reservations() for t in s.get("transfers", ())]
        pre_sale_ids = [PreSale.create_id(order.pre_sale["sku"])] if order.pre_sale else []
        return [aggregate_id, *position_ids, *slot_ids(order.holding_reservations()), *transfer_ids, *pre_sale_ids], position_ids

    def decide(position_ids: list[UUID]) -> tuple[list, Order]:
        order = load_order(app, order_id)
        if order.status == CANCELLED or (only_if_unpaid and order.paid):
            return [], order
        if reserved_position_ids(order) != position_ids:
            raise RetryDecision  # the order moved since its positions were chosen
        # a store sent units by transfer may hold no position of them before they arrive
        positions = [p for i in position_ids if (p := app.find(i)) is not None]
        slots = given_back(app, order.order_id, order.holding_reservations())
        transfers = transfers_to_cancel(app, order.holding_reservations(), f"order cancelled: {reason}")
        pre_sale = app.find(PreSale.create_id(order.pre_sale["sku"])) if order.pre_sale else None
        order.cancel(reason, by=by)
        for position in positions:
            position.release(order.order_id, reason)
        if pre_sale is not None:
            pre_sale.release(order.order_id, reason)
        return [order, *positions, *slots, *transfers, *([pre_sale] if pre_sale else [])], order

    return app.decide_planned(plan, decide)
