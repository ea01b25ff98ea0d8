"""Use cases: regions, dealers, store ownership, cloud shops, shop assistants and the
brands' attribution policies; and where a customer's order is sold."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregates.brand_policy import BrandPolicy
from aggregates.cloud_shop import CloudShop
from aggregates.dealer import Dealer, Region
from aggregates.order import sale_record
from aggregates.store import Store
from domain.attribution import DEFAULT_TERMS, PolicyTerms, dealer_party
from domain.dealers import (
    DEFAULT_BRAND, SHARE_CODE_ALPHABET, CloudShopProfile, Dealer as DealerProfile, Region as RegionProfile, checked_share_code,
)
from domain.errors import (
    CloudShopNotFound, DealerNotFound, InvalidInput, NoCloudShopNearby, RegionNotFound, RequestIdReused,
    ShareCodeNotFound, StoreNotFound,
)
from domain.stores import STORE
from domain.values import GeoPoint, identifier, optional_identifier, text
from routing.nearest import nearest_store
from services.application import OmoApplication, epoch_us


# --- regions and dealers ----------------------------------------------------------------

def register_region(app: OmoApplication, region: RegionProfile) -> tuple[RegionProfile, bool]:
    """Registers the region or renames it. Returns (region, created)."""
    aggregate, created = app.create_or_change(
        Region.create_id(region.region_id), lambda: Region(region.region_id, region.name), lambda r: r.rename(region.name)
    )
    return aggregate.profile, created


def register_dealer(app: OmoApplication, dealer: DealerProfile) -> tuple[DealerProfile, bool]:
    """Registers the dealer in its region, or records its new name or region."""
    if app.find(Region.create_id(dealer.region_id)) is None:
        raise RegionNotFound(dealer.region_id)
    aggregate, created = app.create_or_change(
        Dealer.create_id(dealer.dealer_id), lambda: Dealer(dealer.dealer_id, dealer.name, dealer.region_id),
        lambda d: d.update(dealer),
    )
    return aggregate.profile, created


def get_dealer(app: OmoApplication, dealer_id: str) -> DealerProfile:
    dealer = app.find(Dealer.create_id(identifier("dealer_id", dealer_id)))
    if dealer is None:
        raise DealerNotFound(dealer_id)
    return dealer.profile


def require_dealer(app: OmoApplication, dealer_id: str) -> None:
    """A store's owner: a registered dealer, or "" for HQ."""
    if dealer_id and app.find(Dealer.create_id(dealer_id)) is None:
        raise DealerNotFound(dealer_id)


def _store(app: OmoApplication, store_id: str) -> Store:
    store = app.find(Store.create_id(identifier("store_id", store_id)))
    if store is None:
        raise StoreNotFound(store_id)
    return store


def change_store_owner(app: OmoApplication, store_id: str, dealer_id: str, effective_from: datetime) -> Store:
    """`dealer_id` ("" for HQ) owns the store, and its cloud shops, from `effective_from` on.
    Attribution already recorded stays as it is."""
    optional_identifier("dealer_id", dealer_id)
    require_dealer(app, dealer_id)
    aggregate_id = Store.create_id(identifier("store_id", store_id))

    def decide() -> tuple[Store, Store]:
        store = _store(app, store_id)
        store.change_owner(dealer_id, epoch_us(effective_from))
        return store, store

    return app.change_one(aggregate_id, decide)


# --- cloud shops and shop assistants ------------------------------------------------------

def open_cloud_shop(app: OmoApplication, profile: CloudShopProfile) -> tuple[CloudShop, bool]:
    """Opens the store's cloud shop; opening the same shop again returns it unchanged, and
    a closed one opens again."""
    site = _store(app, profile.store_id)
    if site.profile.kind != STORE:
        raise InvalidInput("store_id", f"{profile.store_id!r} is a warehouse; a cloud shop belongs to a store")

    def refuse_other(shop: CloudShop) -> None:
        if not shop.same_as(profile):
            raise RequestIdReused("cloud_shop_id", profile.cloud_shop_id)
        shop.set_active(True)

    return app.create_or_change(CloudShop.create_id(profile.cloud_shop_id), lambda: CloudShop.open(profile), refuse_other)


def get_cloud_shop(app: OmoApplication, cloud_shop_id: str) -> CloudShop:
    shop = app.find(CloudShop.create_id(identifier("cloud_shop_id", cloud_shop_id)))
    if not isinstance(shop, CloudShop):
        raise CloudShopNotFound(cloud_shop_id)
    return shop


def set_cloud_shop_active(app: OmoApplication, cloud_shop_id: str, active: bool) -> CloudShop:
    aggregate_id = CloudShop.create_id(identifier("cloud_shop_id", cloud_shop_id))

    def decide() -> tuple[CloudShop, CloudShop]:
        shop = get_cloud_shop(app, cloud_shop_id)
        shop.set_active(active)
        return shop, shop

    return app.change_one(aggregate_id, decide)


def new_share_code() -> str:
    return "".join(secrets.choice(SHARE_CODE_ALPHABET) for _ in range(8))


def add_shop_assistant(app: OmoApplication, cloud_shop_id: str, assistant_id: str, name: str) -> tuple[CloudShop, str]:
    """Adds a shop assistant to the cloud shop with a new share code (the same one when the
    call is retried). Returns (shop, share code)."""
    identifier("assistant_id", assistant_id)
    text("name", name, required=True)
    aggregate_id = CloudShop.create_id(identifier("cloud_shop_id", cloud_shop_id))
    app.catch_up()

    def decide() -> tuple[CloudShop, tuple[CloudShop, str]]:
        shop = get_cloud_shop(app, cloud_shop_id)
        code = new_share_code()
        while code in app.index.cloud_shops.share_codes:
            code = new_share_code()
        shop.add_assistant(assistant_id, name, code)
        return shop, (shop, shop.assistants[assistant_id]["share_code"])

    return app.change_one(aggregate_id, decide)


@dataclass(frozen=True)
class Entry:
    """Where a customer enters the mini-program."""

    shop: CloudShop
    distance_m: float = 0.0
    assistant_id: str = ""


def find_cloud_shop(app: OmoApplication, location: GeoPoint) -> Entry:
    """The nearest active store's open cloud shop, by geodesic distance."""
    app.catch_up()
    shops = app.index.cloud_shops
    found = nearest_store(app.index.directory(), location, lambda store_id: shops.open_shop_at(store_id) is not None)
    if found is None:
        raise NoCloudShopNearby()
    store_id, metres = found
    return Entry(get_cloud_shop(app, shops.open_shop_at(store_id)), metres)


def resolve_share_code(app: OmoApplication, share_code: str) -> Entry:
    code = checked_share_code(share_code)
    app.catch_up()
    found = app.index.cloud_shops.share_codes.get(code)
    if found is None:
        raise ShareCodeNotFound(code)
    shop_id, assistant_id = found
    return Entry(get_cloud_shop(app, shop_id), assistant_id=assistant_id)


# --- attribution policies ---------------------------------------------------------------

def brand_policy(app: OmoApplication, brand_id: str) -> BrandPolicy | None:
    """The brand's policy as this server's index knows it (catch up first to see another
    server's change of a moment ago)."""
    identifier("brand_id", brand_id)
    if brand_id not in app.index.brands_with_policy:
        return None  # the default terms, known without a query per order
    return app.find(BrandPolicy.create_id(brand_id))


def policy_terms(app: OmoApplication, brand_id: str, version: int | None = None) -> tuple[int, PolicyTerms]:
    """(version, terms) of the brand's policy: the current one, or `version`."""
    policy = brand_policy(app, brand_id)
    if policy is None:
        if version not in (None, 0):
            raise InvalidInput("version", f"brand {brand_id!r} has only version 0, the default terms")
        return 0, DEFAULT_TERMS
    chosen = policy.current_version if version is None else version
    if chosen not in policy.versions:
        raise InvalidInput("version", f"brand {brand_id!r} has versions 0 to {policy.current_version}, not {version}")
    return chosen, policy.terms(chosen)


def set_policy(app: OmoApplication, brand_id: str, terms: PolicyTerms, note: str = "") -> tuple[int, bool]:
    """Makes `terms` the brand's policy from now on, as a new version. Returns (version,
    changed): setting the current terms again changes nothing."""
    text("note", note)
    aggregate_id = BrandPolicy.create_id(identifier("brand_id", brand_id))

    def decide() -> tuple[BrandPolicy, tuple[int, bool]]:
        policy = app.find(aggregate_id) or BrandPolicy(brand_id)
        changed = policy.set_terms(terms, note)
        return policy, (policy.current_version, changed)

    return app.change_one(aggregate_id, decide)


# --- where an order is sold -------------------------------------------------------------

def sale_of(app: OmoApplication, cloud_shop_id: str, share_code: str) -> dict[str, Any]:
    """The sale record of a new order: its cloud shop (named, or the share code's), the
    shop's owner now, and the shop's brand's policy now. No shop: HQ sells."""
    assistant_id = ""
    if share_code:
        entry = resolve_share_code(app, share_code)
        if cloud_shop_id and cloud_shop_id != entry.shop.cloud_shop_id:
            raise InvalidInput("share_code", f"belongs to cloud shop {entry.shop.cloud_shop_id!r}, not {cloud_shop_id!r}")
        shop, assistant_id = entry.shop, entry.assistant_id
    elif cloud_shop_id:
        shop = get_cloud_shop(app, cloud_shop_id)
    else:
        version, terms = policy_terms(app, DEFAULT_BRAND)
        return sale_record(policy_version=version, terms=terms)
    if not shop.active:
        raise InvalidInput("cloud_shop_id", f"cloud shop {shop.cloud_shop_id!r} is closed; send the customer through FindCloudShop")
    owner = _store(app, shop.store_id).owner_at(app.now_us())
    version, terms = policy_terms(app, shop.brand_id)
    return sale_record(shop.cloud_shop_id, assistant_id, dealer_party(owner), shop.brand_id, version, terms)


def fulfiller_of(app: OmoApplication, store_id: str) -> str:
    """The ledger party owning the store now: it earns the fulfilment fee."""
    return dealer_party(_store(app, store_id).owner_at(app.now_us()))

