"""Who may call what: one rule per RPC (issue 7, not yet enforced by the server).

A rule names the roles allowed and, for roles scoped to one store or one dealer, the request
field that names the object the call acts on: a `pos` caller may act only where that field
is its own store, a `dealer` caller only on its own dealer (or, for a store field, on a store
it owns). `ops` (HQ) may call everything it is listed for, on any object. A store field the
use case reads through an order (the order's shipment at that store) is checked the same
way: the use case itself refuses a store the order has no shipment at.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.callers import CHECKOUT, DEALER, OPS, POS


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    store_field: str = ""  # the request field naming the store acted on ("" when none)
    dealer_field: str = ""  # the request field naming the dealer acted on


def rule(*roles: str, store: str = "", dealer: str = "") -> Rule:
    return Rule(frozenset(roles), store, dealer)


RULES: dict[str, Rule] = {
    "omo.v1.StoreService/UpsertStore": rule(OPS),
    "omo.v1.StoreService/GetStore": rule(OPS, CHECKOUT, POS, DEALER, store="store_id"),
    "omo.v1.StoreService/ListStores": rule(OPS, CHECKOUT),
    "omo.v1.InventoryService/ReceiveStock": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/AdjustStock": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/RecordCount": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/SetSafetyStock": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/GetStockPosition": rule(OPS, CHECKOUT, POS, DEALER, store="store_id"),
    "omo.v1.InventoryService/ListStockPositions": rule(OPS, CHECKOUT),
    "omo.v1.OrderService/PlaceOrder": rule(CHECKOUT),
    "omo.v1.OrderService/GetOrder": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/CancelOrder": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/ExplainAllocation": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/ConfirmPayment": rule(CHECKOUT),
    "omo.v1.OrderService/ReturnOrder": rule(CHECKOUT, POS, store="store_id"),
    "omo.v1.FulfilmentService/AcceptOrder": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/RejectOrder": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/MarkPicked": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/HandOver": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/MarkDelivered": rule(POS, store="store_id"),
    "omo.v1.PosService/SyncStock": rule(POS, store="store_id"),
    "omo.v1.TransferService/RequestTransfer": rule(OPS, POS, store="to_store_id"),
    "omo.v1.TransferService/ShipTransfer": rule(OPS, POS),  # the pos of the transfer's from-store (read through the transfer)
    "omo.v1.TransferService/ReceiveTransfer": rule(OPS, POS),  # the pos of its to-store
    "omo.v1.TransferService/GetTransfer": rule(OPS, POS),  # either store's pos
    "omo.v1.StockQueryService/GetNationalStock": rule(OPS, CHECKOUT),
    "omo.v1.StockQueryService/ListLowStock": rule(OPS, DEALER),  # a dealer: region.dealer must be its own
    "omo.v1.StockQueryService/WatchStock": rule(OPS, DEALER),  # as ListLowStock
    "omo.v1.DealerService/RegisterRegion": rule(OPS),
    "omo.v1.DealerService/RegisterDealer": rule(OPS),
    "omo.v1.DealerService/GetDealer": rule(OPS, DEALER, dealer="dealer_id"),
    "omo.v1.DealerService/ChangeStoreOwner": rule(OPS),
    "omo.v1.DealerService/SetAttributionPolicy": rule(OPS),
    "omo.v1.DealerService/GetAttributionPolicy": rule(OPS, DEALER),
    "omo.v1.DealerService/GetStatement": rule(OPS, DEALER, dealer="dealer_id"),
    "omo.v1.CloudShopService/OpenCloudShop": rule(OPS),
    "omo.v1.CloudShopService/CloseCloudShop": rule(OPS),
    "omo.v1.CloudShopService/GetCloudShop": rule(OPS, CHECKOUT, DEALER),  # a dealer: its own stores' shops
    "omo.v1.CloudShopService/AddShopAssistant": rule(OPS, DEALER),  # a dealer: its own stores' shops
    "omo.v1.CloudShopService/FindCloudShop": rule(OPS, CHECKOUT),
}
