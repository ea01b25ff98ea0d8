"""The delivery promise: when the customer gets the order, worked out from where and when
the chosen location starts on it.

Each store has hourly slots during its opening hours and may prepare at most so many orders
in each (`hourly_slot_capacity`, 0: no limit). An order takes the slot of the moment its store
starts on it: now when open and the current slot has room, else the store's next slot with
room (the first of the morning, for an order placed while it is shut).

- DELIVERY: promised at that start + the store's preparation time + the travel time from the
  distance at the configured courier speed;
- PICKUP: ready at the counter at that start + the preparation time;
- EXPRESS, from a regional warehouse: by the end of the day `express_lead_days` after today in
  the warehouse's zone.

A promise is rounded up to the next five minutes: customers read "by 20:35", and a quote
and the order placed at once after it give the same figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone

from routing.hours import local_time
from domain.stores import WAREHOUSE
from domain.values import FulfilmentMode
from routing.decision import Decision
from routing.sites import OrdersInSlot, RoutingRequest, StoreDirectory, StoreSite

SLOT = timedelta(hours=1)
ROUNDED_TO = timedelta(minutes=5)
MOST_SLOTS_LOOKED_AT = 24 * 8  # a week and a day of hourly slots: beyond, the store is full
LATER = timedelta(days=8)  # how far off a store's start may be when none can start soon
STARTS_LATER = "no store in reach could start"  # how a decision that had to wait says so

@dataclass(frozen=True)
class PromiseTerms:
    delivery_speed_kmh: float = 15.0  # a courier on an e-bike through a city
    express_lead_days: int = 2
    # how long goods shipped between stores take to arrive (a transfer's lead time)
    transfer_lead: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if not self.delivery_speed_kmh > 0:
            raise ValueError(f"delivery_speed_kmh must be > 0, got {self.delivery_speed_kmh}")
        if self.express_lead_days < 0:
            raise ValueError(f"express_lead_days must be >= 0, got {self.express_lead_days}")
        if self.transfer_lead < timedelta(0):
            raise ValueError(f"transfer_lead must be >= 0, got {self.transfer_lead}")


def slot_of(moment: datetime, time_zone: str) -> datetime:
    """The start of the store-local hour holding `moment`."""
    return local_time(moment, time_zone).replace(minute=0, second=0, microsecond=0)


def first_free_slot(site: StoreSite, begin: datetime, orders_in_slot: OrdersInSlot) -> datetime | None:
    """When the store can start on an order it could otherwise start at `begin`: `begin`
    itself when its slot has room (or the store has no slot limit), else the start of its next
    slot with room while it is open; None when none has room within a week."""
    if not site.hourly_slot_capacity:
        return begin
    slot = slot_of(begin, site.time_zone)
    start = begin
    for _ in range(MOST_SLOTS_LOOKED_AT):
        if orders_in_slot(site.store_id, slot) < site.hourly_slot_capacity:
            return start
        opening = site.schedule.opening((slot + SLOT).astimezone(timezone.utc))
        if opening is None:
            return None
        start = local_time(opening.at, site.time_zone)
        slot = slot_of(start, site.time_zone)
    return None


def rounded_up(moment: datetime) -> datetime:
    """To the next five minutes of the wall clock (zones are whole quarter hours)."""
    past = timedelta(minutes=moment.minute % 5, seconds=moment.second, microseconds=moment.microsecond)
    return moment if not past else moment - past + ROUNDED_TO


def promise_at_store(site: StoreSite, start: datetime, distance_m: int, delivery: bool, terms: PromiseTerms) -> datetime:
    """Delivered by (DELIVERY) or ready at the counter (PICKUP), in the store's local time."""
    ready = local_time(start, site.time_zone) + timedelta(minutes=site.preparation_minutes)
    if delivery:
        ready += timedelta(hours=distance_m / 1000 / terms.delivery_speed_kmh)
    return rounded_up(ready)


def promise_express(site: StoreSite, now: datetime, terms: PromiseTerms) -> datetime:
    """By the end of the day `express_lead_days` after today, in the warehouse's zone."""
    local = local_time(now, site.time_zone)
    day = local.date() + timedelta(days=terms.express_lead_days)
    return datetime.combine(day, time(23, 59), tzinfo=local.tzinfo)


def promised(decision: Decision, request: RoutingRequest, directory: StoreDirectory, terms: PromiseTerms) -> Decision:
    """The decision with each shipment's slot and promise, as of `request.now`."""
    shipments = []
    for shipment in decision.shipments:
        allocation = shipment.allocation
        site = directory.get(allocation.store_id)
        if site.kind == WAREHOUSE:
            allocation = replace(allocation, promised_by=promise_express(site, request.now, terms))
        else:
            start = allocation.scheduled_for or request.now
            delivery = request.mode is not FulfilmentMode.PICKUP
            allocation = replace(
                allocation, slot=slot_of(start, site.time_zone),
                promised_by=promise_at_store(site, start, allocation.distance_m, delivery, terms),
            )
        shipments.append(replace(shipment, allocation=allocation))
    return replace(decision, shipments=tuple(shipments))
