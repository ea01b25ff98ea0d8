"""Use cases: limited-edition launches, set by HQ operations, and the per-buyer limits they
put on orders.

Placing an order claims its units of every launch running at that moment on the quotas of its
customer and of its device (`claim_purchase_limits`); the caller saves the changed quotas in
the same atomic save as the order. So two orders of one buyer at once both write the same
quota: the second save conflicts on its version, decides again, and is checked against what
the first claimed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from aggregates.launch import Launch
from aggregates.purchase_quota import PurchaseQuota
from domain.errors import InvalidInput
from domain.launches import Exhaustion, LaunchNotFound, LaunchTerms, buyer_keys
from domain.presales import PRESALE_PREFIX
from domain.values import EPOCH, OrderLine, identifier
from services.use_cases.application import OmoApplication
from services.use_cases.ports import Placement


def set_launch(app: OmoApplication, terms: LaunchTerms) -> tuple[LaunchTerms, bool, bool]:
    """Schedules the launch or replaces its terms: (terms, created, changed). The same terms
    again change nothing, so a retry is safe."""
    if terms.launch_id.startswith(PRESALE_PREFIX):
        raise InvalidInput("launch_id", f"ids starting with {PRESALE_PREFIX!r} belong to pre-sales: set those with SetPreSale")
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
    absent: Collection[UUID] = (),
) -> list[PurchaseQuota]:
    """Claims the order's units on every quota of its buyers in the launches running at
    `placed_at` (or in `running`, the ones the caller found); raises PurchaseLimitReached,
    having recorded nothing on any quota, when one would go over. Returns the quotas changed,
    to save with the order. `pending`: aggregates changed but not saved yet (earlier orders
    of the same batch), by id: their quotas are these very objects, so that the batch's
    orders count each other's claims. `absent`: quotas the caller has just looked for in the
    event store and not found (new buyers): they are not looked for again."""
    wanted = {line.sku: line.quantity for line in lines}
    if running is None:
        running = active_launches(app, wanted, placed_at)
    quotas = [
        (_quota(app, terms.launch_id, buyer, pending or {}, absent), terms)
        for terms in running for buyer in buyer_keys(customer_id, device_id)
    ]
    for quota, terms in quotas:  # every quota checked before any claims: all or nothing
        if (refusal := quota.refusal(order_id, wanted, terms)) is not None:
            raise refusal
    return [quota for quota, terms in quotas if quota.claim(order_id, wanted, terms)]


def quota_ids(placement: Placement) -> list[UUID]:
    """The quotas a placement claims on: one per launch limiting it, per buyer."""
    return [
        PurchaseQuota.create_id(terms.launch_id, buyer)
        for terms in placement.launches for buyer in buyer_keys(placement.customer_id, placement.device_id)
    ]


def claim_placement(
    app: OmoApplication, placement: Placement, pending: Mapping[UUID, Any], absent: Collection[UUID] = (),
) -> list[PurchaseQuota]:
    """`claim_purchase_limits` for the order writer, which decides
    a batch of placements and saves the batch at once. The launches are the ones the server
    found (`placement.launches`): the writer reads the log only now and then, the server
    right before routing the order."""
    if not placement.launches:
        return []
    placed_at = EPOCH + timedelta(microseconds=placement.placed_at_us)
    return claim_purchase_limits(
        app, str(placement.order_id), placement.customer_id, placement.device_id, placement.lines, placed_at, pending,
        placement.launches, absent,
    )


def exhausted_by(quotas: Iterable[PurchaseQuota], running: Iterable[LaunchTerms]) -> tuple[Exhaustion, ...]:
    """Of the quotas an order has just claimed on, those now full for some SKUs."""
    terms_of = {terms.launch_id: terms for terms in running}
    found = (quota.exhaustion(terms_of[quota.launch_id]) for quota in quotas if quota.launch_id in terms_of)
    return tuple(exhaustion for exhaustion in found if exhaustion is not None)


def _quota(
    app: OmoApplication, launch_id: str, buyer: str, pending: Mapping[UUID, Any], absent: Collection[UUID] = (),
) -> PurchaseQuota:
    """The buyer's quota, or a new one. One opened elsewhere meanwhile makes the save
    conflict, and the decision taken again loads it."""
    quota_id = PurchaseQuota.create_id(launch_id, buyer)
    quota = pending.get(quota_id) or (None if quota_id in absent else app.find(quota_id))
    return quota if isinstance(quota, PurchaseQuota) else PurchaseQuota(launch_id=launch_id, buyer=buyer)
