"""Use case: what each fulfilment mode would give the customer now, before the checkout
places anything: the location, the promise, or why not.

The same routing as placing the order, on the same index, reserving nothing: an order
placed at once after its quote goes to the same stores with the same promise, unless stock or
slots changed meanwhile (another order took them)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInput, NoStoreCanFulfil, SkuNotFound
from domain.values import MAX_LINE_QUANTITY, MAX_ORDER_LINES, FulfilmentMode, GeoPoint, identifier, optional_identifier
from routing.decision import Decision
from services.use_cases.application import OmoApplication
from services.use_cases.ordering.orders import route
from services.use_cases.ordering.presales import pre_sale_taking_orders

@dataclass(frozen=True)
class Quote:
    mode: FulfilmentMode
    decision: Decision | None  # None: the mode cannot serve the order now
    reason: str = ""


def quote_delivery(
    app: OmoApplication, customer_location: GeoPoint, quantities: list[tuple[str, int]], modes: list[FulfilmentMode],
    pickup_store_id: str = "",
) -> list[Quote]:
    """One quote per mode asked for (every mode when none), in that order."""
    wanted = _checked_lines(quantities)
    optional_identifier("pickup_store_id", pickup_store_id)
    for sku in wanted:
        if not app.index.knows_sku(sku):
            raise SkuNotFound(sku)
    now = app.clock()
    quotes = []
    if (pre_sale := pre_sale_taking_orders(app, wanted, now)) is not None:
        # no location has it yet: where it goes is decided when the pre-sale is planned
        reason = (f"sku {pre_sale.sku!r} is on pre-sale until {pre_sale.orders_until.isoformat()}: PlaceOrder makes a "
                  f"pre-order, shipped from {pre_sale.ships_from.isoformat()} by the location chosen when the pre-sale is planned")
        return [Quote(mode, None, reason) for mode in dict.fromkeys(modes or list(FulfilmentMode))]
    for mode in dict.fromkeys(modes or list(FulfilmentMode)):
        if mode is FulfilmentMode.PICKUP and not pickup_store_id:
            quotes.append(Quote(mode, None, "name the pickup store (pickup_store_id) to quote PICKUP"))
            continue
        try:
            decision = route(app, customer_location, wanted, mode, pickup_store_id if mode is FulfilmentMode.PICKUP else "", now)
        except NoStoreCanFulfil as refusal:
            quotes.append(Quote(mode, None, str(refusal)))
        else:
            quotes.append(Quote(mode, decision))
    return quotes


def _checked_lines(quantities: list[tuple[str, int]]) -> dict[str, int]:
    if not quantities:
        raise InvalidInput("lines", "a quote needs at least one line")
    if len(quantities) > MAX_ORDER_LINES:
        raise InvalidInput("lines", f"has {len(quantities)} lines; at most {MAX_ORDER_LINES} allowed")
    wanted: dict[str, int] = {}
    for i, (sku, units) in enumerate(quantities):
        identifier(f"lines[{i}].sku", sku)
        if sku in wanted:
            raise InvalidInput(f"lines[{i}].sku", f"sku {sku!r} appears twice; merge the lines")
        if not 0 < units <= MAX_LINE_QUANTITY:
            raise InvalidInput(f"lines[{i}].quantity", f"must be within [1, {MAX_LINE_QUANTITY}], got {units}")
        wanted[sku] = units
    return wanted
