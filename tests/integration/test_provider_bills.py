"""Payment providers' bills for dealers' merchant accounts, on SQLite and PostgreSQL: imported
once, all rows or none (`omo settlements import` and the use case), and matched against the
orders by the reconciliation projection: every outcome from a planted difference, reported
once, and a property over random orders, refunds and bills with missing, duplicated and
altered rows. (The RPC: tests/e2e/test_provider_bills.py.)"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates.order import TO_COURIER, Order, sale_record, shipment_record
from aggregates.provider_bill import ProviderBill
from domain.bill_matching import (
    AMOUNT_DIFFERS, DUPLICATED_IN_BILL, MATCHED, MISSING_FROM_BILL, MISSING_FROM_ORDERS, WRONG_MERCHANT_ACCOUNT,
)
from domain.errors import DealerNotFound
from domain.provider_bills import CHINA, PAYMENT, REFUND, BillRowsRefused, RawRow, yuan
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_total
from projections.definitions import RECONCILIATION
from projections.reconciliation.reader import ReconciliationReader
from projections.reconciliation.verify import verify
from projections.runtime.runner import ProjectionRunner
from services.bootstrap import build_application
from services.cli.main import main
from services.use_cases.network.bill_matching import bill_matching
from services.use_cases.network.provider_bills import import_provider_bill
from tests.builders import register_dealers_in

OWN, OTHER = "DEALER:P", "DEALER:Q"
HEADER = "transaction_time,payment_id,merchant_order_id,kind,amount,fee"
_keys = count()


# --- the world: orders made straight on the aggregate (no stock), bills through the use case --

def this_month() -> str:
    return datetime.now(CHINA).strftime("%Y-%m")


def bill_time(second: int) -> str:
    """A moment in this month (China Standard Time), as the provider writes it."""
    start = datetime.now(CHINA).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (start + timedelta(seconds=second)).strftime("%Y-%m-%d %H:%M:%S")


def paid_order(app, seller: str, prices: list[int], returns: list[list[int]] = (), deliver: bool = True) -> Order:
    """An order of one unit of each price (SKU i at prices[i]), sold by `seller`, paid, and when
    `deliver` delivered and returned: each return gives back the SKUs at those indexes."""
    key = f"order-{next(_keys)}"
    lines = tuple(OrderLine(f"SKU{i}", 1, Money(price, "CNY")) for i, price in enumerate(prices))
    order = Order.place(
        idempotency_key=key, request_fingerprint=key, customer_id="C1", customer_location=GeoPoint(31.23, 121.47),
        lines=lines, fulfilment_mode=FulfilmentMode.DELIVERY, pickup_store_id="", total=order_total(lines),
        sale=sale_record(seller=seller),
    )
    order.allocate([shipment_record("S1", 100, "2026-01-05", {line.sku: 1 for line in lines})])
    order.confirm_payment(f"pay-{key}", order.total_cents)
    if deliver:
        order.accept("S1")
        order.mark_picked("S1")
        order.hand_over("S1", TO_COURIER)
        order.mark_delivered("S1")
        for n, indexes in enumerate(returns):
            order.record_return(f"R{n}", "S1", {f"SKU{i}": 1 for i in indexes})
    app.save(order)
    return order


def refunds_of(order: Order) -> list[int]:
    return [sum(line["refund_cents"] for line in r["lines"]) for r in order.returns.values()]


def row(second: int, payment_id: str, order_id: str, kind: str, cents: int, fee: int = 0) -> RawRow:
    return RawRow(0, bill_time(second), payment_id, order_id, kind, yuan(cents), yuan(fee))


def numbered(rows: list[RawRow]) -> list[RawRow]:
    """The rows on the lines a file would have them on (the header is line 1)."""
    return [replace(r, line=i + 2) for i, r in enumerate(rows)]


def matched(app, dealer_id: str = "P"):
    runner = ProjectionRunner(app.database_url, RECONCILIATION.event_log(app), RECONCILIATION, poll_interval=0.01)
    try:
        runner.catch_up()
        reader = ReconciliationReader(app.database_url, RECONCILIATION.event_log(app))
        try:
            assert verify(reader.engine, RECONCILIATION.event_log(app)).differences == []
            return bill_matching(reader, dealer_id, this_month(), app=app)
        finally:
            reader.close()
    finally:
        runner.release()
        runner.close()


def differences(report) -> Counter:
    return Counter((i.outcome, i.order_id, i.kind) for i in report.differences)


@pytest.fixture
def dealers(app):
    register_dealers_in(app, "P", "Q")
    return app


def bills_recorded(app) -> int:
    return sum(
        1 for n in app.recorder.select_notifications(start=0, limit=1_000_000)
        if isinstance(app.mapper.to_domain_event(n), ProviderBill.ProviderBillImported)
    )


# --- importing -------------------------------------------------------------------------------

def test_the_same_bill_imported_twice_changes_nothing(dealers):
    app = dealers
    rows = [row(10, "pay-1", "o-1", PAYMENT, 1234, 7), row(20, "pay-1", "o-1", REFUND, 500)]
    first = import_provider_bill(app, "P", rows)
    head = app.recorder.max_notification_id()
    again = import_provider_bill(app, "P", numbered(rows))  # on other lines: the same bill
    assert (first.imported, again.imported) == (True, False)
    assert first.bill_id == again.bill_id and again.rows == 2
    assert app.recorder.max_notification_id() == head and bills_recorded(app) == 1
    assert import_provider_bill(app, "Q", rows).bill_id != first.bill_id  # another account's bill
    with pytest.raises(DealerNotFound):
        import_provider_bill(app, "NOBODY", rows)


def test_a_long_bill_is_kept_in_parts_saved_together(dealers):
    app = dealers
    rows = [row(i, f"pay-{i}", f"o-{i}", PAYMENT, 100 + i) for i in range(2500)]
    bill = import_provider_bill(app, "P", rows)
    assert bill.imported and bill.rows == 2500 and bills_recorded(app) == 3
    assert not import_provider_bill(app, "P", rows).imported


def test_bad_rows_are_each_reported_with_their_line_and_nothing_is_recorded(dealers, tmp_path, monkeypatch, capsys):
    app = dealers
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    head = app.recorder.max_notification_id()
    bad = tmp_path / "bill.csv"
    bad.write_text("\n".join([
        HEADER,
        f"{bill_time(1)},pay-1,o-1,payment,12.34,0.07",
        f"{bill_time(2)},pay-2,o-2,payment,12.x,0",
        f"{bill_time(3)},pay-3,o-3,payment,12.345,0",
        f"{bill_time(4)},pay-4,o-4,refund,-5.00,0",
        f"{bill_time(5)},pay-5,o-5,chargeback,5.00,0",
        "yesterday,pay-6,o-6,payment,5.00,0",
        f"{bill_time(7)},pay-7,o-7,payment,5.00",
        "",
    ]), encoding="utf-8")
    assert main(["settlements", "import", "--dealer", "P", "--file", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad}:3: amount: must be yuan such as 12.34, got '12.x'",
        f"{bad}:4: amount: has more than two decimals: '12.345'; the bill is in yuan with at most two",
        f"{bad}:5: amount: must not be negative, got '-5.00'",
        f"{bad}:6: kind: must be payment or refund (支付 / 退款, SUCCESS / REFUND), got 'chargeback'",
        f"{bad}:7: transaction_time: must be a moment such as 2026-11-03 14:05:09 (China Standard Time) or RFC 3339, got 'yesterday'",
        f"{bad}:8: has 5 cells; the header has 6",
        f"omo settlements import: 6 bad rows in {bad}; nothing was recorded",
    ]
    headless = tmp_path / "headless.csv"
    headless.write_text("transaction_time,payment_id,merchant_order_id,amount\n", encoding="utf-8")
    assert main(["settlements", "import", "--dealer", "P", "--file", str(headless)]) == 2
    assert capsys.readouterr().err.splitlines()[0].startswith(f"{headless}:1: the header has no column for kind")
    app.catch_up()
    assert app.recorder.max_notification_id() == head
    with pytest.raises(BillRowsRefused) as refused:  # the use case refuses the same, listing every line
        import_provider_bill(app, "P", [row(1, "pay-1", "o-1", PAYMENT, 100), RawRow(3, "x", "p", "o", "payment", "1", "0")])
    assert [line for line, _ in refused.value.problems] == [3]
    assert app.recorder.max_notification_id() == head


def test_the_command_takes_a_wechat_pay_bill_and_says_when_it_had_it_already(dealers, tmp_path, monkeypatch, capsys):
    app = dealers
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    wechat = tmp_path / "wechat.csv"
    wechat.write_text("\n".join([
        "交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易类型,交易状态,订单金额,退款金额,手续费,费率",
        f"`{bill_time(1)},`wx1,`1900,`4200001,`o-1,`JSAPI,`SUCCESS,`12.30,`0.00,`0.07,`0.60%",
        f"`{bill_time(2)},`wx1,`1900,`4200001,`o-1,`JSAPI,`REFUND,`12.30,`5.00,`0.00,`0.60%",
        "总交易单数,应结订单总金额",
        "`2,`12.30",
    ]), encoding="gb18030")
    assert main(["settlements", "import", "--dealer", "P", "--file", str(wechat)]) == 0
    assert capsys.readouterr().out.startswith("imported bill ")
    assert main(["settlements", "import", "--dealer", "P", "--file", str(wechat)]) == 0
    assert "was imported before: nothing changed" in capsys.readouterr().out
    report = matched(app)
    rows = sorted((i.billed.row.kind, i.billed.row.amount_cents, i.billed.row.fee_cents, i.billed.row.line) for i in report.items)
    assert rows == [(PAYMENT, 1230, 7, 2), (REFUND, 500, 0, 3)]
    assert {i.outcome for i in report.items} == {MISSING_FROM_ORDERS}


# --- matching ---------------------------------------------------------------------------------

def test_each_planted_difference_is_reported_once_with_what_to_do(dealers):
    app = dealers
    ok = paid_order(app, OWN, [10_000, 2_000], returns=[[1]])
    unbilled = paid_order(app, OWN, [3_000], returns=[[0]])
    altered = paid_order(app, OWN, [4_000])
    other = paid_order(app, OTHER, [5_000])
    cancelled_lines = paid_order(app, OWN, [600, 700], deliver=False)
    cancelled_lines.cancel_lines("cut-1", {"SKU1": 1}, "out of stock")
    cancelled = paid_order(app, OWN, [800], deliver=False)
    cancelled.cancel("changed my mind")
    app.save(cancelled_lines, cancelled)
    rows = [
        row(1, ok.payment_id, ok.order_id, PAYMENT, 12_000, 72),
        row(2, ok.payment_id, ok.order_id, REFUND, 2_000),
        row(3, ok.payment_id, ok.order_id, PAYMENT, 12_000, 72),  # the provider wrote it twice
        row(4, unbilled.payment_id, unbilled.order_id, PAYMENT, 3_000, 18),  # its refund is missing
        row(5, altered.payment_id, altered.order_id, PAYMENT, 4_100, 25),
        row(6, other.payment_id, other.order_id, PAYMENT, 5_000, 30),
        row(7, "pay-stranger", "no-such-order", PAYMENT, 999, 6),
        row(8, ok.payment_id, ok.order_id, REFUND, 1_500),  # a refund no return records
        row(9, cancelled_lines.payment_id, cancelled_lines.order_id, PAYMENT, 1_300, 8),
        row(10, cancelled_lines.payment_id, cancelled_lines.order_id, REFUND, 700),
        row(11, cancelled.payment_id, cancelled.order_id, PAYMENT, 800, 5),
        row(12, cancelled.payment_id, cancelled.order_id, REFUND, 800),
    ]
    bill = import_provider_bill(app, "P", numbered(rows))
    report = matched(app)
    assert differences(report) == Counter({
        (DUPLICATED_IN_BILL, ok.order_id, PAYMENT): 1,
        (MISSING_FROM_BILL, unbilled.order_id, REFUND): 1,
        (AMOUNT_DIFFERS, altered.order_id, PAYMENT): 1,
        (WRONG_MERCHANT_ACCOUNT, other.order_id, PAYMENT): 1,
        (MISSING_FROM_ORDERS, "no-such-order", PAYMENT): 1,
        (MISSING_FROM_ORDERS, ok.order_id, REFUND): 1,
    })
    assert Counter(i.outcome for i in report.items)[MATCHED] == 7
    for item in report.differences:
        assert item.advice and "\n" not in item.advice
    duplicate = next(i for i in report.differences if i.outcome == DUPLICATED_IN_BILL)
    assert (duplicate.billed.bill_id, duplicate.billed.row.line, duplicate.billed.index) == (bill.bill_id, 4, 2)
    differs = next(i for i in report.differences if i.outcome == AMOUNT_DIFFERS)
    assert differs.difference_cents == 100 and "41.00" in differs.advice and "40.00" in differs.advice
    assert "DEALER:Q" in next(i for i in report.differences if i.outcome == WRONG_MERCHANT_ACCOUNT).advice
    totals = report.totals
    assert totals.bill_payments_cents == 12_000 * 2 + 3_000 + 4_100 + 5_000 + 999 + 1_300 + 800
    assert totals.bill_refunds_cents == 2_000 + 1_500 + 700 + 800
    assert totals.bill_fees_cents == report.fees_cost_cents == 72 * 2 + 18 + 25 + 30 + 6 + 8 + 5
    assert totals.order_payments_cents == 12_000 + 3_000 + 4_000 + 1_300 + 800
    assert totals.order_refunds_cents == 2_000 + 3_000 + 700 + 800
    # what the two sides differ by is exactly what the differences say
    assert totals.bill_payments_cents - totals.order_payments_cents == sum(i.difference_cents for i in report.differences if i.kind == PAYMENT)
    assert totals.bill_refunds_cents - totals.order_refunds_cents == sum(i.difference_cents for i in report.differences if i.kind == REFUND)
    # the other dealer's report: its sale missing from its own bill, nothing of P's
    assert differences(matched(app, "Q")) == Counter({(MISSING_FROM_BILL, other.order_id, PAYMENT): 1})


PLANTS = ("keep", "drop", "duplicate", "alter")


@st.composite
def worlds(draw):
    orders = draw(st.lists(st.tuples(
        st.booleans(),  # sold by the dealer (else by the other)
        st.lists(st.integers(1, 50_000), min_size=1, max_size=3),  # the prices
        st.lists(st.sampled_from([0, 1, 2]), max_size=2, unique=True),  # lines returned, one return each
    ), min_size=1, max_size=5))
    plants = draw(st.lists(st.sampled_from(PLANTS), min_size=12, max_size=12))
    deltas = draw(st.lists(st.integers(-500, 500).filter(bool), min_size=12, max_size=12))
    strangers = draw(st.integers(0, 2))
    return orders, plants, deltas, strangers


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds())
def test_every_planted_difference_is_reported_exactly_once_and_nothing_else(database_url, world):
    orders, plants, deltas, strangers = world
    app = build_application(database_url)
    n = next(_keys)  # the examples share the test's database: each has dealers of its own
    own, other, dealer = f"DEALER:P{n}", f"DEALER:Q{n}", f"P{n}"
    try:
        register_dealers_in(app, dealer, f"Q{n}")
        expected: Counter = Counter()
        rows: list[RawRow] = []
        second = count(1)
        plant = iter(zip(plants * 10, deltas * 10))
        kept = 0
        for ours, prices, returned in orders:
            order = paid_order(app, own if ours else other, prices, returns=[[i] for i in returned if i < len(prices)])
            if not ours:
                if returned:  # the other's sale paid into this account: the wrong one
                    rows.append(row(next(second), order.payment_id, order.order_id, PAYMENT, order.total_cents))
                    expected[(WRONG_MERCHANT_ACCOUNT, order.order_id, PAYMENT)] += 1
                continue
            truths = [(PAYMENT, order.total_cents)] + [(REFUND, cents) for cents in refunds_of(order)]
            for kind, cents in truths:
                what, delta = next(plant)
                billed = row(next(second), order.payment_id, order.order_id, kind, cents, fee=cents // 100)
                if what == "drop":
                    expected[(MISSING_FROM_BILL, order.order_id, kind)] += 1
                    continue
                if what == "alter" and cents + delta > 0:
                    billed = row(next(second), order.payment_id, order.order_id, kind, cents + delta, fee=cents // 100)
                    expected[(AMOUNT_DIFFERS, order.order_id, kind)] += 1
                else:
                    kept += 1
                rows.append(billed)
                if what == "duplicate":
                    rows.append(billed)
                    expected[(DUPLICATED_IN_BILL, order.order_id, kind)] += 1
        for n in range(strangers):
            rows.append(row(next(second), f"pay-x{n}", f"stranger-{next(_keys)}", PAYMENT, 100 + n))
            expected[(MISSING_FROM_ORDERS, rows[-1].merchant_order_id, PAYMENT)] += 1
        if rows:
            import_provider_bill(app, dealer, numbered(rows))
        report = matched(app, dealer)
        assert differences(report) == expected
        assert Counter(i.outcome for i in report.items)[MATCHED] == kept
        totals = report.totals
        assert totals.bill_payments_cents - totals.order_payments_cents == sum(
            i.difference_cents for i in report.differences if i.kind == PAYMENT
        )
    finally:
        app.close()
