"""An in-memory read model of stores and stock availability, folded from the event log.

Routing reads it instead of loading thousands of aggregates per request. It may lag the
event store by a moment; the reservation on the aggregate stays the final word, so a
stale figure can only cost a retry, never an oversell.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from aggregates.api_token import ApiToken
from aggregates.brand_policy import BrandPolicy
from aggregates.cloud_shop import CloudShop
from aggregates.dealer import Dealer
from aggregates.launch import Launch
from aggregates.pre_sale import PreSale
from aggregates.movement import StockMovement
from aggregates.order import Order
from aggregates.pos_ledger import PosLedger
from aggregates.stock_position import NO_CHANGE, StockPosition, claimable_units, stock_change
from aggregates.store import Store, profile_from_record
from domain.assortments import SHARING_BY_DEFAULT, StockSharing
from domain.stores import StoreProfile
from domain.values import available_units
from projections.live_index.cloud_shops import CloudShopIndex
from projections.live_index.launches import LaunchIndex
from projections.live_index.pre_sales import PreSaleIndex
from routing.policy import StoreDirectory, StoreSite, Taken

# orders allocated for a day this far behind the latest day an order was allocated for are
# forgotten by the slot and day counts (no order can be allocated to those days any more)
DAYS_KEPT = timedelta(days=2)

# after notification id, limit -> [(notification id, domain event)]
ReadEvents = Callable[[int, int], Sequence[tuple[int, Any]]]


@dataclass
class StockFigures:
    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0
    in_transit: int = 0
    expected: int = 0  # announced to come (expected receipts)

    @property
    def available(self) -> int:
        return available_units(self.on_hand, self.reserved, self.safety_stock)


class LiveIndex:
    BATCH = 1000

    def __init__(self) -> None:
        self.position = 0  # last notification id applied
        self.profiles: dict[str, StoreProfile] = {}
        self.sites: dict[str, StoreSite] = {}
        # store -> the SKUs it may sell online (stores with an assortment only)
        self.assortments: dict[str, frozenset[str]] = {}
        self.sharing: dict[str, StockSharing] = {}  # dealer -> its terms, when it set any
        self._dealer_ids: dict[UUID, str] = {}
        self.stock: dict[tuple[str, str], StockFigures] = {}
        self.stores_by_sku: dict[str, set[str]] = {}
        # sku -> how many locations have a unit of it available: 0 refuses an order for it
        # at once, without routing (a sold-out launch meets most of its traffic so)
        self.locations_with_units: dict[str, int] = {}
        # every order ever placed: a refused order asks the order writer whether its key
        # placed one before only when it might have
        self.placed_orders: set[UUID] = set()
        self._position_keys: dict[UUID, tuple[str, str]] = {}
        self._store_ids: dict[UUID, str] = {}
        # orders allocated per (store, store-local date), for daily capacity
        self.orders_per_day: dict[tuple[str, date], int] = {}
        self._allocated_on: dict[UUID, list[tuple[str, date]]] = {}
        # orders per (store, start of the hourly slot in epoch seconds), for slot capacity
        self.orders_per_slot: dict[tuple[str, int], int] = {}
        self._slots_of: dict[UUID, list[tuple[str, int]]] = {}
        # the latest store-local day an order was allocated for: counts well behind it are
        # never asked for again, and are dropped as the days go by (see _forget_past_days)
        self._newest_day: date | None = None
        self._directory: StoreDirectory | None = None
        # (store, order) whose reserved units the counter sold: the order must move
        self.losing_units: set[tuple[str, str]] = set()
        # backorders: (store, sku) -> reference -> [units still to come, expected at (us)],
        # and -> order -> units claimed of that incoming stock, first come first served
        self.receipts: dict[tuple[str, str], dict[str, list[int]]] = {}
        self.claims: dict[tuple[str, str], dict[str, int]] = {}
        # (store, sku) -> transfer -> units in transit earmarked for an order: not claimable
        self.earmarked: dict[tuple[str, str], dict[str, int]] = {}
        # (store, order) whose claims incoming stock served: the order must record it
        self.backorders_served: set[tuple[str, str]] = set()
        # (store, order, sku) whose claim incoming stock no longer covers: the order must move
        self.uncovered_claims: set[tuple[str, str, str]] = set()
        # store -> movement id -> fingerprint of every movement recorded: a resend is known
        # without a query
        self.movements: dict[str, dict[str, str]] = {}
        # store -> the version of its POS ledger folded in here
        self.ledger_versions: dict[str, int] = {}
        self._ledger_stores: dict[UUID, str] = {}
        # allocated orders not yet paid -> the moment they were placed (us since the epoch)
        self.unpaid: dict[UUID, int] = {}
        self._placed_at: dict[UUID, int] = {}
        self.cloud_shops = CloudShopIndex()
        self.launches = LaunchIndex()  # sku -> the launches limiting it
        self.pre_sales = PreSaleIndex()  # sku -> its pre-sale
        self._token_ids: set[str] = set()
        # brands with a policy of their own: the others sell on the default terms, known
        # without a query per order
        self.brands_with_policy: set[str] = set()
        self._lock = threading.Lock()

    # --- reading ------------------------------------------------------------------------

    def available(self, store_id: str, sku: str) -> int:
        figures = self.stock.get((store_id, sku))
        return figures.available if figures else 0

    def claimable(self, store_id: str, sku: str, not_after_us: int, transit_arrives_us: int) -> int:
        """As StockPosition.claimable, from the index's figures."""
        key = (store_id, sku)
        figures = self.stock.get(key)
        if figures is None:
            return 0
        return claimable_units(
            self.receipts.get(key, {}).values(), figures.in_transit - sum(self.earmarked.get(key, {}).values()),
            sum(self.claims.get(key, {}).values()), not_after_us, transit_arrives_us,
        )

    def arrival_us(self, store_id: str, sku: str, units: int, transit_arrives_us: int) -> int:
        """When `units` more claimed of the position's incoming stock should have arrived,
        the earlier claims served first: the moment the expected receipts (and transfers in
        transit, at `transit_arrives_us`) add up to them; 0 if they never do."""
        key = (store_id, sku)
        figures = self.stock.get(key)
        coming = [(at, n) for n, at in self.receipts.get(key, {}).values()]
        if figures is not None and (in_transit := figures.in_transit - sum(self.earmarked.get(key, {}).values())) > 0:
            coming.append((transit_arrives_us, in_transit))
        needed = sum(self.claims.get(key, {}).values()) + units
        for at, n in sorted(coming):
            needed -= n
            if needed <= 0:
                return at
        return 0

    def movement_fingerprint(self, store_id: str, movement_id: str) -> str | None:
        """The fingerprint of a recorded movement, None when the id is new."""
        recorded = self.movements.get(store_id)
        return recorded.get(movement_id) if recorded is not None else None

    def ledger_version(self, store_id: str) -> int:
        return self.ledger_versions.get(store_id, 0)

    def has_position(self, store_id: str, sku: str) -> bool:
        return (store_id, sku) in self.stock

    def directory(self) -> StoreDirectory:
        """Stores with their spatial index; rebuilt only after a store changed."""
        directory = self._directory
        if directory is None:
            with self._lock:
                directory = self._directory = StoreDirectory(self.sites.values())
        return directory

    def orders_on(self, store_id: str, day: date) -> int:
        return self.orders_per_day.get((store_id, day), 0)

    def orders_in_slot(self, store_id: str, slot: datetime) -> int:
        return self.orders_per_slot.get((store_id, int(slot.timestamp())), 0)

    def taken(self) -> Taken:
        """What routing needs to know of the orders the stores have taken on already."""
        return Taken(self.orders_on, self.orders_in_slot)

    def knows_sku(self, sku: str) -> bool:
        """A SKU some location stocks, or one on pre-sale (no location may have it yet)."""
        return sku in self.stores_by_sku or sku in self.pre_sales.terms

    def sold_out(self, sku: str) -> bool:
        """No location has a unit of the SKU available."""
        return not self.locations_with_units.get(sku)

    def store_ids_holding(self, sku: str) -> list[str]:
        with self._lock:
            return sorted(self.stores_by_sku.get(sku, ()))

    def token_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._token_ids)

    def store_ids(self) -> list[str]:
        with self._lock:
            return sorted(self.profiles)

    def sharing_of(self, dealer_id: str) -> StockSharing:
        """The dealer's terms for its stores' stock (HQ's stores share everything)."""
        return self.sharing.get(dealer_id, SHARING_BY_DEFAULT) if dealer_id else SHARING_BY_DEFAULT

    # --- following the log --------------------------------------------------------------

    def catch_up(self, read: ReadEvents, seen: Callable[[Any], None] | None = None) -> int:
        """Applies every event after the current position, telling `seen` of each; returns
        how many were applied."""
        applied = 0
        with self._lock:
            while True:
                batch = read(self.position, self.BATCH)
                for notification_id, domain_event in batch:
                    self._apply(domain_event)
                    if seen is not None:
                        seen(domain_event)
                    self.position = notification_id
                applied += len(batch)
                if len(batch) < self.BATCH:
                    return applied

    def follow_saved(self, saved: Sequence[tuple[int, Any]]) -> bool:
        """Applies the events this process has just saved (notification id, domain event)
        without reading them back, but only when they are exactly the notifications next
        after the position: nothing recorded elsewhere (another process, another thread,
        or a gap) lies before them, so the index still folds the log in order. Returns
        whether it did; if not, nothing changed and catch_up reads them with the rest."""
        if not saved:
            return True
        ordered = sorted(saved, key=lambda pair: pair[0])
        with self._lock:
            # ids are unique, so first = position + 1 and last = position + n mean
            # exactly the ids position + 1 .. position + n
            if ordered[0][0] != self.position + 1 or ordered[-1][0] != self.position + len(ordered):
                return False
            for notification_id, domain_event in ordered:
                self._apply(domain_event)
                self.position = notification_id
        return True

    def _site_changed(self, store_id: str) -> None:
        """What routing knows of the store, from its profile, its assortment and its owner's terms."""
        profile = self.profiles[store_id]
        self.sites[store_id] = StoreSite(
            store_id, profile.location, profile.delivery_radius_km, profile.active,
            profile.opening_hours, profile.time_zone, profile.daily_order_capacity, profile.kind,
            profile.preparation_minutes, profile.hourly_slot_capacity, self.assortments.get(store_id),
            profile.dealer_id, self.sharing_of(profile.dealer_id).share_stock,
        )
        self._directory = None

    def _apply(self, e: Any) -> None:
        if isinstance(e, (Store.StoreRegistered, Store.StoreDetailsChanged)):
            store_id = e.store_id if isinstance(e, Store.StoreRegistered) else self._store_ids[e.originator_id]
            self._store_ids[e.originator_id] = store_id
            self.profiles[store_id] = profile_from_record(store_id, e.details)
            self._site_changed(store_id)
        elif isinstance(e, Store.AssortmentChanged):
            store_id = self._store_ids[e.originator_id]
            if e.everything:
                self.assortments.pop(store_id, None)
            else:
                self.assortments[store_id] = (self.assortments.get(store_id, frozenset()) | set(e.added)) - set(e.removed)
            self._site_changed(store_id)
        elif isinstance(e, Dealer.DealerRegistered):
            self._dealer_ids[e.originator_id] = e.dealer_id
        elif isinstance(e, Dealer.StockSharingSet):
            dealer_id = self._dealer_ids[e.originator_id]
            self.sharing[dealer_id] = StockSharing(e.share_stock, e.own_stores_first)
            for store_id, profile in self.profiles.items():
                if profile.dealer_id == dealer_id:
                    self._site_changed(store_id)
        elif isinstance(e, BrandPolicy.BrandPolicyStarted):
            self.brands_with_policy.add(e.brand_id)
        elif isinstance(e, ApiToken.TokenIssued):
            self._token_ids.add(e.token_id)
        elif isinstance(e, CloudShop.Event):
            self.cloud_shops.apply(e)
        elif isinstance(e, Launch.Event):
            self.launches.apply(e)
        elif isinstance(e, PreSale.Event):
            self.pre_sales.apply(e)
        elif isinstance(e, StockPosition.StockPositionOpened):
            key = (e.store_id, e.sku)
            self._position_keys[e.originator_id] = key
            self.stock[key] = StockFigures()
            self.stores_by_sku.setdefault(e.sku, set()).add(e.store_id)
        elif isinstance(e, StockMovement.StockMovementAccepted):
            self.movements.setdefault(e.store_id, {})[e.movement_id] = e.fingerprint
        elif isinstance(e, PosLedger.PosLedgerOpened):
            self._ledger_stores[e.originator_id] = e.store_id
            self.ledger_versions[e.store_id] = e.originator_version
        elif isinstance(e, PosLedger.MovementsRecorded):
            store_id = self._ledger_stores[e.originator_id]
            self.movements.setdefault(store_id, {}).update(e.fingerprints)
            self.ledger_versions[store_id] = e.originator_version
        elif isinstance(e, StockPosition.StockOversold):
            store_id = self._position_keys[e.originator_id][0]
            self.losing_units.update((store_id, order_id) for order_id in e.order_ids)
        elif isinstance(e, StockPosition.Event):
            if isinstance(e, (StockPosition.ReceiptExpected, StockPosition.ExpectedReceiptArrived)):
                self._follow_receipts(e)
            elif isinstance(e, (StockPosition.IncomingClaimed, StockPosition.ClaimsServed, StockPosition.ClaimReleased, StockPosition.ClaimsUncovered)):
                self._follow_claims(e)
            elif isinstance(e, (StockPosition.TransferDispatched, StockPosition.TransferServed, StockPosition.EarmarksDropped)):
                self._follow_earmarks(e)
            gone = isinstance(e, StockPosition.ReservationPicked) or (isinstance(e, StockPosition.ReservationReleased) and not getattr(e, "left", 0))
            if gone:
                self.losing_units.discard((self._position_keys[e.originator_id][0], e.order_id))
            if (change := stock_change(e)) is not NO_CHANGE:
                key = self._position_keys[e.originator_id]
                figures = self.stock[key]
                had_units = figures.available > 0
                figures.on_hand += change.on_hand
                figures.reserved += change.reserved
                figures.safety_stock += change.safety_stock
                figures.in_transit += change.in_transit
                figures.expected += change.expected
                if (has_units := figures.available > 0) != had_units:
                    sku = key[1]
                    self.locations_with_units[sku] = self.locations_with_units.get(sku, 0) + (1 if has_units else -1)
        elif isinstance(e, Order.OrderPlaced):
            self.placed_orders.add(e.originator_id)
            if getattr(e, "pre_sale", None):
                # a pre-order holds units of its pre-sale from now on: unpaid, it gives them back in time
                self.unpaid[e.originator_id] = e.placed_at_us
            else:
                self._placed_at[e.originator_id] = e.placed_at_us
        elif isinstance(e, Order.OrderAllocated):
            if (placed_at := self._placed_at.pop(e.originator_id, None)) is not None or e.originator_id not in self.placed_orders:
                self.unpaid[e.originator_id] = placed_at or 0
            self._take_slots(e.originator_id, e.shipments)
        elif isinstance(e, Order.BackorderServed):
            self.backorders_served.discard((e.store_id, str(e.originator_id)))
        elif isinstance(e, Order.OrderRerouted):
            self._free_slot(e.originator_id, e.from_store_id)
            self._take_slots(e.originator_id, e.shipments)
        elif isinstance(e, Order.ShipmentUnfulfillable):
            self._free_slot(e.originator_id, e.store_id)
        elif isinstance(e, Order.OrderLinesCancelled):
            for record in e.shipments:
                if record["emptied"]:
                    self._free_slot(e.originator_id, record["store_id"])
        elif isinstance(e, Order.PaymentConfirmed):
            self.unpaid.pop(e.originator_id, None)
        elif isinstance(e, Order.OrderCancelled):
            self.unpaid.pop(e.originator_id, None)
            self._placed_at.pop(e.originator_id, None)
            # a cancelled order gives its pick slots back
            for key in self._allocated_on.pop(e.originator_id, ()):
                _count_down(self.orders_per_day, key)
            for slot in self._slots_of.pop(e.originator_id, ()):
                _count_down(self.orders_per_slot, slot)

    def _follow_receipts(self, e: Any) -> None:
        key = self._position_keys[e.originator_id]
        receipts = self.receipts.setdefault(key, {})
        left = e.quantity if isinstance(e, StockPosition.ReceiptExpected) else e.left
        if left:
            at = e.expected_at_us if isinstance(e, StockPosition.ReceiptExpected) else receipts[e.reference][1]
            receipts[e.reference] = [left, at]
        else:
            receipts.pop(e.reference, None)
        if not receipts:
            del self.receipts[key]

    def _follow_earmarks(self, e: Any) -> None:
        key = self._position_keys[e.originator_id]
        earmarked = self.earmarked.setdefault(key, {})
        if isinstance(e, StockPosition.TransferDispatched):
            if getattr(e, "order_id", ""):
                earmarked[e.transfer_id] = earmarked.get(e.transfer_id, 0) + e.quantity
        elif isinstance(e, StockPosition.TransferServed):
            self.backorders_served.add((key[0], e.order_id))
            if e.done:
                earmarked.pop(e.transfer_id, None)
            elif e.transfer_id in earmarked:
                earmarked[e.transfer_id] -= e.quantity
        else:
            for transfer_id in e.transfer_ids:
                earmarked.pop(transfer_id, None)
        if not earmarked:
            del self.earmarked[key]

    def _follow_claims(self, e: Any) -> None:
        key = self._position_keys[e.originator_id]
        store_id, sku = key
        claims = self.claims.setdefault(key, {})
        if isinstance(e, StockPosition.IncomingClaimed):
            claims[e.order_id] = e.quantity
        elif isinstance(e, StockPosition.ClaimsUncovered):
            self.uncovered_claims.update((store_id, order_id, sku) for order_id in e.order_ids)
        else:
            changes = [(e.order_id, e.quantity)] if isinstance(e, StockPosition.ClaimReleased) else e.served
            for order_id, units in changes:
                if (left := claims.get(order_id, 0) - units) > 0:
                    claims[order_id] = left
                else:
                    claims.pop(order_id, None)
                    self.uncovered_claims.discard((store_id, order_id, sku))
                if isinstance(e, StockPosition.ClaimsServed):
                    self.backorders_served.add((store_id, order_id))
        if not claims:
            del self.claims[key]

    def _take_slots(self, order_id: UUID, shipments: list[dict]) -> None:
        """Each location shipping part of the order takes one of its pick slots that day."""
        keys = [(s["store_id"], date.fromisoformat(s["store_day"])) for s in shipments]
        for key in keys:
            self.orders_per_day[key] = self.orders_per_day.get(key, 0) + 1
        self._allocated_on.setdefault(order_id, []).extend(keys)
        slots = [(s["store_id"], int(datetime.fromisoformat(s["slot"]).timestamp())) for s in shipments if s.get("slot")]
        for slot in slots:
            self.orders_per_slot[slot] = self.orders_per_slot.get(slot, 0) + 1
        if slots:
            self._slots_of.setdefault(order_id, []).extend(slots)
        newest = max((day for _, day in keys), default=None)
        if newest is not None and (self._newest_day is None or newest > self._newest_day):
            self._newest_day = newest
            self._forget_past_days(newest - DAYS_KEPT)

    def _forget_past_days(self, first_kept: date) -> None:
        """Drops the counts and the orders' slot lists of days before `first_kept`: no order
        is allocated to them any more, so a long-running server does not keep every order's
        slots for ever. A slot is dropped a day later than its day, whatever its time zone."""
        first_slot_kept = int(datetime(first_kept.year, first_kept.month, first_kept.day, tzinfo=timezone.utc).timestamp()) - 86_400
        self.orders_per_day = {k: n for k, n in self.orders_per_day.items() if k[1] >= first_kept}
        self.orders_per_slot = {k: n for k, n in self.orders_per_slot.items() if k[1] >= first_slot_kept}
        for lists, kept in ((self._allocated_on, lambda k: k[1] >= first_kept), (self._slots_of, lambda k: k[1] >= first_slot_kept)):
            for order_id in list(lists):
                left = [k for k in lists[order_id] if kept(k)]
                if left:
                    lists[order_id] = left
                else:
                    del lists[order_id]

    def _free_slot(self, order_id: UUID, store_id: str) -> None:
        keys = self._allocated_on.get(order_id, [])
        for key in [k for k in keys if k[0] == store_id]:
            keys.remove(key)
            _count_down(self.orders_per_day, key)
        slots = self._slots_of.get(order_id, [])
        for slot in [k for k in slots if k[0] == store_id]:
            slots.remove(slot)
            _count_down(self.orders_per_slot, slot)


def _count_down(counts: dict, key) -> None:
    """One fewer for `key`, unless its day has been forgotten already."""
    if key in counts:
        counts[key] -= 1
