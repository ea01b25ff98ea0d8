"""Store assortments and dealers' terms for their stock through gRPC: setting and reading
them, the refusals that change nothing, and orders routed past a store that does not list a
SKU (NOT_LISTED) or whose dealer keeps its stock (DEALER_POLICY)."""

from __future__ import annotations

import grpc

from protos.omo.v1 import dealers_pb2, orders_pb2, stores_pb2
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE, XUJIAHUI, line, order, receipt, refused, register_dealers, store

SERUM, TONER = "SERUM", "TONER"


def assortment(client, store_id: str, add=(), remove=(), everything=False) -> stores_pb2.SetAssortmentResponse:
    return client.stores.SetAssortment(stores_pb2.SetAssortmentRequest(
        store_id=store_id, add_skus=list(add), remove_skus=list(remove), list_everything=everything,
    ))


def listed(client, store_id: str, page_size: int = 0) -> tuple[bool, list[str]]:
    skus, token = [], ""
    while True:
        page = client.stores.GetAssortment(stores_pb2.GetAssortmentRequest(store_id=store_id, page_size=page_size, page_token=token))
        skus += page.skus
        token = page.next_page_token
        if not token:
            return page.assortment.lists_everything, skus


def explained(client, order_id: str) -> dict[str, tuple[str, str]]:
    found = client.orders.ExplainAllocation(orders_pb2.ExplainAllocationRequest(order_id=order_id))
    return {p.store_id: (p.reason_code, p.reason) for p in found.passed_over}


def two_stores(client) -> None:
    """NEAR at People's Square, FAR at Jing'an Temple (2.6 km off), both holding serum and toner."""
    client.stores.UpsertStore(store("NEAR", PEOPLES_SQUARE))
    client.stores.UpsertStore(store("FAR", JINGAN_TEMPLE))
    for store_id in ("NEAR", "FAR"):
        client.inventory.ReceiveStock(receipt(store_id, {SERUM: 10, TONER: 10}))


def test_an_assortment_is_set_read_back_a_page_at_a_time_and_lifted(client):
    two_stores(client)
    assert listed(client, "NEAR") == (True, [])
    set_ = assortment(client, "NEAR", add=[TONER, SERUM])
    assert set_.changed and not set_.assortment.lists_everything and set_.assortment.listed_count == 2
    assert listed(client, "NEAR", page_size=1) == (False, [SERUM, TONER])
    assert not assortment(client, "NEAR", add=[SERUM]).changed  # already so
    assert assortment(client, "NEAR", remove=[TONER]).assortment.listed_count == 1
    assert listed(client, "NEAR") == (False, [SERUM])
    assert assortment(client, "NEAR", everything=True).assortment.lists_everything
    assert listed(client, "NEAR") == (True, [])


def test_an_order_passes_over_the_nearer_store_that_does_not_list_its_sku(client):
    two_stores(client)
    assortment(client, "NEAR", add=[SERUM])
    toner = client.orders.PlaceOrder(order("toner", PEOPLES_SQUARE, line(TONER, 1))).order
    assert [s.store_id for s in toner.shipments] == ["FAR"]
    assert explained(client, toner.order_id)["NEAR"] == ("NOT_LISTED", "does not list sku 'TONER' online")
    serum = client.orders.PlaceOrder(order("serum", PEOPLES_SQUARE, line(SERUM, 1))).order
    assert [s.store_id for s in serum.shipments] == ["NEAR"]
    assortment(client, "NEAR", everything=True)
    again = client.orders.PlaceOrder(order("toner-again", PEOPLES_SQUARE, line(TONER, 1))).order
    assert [s.store_id for s in again.shipments] == ["NEAR"]


def test_bad_assortment_changes_are_refused_and_change_nothing(client, app):
    two_stores(client)
    client.stores.UpsertStore(store("WH", XUJIAHUI, radius_km=0, kind=stores_pb2.WAREHOUSE))
    head = app.recorder.max_notification_id()
    cases = [
        (stores_pb2.SetAssortmentRequest(store_id="NEAR", remove_skus=[SERUM]), grpc.StatusCode.FAILED_PRECONDITION, "lists every SKU"),
        (stores_pb2.SetAssortmentRequest(store_id="NEAR", add_skus=["NO-SUCH-SKU"]), grpc.StatusCode.NOT_FOUND, "NO-SUCH-SKU"),
        (stores_pb2.SetAssortmentRequest(store_id="S404", add_skus=[SERUM]), grpc.StatusCode.NOT_FOUND, "S404"),
        (stores_pb2.SetAssortmentRequest(store_id="WH", add_skus=[SERUM]), grpc.StatusCode.FAILED_PRECONDITION, "warehouse"),
        (stores_pb2.SetAssortmentRequest(store_id="NEAR", add_skus=[SERUM], remove_skus=[SERUM]), grpc.StatusCode.INVALID_ARGUMENT, "also in add_skus"),
        (stores_pb2.SetAssortmentRequest(store_id="NEAR", add_skus=[SERUM], list_everything=True), grpc.StatusCode.INVALID_ARGUMENT, "list_everything"),
        (stores_pb2.SetAssortmentRequest(store_id="NEAR"), grpc.StatusCode.INVALID_ARGUMENT, "add_skus"),
        (stores_pb2.SetAssortmentRequest(store_id="NEAR", add_skus=["bad sku!"]), grpc.StatusCode.INVALID_ARGUMENT, "add_skus[0]"),
    ]
    for request, code, words in cases:
        error = refused(client.stores.SetAssortment, request)
        assert (error.code(), words in error.details()) == (code, True), error.details()
    assert app.recorder.max_notification_id() == head
    assert refused(client.stores.GetAssortment, stores_pb2.GetAssortmentRequest(store_id="S404")).code() == grpc.StatusCode.NOT_FOUND


# --- dealers' terms --------------------------------------------------------------------------

def dealer_world(client) -> None:
    """D1's store KEEPER at People's Square and D2's store OTHER at Lujiazui (2.6 km off), each
    with a cloud shop; HQ sells through no shop."""
    register_dealers(client, "D1", "D2")
    client.stores.UpsertStore(store("KEEPER", PEOPLES_SQUARE, dealer_id="D1"))
    client.stores.UpsertStore(store("OTHER", LUJIAZUI, dealer_id="D2"))
    for store_id, shop in (("KEEPER", "CS-D1"), ("OTHER", "CS-D2")):
        client.inventory.ReceiveStock(receipt(store_id, {SERUM: 10}))
        client.cloud_shops.OpenCloudShop(dealers_pb2.OpenCloudShopRequest(cloud_shop_id=shop, store_id=store_id, name=shop, brand_id="default"))


def sharing(client, dealer_id: str, share: bool, own_first: bool = False) -> dealers_pb2.SetStockSharingResponse:
    return client.dealers.SetStockSharing(dealers_pb2.SetStockSharingRequest(
        dealer_id=dealer_id, sharing=dealers_pb2.StockSharing(share_stock=share, own_stores_first=own_first),
    ))


def sold_at(key: str, at, shop: str = "") -> orders_pb2.PlaceOrderRequest:
    request = order(key, at, line(SERUM, 1), customer=f"C-{key}")
    request.cloud_shop_id = shop
    return request


def test_a_dealer_that_keeps_its_stock_serves_only_its_own_cloud_shops_orders(client):
    dealer_world(client)
    assert client.dealers.GetDealer(dealers_pb2.GetDealerRequest(dealer_id="D1")).stock_sharing.share_stock  # by default
    changed = sharing(client, "D1", share=False)
    assert changed.changed and not changed.sharing.share_stock
    assert not sharing(client, "D1", share=False).changed
    assert not client.dealers.GetDealer(dealers_pb2.GetDealerRequest(dealer_id="D1")).stock_sharing.share_stock
    for key, shop in (("hq", ""), ("d2", "CS-D2")):  # sold by HQ, by another dealer: past KEEPER
        placed = client.orders.PlaceOrder(sold_at(key, PEOPLES_SQUARE, shop)).order
        assert [s.store_id for s in placed.shipments] == ["OTHER"]
        code, reason = explained(client, placed.order_id)["KEEPER"]
        assert code == "DEALER_POLICY" and "D1" not in reason  # the reason names no dealer
    own = client.orders.PlaceOrder(sold_at("d1", PEOPLES_SQUARE, "CS-D1")).order
    assert [s.store_id for s in own.shipments] == ["KEEPER"]


def test_a_dealer_that_wants_its_own_stores_first_gets_its_farther_store(client):
    dealer_world(client)
    sharing(client, "D2", share=True, own_first=True)
    placed = client.orders.PlaceOrder(sold_at("d2-first", PEOPLES_SQUARE, "CS-D2")).order
    assert [s.store_id for s in placed.shipments] == ["OTHER"]  # KEEPER is nearer
    assert explained(client, placed.order_id)["KEEPER"][0] == "DEALER_POLICY"
    hq = client.orders.PlaceOrder(sold_at("hq-nearest", PEOPLES_SQUARE)).order
    assert [s.store_id for s in hq.shipments] == ["KEEPER"]


def test_stock_sharing_needs_both_terms_and_a_known_dealer(client, app):
    dealer_world(client)
    head = app.recorder.max_notification_id()
    error = refused(client.dealers.SetStockSharing, dealers_pb2.SetStockSharingRequest(dealer_id="D1"))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "sharing" in error.details()
    error = refused(client.dealers.SetStockSharing, dealers_pb2.SetStockSharingRequest(dealer_id="D404", sharing=dealers_pb2.StockSharing()))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert app.recorder.max_notification_id() == head


def test_a_store_follows_its_new_owners_terms_and_a_dealer_may_share_again(client):
    dealer_world(client)
    sharing(client, "D1", share=False)
    assert [s.store_id for s in client.orders.PlaceOrder(sold_at("before", PEOPLES_SQUARE)).order.shipments] == ["OTHER"]
    client.dealers.ChangeStoreOwner(dealers_pb2.ChangeStoreOwnerRequest(store_id="KEEPER", dealer_id="D2"))
    assert [s.store_id for s in client.orders.PlaceOrder(sold_at("after", PEOPLES_SQUARE)).order.shipments] == ["KEEPER"]
    client.dealers.ChangeStoreOwner(dealers_pb2.ChangeStoreOwnerRequest(store_id="KEEPER", dealer_id="D1"))
    assert [s.store_id for s in client.orders.PlaceOrder(sold_at("back", PEOPLES_SQUARE)).order.shipments] == ["OTHER"]
    sharing(client, "D1", share=True)
    assert [s.store_id for s in client.orders.PlaceOrder(sold_at("shared", PEOPLES_SQUARE)).order.shipments] == ["KEEPER"]
