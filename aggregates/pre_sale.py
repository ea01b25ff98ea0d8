"""A pre-sale of one SKU: its terms, the pre-orders holding its units, and where the plan has
sent each of them. The authority on how many units are left: a pre-order takes its units here
in the same atomic save as the order itself (the order writer), so two pre-orders racing for
the last units conflict on this aggregate's version and the one that retries finds them gone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.presales import PreSaleSoldOut, PreSaleTerms, UnitsAlreadyOrdered, presale_reference


class PreSale(Aggregate):
    @staticmethod
    def create_id(sku: str) -> UUID:
        return uuid5(NAMESPACE, presale_reference(sku))

    @classmethod
    def open(cls, terms: PreSaleTerms) -> PreSale:
        return cls(sku=terms.sku, terms=terms.to_record())

    @event("PreSaleOpened")
    def __init__(self, sku: str, terms: dict[str, Any]):
        self.sku = sku
        self.terms_record = terms
        self.ordered: dict[str, int] = {}  # order id -> units, in the order they were placed
        self.planned: dict[str, str] = {}  # order id -> the location the plan sent it to
        # location -> units the plan announced there as a receipt (cancelled pre-orders too:
        # their units still come, as ordinary stock)
        self.announced: dict[str, int] = {}

    @property
    def terms(self) -> PreSaleTerms:
        return PreSaleTerms.from_record(self.sku, self.terms_record)

    @property
    def ordered_units(self) -> int:
        return sum(self.ordered.values())

    @property
    def units_left(self) -> int:
        return max(self.terms_record["units"] - self.ordered_units, 0)

    def unplanned(self) -> list[str]:
        """The pre-orders the plan has not sent anywhere yet, earliest first."""
        return [order_id for order_id in self.ordered if order_id not in self.planned]

    def change(self, terms: PreSaleTerms) -> bool:
        """False when these are its terms already (a retried SetPreSale). Units below those
        pre-ordered already are refused."""
        if terms == self.terms:
            return False
        if terms.units < self.ordered_units:
            raise UnitsAlreadyOrdered(self.sku, self.ordered_units, terms.units)
        self._changed(terms=terms.to_record())
        return True

    @event("PreSaleChanged")
    def _changed(self, terms: dict[str, Any]) -> None:
        self.terms_record = terms

    def refusal(self, order_id: str, units: int) -> PreSaleSoldOut | None:
        """Why `take` would refuse, without taking."""
        if order_id in self.ordered or units <= self.units_left:
            return None
        return PreSaleSoldOut(self.sku, self.units_left, units)

    def take(self, order_id: str, units: int) -> bool:
        """The pre-order holds `units` of the pre-sale; PreSaleSoldOut when fewer are left.
        False when it holds them already (the same order decided again)."""
        if (refusal := self.refusal(order_id, units)) is not None:
            raise refusal
        if order_id in self.ordered:
            return False
        self._pre_ordered(order_id=order_id, units=units)
        return True

    @event("PreOrdered")
    def _pre_ordered(self, order_id: str, units: int) -> None:
        self.ordered[order_id] = units

    def release(self, order_id: str, reason: str) -> bool:
        """The pre-order was cancelled: its units are the pre-sale's again. False when it held none."""
        if order_id not in self.ordered:
            return False
        self._pre_order_released(order_id=order_id, units=self.ordered[order_id], reason=reason)
        return True

    @event("PreOrderReleased")
    def _pre_order_released(self, order_id: str, units: int, reason: str) -> None:
        del self.ordered[order_id]
        self.planned.pop(order_id, None)

    def plan(self, placed: Iterable[tuple[str, str]]) -> bool:
        """Records where the plan sent these pre-orders ((order id, location)); those not held
        or planned already are left out. False when none is left."""
        planned = [[order_id, location, self.ordered[order_id]] for order_id, location in placed
                   if order_id in self.ordered and order_id not in self.planned]
        if not planned:
            return False
        self._pre_orders_planned(planned=planned)
        return True

    @event("PreOrdersPlanned")
    def _pre_orders_planned(self, planned: list[list]) -> None:
        """`planned`: [order id, location, units], earliest pre-order first."""
        for order_id, location, units in planned:
            self.planned[order_id] = location
            self.announced[location] = self.announced.get(location, 0) + units
