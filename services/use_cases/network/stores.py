"""Use cases: registering and reading stores."""

from __future__ import annotations

from aggregates.store import Store
from domain.errors import StoreNotFound
from domain.stores import StoreProfile
from domain.values import identifier
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import require_dealer


def require_store(app: OmoApplication, store_id: str) -> None:
    identifier("store_id", store_id)
    if not app.store_exists(store_id):
        raise StoreNotFound(store_id)


def upsert_store(app: OmoApplication, profile: StoreProfile) -> tuple[StoreProfile, bool]:
    """Registers the store or records its new details. Returns (stored profile, created)."""
    store_id = Store.create_id(profile.store_id)
    require_dealer(app, profile.dealer_id)

    store, created = app.create_or_change(store_id, lambda: Store.register(profile), lambda s: s.update(profile, app.now_us()))
    return store.profile, created


def get_store(app: OmoApplication, store_id: str) -> StoreProfile:
    store = app.find(Store.create_id(store_id))
    if store is None:
        raise StoreNotFound(store_id)
    return store.profile


def list_stores(app: OmoApplication, after_store_id: str, page_size: int) -> tuple[list[StoreProfile], str]:
    """One page of stores ordered by id, and the id to continue after ("" on the last page)."""
    app.catch_up()
    ids = [i for i in app.index.store_ids() if i > after_store_id]
    page = [app.index.profiles[i] for i in ids[:page_size]]
    more = len(ids) > page_size
    return page, (page[-1].store_id if more else "")
