"""The demo's dealers' terms and store assortments: one dealer keeps its stores' stock for its
own cloud shops, another wants its own stores first, and some stores list only part of the
catalogue; afterwards, the proof routing kept to all three."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TextIO

from protos.omo.v1 import dealers_pb2, stores_pb2
from services.client.client import OmoClient
from services.demo import seeding

KEEPER, OWN_FIRST = "D000", "D001"  # the dealer keeping its stock, the one wanting its stores first
ASSORTMENT_EVERY = 10  # every tenth store lists only the first half of the catalogue


@dataclass
class Terms:
    owner: dict[str, str]  # store -> dealer ("" for HQ)
    listed: dict[str, frozenset[str]]  # the stores with an assortment


def set_terms(client: OmoClient, world: seeding.World) -> Terms:
    client.dealers.SetStockSharing(dealers_pb2.SetStockSharingRequest(dealer_id=KEEPER, sharing=dealers_pb2.StockSharing(share_stock=False)))
    client.dealers.SetStockSharing(dealers_pb2.SetStockSharingRequest(
        dealer_id=OWN_FIRST, sharing=dealers_pb2.StockSharing(share_stock=True, own_stores_first=True),
    ))
    half = world.skus[: len(world.skus) // 2]
    listed = {}
    for store in world.stores[::ASSORTMENT_EVERY]:
        client.stores.SetAssortment(stores_pb2.SetAssortmentRequest(store_id=store.store_id, add_skus=half))
        listed[store.store_id] = frozenset(half)
    return Terms({s.store_id: s.dealer_id for s in world.stores + world.warehouses}, listed)


def check_terms(terms: Terms, orders: list) -> Counter:
    """Counts what the terms did to the orders placed, and raises if routing broke one: a
    keeper's store serving another seller, a store shipping a SKU it does not list."""
    seen = Counter()
    for order in orders:
        seller = order.sale.seller.removeprefix("DEALER:") if order.sale.seller.startswith("DEALER:") else ""
        at_own = [s for s in order.shipments if terms.owner.get(s.store_id) == seller]
        for shipment in order.shipments:
            owner = terms.owner.get(shipment.store_id, "")
            if owner == KEEPER:
                if seller != KEEPER:
                    raise AssertionError(f"order {order.order_id} sold by {seller or 'HQ'} ships from {KEEPER}'s store {shipment.store_id}")
                seen["keeper's stores, its own sales"] += 1
            if shipment.store_id in terms.listed:
                unlisted = {line.sku for line in shipment.lines} - terms.listed[shipment.store_id]
                if unlisted:
                    raise AssertionError(f"store {shipment.store_id} ships {sorted(unlisted)}, which it does not list")
                seen["shipments from stores with an assortment"] += 1
        if seller == OWN_FIRST:
            seen["own-first dealer's sales"] += 1
            seen["own-first dealer's sales from its own stores"] += bool(at_own)
    return seen


def print_terms(seen: Counter, out: TextIO) -> None:
    rows = (
        (f"{KEEPER} keeps its stock: its stores' shipments (own sales)", seen["keeper's stores, its own sales"]),
        (f"{OWN_FIRST} wants its own stores first: its sales", seen["own-first dealer's sales"]),
        ("  shipped from its own stores", seen["own-first dealer's sales from its own stores"]),
        ("shipments from stores listing half the SKUs", seen["shipments from stores with an assortment"]),
    )
    print("\n  dealers' terms and assortments, kept by routing", file=out)
    for label, count in rows:
        print(f"  {'  ' + label:<56}{count:>8}", file=out)
