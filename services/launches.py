"""Use cases: limited-edition launches, set by HQ operations, and the per-buyer limits they
put on orders.

Placing an order claims its units of every launch running at that moment on the quotas of its
customer and of its device (`claim_purchase_limits`); the caller saves the changed quotas in
the same atomic save as the order. So two orders of one buyer at once both write the same
quota: the second save conflicts on its version, decides again, and is checked against what
the first claimed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from aggregates.launch import Launch
from aggregates.purchase_quota import PurchaseQuota
from domain.launches import Exhaustion, LaunchNotFound, LaunchTerms, buyer_keys
from domain.values import EPOCH, OrderLine, identifier
from services.application import OmoApplication


def set_launch(app: OmoApplication, terms: LaunchTerms) -> tuple[LaunchTerms, bool, bool]:
    """Schedules the launch or replaces its terms: (terms, created, changed). The same terms
    again change nothing, so a retry is safe."""
    changed = {}

    def replace(launch: Launch) -> None:
        changed["changed"] = launch.change(terms)

    launch, created = app.create_or_change(Launch.create_id(terms.launch_id), lambda: Launch.schedule(terms), replace)
    return launch.terms, created, created or changed["changed"]


def get_launch(app: OmoApplication, launch_id: str) -> LaunchTerms:
    """The launch as it stands, also after another server's change."""
    app.catch_up()
    launch = app.find(Launch.create_id(identifier("launch_id", launch_id)))
    if not isinstance(launch, Launch):
        raise LaunchNotFound(launch_id)
    return launch.terms


def active_launches(app: OmoApplication, skus: Iterable[str], placed_at: datetime) -> list[LaunchTerms]:
    """The launches limiting an order of these SKUs placed at `placed_at` (live index)."""
    return app.index.launches.active(skus, placed_at)


def claim_purchase_limits(
    app: OmoApplication, order_id: str, customer_id: str, device_id: str, lines: Iterable[OrderLine], placed_at: datetime,
    pending: Mapping[UUID, Any] | None = None, running: Iterable[LaunchTerms] | None = None,
) -> list[PurchaseQuota]:
    """Claims the order's units on every quota of its buyers in the launches running at
    `placed_at` (or in `running`, the ones the caller found); raises PurchaseLimitReached,
    having recorded nothing on any quota, when one would go over. Returns the quotas changed,
    to save with the order. `pending`: aggregates changed but not saved yet (earlier orders
    of the same batch), by id: their quotas are these very objects, so that the batch's
    orders count each other's claims."""
    wanted = {line.sku: line.quantity for line in lines}
    if running is None:
        running = active_launches(app, wanted, placed_at)
    quotas = [
        (_quota(app, terms.launch_id, buyer, pending or {}), terms)
        for terms in running for buyer in buyer_keys(customer_id, device_id)
    ]
    for quota, terms in quotas:  # every quota checked before any claims: all or nothing
        if (refusal := quota.refusal(order_id, wanted, terms)) is not None:
            raise refusal
    return [quota for quota, terms in quotas if quota.claim(order_id, wanted, terms)]


def claim_placement(app: OmoApplication, placement: Any, pending: Mapping[UUID, Any]) -> list[PurchaseQuota]:
    """`claim_purchase_limits` for the order writer (services/order_writer.py), which decides
    a batch of placements and saves the batch at once. The launches are the ones the server
    found (`placement.launches`): the writer reads the log only now and then, the server
    right before routing the order."""
    if not placement.launches:
        return []
    placed_at = EPOCH + timedelta(microseconds=placement.placed_at_us)
    return claim_purchase_limits(
        app, str(placement.order_id), placement.customer_id, placement.device_id, placement.lines, placed_at, pending,
        placement.launches,
    )


def exhausted_quotas(
    app: OmoApplication, customer_id: str, device_id: str, skus: Iterable[str], placed_at: datetime,
) -> list[Exhaustion]:
    """The buyers' quotas that are full for some of the SKUs: for the server's guard, which
    refuses their next orders in memory. Read after an order claimed on them (one read per
    quota, where the order writer's process saved it; a successful launch order is rare next
    to the attempts the guard spares)."""
    found = []
    for terms in active_launches(app, skus, placed_at):
        for buyer in buyer_keys(customer_id, device_id):
            quota = app.find(PurchaseQuota.create_id(terms.launch_id, buyer))
            if isinstance(quota, PurchaseQuota) and (exhaustion := quota.exhaustion(terms)) is not None:
                found.append(exhaustion)
    return found


def _quota(app: OmoApplication, launch_id: str, buyer: str, pending: Mapping[UUID, Any]) -> PurchaseQuota:
    """The buyer's quota, or a new one. One opened elsewhere meanwhile makes the save
    conflict, and the decision taken again loads it."""
    quota_id = PurchaseQuota.create_id(launch_id, buyer)
    quota = pending.get(quota_id) or app.find(quota_id)
    return quota if isinstance(quota, PurchaseQuota) else PurchaseQuota(launch_id=launch_id, buyer=buyer)
