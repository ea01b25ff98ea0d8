"""The seeded world of the routing benchmark (bench/routing.py): stores in real Chinese cities,
regional warehouses, stock and orders. See bench/routing.py for what it models."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from tqdm import tqdm

from domain.stores import WAREHOUSE, WEEKDAYS, DailyHours
from domain.values import FulfilmentMode, GeoPoint
from routing.policy import RoutingRequest, StoreSite
from services.demo import seeding

BESTSELLERS = 100
STOCKED = (300, 600)  # SKUs listed per store, bestsellers included
ZONE = "Asia/Shanghai"
WEEK_START = datetime(2024, 6, 3, tzinfo=ZoneInfo(ZONE))  # a Monday
# relative order volume per hour of the day, 00:00 first: quiet nights, lunch and evening peaks
HOURLY_DEMAND = (3, 2, 1.5, 1.5, 1.5, 2, 3, 4, 6, 7, 8, 9, 10, 9, 8, 8, 8, 9, 10, 11, 11, 10, 8, 5)
CITIES = 300  # the most populous, as seeding.build_world (the demo) does


def city_sigma_km(city: seeding.City) -> float:
    return 2.0 + 2.5 * math.sqrt(city.population / 1e6)


def near(rng: random.Random, city: seeding.City) -> GeoPoint:
    point = seeding.jitter(rng, city, sigma_km=city_sigma_km(city))
    return GeoPoint(point.latitude, point.longitude)


def every_day(opens: str, closes: str) -> tuple[DailyHours, ...]:
    return tuple(DailyHours(day, opens, closes) for day in WEEKDAYS)


def opening_hours(rng: random.Random) -> tuple[DailyHours, ...]:
    roll = rng.random()
    if roll < 0.10:
        return ()  # around the clock
    if roll < 0.22:
        return every_day("07:00", "23:00")
    if roll < 0.28:  # longer at the weekend
        return tuple(
            DailyHours(day, "09:00", "22:30") if day in ("SATURDAY", "SUNDAY") else DailyHours(day, "10:00", "21:00")
            for day in WEEKDAYS
        )
    if roll < 0.30:  # closed on Mondays
        return every_day(rng.choice(["09:00", "10:00"]), "21:00")[1:]
    return every_day(rng.choice(["09:00", "10:00"]), rng.choice(["21:00", "22:00"]))


def build_stores(rng: random.Random, count: int) -> tuple[list[StoreSite], dict[str, int]]:
    """Store sites, and the orders each has already taken today (static, seeded)."""
    cities = seeding.chinese_cities()[:CITIES]
    weights = [c.population for c in cities]
    sites, taken = [], {}
    for i, city in enumerate(rng.choices(cities, weights=weights, k=count), start=1):
        store_id = f"S{i:05d}"
        capacity = rng.choice([100, 200, 300, 400])
        sites.append(
            StoreSite(
                store_id=store_id,
                location=near(rng, city),
                delivery_radius_km=rng.choice([3.0, 5.0, 5.0, 8.0, 10.0]),
                active=rng.random() > 0.02,
                opening_hours=opening_hours(rng),
                time_zone=ZONE,
                daily_capacity=capacity,
            )
        )
        taken[store_id] = capacity if rng.random() < 0.04 else rng.randrange(capacity)
    return sites, taken


def build_stock(nprng: np.random.Generator, sites: list[StoreSite], skus: list[str]) -> dict[tuple[str, str], int]:
    """Bestsellers plus a popularity-weighted pick without replacement (Efraimidis-Spirakis:
    the k smallest Exp(1)/weight) of the rest; 1-40 units, 8% of lines sold out."""
    weights = np.array(seeding.popularity(skus))[BESTSELLERS:]
    tail = skus[BESTSELLERS:]
    most = STOCKED[1] - BESTSELLERS
    stock: dict[tuple[str, str], int] = {}
    chunk = 1_000
    for start in tqdm(range(0, len(sites), chunk), desc="  stock", unit="k stores", leave=False):
        rows = sites[start:start + chunk]
        keys = nprng.exponential(size=(len(rows), len(tail))) / weights
        picks = np.argpartition(keys, most - 1, axis=1)[:, :most]
        picked_keys = np.take_along_axis(keys, picks, axis=1)
        picks = np.take_along_axis(picks, np.argsort(picked_keys, axis=1), axis=1)
        extra = nprng.integers(STOCKED[0] - BESTSELLERS, most + 1, size=len(rows))
        for site, row, k in zip(rows, picks, extra):
            listed = skus[:BESTSELLERS] + [tail[j] for j in row[:k]]
            units = nprng.integers(1, 41, size=len(listed))
            units[nprng.random(len(listed)) < 0.08] = 0
            stock.update(zip(((site.store_id, sku) for sku in listed), units.tolist()))
    return stock


def build_orders(rng: random.Random, count: int, skus: list[str]) -> list[RoutingRequest]:
    cities = seeding.chinese_cities()[:CITIES]
    city_weights = [c.population for c in cities]
    sku_weights = seeding.popularity(skus)
    result = []
    for _ in range(count):
        city = rng.choices(cities, weights=city_weights)[0]
        lines = rng.choices([1, 2, 3, 4, 5], weights=[40, 25, 17, 10, 8])[0]
        chosen = set()
        while len(chosen) < lines:
            chosen.add(rng.choices(skus, weights=sku_weights)[0])
        day = rng.randrange(7)
        hour = rng.choices(range(24), weights=HOURLY_DEMAND)[0]
        now = WEEK_START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        result.append(
            RoutingRequest(
                customer_location=near(rng, city),
                quantities={sku: rng.choice([1, 1, 1, 1, 2, 2, 3]) for sku in sorted(chosen)},
                mode=FulfilmentMode.DELIVERY,
                now=now,
            )
        )
    return result




def build_warehouses(nprng: np.random.Generator, skus: list[str]) -> tuple[list[StoreSite], dict[tuple[str, str], int]]:
    """The demo's regional warehouses (services.demo.seeding.WAREHOUSE_CITIES): each stocks 90% of
    the catalogue, 20-400 units of each."""
    sites, stock = [], {}
    for request in seeding.regional_warehouses():
        sites.append(
            StoreSite(
                store_id=request.store_id,
                location=GeoPoint(request.location.latitude, request.location.longitude),
                delivery_radius_km=0.0, active=True, time_zone=ZONE, kind=WAREHOUSE,
            )
        )
        listed = nprng.random(len(skus)) < 0.9
        units = nprng.integers(20, 401, size=len(skus))
        stock.update(((request.store_id, sku), int(n)) for sku, n, held in zip(skus, units, listed) if held)
    return sites, stock
