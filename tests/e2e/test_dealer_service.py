"""Dealers, cloud shops, policies and attribution through the real gRPC server, on SQLite and
PostgreSQL: where a customer enters, who sold, who fulfilled and who earned what."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import grpc
import pytest
from geopy.distance import geodesic
from google.protobuf.timestamp_pb2 import Timestamp

from protos.omo.v1 import common_pb2, dealers_pb2 as pb, fulfilment_pb2, orders_pb2
from services.adapters.statement_export import ledger_caught_up
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, XUJIAHUI, lat_lng, line, order, position, receipt, refused, register_dealers, store

SERUM = 19_900  # cents


def shop(cloud_shop_id: str, store_id: str, brand_id: str = "") -> pb.OpenCloudShopRequest:
    return pb.OpenCloudShopRequest(cloud_shop_id=cloud_shop_id, store_id=store_id, name=f"{store_id} online", brand_id=brand_id)


def policy(brand: str = "default", hq: int = 500, fee: int = 1000, fixed: int = 0, commission: int = 200) -> pb.SetAttributionPolicyRequest:
    return pb.SetAttributionPolicyRequest(policy=pb.AttributionPolicy(
        brand_id=brand, hq_share_bp=hq, fulfilment_fee_bp=fee, assistant_commission_bp=commission,
        fulfilment_fee_fixed=common_pb2.Money(cents=fixed, currency="CNY"),
    ))


def at(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@pytest.fixture
def dealers(client):
    """Dealer A owns Jing'an Temple (with a cloud shop, no serums); dealer B owns People's
    Square (serums, its own cloud shop); HQ owns Lujiazui (a shop, serums)."""
    register_dealers(client, "A", "B")
    client.stores.UpsertStore(store("S-A", JINGAN_TEMPLE, dealer_id="A"))
    client.stores.UpsertStore(store("S-B", PEOPLES_SQUARE, dealer_id="B"))
    client.stores.UpsertStore(store("S-HQ", LUJIAZUI))
    client.inventory.ReceiveStock(receipt("S-A", {"MASK": 5}))
    client.inventory.ReceiveStock(receipt("S-B", {"SERUM": 10}))
    client.inventory.ReceiveStock(receipt("S-HQ", {"SERUM": 10}))
    for shop_id, store_id in (("CS-A", "S-A"), ("CS-B", "S-B"), ("CS-HQ", "S-HQ")):
        client.cloud_shops.OpenCloudShop(shop(shop_id, store_id))
    client.dealers.SetAttributionPolicy(policy())
    return client


def deliver(client, placed: orders_pb2.Order, payment: str = "P1") -> orders_pb2.Order:
    client.orders.ConfirmPayment(orders_pb2.ConfirmPaymentRequest(order_id=placed.order_id, payment_id=payment, amount=placed.total))
    for shipment in placed.shipments:
        ids = {"order_id": placed.order_id, "store_id": shipment.store_id}
        client.fulfilment.AcceptOrder(fulfilment_pb2.AcceptOrderRequest(**ids))
        client.fulfilment.MarkPicked(fulfilment_pb2.MarkPickedRequest(**ids))
        client.fulfilment.HandOver(fulfilment_pb2.HandOverRequest(**ids, to=fulfilment_pb2.COURIER))
        client.fulfilment.MarkDelivered(fulfilment_pb2.MarkDeliveredRequest(**ids))
    return client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order


def in_shop(request: orders_pb2.PlaceOrderRequest, cloud_shop_id: str = "", share_code: str = "") -> orders_pb2.PlaceOrderRequest:
    request.cloud_shop_id, request.share_code = cloud_shop_id, share_code
    return request


# --- the hierarchy ----------------------------------------------------------------------

def test_a_dealer_belongs_to_a_registered_region_and_a_store_to_a_registered_dealer(client):
    error = refused(client.dealers.RegisterDealer, pb.RegisterDealerRequest(dealer=pb.Dealer(dealer_id="A", name="A", region_id="R-NOWHERE")))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "RegisterRegion" in error.details()
    error = refused(client.stores.UpsertStore, store("S1", PEOPLES_SQUARE, dealer_id="A"))
    assert error.code() == grpc.StatusCode.NOT_FOUND and "RegisterDealer" in error.details()
    register_dealers(client, "A")
    assert client.dealers.GetDealer(pb.GetDealerRequest(dealer_id="A")).dealer.region_id == "R-EAST"
    assert client.stores.UpsertStore(store("S1", PEOPLES_SQUARE, dealer_id="A")).store.dealer_id == "A"


@pytest.mark.parametrize("dealer, field", [
    (pb.Dealer(dealer_id="", name="A", region_id="R-EAST"), "dealer_id"),
    (pb.Dealer(dealer_id="HQ", name="A", region_id="R-EAST"), "dealer_id"),
    (pb.Dealer(dealer_id="A", name="", region_id="R-EAST"), "name"),
    (pb.Dealer(dealer_id="A b", name="A", region_id="R-EAST"), "dealer_id"),
])
def test_a_malformed_dealer_is_invalid_argument_naming_the_field(client, dealer, field):
    error = refused(client.dealers.RegisterDealer, pb.RegisterDealerRequest(dealer=dealer))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(field)


# --- cloud shops and the customer's entry -----------------------------------------------------

def test_find_cloud_shop_gives_the_nearest_active_stores_open_shop_like_brute_force(dealers):
    here = XUJIAHUI
    found = dealers.cloud_shops.FindCloudShop(pb.FindCloudShopRequest(location=lat_lng(here)))
    stores = {"S-A": JINGAN_TEMPLE, "S-B": PEOPLES_SQUARE, "S-HQ": LUJIAZUI}
    nearest = min(stores, key=lambda s: geodesic(here, stores[s]).meters)
    assert found.shop.store_id == nearest == "S-A"
    assert found.shop.dealer_id == "A" and found.shop.cloud_shop_id == "CS-A"
    assert found.distance_m == round(geodesic(here, JINGAN_TEMPLE).meters)

    dealers.cloud_shops.CloseCloudShop(pb.CloseCloudShopRequest(cloud_shop_id="CS-A"))
    found = dealers.cloud_shops.FindCloudShop(pb.FindCloudShopRequest(location=lat_lng(here)))
    assert found.shop.store_id == "S-B"  # the next nearest
    dealers.stores.UpsertStore(store("S-B", PEOPLES_SQUARE, dealer_id="B", active=False))
    assert dealers.cloud_shops.FindCloudShop(pb.FindCloudShopRequest(location=lat_lng(here))).shop.store_id == "S-HQ"


def test_a_shop_assistants_share_code_leads_to_their_shop(dealers):
    added = dealers.cloud_shops.AddShopAssistant(pb.AddShopAssistantRequest(cloud_shop_id="CS-A", assistant_id="SA-1", name="Li"))
    code = added.assistant.share_code
    assert len(code) == 8
    again = dealers.cloud_shops.AddShopAssistant(pb.AddShopAssistantRequest(cloud_shop_id="CS-A", assistant_id="SA-1", name="Li"))
    assert again.assistant.share_code == code  # a retry
    found = dealers.cloud_shops.FindCloudShop(pb.FindCloudShopRequest(share_code=code.lower()))
    assert (found.shop.cloud_shop_id, found.assistant_id) == ("CS-A", "SA-1")
    assert refused(dealers.cloud_shops.FindCloudShop, pb.FindCloudShopRequest(share_code="ZZZZZZZZ")).code() == grpc.StatusCode.NOT_FOUND
    assert refused(dealers.cloud_shops.FindCloudShop, pb.FindCloudShopRequest(share_code="short")).code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused(dealers.cloud_shops.FindCloudShop, pb.FindCloudShopRequest()).code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_cloud_shop_opens_once_per_id_and_only_at_a_store(dealers):
    again = dealers.cloud_shops.OpenCloudShop(shop("CS-A", "S-A"))
    assert not again.created
    assert refused(dealers.cloud_shops.OpenCloudShop, shop("CS-A", "S-B")).code() == grpc.StatusCode.ALREADY_EXISTS
    assert refused(dealers.cloud_shops.OpenCloudShop, shop("CS-X", "S-404")).code() == grpc.StatusCode.NOT_FOUND


# --- what PlaceOrder records --------------------------------------------------------------

def test_an_order_placed_in_a_cloud_shop_is_sold_by_its_owner_on_the_current_policy(dealers):
    placed = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 1, SERUM)), "CS-A")).order
    assert (placed.sale.cloud_shop_id, placed.sale.seller, placed.sale.policy_version) == ("CS-A", "DEALER:A", 1)
    assert placed.shipments[0].store_id == "S-B"  # A has no serums: B's store fulfils
    plain = dealers.orders.PlaceOrder(order("k2", JINGAN_TEMPLE, line("SERUM", 1, SERUM))).order
    assert plain.sale.seller == "HQ" and not plain.sale.cloud_shop_id


@pytest.mark.parametrize("shop_id, code, status", [
    ("CS-404", "", grpc.StatusCode.NOT_FOUND),
    ("", "ZZZZZZZZ", grpc.StatusCode.NOT_FOUND),
    ("", "bad", grpc.StatusCode.INVALID_ARGUMENT),
    ("CS-CLOSED", "", grpc.StatusCode.INVALID_ARGUMENT),
    ("CS-B", "SHARE-OF-A", grpc.StatusCode.INVALID_ARGUMENT),
])
def test_an_unknown_closed_or_mismatched_shop_refuses_the_order_and_changes_nothing(dealers, shop_id, code, status):
    dealers.cloud_shops.OpenCloudShop(shop("CS-CLOSED", "S-A"))
    dealers.cloud_shops.CloseCloudShop(pb.CloseCloudShopRequest(cloud_shop_id="CS-CLOSED"))
    share = dealers.cloud_shops.AddShopAssistant(pb.AddShopAssistantRequest(cloud_shop_id="CS-A", assistant_id="SA-1", name="Li"))
    code = share.assistant.share_code if code == "SHARE-OF-A" else code
    error = refused(dealers.orders.PlaceOrder, in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 1, SERUM)), shop_id, code))
    assert error.code() == status
    assert position(dealers, "S-B", "SERUM").reserved == 0
    assert refused(dealers.orders.GetOrder, orders_pb2.GetOrderRequest(order_id="00000000-0000-0000-0000-000000000000")).code() == grpc.StatusCode.NOT_FOUND
    # the key is still free: the same request in a valid shop goes through
    assert dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 1, SERUM)), "CS-A")).order.sale.seller == "DEALER:A"


# --- attribution --------------------------------------------------------------------------

def test_the_fulfilling_dealer_earns_the_fee_from_the_selling_dealer_once_handed_over(dealers):
    placed = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 2, SERUM)), "CS-A")).order
    assert not placed.attributions  # nothing is earned when placed
    delivered = deliver(dealers, placed)
    (attribution,) = delivered.attributions
    assert (attribution.seller, attribution.fulfiller, attribution.policy_version) == ("DEALER:A", "DEALER:B", 1)
    (attributed,) = attribution.lines
    # 398.00: HQ 5% = 19.90, B's fee 10% = 39.80, A keeps the rest
    assert (attributed.total_cents, attributed.hq_cents, attributed.fulfiller_cents, attributed.seller_cents) == (39_800, 1_990, 3_980, 33_830)


def test_a_cancelled_order_attributes_nothing(dealers):
    placed = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 1, SERUM)), "CS-A")).order
    cancelled = dealers.orders.CancelOrder(orders_pb2.CancelOrderRequest(order_id=placed.order_id, reason="changed mind")).order
    assert not cancelled.attributions


def give_back(client, order_id: str, return_id: str, units: int) -> orders_pb2.Order:
    return client.orders.ReturnOrder(orders_pb2.ReturnOrderRequest(
        order_id=order_id, return_id=return_id, store_id="S-B", lines=[orders_pb2.ShipmentLine(sku="SERUM", quantity=units)],
    )).order


def test_a_return_reverses_the_original_attribution_after_the_policy_and_owner_changed(dealers, app):
    placed = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 3, SERUM)), "CS-A")).order
    delivered = deliver(dealers, placed)
    assert delivered.attributions[0].lines[0].total_cents == 3 * SERUM
    dealers.dealers.SetAttributionPolicy(policy(hq=2000, fee=3000))
    dealers.dealers.ChangeStoreOwner(pb.ChangeStoreOwnerRequest(store_id="S-B", dealer_id="A"))
    first = give_back(dealers, placed.order_id, "R1", 1)
    assert first.refunded.cents == SERUM
    assert first.attributions[0].fulfiller == "DEALER:B"  # as recorded, not the owner now

    everything = give_back(dealers, placed.order_id, "R2", 2)

    assert everything.refunded.cents == 3 * SERUM
    assert [(r.return_id, [(l.sku, l.quantity) for l in r.lines]) for r in everything.returns] == [("R1", [("SERUM", 1)]), ("R2", [("SERUM", 2)])]
    error = refused(dealers.orders.ReturnOrder, orders_pb2.ReturnOrderRequest(
        order_id=placed.order_id, return_id="R3", store_id="S-B", lines=[orders_pb2.ShipmentLine(sku="SERUM", quantity=1)],
    ))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION  # nothing is left to return
    # reversed on the sale's terms (HQ 5%, fee 10%) to the parties of the sale (B fulfilled):
    # each party gives back exactly what it earned, whatever the policy and owner are now
    ledger_caught_up(app, app.database_url)
    assert [statement(dealers, dealer).totals.net_payable_cents for dealer in ("A", "B", "HQ")] == [0, 0, 0]
    fees = [(line.counterparty, line.amount_cents, line.reversal) for line in statement(dealers, "A").lines if line.kind == pb.ENTRY_FULFILMENT_FEE]
    assert fees == [("DEALER:B", -5_970, False), ("DEALER:B", 1_990, True), ("DEALER:B", 3_980, True)]


def test_an_owner_change_takes_effect_from_its_moment_for_new_sales_only(dealers):
    before = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("MASK", 1, 990)), "CS-A")).order
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    owners = dealers.dealers.ChangeStoreOwner(pb.ChangeStoreOwnerRequest(store_id="S-A", dealer_id="B", effective_from=at(later))).owners
    assert [o.dealer_id for o in owners] == ["A", "B"]
    still_a = dealers.orders.PlaceOrder(in_shop(order("k2", JINGAN_TEMPLE, line("MASK", 1, 990)), "CS-A")).order
    assert still_a.sale.seller == "DEALER:A"  # the change is not in effect yet
    dealers.dealers.ChangeStoreOwner(pb.ChangeStoreOwnerRequest(store_id="S-A", dealer_id="", effective_from=at(later + timedelta(hours=1))))
    error = refused(dealers.dealers.ChangeStoreOwner, pb.ChangeStoreOwnerRequest(store_id="S-A", dealer_id="A", effective_from=at(later)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert before.sale.seller == "DEALER:A"
    assert refused(dealers.dealers.ChangeStoreOwner, pb.ChangeStoreOwnerRequest(store_id="S-A", dealer_id="NOPE")).code() == grpc.StatusCode.NOT_FOUND


def test_policies_are_versioned_and_every_version_stays_readable(dealers):
    assert dealers.dealers.GetAttributionPolicy(pb.GetAttributionPolicyRequest(brand_id="kids")).policy.version == 0
    same = dealers.dealers.SetAttributionPolicy(policy())
    assert (same.policy.version, same.changed) == (1, False)
    second = dealers.dealers.SetAttributionPolicy(policy(fixed=500))
    assert (second.policy.version, second.changed, second.policy.fulfilment_fee_fixed.cents) == (2, True, 500)
    first = dealers.dealers.GetAttributionPolicy(pb.GetAttributionPolicyRequest(brand_id="default", version=1)).policy
    assert (first.fulfilment_fee_bp, first.fulfilment_fee_fixed.cents) == (1000, 0)
    error = refused(dealers.dealers.SetAttributionPolicy, policy(hq=6000, fee=5000))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    error = refused(dealers.dealers.GetAttributionPolicy, pb.GetAttributionPolicyRequest(brand_id="default", version=9))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


# --- statements ---------------------------------------------------------------------------

def statement(client, dealer_id: str, **fields) -> pb.GetStatementResponse:
    month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    return client.dealers.GetStatement(pb.GetStatementRequest(dealer_id=dealer_id, month=month, **fields))


def test_a_customer_in_dealer_as_shop_served_by_dealer_bs_store_moves_the_fee_from_a_to_b(dealers, app):
    entered = dealers.cloud_shops.FindCloudShop(pb.FindCloudShopRequest(location=lat_lng(JINGAN_TEMPLE)))
    assert (entered.shop.cloud_shop_id, entered.shop.dealer_id) == ("CS-A", "A")
    placed = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 2, SERUM)), entered.shop.cloud_shop_id)).order
    deliver(dealers, placed)
    dealers.orders.ReturnOrder(orders_pb2.ReturnOrderRequest(
        order_id=placed.order_id, return_id="R1", store_id="S-B", lines=[orders_pb2.ShipmentLine(sku="SERUM", quantity=1)],
    ))
    ledger_caught_up(app, app.database_url)

    a, b, hq = statement(dealers, "A"), statement(dealers, "B"), statement(dealers, "HQ")
    # sold 2 x 199.00 and took one back: A sold, B fulfilled (10% fee), HQ took 5%
    assert (a.totals.gross_sales_cents, a.totals.returns_cents) == (39_800, -SERUM)
    assert (a.totals.fulfilment_fees_paid_cents, b.totals.fulfilment_fees_earned_cents) == (-1_990, 1_990)
    assert (a.totals.hq_share_cents, hq.totals.hq_share_cents) == (-995, 995)
    assert a.totals.net_payable_cents == 19_900 - 1_990 - 995 == sum(line.amount_cents for line in a.lines)
    assert b.totals.net_payable_cents == 1_990 and not b.totals.gross_sales_cents
    fees = [(line.counterparty, line.amount_cents, line.reversal) for line in a.lines if line.kind == pb.ENTRY_FULFILMENT_FEE]
    assert fees == [("DEALER:B", -3_980, False), ("DEALER:B", 1_990, True)]
    assert all(line.order_id == placed.order_id for line in a.lines)
    assert a.lag_events == 0 and a.position > 0


def test_a_statement_is_paged_without_losing_or_repeating_a_line(dealers, app):
    for n in range(3):
        deliver(dealers, dealers.orders.PlaceOrder(in_shop(order(f"k{n}", JINGAN_TEMPLE, line("SERUM", 1, SERUM)), "CS-A")).order, f"P{n}")
    ledger_caught_up(app, app.database_url)
    whole = statement(dealers, "A", page_size=1000)
    pages, token = [], ""
    while True:
        page = statement(dealers, "A", page_size=2, page_token=token)
        pages += page.lines
        assert page.totals == whole.totals
        token = page.next_page_token
        if not token:
            break
    assert [line.entry_id for line in pages] == [line.entry_id for line in whole.lines] and len(pages) == 9


@pytest.mark.parametrize("request_fields, status", [
    ({"dealer_id": "NOPE", "month": "2026-11"}, grpc.StatusCode.NOT_FOUND),
    ({"dealer_id": "A", "month": ""}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "A", "month": "2026-13"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "A", "month": "2026-11", "page_size": 5000}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "A", "month": "2026-11", "page_token": "bogus"}, grpc.StatusCode.INVALID_ARGUMENT),
])
def test_a_bad_statement_request_says_what_is_wrong(dealers, request_fields, status):
    assert refused(dealers.dealers.GetStatement, pb.GetStatementRequest(**request_fields)).code() == status


# --- settlements ----------------------------------------------------------------------------

def settle(client, reference: str, payer: str, payee: str, cents: int, month: str) -> pb.RecordSettlementResponse:
    return client.dealers.RecordSettlement(pb.RecordSettlementRequest(
        reference=reference, from_party=payer, to_party=payee, amount=common_pb2.Money(cents=cents, currency="CNY"), month=month,
    ))


def test_a_settlement_pays_off_a_balance_and_the_statement_shows_it_per_counterparty(dealers, app):
    placed = dealers.orders.PlaceOrder(in_shop(order("k1", JINGAN_TEMPLE, line("SERUM", 2, SERUM)), "CS-A")).order
    deliver(dealers, placed)
    month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    first = settle(dealers, "BANK-1", "DEALER:A", "HQ", 995, month)
    assert not first.replayed and (first.settlement.from_party, first.settlement.amount.cents) == ("DEALER:A", 995)
    assert settle(dealers, "BANK-1", "DEALER:A", "HQ", 995, month).replayed
    head = app.recorder.max_notification_id()
    reused = refused(dealers.dealers.RecordSettlement, pb.RecordSettlementRequest(
        reference="BANK-1", from_party="DEALER:A", to_party="HQ", amount=common_pb2.Money(cents=1, currency="CNY"), month=month,
    ))
    assert reused.code() == grpc.StatusCode.ALREADY_EXISTS and "BANK-1" in reused.details()
    assert app.recorder.max_notification_id() == head
    ledger_caught_up(app, app.database_url)
    a = statement(dealers, "A")
    with_hq = {b.counterparty: b for b in a.balances}["HQ"]
    # A owes HQ its 5% of 398.00 and paid half of it: A still owes HQ the other half
    assert (with_hq.opening_cents, with_hq.activity_cents, with_hq.settled_cents, with_hq.closing_cents) == (0, -1_990, -995, -995)
    assert [(s.reference, s.counterparty, s.amount_cents) for s in a.settlements] == [("BANK-1", "HQ", -995)]
    hq = {b.counterparty: b for b in statement(dealers, "HQ").balances}["DEALER:A"]
    assert hq.closing_cents == -with_hq.closing_cents and not a.closed


@pytest.mark.parametrize("fields, status", [
    ({"reference": "B1", "from_party": "DEALER:A", "to_party": "DEALER:A", "month": "2026-11"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"reference": "B1", "from_party": "HQ", "to_party": "ASSISTANT:X", "month": "2026-11"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"reference": "B1", "from_party": "DEALER:A", "to_party": "HQ", "month": "11/2026"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"reference": "", "from_party": "DEALER:A", "to_party": "HQ", "month": "2026-11"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"reference": "B1", "from_party": "DEALER:NOPE", "to_party": "HQ", "month": "2026-11"}, grpc.StatusCode.NOT_FOUND),
])
def test_a_bad_settlement_says_what_is_wrong_and_records_nothing(dealers, app, fields, status):
    head = app.recorder.max_notification_id()
    request = pb.RecordSettlementRequest(amount=common_pb2.Money(cents=100, currency="CNY"), **fields)
    assert refused(dealers.dealers.RecordSettlement, request).code() == status
    assert app.recorder.max_notification_id() == head
