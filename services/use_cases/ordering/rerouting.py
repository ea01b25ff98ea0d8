"""Use case: moving an order's shipment away from a store that cannot fulfil it any more
(the counter sold its reserved units, or the staff rejected it).

The shipment's units are routed again with the usual rules from the customer's location,
never to a location already in the order; the new reservations, the release at the old
store and the OrderRerouted event are one atomic save. When nothing can take it the
shipment is flagged UNFULFILLABLE for customer service (the event says why) and its units
released. A PICKUP order is never moved (the customer chose the store): it is flagged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from aggregates.order import Order
from aggregates.stock_position import StockPosition, reserve_all
from aggregates.transfer import Transfer
from domain.errors import DomainError, NoStoreCanFulfil, OrderNotFound
from domain.values import FulfilmentMode, GeoPoint
from routing.decision import Decision
from services.use_cases.ordering.selling import routing_request, sold_by
from services.use_cases.application import OmoApplication, RetryDecision
from services.use_cases.ordering.orders import (
    explanation_record, shipment_record_of, slot_limits, source_position_ids, transfers_to_cancel, units_by_position,
)
from services.use_cases.ordering.slots import given_back, slot_ids, taken

STOCK_LOST = "STOCK_LOST"  # the store sold (or damaged, or counted short) reserved units
REJECTED_BY_STORE = "REJECTED_BY_STORE"
log = logging.getLogger("omo.reroute")


@dataclass(frozen=True)
class MoveOutcome:
    order_id: str
    from_store_id: str
    to_store_ids: tuple[str, ...]  # empty when flagged
    flagged: bool
    reason: str


@dataclass(frozen=True)
class _Move:
    """What a reroute read before taking the locks: the shipment, where it goes, and the stock
    positions it leaves and takes."""

    shipment: dict
    decision: Decision | str
    old_ids: list[UUID]
    wanted: dict[tuple[str, str], int]
    new_ids: dict[tuple[str, str], UUID]


def _route_elsewhere(app: OmoApplication, order: Order, lines: dict[str, int], avoid: set[str]) -> Decision | str:
    """A decision for the lines, or why there is none."""
    if order.fulfilment_mode == FulfilmentMode.PICKUP.value:
        return "a PICKUP order stays at the store the customer chose"
    mode = FulfilmentMode.EXPRESS if order.fulfilment_mode == FulfilmentMode.EXPRESS.value else FulfilmentMode.DELIVERY
    request = routing_request(app, GeoPoint(*order.customer_location), lines, mode, now=app.clock(), seller=sold_by(order.sale))
    try:
        return app.routing.choose(request, app.index.directory(), app.index.available, app.index.taken(), excluded=avoid)
    except NoStoreCanFulfil as refusal:
        return str(refusal)


def reroute_shipment(
    app: OmoApplication, order_id: str, from_store_id: str, cause: str, reason: str, by: str = "",
) -> MoveOutcome | None:
    """Moves the order's shipment from `from_store_id`; None when there is nothing to move
    any more (picked, cancelled or moved meanwhile)."""
    aggregate_id = UUID(order_id)
    passed_over: set[str] = set()  # stores whose stock the index overstated

    def plan() -> tuple[list[UUID], _Move | None]:
        order = app.find(aggregate_id)
        if not isinstance(order, Order):
            raise OrderNotFound(order_id)
        if from_store_id not in order.store_ids:
            return [], None  # moved meanwhile
        shipment = order.shipment_from(from_store_id)
        if shipment not in order.holding_reservations():
            return [], None
        lines = dict(shipment["lines"])
        # never back to a location in the order, or one it already left
        # (nor to a store sending it units by transfer)
        sources = {t["from_store_id"] for t in shipment.get("transfers", ())}
        avoid = set(order.store_ids) | {r["store_id"] for r in order.reroutes} | sources | passed_over
        decision = _route_elsewhere(app, order, lines, avoid)
        old_ids = [StockPosition.create_id(from_store_id, sku) for sku in lines] + source_position_ids([shipment])
        wanted = units_by_position(decision) if isinstance(decision, Decision) else {}
        new_ids = {key: StockPosition.create_id(*key) for key in wanted}
        slots = slot_ids([shipment])
        transfers = [Transfer.create_id(t["transfer_id"]) for t in shipment.get("transfers", ())]
        return [aggregate_id, *old_ids, *new_ids.values(), *slots, *transfers], _Move(shipment, decision, old_ids, wanted, new_ids)

    def decide(move: _Move | None) -> tuple[list, MoveOutcome | None]:
        if move is None:
            return [], None
        order = app.repository.get(aggregate_id)
        if from_store_id not in order.store_ids or order.shipment_from(from_store_id) != move.shipment or move.shipment not in order.holding_reservations():
            raise RetryDecision  # the order changed since it was routed: look again
        # a store awaiting units by transfer may hold no position of them yet
        old = [p for i in move.old_ids if (p := app.find(i)) is not None]
        freed = given_back(app, order.order_id, [move.shipment])
        freed += transfers_to_cancel(app, [move.shipment], f"order {order.order_id} moved: {reason}")
        decision = move.decision
        if not isinstance(decision, Decision):
            order.flag_unfulfillable(from_store_id, cause, f"{reason}; no other location can take it: {decision}", by=by)
            for position in old:
                position.release(order.order_id, reason)
            return [order, *old, *freed], MoveOutcome(order.order_id, from_store_id, (), True, reason)
        shipments = [shipment_record_of(app, s, app.clock()) for s in decision.shipments]
        new_slots, full = taken(app, order.order_id, slot_limits(app, shipments))
        if full:
            raise RetryDecision  # filled since routing counted them: a retry reads the log first
        new = {key: app.repository.get(i) for key, i in move.new_ids.items()}
        if short := reserve_all(new, order.order_id, move.wanted):
            passed_over.update(short)  # the index overstated their stock: route without them
            raise RetryDecision
        for position in old:
            position.release(order.order_id, f"moved to another location: {reason}")
        order.reroute(from_store_id, cause, reason, shipments, decision.fulfilment, explanation_record(decision), by=by)
        moved_to = tuple(s.allocation.store_id for s in decision.shipments)
        return [order, *old, *new.values(), *freed, *new_slots], MoveOutcome(order.order_id, from_store_id, moved_to, False, reason)

    return app.decide_planned(plan, decide)


def move_losing_orders(app: OmoApplication, store_id: str | None, cause: str, reason: str) -> list[MoveOutcome]:
    """Reroutes every order whose reserved units the counter sold, at one store or (None)
    at all: newest reservation first was chosen when the sale was recorded."""
    app.catch_up()
    losing = sorted((s, order_id) for s, order_id in app.index.losing_units if store_id in (None, s))
    return move_shipments(app, [(_shipment_store(app, s, order_id), order_id) for s, order_id in losing], cause, lambda _: reason)


def _shipment_store(app: OmoApplication, store_id: str, order_id: str) -> str:
    """The store of the order's shipment holding units at `store_id`: itself, or the store it
    sends units to by transfer for the order (that shipment moves when the source loses them)."""
    order = app.find(UUID(order_id))
    if isinstance(order, Order) and store_id not in order.store_ids:
        for shipment in order.holding_reservations():
            if any(t["from_store_id"] == store_id for t in shipment.get("transfers", ())):
                return shipment["store_id"]
    return store_id


def move_shipments(app: OmoApplication, moves: Iterable[tuple[str, str]], cause: str, reason: Callable[[str], str]) -> list[MoveOutcome]:
    """Reroutes each (store, order)'s shipment, for `reason(store)`: what moved or was flagged."""
    moved = []
    for from_store, order_id in moves:
        try:
            outcome = reroute_shipment(app, order_id, from_store, cause, reason(from_store))
        except DomainError:
            # the stock change is committed whatever happens here; housekeeping tries again
            log.exception("could not move order %s off store %s", order_id, from_store)
            continue
        if outcome is not None:
            moved.append(outcome)
    return moved
