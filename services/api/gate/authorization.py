"""Object-level authorization: may this caller make this call on this object?

The access rules say which roles may call an RPC and how to find the
object it acts on; this module finds the object (a lookup where no request field names it)
and compares it with the caller's scope. `ops` and `checkout` are not scoped. A `pos` caller
acts for one store; a `dealer` caller for one dealer and the stores it owns now.

Shipping is the source's act and receiving the destination's: the other end, which reads the
transfer with GetTransfer anyway, is told PERMISSION_DENIED (as SyncStock tells it), not that
the transfer does not exist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aggregates.cloud_shop import CloudShop
from aggregates.order import Order
from aggregates.store import Store
from aggregates.transfer import Transfer
from domain.callers import CHECKOUT, DEALER, OPS, POS, Caller, PermissionDenied
from domain.errors import OrderNotFound, TransferNotFound
from domain.values import epoch_us
from services.api.gate.access import RULES, Rule
from services.use_cases.application import OmoApplication


def authorize(app: OmoApplication, caller: Caller, method: str, request: Any) -> None:
    """Returns when the caller may make the call; raises PermissionDenied (or NotFound for
    rules that hide what a caller does not own) otherwise. Reads, never writes."""
    rule = RULES.get(method)
    short = method.rsplit("/", 1)[-1]
    if rule is None:
        raise PermissionDenied(f"{short} has no access rule, so no caller may use it")
    if caller.role not in rule.roles:
        raise PermissionDenied(f"a {caller.role} token may not call {short}; it is for {', '.join(sorted(rule.roles))} callers")
    if caller.role == CHECKOUT and rule.customer_field and not getattr(request, rule.customer_field):
        raise PermissionDenied(f"{short}: a checkout token acts for one customer at a time; name it in {rule.customer_field}")
    if caller.role in (OPS, CHECKOUT) or rule.shared:
        return
    stores, dealers = _objects(app, rule, request)
    if _owns(app, caller, stores, dealers):
        return
    if rule.hide:
        if rule.through in ACTING_END and _owns(app, caller, _transfer_ends(app, request), set()):
            raise PermissionDenied(
                f"{short}: only the transfer's {ACTING_END[rule.through]} may make this call; "
                f"this token acts for {caller.scope}, its other end"
            )
        raise OrderNotFound(request.order_id) if rule.through == "order" else TransferNotFound(request.transfer_id)
    if not stores and not dealers and rule.store_field:
        raise PermissionDenied(f"{short}: this token acts for {caller.scope} only; name {_its_stores(caller)} in {rule.store_field}")
    # the same words whether the object named exists or not, and never the store a lookup
    # found behind it: a refusal tells nothing of others
    named = f"cloud shop {request.cloud_shop_id}" if rule.through == "cloud_shop" else _named(stores, dealers)
    raise PermissionDenied(f"{short}: this token acts for {caller.scope} only; {named} is not its own")


ACTING_END = {"transfer_from": "source", "transfer_to": "destination"}


def _its_stores(caller: Caller) -> str:
    return "its store" if caller.role == POS else "one of its stores"


def _objects(app: OmoApplication, rule: Rule, request: Any) -> tuple[set[str], set[str]]:
    """The stores and dealers the call acts on; the caller must own one of them."""
    stores = {getattr(request, rule.store_field)} if rule.store_field else set()
    dealers = {getattr(request, rule.dealer_field)} if rule.dealer_field else set()
    if rule.through.startswith("transfer_"):
        transfer = _transfer(app, request)
        if transfer is not None:
            ends = {"transfer_from": [transfer.from_store_id], "transfer_to": [transfer.to_store_id]}
            stores |= set(ends.get(rule.through, [transfer.from_store_id, transfer.to_store_id]))
    elif rule.through == "order":
        order_id = _order_id(request.order_id)
        order = app.find(order_id) if order_id is not None else None
        if isinstance(order, Order):
            # the stores it ships from, and those it was moved away from
            stores |= set(order.store_ids) | {r["store_id"] for r in order.reroutes}
    elif rule.through == "cloud_shop":
        shop = app.find(CloudShop.create_id(request.cloud_shop_id)) if request.cloud_shop_id else None
        if isinstance(shop, CloudShop):
            stores.add(shop.store_id)
    elif rule.through == "stock_region":
        region = request.region
        if region.dealer:
            dealers.add(region.dealer)
        elif region.store_id:
            stores.add(region.store_id)
    return stores - {""}, dealers - {""}


def _transfer(app: OmoApplication, request: Any) -> Transfer | None:
    transfer = app.find(Transfer.create_id(request.transfer_id)) if request.transfer_id else None
    return transfer if isinstance(transfer, Transfer) else None


def _transfer_ends(app: OmoApplication, request: Any) -> set[str]:
    transfer = _transfer(app, request)
    return {transfer.from_store_id, transfer.to_store_id} if transfer is not None else set()


def _owns(app: OmoApplication, caller: Caller, stores: set[str], dealers: set[str]) -> bool:
    if caller.role == POS:
        return caller.store_id in stores
    if caller.role == DEALER:
        return caller.dealer_id in dealers or any(_owner_now(app, store_id) == caller.dealer_id for store_id in stores)
    return False


def _owner_now(app: OmoApplication, store_id: str) -> str:
    store = app.find_afresh(Store.create_id(store_id))  # another process may have changed the owner
    return store.owner_at(epoch_us(app.clock())) if isinstance(store, Store) else ""


def _named(stores: set[str], dealers: set[str]) -> str:
    named = [f"store {s}" for s in sorted(stores)] + [f"dealer {d}" for d in sorted(dealers)]
    return ", ".join(named) or "the object (none named)"


def _order_id(order_id: str) -> UUID | None:
    """The order's aggregate id; None for text that is no order id (so no order is found)."""
    try:
        return UUID(order_id)
    except ValueError:
        return None
