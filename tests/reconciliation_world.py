"""A month of dealer A's trade with one difference of every kind planted in its provider bill,
built through gRPC, for GetReconciliation (tests/e2e) and `omo reconcile report`
(tests/integration).

Dealer A owns Jing'an Temple (cloud shop CS-A, no serums), dealer B People's Square (serums,
cloud shop CS-B). A's customers' serums ship from B's store. A sells:
- "matched": 2 serums paid (PAY-1), one returned: its payment and refund both on the bill;
- "altered": 1 serum paid (PAY-2), billed 1.00 less;
- "unbilled": 1 serum paid (PAY-3), on no bill.
B sells "elsewhere" (PAY-4), but the payment went through A's account. A's bill also lists a
payment for an order that does not exist (PAY-GHOST) and PAY-1's payment row twice.
A pays HQ 9.95 (BANK-1) in the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from domain.bill_matching import (
    AMOUNT_DIFFERS, DUPLICATED_IN_BILL, MATCHED, MISSING_FROM_BILL, MISSING_FROM_ORDERS, WRONG_MERCHANT_ACCOUNT,
)
from domain.provider_bills import yuan
from projections.definitions import RECONCILIATION
from protos.omo.v1 import common_pb2, dealers_pb2 as pb, fulfilment_pb2, orders_pb2
from services.adapters.projection_catch_up import caught_up
from services.adapters.statement_export import ledger_caught_up
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, line, order, receipt, register_dealers, store

SERUM = 19_900  # cents
CHINA = timezone(timedelta(hours=8))
GHOST_CENTS, FEE_CENTS = 5_000, 7


def this_month() -> str:
    return datetime.now(CHINA).strftime("%Y-%m")


@dataclass
class World:
    month: str
    orders: dict[str, orders_pb2.Order] = field(default_factory=dict)  # by name
    bill: list[pb.ProviderBillRow] = field(default_factory=list)
    # (outcome, order id, kind) of every bill row and every payment or refund of A's month
    expected: list[tuple[str, str, str]] = field(default_factory=list)
    returned_cents: int = 0


def _deliver(client, placed: orders_pb2.Order, payment_id: str) -> None:
    client.orders.ConfirmPayment(orders_pb2.ConfirmPaymentRequest(order_id=placed.order_id, payment_id=payment_id, amount=placed.total))
    for shipment in placed.shipments:
        ids = {"order_id": placed.order_id, "store_id": shipment.store_id}
        client.fulfilment.AcceptOrder(fulfilment_pb2.AcceptOrderRequest(**ids))
        client.fulfilment.MarkPicked(fulfilment_pb2.MarkPickedRequest(**ids))
        client.fulfilment.HandOver(fulfilment_pb2.HandOverRequest(**ids, to=fulfilment_pb2.COURIER))
        client.fulfilment.MarkDelivered(fulfilment_pb2.MarkDeliveredRequest(**ids))


def _sold(client, key: str, cloud_shop_id: str, where, quantity: int, payment_id: str) -> orders_pb2.Order:
    request = order(key, where, line("SERUM", quantity, SERUM))
    request.cloud_shop_id = cloud_shop_id
    placed = client.orders.PlaceOrder(request).order
    _deliver(client, placed, payment_id)
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order


def _row(payment_id: str, order_id: str, cents: int, kind: str = "payment") -> pb.ProviderBillRow:
    moment = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")  # this month, as the provider writes it
    return pb.ProviderBillRow(
        transaction_time=moment, payment_id=payment_id, merchant_order_id=order_id, kind=kind, amount=yuan(cents), fee=yuan(FEE_CENTS),
    )


def build(client, app) -> World:
    """The world above, both projections caught up."""
    register_dealers(client, "A", "B")
    client.stores.UpsertStore(store("S-A", JINGAN_TEMPLE, dealer_id="A"))
    client.stores.UpsertStore(store("S-B", PEOPLES_SQUARE, dealer_id="B"))
    client.inventory.ReceiveStock(receipt("S-B", {"SERUM": 10}))
    for shop_id, store_id in (("CS-A", "S-A"), ("CS-B", "S-B")):
        client.cloud_shops.OpenCloudShop(pb.OpenCloudShopRequest(cloud_shop_id=shop_id, store_id=store_id, name=f"{store_id} online"))
    client.dealers.SetAttributionPolicy(pb.SetAttributionPolicyRequest(policy=pb.AttributionPolicy(
        brand_id="default", hq_share_bp=500, fulfilment_fee_bp=1000, assistant_commission_bp=200,
        fulfilment_fee_fixed=common_pb2.Money(cents=0, currency="CNY"),
    )))
    world = World(this_month())
    o = world.orders
    o["matched"] = _sold(client, "k-matched", "CS-A", JINGAN_TEMPLE, 2, "PAY-1")
    client.orders.ReturnOrder(orders_pb2.ReturnOrderRequest(
        order_id=o["matched"].order_id, return_id="R1", store_id="S-B", lines=[orders_pb2.ShipmentLine(sku="SERUM", quantity=1)],
    ))
    o["altered"] = _sold(client, "k-altered", "CS-A", JINGAN_TEMPLE, 1, "PAY-2")
    o["unbilled"] = _sold(client, "k-unbilled", "CS-A", JINGAN_TEMPLE, 1, "PAY-3")
    o["elsewhere"] = _sold(client, "k-elsewhere", "CS-B", PEOPLES_SQUARE, 1, "PAY-4")
    world.returned_cents = SERUM
    matched_id = o["matched"].order_id
    world.bill = [
        _row("PAY-1", matched_id, o["matched"].total.cents),
        _row("PAY-1", matched_id, SERUM, kind="refund"),
        _row("PAY-2", o["altered"].order_id, o["altered"].total.cents - 100),
        _row("PAY-4", o["elsewhere"].order_id, o["elsewhere"].total.cents),
        _row("PAY-GHOST", "order-that-never-was", GHOST_CENTS),
        _row("PAY-1", matched_id, o["matched"].total.cents),  # the provider listed it twice
    ]
    world.expected = [
        (MATCHED, matched_id, "payment"), (MATCHED, matched_id, "refund"),
        (AMOUNT_DIFFERS, o["altered"].order_id, "payment"), (MISSING_FROM_BILL, o["unbilled"].order_id, "payment"),
        (WRONG_MERCHANT_ACCOUNT, o["elsewhere"].order_id, "payment"), (MISSING_FROM_ORDERS, "order-that-never-was", "payment"),
        (DUPLICATED_IN_BILL, matched_id, "payment"),
    ]
    client.dealers.ImportProviderBill(pb.ImportProviderBillRequest(dealer_id="A", rows=world.bill))
    client.dealers.RecordSettlement(pb.RecordSettlementRequest(
        reference="BANK-1", from_party="DEALER:A", to_party="HQ", amount=common_pb2.Money(cents=995, currency="CNY"), month=world.month,
    ))
    ledger_caught_up(app, app.database_url)
    caught_up(app, app.database_url, RECONCILIATION)
    return world


def bill_cents(world: World, kind: str) -> int:
    return sum(int(r.amount.replace(".", "")) for r in world.bill if r.kind == kind)


def own_sales(world: World) -> list[orders_pb2.Order]:
    return [world.orders[name] for name in ("matched", "altered", "unbilled")]
