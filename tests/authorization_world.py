"""A small world for the authorization matrix, and one request per RPC acting on "own"
objects: store S1 (owned by dealer D1), dealer D1, cloud shop CS1 at S1, transfers from and
to S1, an order in every status the fulfilment steps need, each split between S1 and S3, and
a pre-sale (PRE_SALE) with one pre-order waiting to be planned.

Objects with two parties have S3 at the other end: S3 is the destination of the transfer S1
ships and the source of those S1 receives or requests, works the other shipment of every
split order, and shipped the order returned at S1 (PARTIES says which for each request, and
tests/e2e checks the served world agrees). S2 is a party to nothing.

The callers: HQ operations, the checkout, the POS of S1 (own), of S3 (the other party) and of
S2 (other), dealer D1 (own) and D2 (other), plus callers whose token is missing, malformed,
unknown or revoked.

ALLOWED, the matrix's specification: who may make each call on the world's own objects
(checked rule by rule in tests/unit, call by call against the served world in tests/e2e).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp

from aggregates.order import Order, shipment_record
from domain.dealers import CloudShopProfile
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_total
from protos.omo.v1 import (
    common_pb2,
    dealers_pb2,
    fulfilment_pb2,
    inventory_pb2,
    launches_pb2,
    orders_pb2,
    pos_pb2,
    stock_query_pb2,
    stores_pb2,
    transfers_pb2,
)
from services.client.cast import Cast
from services.use_cases.network.cloud_shops import open_cloud_shop
from services.use_cases.network.stores import upsert_store
from services.use_cases.stock.transfers import request_transfer
from tests.builders import (
    JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, lat_lng, line, order, receipt, register_dealers, register_dealers_in, store,
)

SERUM = "SERUM"
TONER = "TONER"  # S3's alone, so that an order for a serum and a toner is split between S1 and S3
LAUNCH = "DROP-WORLD"  # a launch limiting a sneaker, not the serum the world's orders buy
PRE_SALE = "PHONE-PRE"  # on pre-sale, with one pre-order not planned yet (none of the world's orders)
ORDER_STATES = ("unpaid", "paid", "accepted", "picked", "handed_over", "delivered")  # of S1's shipment
# the stores each of the world's orders ships from
SHIPPED_FROM = {**{state: ("S1", "S3") for state in ORDER_STATES}, "two_units": ("S1",), "delivered_from_s3": ("S3",)}
# the callers of the matrix, by name: (role, store, dealer)
CALLERS = {
    "ops": ("ops", "", ""),
    "checkout": ("checkout", "", ""),
    "pos_own": ("pos", "S1", ""),
    "pos_party": ("pos", "S3", ""),
    "pos_other": ("pos", "S2", ""),
    "dealer_own": ("dealer", "", "D1"),
    "dealer_other": ("dealer", "", "D2"),
}
UNKNOWN_TOKEN = "omo_0123456789ab_" + "x" * 43
# the transfers the world starts with, by name: (source, destination); T-TO-S1 is shipped
TRANSFERS = {"T-FROM-S1": ("S1", "S3"), "T-TO-S1": ("S3", "S1")}

# What S1 and S3 are to the object of each request with two parties (S2 is neither):
SOURCE, DESTINATION = "source", "destination"  # of a transfer
SHIPS = "ships"  # has a shipment of the order
NAMED = "named"  # is the store the request names (the shipment worked, where the return is taken)
_SPLIT_STEP = {"S1": {NAMED, SHIPS}, "S3": {SHIPS}}  # S1 works its shipment; S3 has the order's other one
PARTIES = {
    "omo.v1.TransferService/RequestTransfer": {"S1": {DESTINATION}, "S3": {SOURCE}},
    "omo.v1.TransferService/ShipTransfer": {"S1": {SOURCE}, "S3": {DESTINATION}},
    "omo.v1.TransferService/ReceiveTransfer": {"S1": {DESTINATION}, "S3": {SOURCE}},
    "omo.v1.TransferService/GetTransfer": {"S1": {SOURCE}, "S3": {DESTINATION}},
    "omo.v1.FulfilmentService/AcceptOrder": _SPLIT_STEP,
    "omo.v1.FulfilmentService/RejectOrder": _SPLIT_STEP,
    "omo.v1.FulfilmentService/MarkPicked": _SPLIT_STEP,
    "omo.v1.FulfilmentService/HandOver": _SPLIT_STEP,
    "omo.v1.FulfilmentService/MarkDelivered": _SPLIT_STEP,
    "omo.v1.OrderService/GetOrderHistory": {"S1": {SHIPS}, "S3": {SHIPS}},
    "omo.v1.OrderService/ReturnOrder": {"S1": {NAMED}, "S3": {SHIPS}},  # shipped by S3, brought back to S1
}

# The specification, written apart from the rules it checks: who may make each call on the
# world's own objects. "pos" / "dealer" = the POS of S1 / dealer D1 only; "party-pos" = the
# POS of S3, the other party (see PARTIES); "any-dealer" = D1 and D2. S2's POS, a party to
# nothing, may make no call about S1's objects.
SPEC_WORDS = {
    "ops": {"ops"}, "checkout": {"checkout"}, "pos": {"pos_own"}, "party-pos": {"pos_party"},
    "dealer": {"dealer_own"}, "any-dealer": {"dealer_own", "dealer_other"},
}
ALLOWED = {
    "omo.v1.StoreService/UpsertStore": "ops",
    "omo.v1.StoreService/GetStore": "ops checkout pos dealer",
    "omo.v1.StoreService/ListStores": "ops checkout",
    "omo.v1.StoreService/GetStorePerformance": "ops pos dealer",
    "omo.v1.StoreService/SetAssortment": "ops dealer",
    "omo.v1.StoreService/GetAssortment": "ops checkout pos dealer",
    "omo.v1.InventoryService/ReceiveStock": "ops pos",
    "omo.v1.InventoryService/AdjustStock": "ops pos",
    "omo.v1.InventoryService/RecordCount": "ops pos",
    "omo.v1.InventoryService/SetSafetyStock": "ops pos",
    "omo.v1.InventoryService/ExpectReceipt": "ops",
    "omo.v1.InventoryService/GetStockPosition": "ops checkout pos dealer",
    "omo.v1.InventoryService/ListStockPositions": "ops checkout",
    "omo.v1.OrderService/PlaceOrder": "checkout",
    "omo.v1.OrderService/GetOrder": "ops checkout",
    "omo.v1.OrderService/CancelOrder": "ops checkout",
    "omo.v1.OrderService/CancelOrderLines": "ops checkout",
    "omo.v1.OrderService/ExplainAllocation": "ops checkout",
    "omo.v1.OrderService/GetOrderHistory": "ops checkout pos party-pos dealer",  # both stores of the split order
    "omo.v1.OrderService/QuoteDelivery": "ops checkout",
    "omo.v1.OrderService/ListOrders": "ops checkout pos dealer",
    "omo.v1.OrderService/ConfirmPayment": "checkout",
    "omo.v1.OrderService/ReturnOrder": "checkout pos",  # where it is brought back, not the store that shipped it
    "omo.v1.FulfilmentService/AcceptOrder": "pos",  # each store works its own shipment of a split order
    "omo.v1.FulfilmentService/RejectOrder": "pos",
    "omo.v1.FulfilmentService/MarkPicked": "pos",
    "omo.v1.FulfilmentService/HandOver": "pos",
    "omo.v1.FulfilmentService/MarkDelivered": "pos",
    "omo.v1.FulfilmentService/ListShipments": "ops pos",
    "omo.v1.FulfilmentService/WatchShipments": "ops pos",
    "omo.v1.PosService/SyncStock": "pos",
    "omo.v1.TransferService/RequestTransfer": "ops pos",  # the destination asks for what it needs
    "omo.v1.TransferService/ShipTransfer": "ops pos",  # the source's act
    "omo.v1.TransferService/ReceiveTransfer": "ops pos",  # the destination's act
    "omo.v1.TransferService/GetTransfer": "ops pos party-pos",  # either end
    "omo.v1.StockQueryService/GetNationalStock": "ops checkout",
    "omo.v1.StockQueryService/ListLowStock": "ops dealer",
    "omo.v1.StockQueryService/WatchStock": "ops dealer",
    "omo.v1.DealerService/RegisterRegion": "ops",
    "omo.v1.DealerService/RegisterDealer": "ops",
    "omo.v1.DealerService/GetDealer": "ops dealer",
    "omo.v1.DealerService/ChangeStoreOwner": "ops",
    "omo.v1.DealerService/SetAttributionPolicy": "ops",
    "omo.v1.DealerService/GetAttributionPolicy": "ops any-dealer",
    "omo.v1.DealerService/GetStatement": "ops dealer",
    "omo.v1.DealerService/SetStockSharing": "ops dealer",
    "omo.v1.DealerService/RecordSettlement": "ops",
    "omo.v1.DealerService/ImportProviderBill": "ops checkout dealer",
    "omo.v1.DealerService/GetReconciliation": "ops dealer",
    "omo.v1.CloudShopService/OpenCloudShop": "ops",
    "omo.v1.CloudShopService/CloseCloudShop": "ops",
    "omo.v1.CloudShopService/GetCloudShop": "ops checkout dealer",
    "omo.v1.CloudShopService/AddShopAssistant": "ops dealer",
    "omo.v1.CloudShopService/FindCloudShop": "ops checkout",
    "omo.v1.LaunchService/SetLaunch": "ops",
    "omo.v1.LaunchService/GetLaunch": "ops checkout",
    "omo.v1.LaunchService/SetPreSale": "ops",
    "omo.v1.LaunchService/GetPreSale": "ops checkout",
    "omo.v1.LaunchService/PlanPreSale": "ops",
}


# a POS or dealer that is no party to a call's object is told it does not exist
HIDDEN_FROM_OTHERS = {
    "omo.v1.TransferService/ShipTransfer", "omo.v1.TransferService/ReceiveTransfer", "omo.v1.TransferService/GetTransfer",
    "omo.v1.OrderService/GetOrderHistory",
}
HIDDEN_FROM_OTHER_DEALERS = {"omo.v1.OrderService/GetOrderHistory"}


def allowed_callers(method: str) -> set[str]:
    return set().union(*(SPEC_WORDS[word] for word in ALLOWED[method].split()))


def refusal(caller: str, method: str) -> str:
    """The status a known caller outside ALLOWED gets: NOT_FOUND where the object is hidden
    from callers that are no party to it, else PERMISSION_DENIED (a transfer's other end
    included: it sees the transfer)."""
    if caller == "pos_other" and method in HIDDEN_FROM_OTHERS or caller == "dealer_other" and method in HIDDEN_FROM_OTHER_DEALERS:
        return "NOT_FOUND"
    return "PERMISSION_DENIED"


@dataclass
class World:
    orders: dict[str, orders_pb2.Order] = field(default_factory=dict)  # by ORDER_STATES
    tokens: dict[str, str] = field(default_factory=dict)  # by CALLERS, plus "revoked"


def build_world(client, cast: Cast) -> World:
    """Builds the world through the API (HQ, the checkout and the POS of S1 and S3 doing their
    jobs)."""
    from services.use_cases.network.tokens import revoke_token

    world = World()
    register_dealers(client, "D1", "D2")
    client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, dealer_id="D1"))
    client.stores.UpsertStore(store("S2", JINGAN_TEMPLE, dealer_id="D2"))
    client.stores.UpsertStore(store("S3", LUJIAZUI))
    client.inventory.ReceiveStock(receipt("S1", {SERUM: 100}))
    # S3's serums leave with T-TO-S1, so no order finds both of its lines at one store
    client.inventory.ReceiveStock(receipt("S3", {SERUM: 2, TONER: 50}))
    client.cloud_shops.OpenCloudShop(dealers_pb2.OpenCloudShopRequest(cloud_shop_id="CS1", store_id="S1", name="S1 online", brand_id="default"))
    for name, (from_store, to_store) in TRANSFERS.items():
        client.transfers.RequestTransfer(_transfer(name, from_store, to_store))
    client.transfers.ShipTransfer(transfers_pb2.ShipTransferRequest(transfer_id="S1/T-TO-S1"))
    client.launches.SetLaunch(_launch(LAUNCH))
    client.launches.SetPreSale(_pre_sale(PRE_SALE))
    # the pre-order PlanPreSale plans; not in world.orders, which hold shipped orders only
    client.orders.PlaceOrder(order("world-pre-order", PEOPLES_SQUARE, line(PRE_SALE, 1, cents=PRE_SALE_CENTS), customer="C-pre-order"))
    for state in ORDER_STATES:
        world.orders[state] = _order_in(client, state, PEOPLES_SQUARE, [line(SERUM, 1), line(TONER, 1)], state, "S1")
    # two units: one of them can be cancelled without cancelling the order
    world.orders["two_units"] = client.orders.PlaceOrder(order("world-two-units", PEOPLES_SQUARE, line(SERUM, 2), customer="C-two")).order
    world.orders["delivered_from_s3"] = _order_in(client, "delivered_from_s3", LUJIAZUI, [line(TONER, 1)], "delivered", "S3")
    for name, (role, store_id, dealer_id) in CALLERS.items():
        world.tokens[name] = cast.token(role, store_id, dealer_id)
    world.tokens["revoked"] = Cast(cast.app, label="revoked").token("ops")
    revoke_token(cast.app, world.tokens["revoked"].split("_")[1], "left the company")
    _project_everything(cast.app)
    return world


def world_in_memory(app) -> World:
    """The world's stores, dealers, cloud shop, transfers and orders (each with shipments at
    the stores SHIPPED_FROM names) straight into an application, for checking the rules
    without a server: what the rules look at, not what the use cases would make of it."""
    register_dealers_in(app, "D1", "D2")
    for store_id, at, dealer_id in (("S1", PEOPLES_SQUARE, "D1"), ("S2", JINGAN_TEMPLE, "D2"), ("S3", LUJIAZUI, "")):
        upsert_store(app, StoreProfile(
            store_id=store_id, name=store_id, location=GeoPoint(*at), province="Shanghai", city="Shanghai", dealer_id=dealer_id,
            opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=5.0, daily_order_capacity=200, active=True,
        ))
    open_cloud_shop(app, CloudShopProfile.create("CS1", "S1", "S1 online", "default"))
    for name, (from_store, to_store) in TRANSFERS.items():
        request_transfer(app, name, from_store, to_store, [(SERUM, 2)])
    world = World()
    sku_at = {"S1": SERUM, "S3": TONER}
    for name, store_ids in SHIPPED_FROM.items():
        lines = tuple(OrderLine(sku_at[store_id], 1, Money(1990, "CNY")) for store_id in store_ids)
        total = order_total(lines)
        placed = Order.place(
            idempotency_key=f"world-{name}", request_fingerprint=name, customer_id=f"C-{name}",
            customer_location=GeoPoint(*PEOPLES_SQUARE), lines=lines, fulfilment_mode=FulfilmentMode.DELIVERY,
            pickup_store_id="", total=total,
        )
        placed.allocate(
            [shipment_record(store_id, 1000, "2026-01-05", {sku_at[store_id]: 1}) for store_id in store_ids],
            fulfilment="SPLIT" if len(store_ids) > 1 else "ONE_STORE",
        )
        app.save(placed)
        world.orders[name] = orders_pb2.Order(order_id=placed.order_id, total=common_pb2.Money(cents=total.cents, currency=total.currency))
    return world


def _project_everything(app) -> None:
    """Brings every projection to the head, so that stock queries and statements answer."""
    from projections.definitions import PROJECTIONS
    from projections.runtime.runner import ProjectionRunner

    for projection in PROJECTIONS.values():
        event_log = projection.event_log(app)
        runner = ProjectionRunner(app.database_url, event_log, projection)
        try:
            assert runner.try_lead()
            runner.catch_up(event_log.head())
            runner.release()
        finally:
            runner.close()


def _transfer(transfer_id: str, from_store: str, to_store: str, quantity: int = 2) -> transfers_pb2.RequestTransferRequest:
    return transfers_pb2.RequestTransferRequest(
        transfer_id=transfer_id, from_store_id=from_store, to_store_id=to_store,
        lines=[transfers_pb2.RequestedLine(sku=SERUM, quantity=quantity)],
    )


def _launch(launch_id: str) -> launches_pb2.SetLaunchRequest:
    return launches_pb2.SetLaunchRequest(launch=launches_pb2.Launch(
        launch_id=launch_id, sku_limits=[launches_pb2.SkuLimit(sku="SNEAKER-LTD", max_units_per_buyer=1)], starts_at=_now(),
    ))


PRE_SALE_CENTS = 599900


def _pre_sale(sku: str) -> launches_pb2.SetPreSaleRequest:
    """Taking pre-orders from a minute ago until tomorrow, shipping the day after."""
    opens = _now()
    return launches_pb2.SetPreSaleRequest(pre_sale=launches_pb2.PreSale(
        sku=sku, units=100, price=common_pb2.Money(cents=PRE_SALE_CENTS, currency="CNY"), orders_from=opens,
        orders_until=_later(opens, days=1), ships_from=_later(opens, days=2), per_customer_limit=2,
    ))


def _later(stamp: Timestamp, days: int) -> Timestamp:
    later = Timestamp()
    later.FromDatetime(stamp.ToDatetime(tzinfo=timezone.utc) + timedelta(days=days))
    return later


def _order_in(client, name: str, at: tuple[float, float], lines: list, state: str, store_id: str) -> orders_pb2.Order:
    """An order placed for delivery at `at`, and its shipment at `store_id` taken to `state`."""
    placed = client.orders.PlaceOrder(order(f"world-{name}", at, *lines, customer=f"C-{name}")).order
    steps = ORDER_STATES[1:ORDER_STATES.index(state) + 1]
    key = {"order_id": placed.order_id, "store_id": store_id}
    for step in steps:
        if step == "paid":
            client.orders.ConfirmPayment(orders_pb2.ConfirmPaymentRequest(order_id=placed.order_id, payment_id=f"pay-{name}", amount=placed.total))
        elif step == "accepted":
            client.fulfilment.AcceptOrder(fulfilment_pb2.AcceptOrderRequest(**key))
        elif step == "picked":
            client.fulfilment.MarkPicked(fulfilment_pb2.MarkPickedRequest(**key))
        elif step == "handed_over":
            client.fulfilment.HandOver(fulfilment_pb2.HandOverRequest(**key, to=fulfilment_pb2.COURIER))
        elif step == "delivered":
            client.fulfilment.MarkDelivered(fulfilment_pb2.MarkDeliveredRequest(**key))
    return placed


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(timezone.utc) - timedelta(minutes=1))
    return stamp


def requests(world: World) -> dict[str, object]:
    """One request per RPC, acting on S1, D1, CS1, a transfer with S1 at one end or an order
    S1 ships (a return: one brought back to S1), valid for the callers the rules allow."""
    o = {state: placed.order_id for state, placed in world.orders.items()}
    at_s1 = {"store_id": "S1"}
    month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    return {
        "omo.v1.StoreService/UpsertStore": store("S1", PEOPLES_SQUARE, dealer_id="D1", name="S1 renamed"),
        "omo.v1.StoreService/GetStore": stores_pb2.GetStoreRequest(**at_s1),
        "omo.v1.StoreService/ListStores": stores_pb2.ListStoresRequest(),
        "omo.v1.StoreService/GetStorePerformance": stores_pb2.GetStorePerformanceRequest(
            **at_s1, from_date=f"{month}-01", to_date=f"{month}-28",
        ),
        # what S1 and D1 already have: a call allowed changes nothing the other cells rely on
        "omo.v1.StoreService/SetAssortment": stores_pb2.SetAssortmentRequest(**at_s1, list_everything=True),
        "omo.v1.StoreService/GetAssortment": stores_pb2.GetAssortmentRequest(**at_s1),
        "omo.v1.DealerService/SetStockSharing": dealers_pb2.SetStockSharingRequest(
            dealer_id="D1", sharing=dealers_pb2.StockSharing(share_stock=True),
        ),
        "omo.v1.DealerService/RecordSettlement": dealers_pb2.RecordSettlementRequest(
            from_party="DEALER:D1", to_party="HQ", amount=common_pb2.Money(cents=100, currency="CNY"), month="2026-11",
            reference="bank-matrix",
        ),
        "omo.v1.InventoryService/ReceiveStock": receipt("S1", {SERUM: 1}, movement_id="m-matrix"),
        "omo.v1.InventoryService/AdjustStock": inventory_pb2.AdjustStockRequest(**at_s1, sku=SERUM, delta=-1, reason="damaged", movement_id="a-matrix"),
        "omo.v1.InventoryService/RecordCount": inventory_pb2.RecordCountRequest(**at_s1, sku=SERUM, counted_quantity=100, movement_id="c-matrix"),
        "omo.v1.InventoryService/SetSafetyStock": inventory_pb2.SetSafetyStockRequest(**at_s1, sku=SERUM, quantity=1),
        "omo.v1.InventoryService/ExpectReceipt": inventory_pb2.ExpectReceiptRequest(
            **at_s1, sku=SERUM, quantity=12, expected_at=_now(), reference="PO-matrix",
        ),
        "omo.v1.InventoryService/GetStockPosition": inventory_pb2.GetStockPositionRequest(**at_s1, sku=SERUM),
        "omo.v1.InventoryService/ListStockPositions": inventory_pb2.ListStockPositionsRequest(sku=SERUM),
        "omo.v1.OrderService/PlaceOrder": order("matrix-key", PEOPLES_SQUARE, line(SERUM, 1), customer="C-matrix"),
        "omo.v1.OrderService/GetOrder": orders_pb2.GetOrderRequest(order_id=o["unpaid"]),
        "omo.v1.OrderService/CancelOrder": orders_pb2.CancelOrderRequest(order_id=o["unpaid"], reason="changed my mind"),
        "omo.v1.OrderService/CancelOrderLines": orders_pb2.CancelOrderLinesRequest(
            order_id=o["two_units"], idempotency_key="matrix-cancel", lines=[orders_pb2.ShipmentLine(sku=SERUM, quantity=1)],
            reason="one is enough",
        ),
        "omo.v1.OrderService/ExplainAllocation": orders_pb2.ExplainAllocationRequest(order_id=o["unpaid"]),
        "omo.v1.OrderService/GetOrderHistory": orders_pb2.GetOrderHistoryRequest(order_id=o["unpaid"]),
        "omo.v1.OrderService/QuoteDelivery": orders_pb2.QuoteDeliveryRequest(
            customer_location=lat_lng(PEOPLES_SQUARE), lines=[line(SERUM, 1)],
        ),
        # a customer's orders at S1: the checkout names the customer, a POS or dealer the store
        "omo.v1.OrderService/ListOrders": orders_pb2.ListOrdersRequest(customer_id="C-unpaid", **at_s1),
        "omo.v1.OrderService/ConfirmPayment": orders_pb2.ConfirmPaymentRequest(
            order_id=o["unpaid"], payment_id="pay-matrix", amount=world.orders["unpaid"].total,
        ),
        "omo.v1.OrderService/ReturnOrder": orders_pb2.ReturnOrderRequest(
            order_id=o["delivered_from_s3"], return_id="R-matrix", **at_s1, lines=[orders_pb2.ShipmentLine(sku=TONER, quantity=1)],
        ),
        "omo.v1.FulfilmentService/AcceptOrder": fulfilment_pb2.AcceptOrderRequest(order_id=o["paid"], **at_s1),
        "omo.v1.FulfilmentService/RejectOrder": fulfilment_pb2.RejectOrderRequest(order_id=o["paid"], **at_s1, reason="freezer broken"),
        "omo.v1.FulfilmentService/MarkPicked": fulfilment_pb2.MarkPickedRequest(order_id=o["accepted"], **at_s1),
        "omo.v1.FulfilmentService/HandOver": fulfilment_pb2.HandOverRequest(order_id=o["picked"], **at_s1, to=fulfilment_pb2.COURIER),
        "omo.v1.FulfilmentService/MarkDelivered": fulfilment_pb2.MarkDeliveredRequest(order_id=o["handed_over"], **at_s1),
        "omo.v1.FulfilmentService/ListShipments": fulfilment_pb2.ListShipmentsRequest(**at_s1),
        "omo.v1.FulfilmentService/WatchShipments": fulfilment_pb2.WatchShipmentsRequest(**at_s1),
        "omo.v1.PosService/SyncStock": pos_pb2.SyncStockRequest(**at_s1, movements=[
            pos_pb2.StockMovement(movement_id="walk-in-matrix", kind=pos_pb2.SALE, sku=SERUM, quantity=1, occurred_at=_now()),
        ]),
        "omo.v1.TransferService/RequestTransfer": _transfer("T-MATRIX", "S3", "S1", quantity=1),
        "omo.v1.TransferService/ShipTransfer": transfers_pb2.ShipTransferRequest(transfer_id="S3/T-FROM-S1"),
        "omo.v1.TransferService/ReceiveTransfer": transfers_pb2.ReceiveTransferRequest(transfer_id="S1/T-TO-S1"),
        "omo.v1.TransferService/GetTransfer": transfers_pb2.GetTransferRequest(transfer_id="S3/T-FROM-S1"),
        "omo.v1.StockQueryService/GetNationalStock": stock_query_pb2.GetNationalStockRequest(sku=SERUM),
        "omo.v1.StockQueryService/ListLowStock": stock_query_pb2.ListLowStockRequest(threshold=1000, region=stock_query_pb2.StockRegion(dealer="D1")),
        "omo.v1.StockQueryService/WatchStock": stock_query_pb2.WatchStockRequest(sku=SERUM, region=stock_query_pb2.StockRegion(dealer="D1")),
        "omo.v1.DealerService/RegisterRegion": dealers_pb2.RegisterRegionRequest(region=dealers_pb2.Region(region_id="R-NEW", name="New")),
        "omo.v1.DealerService/RegisterDealer": dealers_pb2.RegisterDealerRequest(
            dealer=dealers_pb2.Dealer(dealer_id="D-NEW", name="New dealer", region_id="R-EAST"),
        ),
        "omo.v1.DealerService/GetDealer": dealers_pb2.GetDealerRequest(dealer_id="D1"),
        "omo.v1.DealerService/ChangeStoreOwner": dealers_pb2.ChangeStoreOwnerRequest(store_id="S3", dealer_id="D1"),
        "omo.v1.DealerService/SetAttributionPolicy": dealers_pb2.SetAttributionPolicyRequest(policy=dealers_pb2.AttributionPolicy(
            brand_id="default", hq_share_bp=600, fulfilment_fee_bp=800,
            fulfilment_fee_fixed=common_pb2.Money(currency="CNY", cents=100), assistant_commission_bp=300, note="matrix",
        )),
        "omo.v1.DealerService/GetAttributionPolicy": dealers_pb2.GetAttributionPolicyRequest(brand_id="default"),
        "omo.v1.DealerService/GetStatement": dealers_pb2.GetStatementRequest(dealer_id="D1", month=month),
        "omo.v1.DealerService/GetReconciliation": dealers_pb2.GetReconciliationRequest(dealer_id="D1", month=month),
        # the same rows every time: the first call allowed records the bill, the others find it there
        "omo.v1.DealerService/ImportProviderBill": dealers_pb2.ImportProviderBillRequest(dealer_id="D1", rows=[
            dealers_pb2.ProviderBillRow(
                transaction_time="2026-01-05 10:00:00", payment_id="pay-matrix-bill", merchant_order_id=o["paid"],
                kind="payment", amount="12.34", fee="0.07",
            ),
        ]),
        "omo.v1.CloudShopService/OpenCloudShop": dealers_pb2.OpenCloudShopRequest(
            cloud_shop_id="CS-NEW", store_id="S1", name="Another S1 shop", brand_id="default",
        ),
        "omo.v1.CloudShopService/CloseCloudShop": dealers_pb2.CloseCloudShopRequest(cloud_shop_id="CS1"),
        "omo.v1.CloudShopService/GetCloudShop": dealers_pb2.GetCloudShopRequest(cloud_shop_id="CS1"),
        "omo.v1.CloudShopService/AddShopAssistant": dealers_pb2.AddShopAssistantRequest(cloud_shop_id="CS1", assistant_id="A-9", name="Lin"),
        "omo.v1.CloudShopService/FindCloudShop": dealers_pb2.FindCloudShopRequest(location=lat_lng(PEOPLES_SQUARE)),
        "omo.v1.LaunchService/SetLaunch": _launch("DROP-NEW"),
        "omo.v1.LaunchService/GetLaunch": launches_pb2.GetLaunchRequest(launch_id=LAUNCH),
        "omo.v1.LaunchService/SetPreSale": _pre_sale("PHONE-NEW"),
        "omo.v1.LaunchService/GetPreSale": launches_pb2.GetPreSaleRequest(sku=PRE_SALE),
        "omo.v1.LaunchService/PlanPreSale": launches_pb2.PlanPreSaleRequest(sku=PRE_SALE),
    }
