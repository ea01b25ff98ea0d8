"""A small dealer network built through the use cases, and orders taken from a cloud shop
through payment, the store's steps and hand-over (where attribution is recorded), for the
ledger and statement tests.

Shanghai: S1 (dealer DA) at People's Square, S2 (dealer DB) at Jing'an Temple, S3 (HQ) at
Lujiazui. Cloud shops CS-A (on S1), CS-B (on S2) and CS-H (on S3); CS-A has a shop
assistant AS1.
"""

from __future__ import annotations

from aggregates.order import TO_COURIER
from domain.attribution import PolicyTerms
from domain.dealers import CloudShopProfile, Dealer, Region
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import register_dealer, register_region, set_policy
from services.use_cases.network.cloud_shops import add_shop_assistant, open_cloud_shop
from services.use_cases.ordering.fulfilment import accept_order, confirm_payment, hand_over, mark_delivered, mark_picked
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.ordering.orders import PlaceOrder, get_order, place_order
from services.use_cases.stock.returns import return_order
from services.use_cases.network.stores import upsert_store

PEOPLES_SQUARE = (31.2304, 121.4737)
JINGAN_TEMPLE = (31.2243, 121.4468)
LUJIAZUI = (31.2397, 121.4998)
STORES = {"S1": ("DA", PEOPLES_SQUARE), "S2": ("DB", JINGAN_TEMPLE), "S3": ("", LUJIAZUI)}
SHOPS = {"CS-A": "S1", "CS-B": "S2", "CS-H": "S3"}
PRICES = {"SERUM": 12_345, "LIPSTICK": 9_999, "MASK": 1_001}
TERMS = PolicyTerms.create(hq_share_bp=500, fulfilment_fee_bp=800, fulfilment_fee_fixed_cents=150, assistant_commission_bp=300)


def store_profile(store_id: str, dealer_id: str, at: tuple[float, float]) -> StoreProfile:
    return StoreProfile(
        store_id=store_id, name=f"Store {store_id}", location=GeoPoint(*at), province="Shanghai", city="Shanghai",
        dealer_id=dealer_id, opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=10.0,
        daily_order_capacity=1000, active=True,
    )


def dealer_network(app: OmoApplication, stock: dict[str, dict[str, int]] | None = None, terms: PolicyTerms | None = None) -> str:
    """Registers the region, dealers, stores (with `stock`: store -> sku -> units; by
    default every SKU only at S2, so orders from CS-A are fulfilled by dealer DB) and cloud
    shops, and `terms` as the default brand's policy (None: the default terms); returns the
    shop assistant's share code."""
    register_region(app, Region.create("EAST", "East China"))
    for dealer_id in ("DA", "DB"):
        register_dealer(app, Dealer.create(dealer_id, f"Dealer {dealer_id}", "EAST"))
    for store_id, (dealer_id, at) in STORES.items():
        upsert_store(app, store_profile(store_id, dealer_id, at))
    for store_id, lines in (stock if stock is not None else {"S2": {sku: 1000 for sku in PRICES}}).items():
        receive_stock(app, store_id, list(lines.items()))
    for shop_id, store_id in SHOPS.items():
        open_cloud_shop(app, CloudShopProfile.create(shop_id, store_id, f"Shop {shop_id}", "default"))
    if terms is not None:
        set_policy(app, "default", terms, "tests")
    _, code = add_shop_assistant(app, "CS-A", "AS1", "Amy")
    return code


def sell(app: OmoApplication, key: str, lines: dict[str, int], cloud_shop: str = "", share_code: str = "") -> str:
    """Places, pays and fulfils an order to the customer at People's Square; returns its id."""
    command = PlaceOrder(
        idempotency_key=key, customer_id="C1", customer_location=GeoPoint(*PEOPLES_SQUARE),
        lines=tuple(OrderLine(sku, units, Money(PRICES[sku], "CNY")) for sku, units in lines.items()),
        mode=FulfilmentMode.DELIVERY, cloud_shop_id=cloud_shop, share_code=share_code,
    )
    order, _ = place_order(app, command)
    confirm_payment(app, order.order_id, f"pay-{key}", Money(order.total_cents, "CNY"))
    for shipment in order.shipments:
        store_id = shipment["store_id"]
        accept_order(app, order.order_id, store_id)
        mark_picked(app, order.order_id, store_id)
        hand_over(app, order.order_id, store_id, TO_COURIER)
        mark_delivered(app, order.order_id, store_id)
    return order.order_id


def trade(app: OmoApplication) -> dict[str, str]:
    """Four delivered orders: from dealer DA's shop with its assistant and from dealer DB's
    shop (both fulfilled by DB's store S2), one sold by HQ, one from DA's shop CS-K of brand
    "kids"; and a return of one serum of the first. The default brand's policy is TERMS
    (version 1, with a fixed fulfilment fee); "kids" keeps the default terms (version 0).
    Returns their ids by key."""
    code = dealer_network(app, terms=TERMS)
    open_cloud_shop(app, CloudShopProfile.create("CS-K", "S1", "Kids corner", "kids"))
    orders = {
        "a": sell(app, "a", {"SERUM": 3, "MASK": 2}, cloud_shop="CS-A", share_code=code),
        "b": sell(app, "b", {"LIPSTICK": 1}, cloud_shop="CS-B"),
        "h": sell(app, "h", {"LIPSTICK": 2}),
        "k": sell(app, "k", {"MASK": 3}, cloud_shop="CS-K"),
    }
    give_back(app, orders["a"], "R1", {"SERUM": 1})
    return orders


def give_back(app: OmoApplication, order_id: str, return_id: str, lines: dict[str, int], store_id: str = "S1") -> None:
    return_order(app, order_id, return_id, store_id, list(lines.items()))


def delivered_total(app: OmoApplication, order_id: str) -> int:
    return get_order(app, order_id).total_cents


# --- the ledger ----------------------------------------------------------------------------

def ledger_runner(app: OmoApplication, **options):
    from projections.definitions import DEALER_LEDGER
    from projections.runtime.runner import ProjectionRunner

    options.setdefault("poll_interval", 0.01)
    return ProjectionRunner(app.database_url, DEALER_LEDGER.event_log(app), DEALER_LEDGER, **options)


def ledger_table(engine, order_by: str = "entry_id") -> list[dict]:
    from sqlalchemy import text

    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(text(f"SELECT * FROM ledger_entries ORDER BY {order_by}")).mappings()]


def event_entries(app: OmoApplication) -> list[tuple[str, int, dict]]:
    """(order id, event version, entry) of every attribution and reversal, in log order."""
    from aggregates.order import Order

    found = []
    for notification in app.recorder.select_notifications(start=0, limit=1_000_000):
        e = app.mapper.to_domain_event(notification)
        if isinstance(e, Order.ShipmentAttributed):
            found += [(str(e.originator_id), e.originator_version, dict(x, store_id=e.store_id)) for x in e.attribution["entries"]]
        elif isinstance(e, Order.AttributionReversed):
            found += [(str(e.originator_id), e.originator_version, x) for x in e.entries]
    return found
