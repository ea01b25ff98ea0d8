"""Pre-sales by SKU, folded from the PreSale events (part of the live index): placing an order
knows whether its SKU is on pre-sale now, and whether units are left, without a query.

Readers on other threads take `terms` without the index's lock, so a change replaces the map
instead of changing it in place."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from aggregates.pre_sale import PreSale
from domain.presales import PreSaleTerms


class PreSaleIndex:
    def __init__(self) -> None:
        self.terms: dict[str, PreSaleTerms] = {}
        self.ordered: dict[str, int] = {}  # sku -> units its pre-orders hold
        self._skus: dict[UUID, str] = {}

    def apply(self, e: Any) -> None:
        if isinstance(e, PreSale.PreSaleOpened):
            self._skus[e.originator_id] = e.sku
            self.terms = {**self.terms, e.sku: PreSaleTerms.from_record(e.sku, e.terms)}
        elif isinstance(e, PreSale.PreSaleChanged):
            sku = self._skus[e.originator_id]
            self.terms = {**self.terms, sku: PreSaleTerms.from_record(sku, e.terms)}
        elif isinstance(e, PreSale.PreOrdered):
            sku = self._skus[e.originator_id]
            self.ordered[sku] = self.ordered.get(sku, 0) + e.units
        elif isinstance(e, PreSale.PreOrderReleased):
            sku = self._skus[e.originator_id]
            self.ordered[sku] = self.ordered.get(sku, 0) - e.units

    def taking_orders(self, skus: Any, moment: datetime) -> PreSaleTerms | None:
        """The pre-sale taking orders at `moment` for one of these SKUs, if any."""
        terms = self.terms
        for sku in skus:
            if (found := terms.get(sku)) is not None and found.takes_orders_at(moment):
                return found
        return None

    def units_left(self, sku: str) -> int:
        terms = self.terms.get(sku)
        return max(terms.units - self.ordered.get(sku, 0), 0) if terms else 0
