"""Who may call what: one rule per RPC, enforced by the server's gate
through its authorization.

A rule names the roles allowed and, for roles scoped to one store or one dealer, how to find
the object the call acts on: a request field naming a store or a dealer, or `through` a
lookup (a transfer's stores, a cloud shop's store, a stock region, an order's stores). A `pos` caller may act
only on its own store, a `dealer` caller only on its own dealer or a store it owns now.
`ops` (HQ) and `checkout` act on any object of the RPCs they are listed for; where a rule
names a `customer` field, a checkout must name the customer it acts for there (it lists one
customer's orders, never a store's or everyone's). `shared`: the
object belongs to no store or dealer (a brand's policy). `hide`: a scoped caller is told
NOT_FOUND rather than PERMISSION_DENIED, so that ids it does not own reveal nothing (the
other end of a transfer, which sees the transfer, is told PERMISSION_DENIED). A store
field the use case reads through an order (the order's shipment at that store) is checked the
same way: the use case itself refuses a store the order has no shipment at.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.callers import CHECKOUT, DEALER, OPS, POS


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    store_field: str = ""  # the request field naming the store acted on ("" when none)
    dealer_field: str = ""  # the request field naming the dealer acted on
    through: str = ""  # a lookup finding the object's stores or dealer: one of THROUGH
    shared: bool = False
    hide: bool = False
    customer_field: str = ""  # the request field a checkout caller must name its customer in


THROUGH = ("transfer_from", "transfer_to", "transfer_either", "cloud_shop", "stock_region", "order")


def rule(
    *roles: str, store: str = "", dealer: str = "", through: str = "", shared: bool = False, hide: bool = False,
    customer: str = "",
) -> Rule:
    if through and through not in THROUGH:
        raise ValueError(f"unknown lookup {through!r}")
    return Rule(frozenset(roles), store, dealer, through, shared, hide, customer)


RULES: dict[str, Rule] = {
    "omo.v1.StoreService/UpsertStore": rule(OPS),
    "omo.v1.StoreService/GetStore": rule(OPS, CHECKOUT, POS, DEALER, store="store_id"),
    "omo.v1.StoreService/ListStores": rule(OPS, CHECKOUT),
    # a region names no store or dealer a scoped caller owns: ops only
    "omo.v1.StoreService/GetStorePerformance": rule(OPS, POS, DEALER, store="store_id", dealer="dealer_id"),
    "omo.v1.StoreService/SetAssortment": rule(OPS, DEALER, store="store_id"),
    "omo.v1.StoreService/GetAssortment": rule(OPS, CHECKOUT, POS, DEALER, store="store_id"),
    "omo.v1.InventoryService/ReceiveStock": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/AdjustStock": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/RecordCount": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/SetSafetyStock": rule(OPS, POS, store="store_id"),
    "omo.v1.InventoryService/ExpectReceipt": rule(OPS),  # HQ, or the warehouse's system as ops
    "omo.v1.InventoryService/GetStockPosition": rule(OPS, CHECKOUT, POS, DEALER, store="store_id"),
    "omo.v1.InventoryService/ListStockPositions": rule(OPS, CHECKOUT),
    "omo.v1.OrderService/PlaceOrder": rule(CHECKOUT),
    "omo.v1.OrderService/GetOrder": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/CancelOrder": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/CancelOrderLines": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/ExplainAllocation": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/GetOrderHistory": rule(CHECKOUT, OPS, POS, DEALER, through="order", hide=True),
    "omo.v1.OrderService/QuoteDelivery": rule(CHECKOUT, OPS),
    "omo.v1.OrderService/ListOrders": rule(CHECKOUT, OPS, POS, DEALER, store="store_id", customer="customer_id"),
    "omo.v1.OrderService/ConfirmPayment": rule(CHECKOUT),
    "omo.v1.OrderService/ReturnOrder": rule(CHECKOUT, POS, store="store_id"),
    "omo.v1.FulfilmentService/AcceptOrder": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/RejectOrder": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/MarkPicked": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/HandOver": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/MarkDelivered": rule(POS, store="store_id"),
    "omo.v1.FulfilmentService/ListShipments": rule(POS, OPS, store="store_id"),
    "omo.v1.FulfilmentService/WatchShipments": rule(POS, OPS, store="store_id"),
    "omo.v1.PosService/SyncStock": rule(POS, store="store_id"),
    "omo.v1.TransferService/RequestTransfer": rule(OPS, POS, store="to_store_id"),
    "omo.v1.TransferService/ShipTransfer": rule(OPS, POS, through="transfer_from", hide=True),
    "omo.v1.TransferService/ReceiveTransfer": rule(OPS, POS, through="transfer_to", hide=True),
    "omo.v1.TransferService/GetTransfer": rule(OPS, POS, through="transfer_either", hide=True),
    "omo.v1.StockQueryService/GetNationalStock": rule(OPS, CHECKOUT),
    "omo.v1.StockQueryService/ListLowStock": rule(OPS, DEALER, through="stock_region"),
    "omo.v1.StockQueryService/WatchStock": rule(OPS, DEALER, through="stock_region"),
    "omo.v1.DealerService/RegisterRegion": rule(OPS),
    "omo.v1.DealerService/RegisterDealer": rule(OPS),
    "omo.v1.DealerService/GetDealer": rule(OPS, DEALER, dealer="dealer_id"),
    "omo.v1.DealerService/ChangeStoreOwner": rule(OPS),
    "omo.v1.DealerService/SetAttributionPolicy": rule(OPS),
    "omo.v1.DealerService/GetAttributionPolicy": rule(OPS, DEALER, shared=True),
    "omo.v1.DealerService/GetStatement": rule(OPS, DEALER, dealer="dealer_id"),
    "omo.v1.DealerService/SetStockSharing": rule(OPS, DEALER, dealer="dealer_id"),
    # what one party paid another moves balances between parties: HQ operations record it
    "omo.v1.DealerService/RecordSettlement": rule(OPS),
    # the checkout that downloads the provider's bills sends them; a dealer its own account's
    "omo.v1.DealerService/ImportProviderBill": rule(OPS, CHECKOUT, DEALER, dealer="dealer_id"),
    # the same as GetStatement: a dealer its own month only (the refusal reads the same whether
    # the other dealer exists or not), HQ operations any
    "omo.v1.DealerService/GetReconciliation": rule(OPS, DEALER, dealer="dealer_id"),
    "omo.v1.CloudShopService/OpenCloudShop": rule(OPS),
    "omo.v1.CloudShopService/CloseCloudShop": rule(OPS),
    "omo.v1.CloudShopService/GetCloudShop": rule(OPS, CHECKOUT, DEALER, through="cloud_shop"),
    "omo.v1.CloudShopService/AddShopAssistant": rule(OPS, DEALER, through="cloud_shop"),
    "omo.v1.CloudShopService/FindCloudShop": rule(OPS, CHECKOUT),
    "omo.v1.LaunchService/SetLaunch": rule(OPS),
    "omo.v1.LaunchService/GetLaunch": rule(OPS, CHECKOUT),
    "omo.v1.LaunchService/SetPreSale": rule(OPS),
    # the checkout shows a pre-sale's price, window and units left
    "omo.v1.LaunchService/GetPreSale": rule(OPS, CHECKOUT),
    "omo.v1.LaunchService/PlanPreSale": rule(OPS),
}
