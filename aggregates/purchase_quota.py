"""What one buyer (a customer, or a device) has ordered in one launch: the authority on the
launch's per-buyer limits. An order claims its units here in the same atomic save as the
order itself, so two orders of one buyer racing each other conflict on this aggregate's
version, and the one that retries is checked against what the other claimed."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.launches import Exhaustion, LaunchTerms, PurchaseLimitReached, exhausted_skus, over_limit


class PurchaseQuota(Aggregate):
    @staticmethod
    def create_id(launch_id: str, buyer: str) -> UUID:
        """`buyer`: "customer:<id>" or "device:<id>" (domain.launches.buyer_key)."""
        return uuid5(NAMESPACE, f"purchase-quota:{launch_id}:{buyer}")

    @event("PurchaseQuotaOpened")
    def __init__(self, launch_id: str, buyer: str):
        self.launch_id = launch_id
        self.buyer = buyer
        self.claims: dict[str, dict[str, int]] = {}  # order id -> units by SKU
        self.claimed: dict[str, int] = {}  # SKU -> units, over every claim

    def claim(self, order_id: str, units_by_sku: Mapping[str, int], terms: LaunchTerms) -> bool:
        """Claims the order's units of the launch's SKUs, or raises PurchaseLimitReached and
        records nothing. False when there is nothing to record: the order claimed already (a
        retried decision) or has none of the launch's SKUs."""
        if (refusal := self.refusal(order_id, units_by_sku, terms)) is not None:
            raise refusal
        units = self._units_to_claim(order_id, units_by_sku, terms)
        if not units:
            return False
        self._units_claimed(order_id=order_id, units=units)
        return True

    def refusal(self, order_id: str, units_by_sku: Mapping[str, int], terms: LaunchTerms) -> PurchaseLimitReached | None:
        """Why `claim` would refuse, without claiming: an order checks every quota of its
        buyers before it claims on any."""
        if terms.launch_id != self.launch_id:
            raise ValueError(f"quota of launch {self.launch_id} checked against launch {terms.launch_id}")
        units = self._units_to_claim(order_id, units_by_sku, terms)
        refusal = over_limit(terms, self.buyer, self.claimed, units) if units else None
        if refusal is not None:
            refusal.exhaustion = self.exhaustion(terms)
        return refusal

    def _units_to_claim(self, order_id: str, units_by_sku: Mapping[str, int], terms: LaunchTerms) -> dict[str, int]:
        if order_id in self.claims:
            return {}  # claimed already: the same order decided again
        return {sku: n for sku, n in units_by_sku.items() if sku in terms.skus and n > 0}

    @event("UnitsClaimed")
    def _units_claimed(self, order_id: str, units: dict[str, int]) -> None:
        self.claims = {**self.claims, order_id: units}
        self.claimed = {**self.claimed, **{sku: self.claimed.get(sku, 0) + n for sku, n in units.items()}}

    def exhaustion(self, terms: LaunchTerms) -> Exhaustion | None:
        """The SKUs this buyer may not order one unit more of under `terms`, if any."""
        blocked = exhausted_skus(terms, self.buyer, self.claimed)
        return Exhaustion(terms, self.buyer, blocked, frozenset(self.claims)) if blocked else None
