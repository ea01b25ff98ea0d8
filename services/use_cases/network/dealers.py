"""Use cases: regions, dealers, store ownership, the brands' attribution policies, and who
fulfils for a store."""

from __future__ import annotations

from datetime import datetime

from aggregates.brand_policy import BrandPolicy
from aggregates.dealer import Dealer, Region
from aggregates.store import Store
from domain.attribution import DEFAULT_TERMS, PolicyTerms, dealer_party
from domain.dealers import (
    Dealer as DealerProfile, Region as RegionProfile,
)
from domain.errors import (
    DealerNotFound, InvalidInput, RegionNotFound, StoreNotFound,
)
from domain.values import identifier, optional_identifier, text
from services.use_cases.application import OmoApplication, epoch_us


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
    return registered_dealer(app, dealer_id).profile


def registered_dealer(app: OmoApplication, dealer_id: str) -> Dealer:
    dealer = app.find(Dealer.create_id(identifier("dealer_id", dealer_id)))
    if dealer is None:
        raise DealerNotFound(dealer_id)
    return dealer


def require_dealer(app: OmoApplication, dealer_id: str) -> None:
    """A store's owner: a registered dealer, or "" for HQ."""
    if dealer_id and app.find(Dealer.create_id(dealer_id)) is None:
        raise DealerNotFound(dealer_id)


def registered_store(app: OmoApplication, store_id: str) -> Store:
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
        store = registered_store(app, store_id)
        store.change_owner(dealer_id, epoch_us(effective_from))
        return store, store

    return app.change_one(aggregate_id, decide)


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


def get_policy(app: OmoApplication, brand_id: str, version: int | None = None) -> tuple[int, PolicyTerms]:
    """`policy_terms`, also after another server's change of a moment ago."""
    app.catch_up()
    return policy_terms(app, brand_id, version)


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


def fulfiller_of(app: OmoApplication, store_id: str) -> str:
    """The ledger party owning the store now: it earns the fulfilment fee."""
    return dealer_party(registered_store(app, store_id).owner_at(app.now_us()))

