"""GetReconciliation through the real gRPC server, on SQLite and PostgreSQL: the three sides of
a dealer's month to the cent (the provider's bill, the orders, the ledger's statement with its
balances and settlements), each planted difference listed once with what to do, and who may
ask: HQ operations any dealer, a dealer its own only (the refusal the same whether the other
exists or not, and naming none of its data)."""

from __future__ import annotations

from collections import Counter

import grpc
import pytest

from domain.bill_matching import MATCHED
from protos.omo.v1 import dealers_pb2 as pb
from services.api.convert.reconciliation import OUTCOMES
from services.client.client import OmoClient
from tests.builders import refused, register_dealers
from tests.reconciliation_world import FEE_CENTS, SERUM, bill_cents, build, own_sales

OUTCOME_NAMES = {number: name for name, number in OUTCOMES.items()}


@pytest.fixture
def world(client, app):
    return build(client, app)


def reconciliation(client, dealer_id: str, month: str) -> pb.GetReconciliationResponse:
    return client.dealers.GetReconciliation(pb.GetReconciliationRequest(dealer_id=dealer_id, month=month))


def test_the_three_sides_equal_the_bill_the_orders_and_the_statement(client, world):
    got = reconciliation(client, "A", world.month)
    assert (got.dealer_id, got.month) == ("A", world.month)

    assert (got.bill.payments_cents, got.bill.refunds_cents) == (bill_cents(world, "payment"), bill_cents(world, "refund"))
    assert got.bill.fees_cents == FEE_CENTS * len(world.bill)
    assert got.bill.net_cents == got.bill.payments_cents - got.bill.refunds_cents - got.bill.fees_cents

    paid = sum(o.total.cents for o in own_sales(world))
    assert (got.orders.payments_cents, got.orders.refunds_cents) == (paid, world.returned_cents)
    assert got.orders.net_cents == paid - world.returned_cents

    statement = client.dealers.GetStatement(pb.GetStatementRequest(dealer_id="A", month=world.month))
    assert got.ledger == statement.totals
    assert list(got.balances) == list(statement.balances) and list(got.settlements) == list(statement.settlements)
    assert got.ledger.gross_sales_cents == paid and got.ledger.returns_cents == -SERUM
    assert [(s.reference, s.counterparty, s.amount_cents) for s in got.settlements] == [("BANK-1", "HQ", -995)]
    with_hq = {b.counterparty: b for b in got.balances}["HQ"]
    assert with_hq.settled_cents == -995 and with_hq.closing_cents == with_hq.opening_cents + with_hq.activity_cents + 995
    assert not got.closed
    for freshness in (got.reconciliation_freshness, got.ledger_freshness):
        assert freshness.lag_events == 0 and freshness.position > 0


def test_each_planted_difference_is_listed_once_with_what_to_do(client, world):
    got = reconciliation(client, "A", world.month)
    listed = Counter((OUTCOME_NAMES[d.outcome], d.order_id, d.kind) for d in got.differences)
    planted = Counter(e for e in world.expected if e[0] != MATCHED)
    assert listed == planted and set(listed.values()) == {1}
    counts = {OUTCOME_NAMES[c.outcome]: c.count for c in got.counts}
    assert counts == {o: sum(1 for e in world.expected if e[0] == o) for o in OUTCOMES}

    by_outcome = {OUTCOME_NAMES[d.outcome]: d for d in got.differences}
    altered, unbilled = world.orders["altered"], world.orders["unbilled"]
    differs = by_outcome["AMOUNT_DIFFERS"]
    assert (differs.billed_cents, differs.recorded_cents, differs.payment_id) == (altered.total.cents - 100, altered.total.cents, "PAY-2")
    assert "the bill says" in differs.advice and differs.bill_id and differs.bill_line == 3  # rows sent count from 1
    missing = by_outcome["MISSING_FROM_BILL"]
    assert not missing.HasField("billed_cents") and missing.recorded_cents == unbilled.total.cents
    assert missing.payment_id == "PAY-3" and "is on no bill" in missing.advice and not missing.bill_id
    ghost = by_outcome["MISSING_FROM_ORDERS"]
    assert not ghost.HasField("recorded_cents") and "does not exist" in ghost.advice
    assert "sold by DEALER:B" in by_outcome["WRONG_MERCHANT_ACCOUNT"].advice
    assert "repeats a payment" in by_outcome["DUPLICATED_IN_BILL"].advice
    # the bill less the orders is exactly what the differences account for
    signed = sum((d.billed_cents - d.recorded_cents) * (1 if d.kind == "payment" else -1) for d in got.differences)
    assert got.bill.payments_cents - got.bill.refunds_cents - got.orders.net_cents == signed


def test_ops_sees_any_dealer_and_a_dealer_only_its_own(client, server, cast, world):
    assert reconciliation(client, "B", world.month).orders.payments_cents == world.orders["elsewhere"].total.cents
    address = f"127.0.0.1:{server.port}"
    with OmoClient(address, token=cast.token("dealer", dealer_id="A")) as dealer_a:
        own = reconciliation(dealer_a, "A", world.month)
        # the same answer as HQ's, but for freshness: issuing the dealer's token was an event
        as_ops = reconciliation(client, "A", world.month)
        for answer in (own, as_ops):
            answer.ClearField("reconciliation_freshness")
            answer.ClearField("ledger_freshness")
        assert own == as_ops
        other = refused(dealer_a.dealers.GetReconciliation, pb.GetReconciliationRequest(dealer_id="B", month=world.month))
        nobody = refused(dealer_a.dealers.GetReconciliation, pb.GetReconciliationRequest(dealer_id="ZZ", month=world.month))
    assert other.code() == nobody.code() == grpc.StatusCode.PERMISSION_DENIED
    # the same words for a dealer that exists and one that does not: nothing said about either
    assert other.details().replace("dealer B", "dealer ZZ") == nobody.details()
    elsewhere = world.orders["elsewhere"]
    assert elsewhere.order_id not in other.details() and "PAY-4" not in other.details()
    with OmoClient(address, token=cast.token("pos", store_id="S-A")) as pos:
        assert refused(pos.dealers.GetReconciliation, pb.GetReconciliationRequest(dealer_id="A", month=world.month)).code() == (
            grpc.StatusCode.PERMISSION_DENIED
        )


@pytest.mark.parametrize("fields, status", [
    ({"dealer_id": "A", "month": "2026-13"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "A", "month": "11/2026"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "A", "month": ""}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "", "month": "2026-11"}, grpc.StatusCode.INVALID_ARGUMENT),
    ({"dealer_id": "NOPE", "month": "2026-11"}, grpc.StatusCode.NOT_FOUND),
])
def test_a_bad_request_says_what_is_wrong(client, fields, status):
    register_dealers(client, "A")
    error = refused(client.dealers.GetReconciliation, pb.GetReconciliationRequest(**fields))
    assert error.code() == status
    if fields["dealer_id"] == "A":
        assert "month" in error.details()
