"""Use cases: dealers' cloud shops and their shop assistants, the shop a customer enters,
and where a customer's order is sold."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from aggregates.cloud_shop import CloudShop
from aggregates.order import sale_record
from domain.attribution import dealer_party
from domain.dealers import (
    DEFAULT_BRAND, SHARE_CODE_ALPHABET, CloudShopProfile, checked_share_code,
)
from domain.errors import (
    CloudShopNotFound, InvalidInput, NoCloudShopNearby, RequestIdReused,
    ShareCodeNotFound,
)
from domain.stores import STORE
from domain.values import GeoPoint, identifier, text
from routing.nearest import nearest_store
from services.use_cases.application import OmoApplication

from services.use_cases.network.dealers import policy_terms, registered_store


# --- cloud shops and shop assistants ------------------------------------------------------

def open_cloud_shop(app: OmoApplication, profile: CloudShopProfile) -> tuple[CloudShop, bool]:
    """Opens the store's cloud shop; opening the same shop again returns it unchanged, and
    a closed one opens again."""
    site = registered_store(app, profile.store_id)
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
    owner = registered_store(app, shop.store_id).owner_at(app.now_us())
    version, terms = policy_terms(app, shop.brand_id)
    return sale_record(shop.cloud_shop_id, assistant_id, dealer_party(owner), shop.brand_id, version, terms)
