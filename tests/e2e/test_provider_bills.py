"""ImportProviderBill through gRPC: a bill recorded once (the same rows again change nothing),
every bad row refused with its row number and nothing recorded, an unknown dealer, and who may
send a dealer's bill (HQ operations, the checkout, the dealer itself; not another dealer)."""

from __future__ import annotations

import grpc

from protos.omo.v1 import dealers_pb2
from services.client.client import OmoClient
from tests.builders import refused, register_dealers


def bill_row(payment_id: str, amount: str, kind: str = "payment", time: str = "2026-11-03 14:05:09") -> dealers_pb2.ProviderBillRow:
    return dealers_pb2.ProviderBillRow(
        transaction_time=time, payment_id=payment_id, merchant_order_id=f"order-{payment_id}", kind=kind, amount=amount, fee="0.07",
    )


def bill(dealer_id: str, *rows: dealers_pb2.ProviderBillRow) -> dealers_pb2.ImportProviderBillRequest:
    return dealers_pb2.ImportProviderBillRequest(dealer_id=dealer_id, rows=list(rows))


def test_a_bill_is_recorded_once_and_bad_rows_are_refused_with_their_row(client, server, cast, app):
    register_dealers(client, "D1", "D2")
    request = bill("D1", bill_row("pay-1", "12.34"), bill_row("pay-1", "2.00", kind="refund"))
    first = client.dealers.ImportProviderBill(request)
    assert first.imported and first.rows == 2 and first.bill_id
    head = app.recorder.max_notification_id()
    again = client.dealers.ImportProviderBill(request)
    assert (again.bill_id, again.rows, again.imported) == (first.bill_id, 2, False)
    assert app.recorder.max_notification_id() == head

    bad = refused(client.dealers.ImportProviderBill, bill(
        "D1", bill_row("pay-2", "1.00"), bill_row("pay-3", "1.005"), bill_row("pay-4", "-3"), bill_row("pay-5", "1", time="soon"),
    ))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "row 2: amount: has more than two decimals" in bad.details()
    assert "row 3: amount: must not be negative" in bad.details() and "row 4: transaction_time" in bad.details()
    assert "3 bad rows; nothing of the bill was recorded" in bad.details()
    assert refused(client.dealers.ImportProviderBill, bill("D1")).code() == grpc.StatusCode.INVALID_ARGUMENT
    over = bill("D1", *[bill_row(f"pay-{i}", "1.00") for i in range(1001)])
    assert refused(client.dealers.ImportProviderBill, over).code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused(client.dealers.ImportProviderBill, bill("D404", bill_row("pay-6", "1.00"))).code() == grpc.StatusCode.NOT_FOUND
    assert app.recorder.max_notification_id() == head

    address = f"127.0.0.1:{server.port}"
    with OmoClient(address, token=cast.token("dealer", dealer_id="D2")) as other_dealer:
        denied = refused(other_dealer.dealers.ImportProviderBill, bill("D1", bill_row("pay-7", "1.00")))
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED
        assert other_dealer.dealers.ImportProviderBill(bill("D2", bill_row("pay-7", "1.00"))).imported  # its own
    with OmoClient(address, token=cast.token("checkout")) as checkout:
        assert checkout.dealers.ImportProviderBill(bill("D1", bill_row("pay-8", "8.88"))).imported
    with OmoClient(address, token=cast.token("pos", store_id="S1")) as pos:
        assert refused(pos.dealers.ImportProviderBill, bill("D1", bill_row("pay-9", "1.00"))).code() == grpc.StatusCode.PERMISSION_DENIED
