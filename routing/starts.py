"""When a store can start on an order: its opening hours, its hourly slots, its daily capacity.

A DELIVERY store shut for longer than the window the policy allows (`window`) is passed over as
CLOSED; one whose slots are full until beyond it, as SLOT_FULL; a PICKUP store starts when it
opens, however long the night. A store at its daily capacity on the store-local day it would start
is passed over as AT_CAPACITY."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.values import FulfilmentMode
from routing.decision import AT_CAPACITY, CLOSED, SLOT_FULL, Why
from routing.hours import local_time
from routing.promise import first_free_slot
from routing.sites import RoutingRequest, StoreSite, Taken


def when_it_starts(
    site: StoreSite, request: RoutingRequest, taken: Taken, delivery: bool, window: timedelta,
) -> tuple[Why | None, datetime | None]:
    """(why the store cannot start on the order in time, or None; when it would start if
    later than now)."""
    scheduled = None
    opening = site.schedule.opening(request.now)
    if delivery:
        if opening is None:
            return Why(CLOSED, "never open"), None
        if opening.wait > timedelta(0):
            if opening.wait > window:
                return Why(CLOSED, "closed until {:%a %H:%M}".format, opening.at), None
            scheduled = opening.at
    elif request.mode is FulfilmentMode.PICKUP and opening is not None and opening.wait > timedelta(0):
        scheduled = opening.at  # ready once it has opened, however long the night
    if site.hourly_slot_capacity and request.mode is not FulfilmentMode.EXPRESS:
        begin = scheduled or request.now
        start = first_free_slot(site, begin, taken.in_slot)
        if start is None:
            return Why(SLOT_FULL, "every hourly slot of the coming week is full"), None
        if start != begin:
            if delivery and start - request.now > window:
                return Why(SLOT_FULL, "hourly slots full until {:%a %H:%M}".format, start), None
            scheduled = start
    if site.daily_capacity:
        # the store-local day the order starts: when it opens or its slot begins if
        # scheduled, else now
        if scheduled is None:
            day = opening.today if opening is not None else local_time(request.now, site.time_zone).date()
        elif opening is not None and scheduled is opening.at:
            day = opening.day
        else:
            day = local_time(scheduled, site.time_zone).date()
        count = taken.on_day(site.store_id, day)
        if count >= site.daily_capacity:
            return Why(AT_CAPACITY, "at capacity: {} of {} orders on {:%Y-%m-%d}".format, count, site.daily_capacity, day), None
    return None, scheduled
