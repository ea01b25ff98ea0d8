"""Use cases: which SKUs each store may sell online (one store's change, or a whole file of
rows applied all or nothing), and dealers' terms for sharing their stores' stock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aggregates.dealer import Dealer
from aggregates.store import Store
from domain.assortments import AssortmentChange, StockSharing
from domain.errors import DomainError, InvalidInput, SkuNotFound
from domain.stores import STORE
from domain.values import identifier
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import registered_dealer, registered_store


@dataclass(frozen=True)
class AssortmentView:
    store_id: str
    listed: tuple[str, ...] | None  # sorted; None: every SKU

    @property
    def lists_everything(self) -> bool:
        return self.listed is None


def set_assortment(app: OmoApplication, store_id: str, change: AssortmentChange) -> tuple[AssortmentView, bool]:
    """(the store's assortment after the change, whether it changed)."""
    identifier("store_id", store_id)
    _require_known(app, change.added)

    def decide() -> tuple[Store, tuple[AssortmentView, bool]]:
        store = registered_store(app, store_id)
        changed = store.change_assortment(change)
        return store, (_view(store), changed)

    return app.change_one(Store.create_id(store_id), decide)


def get_assortment(app: OmoApplication, store_id: str) -> AssortmentView:
    return _view(registered_store(app, store_id))


def _view(store: Store) -> AssortmentView:
    return AssortmentView(store.store_id, None if store.listed is None else tuple(store.listed))


def _require_known(app: OmoApplication, skus: Iterable[str]) -> None:
    """A SKU is known once some location holds a position of it, or it is on pre-sale:
    listing an unknown one is most likely a typing error."""
    unknown = [sku for sku in skus if not app.index.knows_sku(sku)]
    if unknown:
        app.catch_up()  # registered a moment ago, perhaps at another server
        unknown = [sku for sku in unknown if not app.index.knows_sku(sku)]
    if unknown:
        raise SkuNotFound(unknown[0])


# --- a whole file of rows ------------------------------------------------------------------

@dataclass(frozen=True)
class AssortmentRow:
    line: int  # where the row is in its file, for the report
    store_id: str
    sku: str
    listed: bool


@dataclass(frozen=True)
class ImportedStore:
    store_id: str
    added: int  # SKUs it started listing
    removed: int  # SKUs it stopped listing
    listed: int


class RowsRefused(InvalidInput):
    """Some rows of a file are bad: each with its line; nothing of the file was applied."""

    def __init__(self, problems: Sequence[tuple[int, str]]):
        self.problems = list(problems)
        super().__init__("rows", f"{len(self.problems)} bad rows; nothing was applied")


def import_assortments(app: OmoApplication, rows: Sequence[AssortmentRow]) -> list[ImportedStore]:
    """Applies every row (a store lists or stops listing a SKU) in one atomic write, or none
    of them when any row is bad (RowsRefused names each with its line). A store that lists
    everything and whose rows only remove SKUs is bad: it has no list to remove from."""
    app.catch_up()
    problems: list[tuple[int, str]] = []
    by_store: dict[str, dict[str, AssortmentRow]] = {}
    for row in rows:
        if (problem := _row_problem(app, row, by_store.get(row.store_id, {}))) is not None:
            problems.append((row.line, problem))
        else:
            by_store.setdefault(row.store_id, {})[row.sku] = row
    store_ids = sorted(by_store)

    def decide() -> tuple[list[Store], list[ImportedStore]]:
        stores, imported, refused = [], [], []
        for store_id in store_ids:
            store, wanted = registered_store(app, store_id), by_store[store_id]
            before = None if store.listed is None else set(store.listed)
            added = tuple(sku for sku, row in wanted.items() if row.listed)
            removed = tuple(sku for sku, row in wanted.items() if not row.listed and (before is None or sku in before))
            if before is None and not added:
                refused.extend((row.line, f"store {store_id!r} lists every SKU (no assortment): list the SKUs it carries too") for row in wanted.values())
                continue
            if before is None:
                removed = ()  # a new list holds only what is added
            if added or removed:
                store.change_assortment(AssortmentChange(added, removed))
            after = set(store.listed or ())
            imported.append(ImportedStore(store_id, len(after - (before or set())), len((before or set()) - after), len(after)))
            stores.append(store)
        if refused:
            raise RowsRefused(sorted(refused))
        return stores, imported

    if problems:
        raise RowsRefused(problems)
    return app.decide([Store.create_id(store_id) for store_id in store_ids], decide)


def _row_problem(app: OmoApplication, row: AssortmentRow, earlier: dict[str, AssortmentRow]) -> str | None:
    try:
        identifier("store_id", row.store_id)
        identifier("sku", row.sku)
    except DomainError as error:
        return str(error)
    profile = app.index.profiles.get(row.store_id)
    if profile is None:
        return f"store {row.store_id!r} is not registered"
    if profile.kind != STORE:
        return f"{row.store_id!r} is a regional warehouse: it ships every SKU it holds and has no assortment"
    if row.listed and not app.index.knows_sku(row.sku):
        return f"sku {row.sku!r} is not known: no location holds it"
    if (first := earlier.get(row.sku)) is not None and first.listed != row.listed:
        return f"store {row.store_id!r} and sku {row.sku!r} are also on line {first.line}, the other way"
    return None


# --- dealers' terms for their stock ----------------------------------------------------------

def set_stock_sharing(app: OmoApplication, dealer_id: str, sharing: StockSharing) -> tuple[StockSharing, bool]:
    """(the dealer's terms now, whether they changed)."""
    identifier("dealer_id", dealer_id)

    def decide() -> tuple[Dealer, tuple[StockSharing, bool]]:
        dealer = registered_dealer(app, dealer_id)
        changed = dealer.set_stock_sharing(sharing)
        return dealer, (dealer.sharing, changed)

    return app.change_one(Dealer.create_id(dealer_id), decide)


def stock_sharing(app: OmoApplication, dealer_id: str) -> StockSharing:
    return registered_dealer(app, dealer_id).sharing
