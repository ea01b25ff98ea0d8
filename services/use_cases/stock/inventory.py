"""Use cases: stock coming into, going out of and being counted in stores."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from aggregates.movement import StockMovement
from aggregates.stock_position import StockPosition
from domain.errors import MovementIdReused, InvalidInput, SkuNotFound, StockPositionNotFound
from domain.values import MAX_STOCK_UNITS, available_units, checked_lines, identifier, optional_identifier, stock_units, text
from services.use_cases.application import OmoApplication
from services.use_cases.network.stores import require_store
from services.use_cases.ordering.backorders import move_uncovered_backorders, proceed_backorders



@dataclass(frozen=True)
class PositionView:
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    in_transit: int = 0  # shipped towards this store, not yet received
    expected: int = 0  # announced to come (expected receipts), not yet received
    # (reference, units still to come, expected at, us) of each; empty where only sums are read
    expected_receipts: tuple[tuple[str, int, int], ...] = ()
    claimed: int = 0  # incoming units backorders have claimed (0 where only sums are read)

    @property
    def available(self) -> int:
        return available_units(self.on_hand, self.reserved, self.safety_stock)

    @property
    def incoming(self) -> int:
        return self.in_transit + self.expected

    @classmethod
    def of(cls, position: StockPosition) -> PositionView:
        return cls(
            position.store_id, position.sku, position.on_hand, position.reserved, position.safety_stock, position.in_transit_units,
            position.expected_units,
            tuple((reference, r["quantity"], r["expected_at_us"]) for reference, r in sorted(position.expected.items())),
            position.claimed,
        )


def _fingerprint(kind: str, lines: list[dict]) -> str:
    return hashlib.sha256(json.dumps([kind, lines], sort_keys=True).encode()).hexdigest()


def _apply_movement(
    app: OmoApplication,
    store_id: str,
    movement_id: str,
    kind: str,
    lines: list[dict],
    change: Callable[[StockPosition, dict], None],
) -> tuple[list[PositionView], bool]:
    """Applies one movement to the positions it names in one atomic save. With a
    movement_id, the movement is recorded too, so a resend is recognised as a duplicate
    (and a different movement under a used id is refused). Returns (positions, duplicate)."""
    require_store(app, store_id)
    optional_identifier("movement_id", movement_id)
    fingerprint = _fingerprint(kind, lines)
    movement_aggregate_id = StockMovement.create_id(store_id, movement_id) if movement_id else None
    position_ids = [StockPosition.create_id(store_id, line["sku"]) for line in lines]

    def current_positions() -> list[PositionView]:
        return [PositionView.of(app.repository.get(i)) for i in position_ids]

    def duplicate_of(recorded: StockMovement) -> tuple[list[PositionView], bool]:
        if recorded.fingerprint != fingerprint:
            raise MovementIdReused(store_id, movement_id)
        return current_positions(), True

    def decide() -> tuple[list, tuple[list[PositionView], bool]]:
        if movement_aggregate_id and (recorded := app.find(movement_aggregate_id)):
            return [], duplicate_of(recorded)
        positions = []
        for line in lines:
            position = app.position_or_new(store_id, line["sku"])
            change(position, line)
            positions.append(position)
        changed: list = positions
        if movement_aggregate_id:
            changed = [*positions, StockMovement(store_id=store_id, movement_id=movement_id, kind=kind, lines=lines, fingerprint=fingerprint)]
        return changed, ([PositionView.of(p) for p in positions], False)

    return app.decide(position_ids + ([movement_aggregate_id] if movement_aggregate_id else []), decide)


def receive_stock(
    app: OmoApplication, store_id: str, lines: list[tuple[str, int]], movement_id: str = "", reference: str = "",
    final: bool = False,
) -> tuple[list[PositionView], bool]:
    """Goods received at a store: every line lands, or none does. With the `reference` of an
    expected receipt, each line's units are no longer to come under it and serve the
    backorders that claimed them, which then go ahead; `final`: nothing more will come under
    it, and the backorders the rest would have served are moved."""
    checked_lines(lines)
    optional_identifier("reference", reference)
    if final and not reference:
        raise InvalidInput("final", "closes an expected receipt: give its reference")
    records = [
        {"sku": sku, "quantity": quantity, **({"reference": reference} if reference else {}), **({"final": True} if final else {})}
        for sku, quantity in lines
    ]

    def receive(position: StockPosition, line: dict) -> None:
        position.receive(line["quantity"], movement_id, app.now_us())
        if reference:
            position.receipt_arrived(reference, line["quantity"], final=final)

    views, duplicate = _apply_movement(app, store_id, movement_id, "RECEIPT", records, receive)
    if reference and not duplicate and after_incoming_changed(app, store_id):
        views = [get_stock_position(app, store_id, view.sku) for view in views]
    return views, duplicate


def expect_receipt(
    app: OmoApplication, store_id: str, sku: str, quantity: int, expected_at_us: int, reference: str,
) -> tuple[PositionView, bool]:
    """Announces a receipt at the store (or changes it, or with quantity 0 cancels it) under
    the store's `reference` for it: `quantity` units of `sku` still to come at `expected_at_us`.
    Returns the position and whether anything changed."""
    identifier("sku", sku)
    identifier("reference", reference)
    stock_units("quantity", quantity, zero_allowed=True)
    if expected_at_us <= 0 and quantity:
        raise InvalidInput("expected_at", "is required: when the goods are expected at the store")
    changed: list[bool] = []
    positions, _ = _apply_movement(
        app, store_id, "", "EXPECTED_RECEIPT", [{"sku": sku, "quantity": quantity}],
        lambda position, line: changed.append(position.expect_receipt(reference, quantity, expected_at_us)),
    )
    if changed[-1] and after_incoming_changed(app, store_id):
        return get_stock_position(app, store_id, sku), True
    return positions[0], changed[-1]


def after_incoming_changed(app: OmoApplication, store_id: str) -> bool:
    """What a change to the store's incoming stock sets going: the backorders it served go
    ahead, those it no longer covers move (releasing what they held). Whether any moved."""
    proceed_backorders(app, store_id)
    return bool(move_uncovered_backorders(app, store_id))


def adjust_stock(app: OmoApplication, store_id: str, sku: str, delta: int, reason: str, movement_id: str = "") -> tuple[PositionView, bool]:
    identifier("sku", sku)
    text("reason", reason, required=True)
    if delta == 0:
        raise InvalidInput("delta", "must not be 0")
    if abs(delta) > MAX_STOCK_UNITS:
        raise InvalidInput("delta", f"must be within -{MAX_STOCK_UNITS} and {MAX_STOCK_UNITS}, got {delta}")
    positions, duplicate = _apply_movement(
        app, store_id, movement_id, "ADJUSTMENT", [{"sku": sku, "delta": delta, "reason": reason}],
        lambda position, line: position.adjust(delta, reason, movement_id, app.now_us()),
    )
    return positions[0], duplicate


def record_count(app: OmoApplication, store_id: str, sku: str, counted: int, movement_id: str = "") -> tuple[PositionView, bool]:
    identifier("sku", sku)
    stock_units("counted_quantity", counted, zero_allowed=True)
    positions, duplicate = _apply_movement(
        app, store_id, movement_id, "COUNT", [{"sku": sku, "counted": counted}],
        lambda position, line: position.count(counted, movement_id, app.now_us()),
    )
    return positions[0], duplicate


def set_safety_stock(app: OmoApplication, store_id: str, sku: str, quantity: int) -> PositionView:
    identifier("sku", sku)
    stock_units("quantity", quantity, zero_allowed=True)
    positions, _ = _apply_movement(
        app, store_id, "", "SAFETY_STOCK", [{"sku": sku, "quantity": quantity}],
        lambda position, line: position.set_safety_stock(quantity),
    )
    return positions[0]


def get_stock_position(app: OmoApplication, store_id: str, sku: str) -> PositionView:
    identifier("sku", sku)
    require_store(app, store_id)
    app.catch_up()  # another server may have changed it
    position_id = StockPosition.create_id(store_id, sku)
    position = app.find_settled(position_id)
    if position is None:
        raise StockPositionNotFound(store_id, sku)
    return PositionView.of(position)


def list_stock_positions(app: OmoApplication, sku: str, after_store_id: str, page_size: int) -> tuple[list[PositionView], str]:
    """One SKU across stores, ordered by store id, from the live index."""
    identifier("sku", sku)
    app.catch_up()
    if not app.index.knows_sku(sku):
        raise SkuNotFound(sku)
    store_ids = [s for s in app.index.store_ids_holding(sku) if s > after_store_id]
    page = []
    for store_id in store_ids[:page_size]:
        figures = app.index.stock[(store_id, sku)]
        page.append(PositionView(
            store_id, sku, figures.on_hand, figures.reserved, figures.safety_stock, figures.in_transit, figures.expected,
        ))
    more = len(store_ids) > page_size
    return page, (page[-1].store_id if more else "")
