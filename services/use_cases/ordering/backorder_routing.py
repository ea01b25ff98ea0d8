"""Backorders, orders that wait for stock on its way: where one goes and what it claims.

A customer who allows it (PlaceOrder's allow_backorder, with a bound not_after) may buy what
no location has now but what a location's incoming stock (receipts expected by the bound,
transfers in transit arriving in time) will cover. Routing chooses as for any order, counting
a location's available units plus the incoming units not claimed already; at the chosen
locations the order reserves what is there and claims the rest of the incoming stock, first
come first served. Its shipment there is BACKORDERED until the claims are served, and takes
no slot of its store until then; its promise counts from the stock's expected arrival.
What happens as the stock arrives: the backorders use cases.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from aggregates.order import BACKORDERED
from domain.errors import InvalidInput
from domain.stores import WAREHOUSE
from domain.values import FulfilmentMode, GeoPoint
from routing.decision import Decision
from routing.hours import local_time
from routing.promise import promise_at_store, promise_express
from services.use_cases.ordering.selling import routing_request
from services.use_cases.application import OmoApplication, epoch_us

FARTHEST_BOUND = timedelta(days=366)


@dataclass(frozen=True)
class Backorder:
    """A decision counting incoming stock: the units reserved now and those claimed, by
    (store, sku), and per store what its shipment awaits and when that should arrive."""

    decision: Decision
    wanted: dict[tuple[str, str], int]
    claims: dict[tuple[str, str], int]
    awaiting: dict[str, dict[str, int]]
    arrivals: dict[str, datetime]


def checked_bound(not_after: datetime, now: datetime) -> datetime:
    """`not_after`, the latest moment a backorder's customer accepts, if it can be one."""
    if not_after <= now:
        raise InvalidInput("not_after", f"is in the past ({not_after.isoformat()}); give a moment after now")
    if not_after > now + FARTHEST_BOUND:
        raise InvalidInput("not_after", f"must be within {FARTHEST_BOUND.days} days of now")
    return not_after


def transit_arrival(app: OmoApplication, now: datetime) -> int:
    """When units in transit now are taken to arrive (us): now plus a transfer's lead time."""
    return epoch_us(now + app.routing.promise_terms.transfer_lead)


def backorder(
    app: OmoApplication, customer_location: GeoPoint, quantities: dict[str, int], mode: FulfilmentMode,
    pickup_store_id: str, now: datetime, not_after: datetime, passed_over: Collection[str] = (), seller: str = "",
) -> Backorder:
    """Where the order goes when incoming stock by `not_after` counts, and what it reserves
    and claims there; NoStoreCanFulfil when even that cannot cover it."""
    not_after_us, transit_us = epoch_us(not_after), transit_arrival(app, now)
    index = app.index

    def available(store_id: str, sku: str) -> int:
        return index.available(store_id, sku) + index.claimable(store_id, sku, not_after_us, transit_us)

    request = routing_request(app, customer_location, quantities, mode, pickup_store_id, now, seller)
    decision = app.routing.choose(request, index.directory(), available, index.taken(), passed_over)
    wanted: dict[tuple[str, str], int] = {}
    claims: dict[tuple[str, str], int] = {}
    awaiting: dict[str, dict[str, int]] = {}
    arrivals = {}
    for shipment in decision.shipments:
        store_id = shipment.allocation.store_id
        for sku, units in shipment.quantities.items():
            if there := min(max(index.available(store_id, sku), 0), units):
                wanted[(store_id, sku)] = there
            if units - there:
                awaiting.setdefault(store_id, {})[sku] = claims[(store_id, sku)] = units - there
        if store_id in awaiting:
            arrival = max(index.arrival_us(store_id, sku, units, transit_us) for sku, units in awaiting[store_id].items())
            arrivals[store_id] = max(_moment(arrival), now)
    return Backorder(decision, wanted, claims, awaiting, arrivals)


def _moment(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc)


def waiting_record(app: OmoApplication, record: dict, awaiting: dict[str, int], arrival: datetime, not_after: datetime, mode: FulfilmentMode) -> dict:
    """The shipment record of a backordered shipment: promised from the stock's arrival,
    taking no slot until then."""
    site = app.index.directory().get(record["store_id"])
    terms = app.routing.promise_terms
    if site.kind == WAREHOUSE:
        promise = promise_express(site, arrival, terms)
    else:
        promise = promise_at_store(site, arrival, record["distance_m"], mode is not FulfilmentMode.PICKUP, terms)
    return dict(
        record, status=BACKORDERED, awaiting=awaiting, not_after=not_after.isoformat(), promised_by=promise.isoformat(),
        slot="", scheduled_for="", store_day=local_time(arrival, site.time_zone).date().isoformat(),
    )
