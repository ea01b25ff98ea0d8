"""Orders backed by transfers: a store that lacks units other stores nearby hold still takes
the order, and the system sends the units to it.

A PICKUP order whose pickup store lacks units (and, when the policy says so, a DELIVERY order
for the customer's nearest store) is routed to that store as if the stores within the
transfer radius of it (`RoutingPolicy.transfer_radius_km`, 30 km by default) lent it their
available units. The store reserves what it has; each source, nearest first, reserves what it
gives, and the order writer records, in the order's own save, a Transfer from each source to
the store naming the order. The shipment is AWAITING_TRANSFER, promised from the transfers'
lead time, in no store's queue. When a source ships, its reservation leaves with the goods (the
transfer's units are earmarked for the order at the store); when they arrive, they are the
order's reservation there, and the order goes ahead as a backorder does (see backorders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from aggregates.order import AWAITING_TRANSFER
from domain.errors import NoStoreCanFulfil
from domain.values import FulfilmentMode, GeoPoint, scoped_transfer_id
from routing.decision import DEALER_POLICY, OUT_OF_STOCK, PAUSED, Decision
from routing.policy import KEEPS_ITS_STOCK
from routing.hours import local_time
from routing.promise import promise_at_store
from services.use_cases.ordering.selling import routing_request
from services.use_cases.application import OmoApplication

SOURCE = "SOURCE"  # a store chosen to send units by transfer
MOST_SOURCES = 3  # stores sending units for one order


@dataclass(frozen=True)
class TransferBacking:
    """A decision for one store with units lent by others: what is reserved where (the store's
    own and each source's, by (store, sku)), the transfers to record, what the store's shipment
    awaits, and the sources considered (store, metres, code, reason) for the explanation."""

    decision: Decision
    wanted: dict[tuple[str, str], int]
    transfers: list[dict]
    awaiting: dict[str, int]
    sources: list[list]

    @property
    def store_id(self) -> str:
        return self.decision.allocation.store_id


def back_with_transfers(
    app: OmoApplication, order_id: UUID, customer_location: GeoPoint, quantities: dict[str, int], mode: FulfilmentMode,
    store_id: str, now: datetime, passed_over: frozenset[str] | set[str] = frozenset(), seller: str = "",
) -> TransferBacking:
    """The order at `store_id` (the pickup store, or the customer's nearest for DELIVERY) with
    the units it lacks sent from the stores within the transfer radius; NoStoreCanFulfil when
    the store cannot take it for another reason or they cannot cover it."""
    index, directory = app.index, app.index.directory()
    site = directory.get(store_id)
    radius = app.routing.transfer_radius_km
    if site is None or radius <= 0:
        raise NoStoreCanFulfil(f"store {store_id!r} cannot take it and no transfers are made")
    there = {sku: min(max(index.available(store_id, sku), 0), units) for sku, units in quantities.items()}
    missing = {sku: units - there[sku] for sku, units in quantities.items()}
    sources, transfers, lent = [], [], {}
    for km, source_id in directory.index.within(site.location, radius):
        if not any(missing.values()) or len(transfers) == MOST_SOURCES:
            break
        if source_id == store_id:
            continue
        metres = round(km * 1000)
        source = directory.get(source_id)
        if not source.active or source_id in passed_over:
            sources.append([source_id, metres, PAUSED, "paused" if source_id not in passed_over else "its stock fell short"])
            continue
        if source.kept_from(seller):
            sources.append([source_id, metres, DEALER_POLICY, KEEPS_ITS_STOCK])
            continue
        gives = {sku: min(max(index.available(source_id, sku), 0), left) for sku, left in missing.items() if left}
        gives = {sku: units for sku, units in gives.items() if units > 0}
        if not gives:
            sources.append([source_id, metres, OUT_OF_STOCK, "holds none of the units lacking"])
            continue
        name = f"o{order_id.hex[:16]}-{len(transfers) + 1}"
        transfer_id = scoped_transfer_id(store_id, name)
        transfers.append({"transfer_id": transfer_id, "from_store_id": source_id, "lines": gives})
        sources.append([source_id, metres, SOURCE, f"sends {_units(gives)} by transfer {transfer_id}"])
        for sku, units in gives.items():
            missing[sku] -= units
            lent[(source_id, sku)] = units
    if any(missing.values()):
        short = {sku: units for sku, units in missing.items() if units}
        raise NoStoreCanFulfil(
            f"store {store_id!r} lacks {_units(short)}, and the stores within {radius:g} km of it cannot send them"
        )

    def available(at_store: str, sku: str) -> int:
        return index.available(at_store, sku) + (quantities[sku] if at_store == store_id else 0)

    request = routing_request(app, customer_location, quantities, mode, store_id if mode is FulfilmentMode.PICKUP else "", now, seller)
    if mode is FulfilmentMode.PICKUP:
        decision = app.routing.choose(request, directory, available, index.taken(), passed_over)
    else:  # the customer's nearest store, as the only one considered
        others = {s for s in directory.sites if s != store_id}
        decision = app.routing.choose(request, directory, available, index.taken(), others | set(passed_over))
    if decision.allocation.store_id != store_id:
        raise NoStoreCanFulfil(f"store {store_id!r} cannot take the order")
    own = {(store_id, sku): units for sku, units in there.items() if units}
    awaiting = {}
    for transfer in transfers:
        for sku, units in transfer["lines"].items():
            awaiting[sku] = awaiting.get(sku, 0) + units
    return TransferBacking(decision, {**own, **lent}, transfers, awaiting, sources)


def awaiting_record(app: OmoApplication, record: dict, backing: TransferBacking, mode: FulfilmentMode, now: datetime) -> dict:
    """The shipment record of the store's shipment: promised once the transfers can arrive
    and the store has prepared it; no slot until then."""
    site = app.index.directory().get(record["store_id"])
    arrival = max(now + app.routing.promise_terms.transfer_lead, datetime.fromisoformat(record["scheduled_for"]) if record["scheduled_for"] else now)
    promise = promise_at_store(site, arrival, record["distance_m"], mode is not FulfilmentMode.PICKUP, app.routing.promise_terms)
    return dict(
        record, status=AWAITING_TRANSFER, awaiting=dict(backing.awaiting), transfers=[dict(t) for t in backing.transfers],
        promised_by=promise.isoformat(), slot="", scheduled_for="", store_day=local_time(arrival, site.time_zone).date().isoformat(),
    )


def nearest_store_in_reach(app: OmoApplication, customer_location: GeoPoint) -> str | None:
    """The active store nearest the customer whose delivery radius reaches them."""
    directory = app.index.directory()
    for km, store_id in directory.index.within(customer_location, directory.max_radius_km):
        site = directory.get(store_id)
        if site.active and km <= site.delivery_radius_km:
            return store_id
    return None


def _units(lines: dict[str, int]) -> str:
    return ", ".join(f"{units} x {sku}" for sku, units in lines.items())
