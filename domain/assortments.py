"""Which SKUs a store may sell online (its assortment), and a dealer's terms for sharing the
stock of its stores with orders other owners' cloud shops sell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.values import identifier

@dataclass(frozen=True)
class AssortmentChange:
    """SKUs a store starts or stops listing; `everything`: the store lists every SKU again
    (no assortment), which names no SKU."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    everything: bool = False

    def __post_init__(self) -> None:
        for field, skus in (("add_skus", self.added), ("remove_skus", self.removed)):
            for i, sku in enumerate(skus):
                identifier(f"{field}[{i}]", sku)
        if self.everything and (self.added or self.removed):
            raise InvalidInput("list_everything", "names no SKU: leave add_skus and remove_skus empty")
        if both := sorted(set(self.added) & set(self.removed)):
            raise InvalidInput("remove_skus", f"sku {both[0]!r} is also in add_skus")
        if not self.everything and not self.added and not self.removed:
            raise InvalidInput("add_skus", "name a SKU to add or remove, or set list_everything")


def changed_listing(listed: Iterable[str] | None, change: AssortmentChange) -> frozenset[str] | None:
    """The assortment after the change (None: every SKU). Removing from a store that lists
    everything is left to the caller to refuse: it has no list to remove from."""
    if change.everything:
        return None
    current = frozenset() if listed is None else frozenset(listed)
    return (current | frozenset(change.added)) - frozenset(change.removed)


@dataclass(frozen=True)
class StockSharing:
    """A dealer's terms for its stores' stock. `share_stock`: orders sold by other dealers' or
    HQ's cloud shops may be fulfilled from its stores. `own_stores_first`: an order its own
    cloud shops sell goes to one of its stores that can take it whole, before a nearer store
    of another owner."""

    share_stock: bool = True
    own_stores_first: bool = False


SHARING_BY_DEFAULT = StockSharing()
