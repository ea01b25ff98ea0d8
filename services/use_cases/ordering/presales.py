"""Use cases: pre-sales, set by HQ operations, and the pre-orders placed in their window.

A pre-sale runs a launch of its own (`presale:<sku>`), written in the same save as its terms,
so each customer's and device's limit is held by the launch machinery: claimed atomically with
the order, bots refused by the server's buyer guard before any write. A pre-order is an order
of the pre-sale's SKU alone, at its price; it takes units of the pre-sale (the order writer,
in the order's own save) and has no shipment until the pre-sale is planned (presale_plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aggregates.launch import Launch
from aggregates.pre_sale import PreSale
from aggregates.stock_position import StockPosition
from domain.errors import InvalidInput, StoreNotFound
from domain.presales import PreOrderRefused, PreSaleNotFound, PreSaleSoldOut, PreSaleTerms
from domain.stores import WAREHOUSE
from domain.values import FulfilmentMode, OrderLine, identifier
from services.use_cases.application import OmoApplication


def set_pre_sale(app: OmoApplication, terms: PreSaleTerms) -> tuple[PreSaleTerms, bool, bool]:
    """Opens the pre-sale or replaces its terms, with its launch: (terms, created, changed).
    The same terms again change nothing, so a retry is safe."""
    ids = [PreSale.create_id(terms.sku), Launch.create_id(terms.launch_id)]

    def decide() -> tuple[list, tuple[PreSaleTerms, bool, bool]]:
        pre_sale, launch = app.find(ids[0]), app.find(ids[1])
        created = pre_sale is None
        if created:
            pre_sale = PreSale.open(terms)
        changed = pre_sale.change(terms) if not created else True
        if launch is None:
            launch = Launch.schedule(terms.launch_terms())
        else:
            launch.change(terms.launch_terms())
        return [pre_sale, launch], (pre_sale.terms, created, changed)

    return app.decide(ids, decide)


def load_pre_sale(app: OmoApplication, sku: str) -> PreSale:
    pre_sale = app.find(PreSale.create_id(identifier("sku", sku)))
    if not isinstance(pre_sale, PreSale):
        raise PreSaleNotFound(sku)
    return pre_sale


@dataclass(frozen=True)
class PreSaleLocation:
    """One location the plan sent pre-orders to: the units announced there as a receipt, how
    many of them have arrived, and of its pre-orders' units those allocated (reserved there,
    or gone further) and those still waiting for the goods."""

    location_id: str
    planned_orders: int
    planned_units: int
    announced_units: int
    received_units: int
    allocated_units: int
    waiting_units: int


@dataclass(frozen=True)
class PreSaleView:
    terms: PreSaleTerms
    ordered_orders: int
    ordered_units: int
    units_left: int
    unplanned_orders: int  # pre-orders not planned yet: they wait for `omo presale plan`
    unplanned_units: int
    locations: tuple[PreSaleLocation, ...]

    @property
    def allocated_units(self) -> int:
        return sum(location.allocated_units for location in self.locations)

    @property
    def waiting_units(self) -> int:
        """Pre-ordered units not allocated yet: planned and waiting for the goods, or unplanned."""
        return self.unplanned_units + sum(location.waiting_units for location in self.locations)


def get_pre_sale(app: OmoApplication, sku: str) -> PreSaleView:
    """The pre-sale and how far it has gone, also after another server's change."""
    app.catch_up()
    pre_sale = load_pre_sale(app, sku)
    unplanned = pre_sale.unplanned()
    planned_at: dict[str, list[str]] = {}
    for order_id, location in pre_sale.planned.items():
        planned_at.setdefault(location, []).append(order_id)
    locations = []
    for location in sorted(pre_sale.announced):
        orders = planned_at.get(location, [])
        position = app.find(StockPosition.create_id(location, pre_sale.sku))
        units = sum(pre_sale.ordered[o] for o in orders)
        waiting = sum(position.claims.get(o, 0) for o in orders) if position else units
        locations.append(PreSaleLocation(
            location, len(orders), units, pre_sale.announced[location],
            position.received_under.get(pre_sale.terms.reference, 0) if position else 0, units - waiting, waiting,
        ))
    return PreSaleView(
        pre_sale.terms, len(pre_sale.ordered), pre_sale.ordered_units, pre_sale.units_left, len(unplanned),
        sum(pre_sale.ordered[o] for o in unplanned), tuple(locations),
    )


def checked_pre_order(
    app: OmoApplication, terms: PreSaleTerms, lines: tuple[OrderLine, ...], mode: FulfilmentMode, pickup_store_id: str,
) -> dict:
    """The order's `pre_sale` record when it may be a pre-order of `terms`; otherwise why not:
    the pre-sale's SKU alone, at its price, with units left, collected (PICKUP) at a store."""
    if len(lines) != 1:
        others = sorted(line.sku for line in lines if line.sku != terms.sku)
        raise PreOrderRefused(
            f"sku {terms.sku!r} is on pre-sale until {terms.orders_until.isoformat()}: order it on its own, "
            f"without sku {others[0]!r}" + (f" and {len(others) - 1} more" if len(others) > 1 else "")
        )
    line = lines[0]
    if line.unit_price != terms.price:
        raise PreOrderRefused(
            f"lines[0].unit_price: the pre-sale price of sku {terms.sku!r} is {terms.price.cents} {terms.price.currency} cents, "
            f"got {line.unit_price.cents} {line.unit_price.currency}"
        )
    if line.quantity > (left := app.index.pre_sales.units_left(terms.sku)):
        raise PreSaleSoldOut(terms.sku, left, line.quantity)
    if mode is FulfilmentMode.PICKUP:
        site = app.index.directory().get(pickup_store_id)
        if site is None:
            raise StoreNotFound(pickup_store_id)
        if site.kind == WAREHOUSE:
            raise InvalidInput("pickup_store_id", f"{pickup_store_id!r} is a regional warehouse: it has no counter to collect from")
    return {"sku": terms.sku, "ships_from": terms.ships_from.isoformat()}


def pre_sale_taking_orders(app: OmoApplication, skus: dict[str, int], moment: datetime) -> PreSaleTerms | None:
    return app.index.pre_sales.taking_orders(skus, moment)
