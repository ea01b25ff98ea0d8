"""Who owns what: regions, dealers, cloud shops and shop assistants.

The hierarchy is HQ -> region -> dealer -> store / cloud shop. A store belongs to a dealer
or, with no dealer, to HQ; its cloud shop (the store's shop in the mini-program) belongs to
whoever owns the store. An owner change takes effect from a given moment: `owner_at` reads
the owner at any moment from the store's ownership history.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.values import identifier, text

DEFAULT_BRAND = "default"
SHARE_CODE = re.compile(r"^[A-Z2-9]{8}$")  # no 0/O or 1/I to misread
SHARE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Region:
    region_id: str
    name: str

    @classmethod
    def create(cls, region_id: str, name: str) -> Region:
        return cls(identifier("region_id", region_id), text("name", name, required=True))


@dataclass(frozen=True)
class Dealer:
    dealer_id: str
    name: str
    region_id: str

    @classmethod
    def create(cls, dealer_id: str, name: str, region_id: str) -> Dealer:
        if dealer_id.upper() == "HQ":
            raise InvalidInput("dealer_id", "'HQ' names headquarters, not a dealer; stores HQ owns have no dealer")
        return cls(identifier("dealer_id", dealer_id), text("name", name, required=True), identifier("region_id", region_id))


@dataclass(frozen=True)
class CloudShopProfile:
    cloud_shop_id: str
    store_id: str
    name: str
    brand_id: str

    @classmethod
    def create(cls, cloud_shop_id: str, store_id: str, name: str, brand_id: str) -> CloudShopProfile:
        return cls(
            identifier("cloud_shop_id", cloud_shop_id), identifier("store_id", store_id),
            text("name", name, required=True), identifier("brand_id", brand_id or DEFAULT_BRAND),
        )


def checked_share_code(value: str) -> str:
    code = (value or "").strip().upper()
    if not SHARE_CODE.fullmatch(code):
        raise InvalidInput("share_code", "must be the 8 letters and digits a shop assistant shares, such as 'K7QW2M9X'")
    return code


def owner_at(history: list[tuple[int, str]], moment_us: int) -> str:
    """The dealer owning a store at `moment_us` ("" is HQ). `history`: (effective from, dealer
    id) in order; the first entry holds from the beginning."""
    if not history:
        return ""
    i = bisect.bisect_right([at for at, _ in history], moment_us) - 1
    return history[max(i, 0)][1]
