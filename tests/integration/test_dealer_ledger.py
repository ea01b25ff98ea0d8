"""The dealer ledger projection, on SQLite and PostgreSQL: one row per entry of every
attribution and reversal the orders recorded, exactly once (twice run, crashed mid-way,
rebuilt), verified against the events, and run by `omo project` and `omo projections` (run
by `omo serve`: tests/e2e/test_dealer_ledger.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timezone
from itertools import count

import pytest
import sqlalchemy.exc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text


from domain.attribution import PolicyTerms
from projections.definitions import DEALER_LEDGER, NATIONAL_STOCK
from projections.dealer_ledger.verify import verify
from projections.runtime.runner import ProjectionRunner, projection_status
from services.use_cases.application import OmoApplication
from services.cli.main import main
from services.use_cases.network.dealers import change_store_owner, set_policy
from tests.ledger_builders import PRICES, dealer_network, event_entries, give_back, ledger_runner, ledger_table, sell, trade



@pytest.fixture
def trading(app) -> dict[str, str]:
    return trade(app)


@pytest.fixture
def runner(app):
    r = ledger_runner(app)
    yield r
    r.release()
    r.close()


def as_entries(rows: list[dict]) -> list[tuple]:
    return sorted(
        (r["order_id"], r["event_version"], r["entry_index"], r["line"], r["store_id"], r["kind"], bool(r["reversal"]), r["debit"], r["credit"], r["amount_cents"])
        for r in rows
    )


def expected_entries(app: OmoApplication) -> list[tuple]:
    found, index = [], defaultdict(int)
    for order_id, version, e in event_entries(app):
        i = index[(order_id, version)]
        index[(order_id, version)] += 1
        found.append((order_id, version, i, e["line"], e["store_id"], e["kind"], e["reversal"], e["debit"], e["credit"], e["amount_cents"]))
    return sorted(found)


def test_every_entry_of_every_attribution_and_reversal_is_one_row(app, trading, runner):
    assert runner.catch_up() == app.recorder.max_notification_id()
    rows = ledger_table(runner.reader)
    assert as_entries(rows) == expected_entries(app)
    # a: 2 lines of sale, fee, HQ share, commission; b: sale, HQ share (DB fulfils its own
    # sale: no fee); h: sale, fee (HQ pays no share to itself); k: sale, fee, HQ share; R1: 4
    assert len(rows) == 8 + 2 + 2 + 3 + 4
    by_id = {r["entry_id"]: r for r in rows}
    assert len(by_id) == len(rows)
    for r in rows:
        assert r["entry_id"] == f"{r['order_id']}:{r['event_version']}:{r['entry_index']}"
        assert r["amount_cents"] > 0 and r["debit"] != r["credit"]
        assert (r["return_id"] == "R1") == bool(r["reversal"])
    assert {r["brand_id"] for r in rows if r["order_id"] == trading["k"]} == {"kids"}
    assert {r["brand_id"] for r in rows if r["order_id"] != trading["k"]} == {"default"}
    # the fee of order a moves from the seller DA to the fulfiller DB
    fee = [r for r in rows if r["order_id"] == trading["a"] and r["kind"] == "FULFILMENT_FEE" and not r["reversal"]]
    assert {(r["debit"], r["credit"]) for r in fee} == {("DEALER:DA", "DEALER:DB")}
    assert verify(runner.reader, runner.event_log).differences == []


def test_the_parties_balance_and_the_customer_paid_what_was_delivered_less_refunds(app, trading, runner):
    runner.catch_up()
    balances = defaultdict(int)
    for r in ledger_table(runner.reader):
        balances[r["credit"]] += r["amount_cents"]
        balances[r["debit"]] -= r["amount_cents"]
    assert sum(balances.values()) == 0
    delivered = 3 * PRICES["SERUM"] + 2 * PRICES["MASK"] + 3 * PRICES["LIPSTICK"] + 3 * PRICES["MASK"]
    assert balances["CUSTOMER"] == -(delivered - PRICES["SERUM"])
    assert set(balances) == {"CUSTOMER", "HQ", "DEALER:DA", "DEALER:DB", "ASSISTANT:AS1"}


def test_a_reversal_in_a_later_batch_carries_its_attribution_s_brand_and_policy_version(app, trading, runner):
    runner.catch_up()
    set_policy(app, "default", PolicyTerms.create(hq_share_bp=1000, fulfilment_fee_bp=0, fulfilment_fee_fixed_cents=0, assistant_commission_bp=0))
    give_back(app, trading["k"], "R2", {"MASK": 3})
    give_back(app, trading["a"], "R3", {"MASK": 1})
    runner.catch_up()
    rows = ledger_table(runner.reader)
    assert {(r["brand_id"], r["policy_version"], r["store_id"]) for r in rows if r["return_id"] == "R2"} == {("kids", 0, "S2")}
    assert {(r["brand_id"], r["policy_version"]) for r in rows if r["return_id"] == "R3"} == {("default", 1)}
    # a whole line returned reverses exactly what it was attributed
    for kind in ("SALE", "FULFILMENT_FEE", "HQ_SHARE"):
        k = [r for r in rows if r["order_id"] == trading["k"] and r["kind"] == kind]
        assert sum(r["amount_cents"] for r in k if r["reversal"]) == sum(r["amount_cents"] for r in k if not r["reversal"]) > 0
    assert verify(runner.reader, runner.event_log).differences == []


def test_running_the_projection_again_applies_nothing_twice_and_the_database_refuses_a_replay(app, trading, runner):
    runner.catch_up()
    before = ledger_table(runner.reader)
    runner.release()
    second = ledger_runner(app, holder="second")
    try:
        assert second.catch_up() == runner.position
        assert second.step() == 0
        assert ledger_table(second.reader) == before
        # a batch applied a second time, even without the position check, fails on the entries' key
        batch = second.event_log.read(0, 10_000)
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            with second.writer.begin() as connection:
                DEALER_LEDGER.apply_batch(connection, batch.events, batch.end)
        assert ledger_table(second.reader) == before
    finally:
        second.release()
        second.close()


class Crash(Exception):
    pass


def test_a_crash_mid_way_leaves_no_partial_batch_and_the_next_runner_finishes(app, trading):
    calls = []

    def apply_then_crash(connection, events, end):
        DEALER_LEDGER.apply_batch(connection, events, end)  # written, then the process dies before the commit
        calls.append(end)
        if len(calls) == 3:
            raise Crash

    crashing = ProjectionRunner(app.database_url, DEALER_LEDGER.event_log(app), replace(DEALER_LEDGER, apply_batch=apply_then_crash), holder="crashing", batch_size=2)
    try:
        with pytest.raises(Crash):
            crashing.catch_up()
        position = projection_status(crashing.reader, crashing.event_log, DEALER_LEDGER.name).position
        assert position == calls[1]  # the first two batches committed, the third left nothing
        with crashing.reader.connect() as connection:
            notified = connection.execute(text("SELECT max(notification_id) FROM ledger_entries")).scalar_one()
        assert notified <= position
    finally:
        crashing.close()  # never released: the lease is still held
    successor = ledger_runner(app, holder="successor")
    try:
        assert not successor.try_lead()
        assert successor.try_lead(take_over=True)  # as after the lease expired
        successor.catch_up()
        assert as_entries(ledger_table(successor.reader)) == expected_entries(app)
        assert verify(successor.reader, successor.event_log).differences == []
    finally:
        successor.release()
        successor.close()


def test_a_rebuild_equals_the_incremental_build(app, runner):
    code = dealer_network(app)
    runner.batch_size = 2
    a = sell(app, "a", {"SERUM": 2, "MASK": 1}, cloud_shop="CS-A", share_code=code)
    runner.catch_up()
    b = sell(app, "b", {"LIPSTICK": 4}, cloud_shop="CS-H")
    give_back(app, a, "R1", {"SERUM": 1})
    runner.catch_up()
    give_back(app, b, "R2", {"LIPSTICK": 1})
    give_back(app, a, "R3", {"SERUM": 1, "MASK": 1})
    runner.catch_up()
    incremental = ledger_table(runner.reader)
    with runner.reader.connect() as connection:
        shipments = connection.execute(text("SELECT * FROM ledger_attributions ORDER BY order_id, store_id")).all()
    assert len(incremental) > 20
    assert runner.rebuild() == app.recorder.max_notification_id()
    assert ledger_table(runner.reader) == incremental
    with runner.reader.connect() as connection:
        assert connection.execute(text("SELECT * FROM ledger_attributions ORDER BY order_id, store_id")).all() == shipments


def test_verify_finds_a_changed_a_missing_and_an_invented_entry(app, trading, runner):
    runner.catch_up()
    rows = ledger_table(runner.reader, "entry_id")
    changed, gone, copied = rows[0]["entry_id"], rows[1]["entry_id"], rows[2]
    with runner.writer.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET amount_cents = amount_cents + 1 WHERE entry_id = :id"), {"id": changed})
        connection.execute(text("DELETE FROM ledger_entries WHERE entry_id = :id"), {"id": gone})
        connection.execute(
            text("INSERT INTO ledger_entries SELECT 'invented', notification_id, occurred_at_us, occurred_at, order_id, event_version, "
                 "entry_index, line, store_id, kind, reversal, return_id, debit, credit, amount_cents, brand_id, policy_version, "
                 "statement_month, adjusts_month, reference FROM ledger_entries WHERE entry_id = :id"),
            {"id": copied["entry_id"]},
        )
    found = {(d.what, d.key): d.problem for d in verify(runner.reader, runner.event_log).differences}
    assert "amount_cents expected" in found[("entry", changed)]
    assert found[("entry", gone)] == "missing"
    assert found[("entry", "invented")] == "not in the events"


def test_verify_checks_every_entry_s_parties_and_amount(app, trading, runner):
    runner.catch_up()
    rows = ledger_table(runner.reader, "entry_id")
    with runner.writer.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET credit = debit WHERE entry_id = :id"), {"id": rows[0]["entry_id"]})
        connection.execute(text("UPDATE ledger_entries SET amount_cents = -5 WHERE entry_id = :id"), {"id": rows[1]["entry_id"]})
    problems = [str(d) for d in verify(runner.reader, runner.event_log).differences if d.what == "ledger"]
    assert any(rows[0]["entry_id"] in p and "same party" in p for p in problems)
    assert any(rows[1]["entry_id"] in p and "not positive" in p for p in problems)


# --- the commands -------------------------------------------------------------------------


def test_projection_commands_operate_the_ledger(app, trading, monkeypatch, capsys):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    head = app.recorder.max_notification_id()
    # notification ids can have gaps (a save that conflicted and was rolled back used some up)
    recorded = len(app.recorder.select_notifications(start=1, limit=1_000_000))
    assert main(["projections", "status", "--projection", "dealer_ledger"]) == 0
    out = capsys.readouterr().out
    assert "projection  dealer_ledger" in out and f"lag         {recorded} events" in out and "national_stock" not in out

    assert main(["projections", "rebuild", "--projection", "dealer_ledger"]) == 0
    captured = capsys.readouterr()
    assert f"rebuilt dealer_ledger to position {head}" in captured.out and "national_stock" not in captured.out
    assert "dealer_ledger rebuild: 100%" in captured.err

    assert main(["projections", "status", "--json"]) == 0
    statuses = {s["projection"]: s for s in map(json.loads, capsys.readouterr().out.splitlines())}
    assert (statuses["dealer_ledger"]["position"], statuses["national_stock"]["position"]) == (head, 0)

    assert main(["projections", "verify"]) == 0
    out = capsys.readouterr().out
    assert "dealer_ledger: verified 19 entries" in out and "national_stock: verified" in out

    tamperer = ledger_runner(app)
    try:
        with tamperer.writer.begin() as connection:
            connection.execute(text("UPDATE ledger_entries SET debit = 'DEALER:DZ' WHERE kind = 'COMMISSION' AND reversal = :r"), {"r": True})
    finally:
        tamperer.close()
    assert main(["projections", "verify", "--projection", "dealer_ledger"]) == 1
    out = capsys.readouterr().out
    assert "debit expected 'ASSISTANT:AS1', found 'DEALER:DZ'" in out and "1 differences" in out
    assert main(["projections", "verify", "--projection", "national_stock"]) == 0


def wait_for(condition, seconds: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_omo_project_runs_only_the_projection_it_is_given(app, trading):
    env = {**os.environ, "OMO_DATABASE_URL": app.database_url}
    head = app.recorder.max_notification_id()
    observer = ledger_runner(app, holder="observer")
    stock = ProjectionRunner(app.database_url, NATIONAL_STOCK.event_log(app), NATIONAL_STOCK, holder="observer")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "project", "--projection", "dealer_ledger", "--poll-interval", "0.01"],
        env=env, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: projection_status(observer.reader, observer.event_log, "dealer_ledger").position == head, what="the ledger")
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert projection_status(observer.reader, observer.event_log, "dealer_ledger").holder is None  # released
        assert projection_status(stock.reader, stock.event_log, "national_stock").position == 0
        assert verify(observer.reader, observer.event_log).differences == []
    finally:
        process.kill()
        observer.close()
        stock.close()


# --- any trade --------------------------------------------------------------------------------

POLICIES = [
    PolicyTerms.create(hq_share_bp=500, fulfilment_fee_bp=800, fulfilment_fee_fixed_cents=150, assistant_commission_bp=300),
    PolicyTerms.create(hq_share_bp=1000, fulfilment_fee_bp=0, fulfilment_fee_fixed_cents=500, assistant_commission_bp=0),
    PolicyTerms.create(hq_share_bp=333, fulfilment_fee_bp=777, fulfilment_fee_fixed_cents=1, assistant_commission_bp=111),
    PolicyTerms.create(hq_share_bp=3000, fulfilment_fee_bp=3000, fulfilment_fee_fixed_cents=100_000, assistant_commission_bp=4000),
]
SHOPS_AND_CODES = st.sampled_from([("CS-A", True), ("CS-A", False), ("CS-B", False), ("CS-H", False), ("", False)])
an_order = st.fixed_dictionaries({
    "shop": SHOPS_AND_CODES,
    "lines": st.dictionaries(st.sampled_from(sorted(PRICES)), st.integers(1, 4), min_size=1, max_size=3),
    "returns": st.lists(st.floats(0, 1), max_size=3),  # the share of each line's units left to give back
    "s2_owner": st.sampled_from([None, "DA", "DB", ""]),  # who owns S2 from then on (None: unchanged)
    "policy": st.sampled_from([None, *POLICIES]),  # the default brand's policy from then on (None: unchanged)
})


@pytest.fixture
def market(app) -> dict:
    """The dealer network, and what the examples of one test sold (the examples share the
    database)."""
    return {"share_code": dealer_network(app), "keys": count(), "paid": {}}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(orders=st.lists(an_order, min_size=1, max_size=4), batch_size=st.integers(1, 6))
def test_any_trade_s_ledger_sums_to_what_customers_paid_and_each_statement_to_its_entries(app, market, orders, batch_size):
    """Orders from any shop, with or without the assistant's code, partly returned any number
    of times, while S2 changes owner and the policy changes: the customer's side of the ledger is what was
    delivered less what was refunded, to the cent, and each statement's net payable is its
    party's balance and the sum of its lines."""
    from services.use_cases.network.statements import get_statement

    customer_paid = market["paid"]
    for spec in orders:
        paid = 0
        if spec["policy"] is not None:
            set_policy(app, "default", spec["policy"])
        if spec["s2_owner"] is not None:
            change_store_owner(app, "S2", spec["s2_owner"], datetime.now(timezone.utc))
        shop, with_code = spec["shop"]
        key = f"o{next(market['keys'])}"
        order_id = sell(app, key, spec["lines"], cloud_shop=shop, share_code=market["share_code"] if with_code else "")
        paid += sum(PRICES[sku] * units for sku, units in spec["lines"].items())
        left = dict(spec["lines"])
        for n, share in enumerate(spec["returns"]):
            units = {sku: int(units * share) for sku, units in left.items() if int(units * share)}
            if units:
                give_back(app, order_id, f"{key}-r{n}", units)
                paid -= sum(PRICES[sku] * u for sku, u in units.items())
                left = {sku: left[sku] - units.get(sku, 0) for sku in left}
        customer_paid[order_id] = paid
    runner = ledger_runner(app, batch_size=batch_size)
    try:
        runner.catch_up()
        rows = ledger_table(runner.reader)
        balances: dict[str, int] = defaultdict(int)
        for r in rows:
            balances[r["credit"]] += r["amount_cents"]
            balances[r["debit"]] -= r["amount_cents"]
        assert sum(balances.values()) == 0
        assert balances["CUSTOMER"] == -sum(customer_paid.values())
        everything = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
        for dealer, party in (("DA", "DEALER:DA"), ("DB", "DEALER:DB"), ("HQ", "HQ")):
            statement = get_statement(runner.reader, dealer, everything, 1000)
            assert statement.totals.net_payable == balances[party] == sum(line.amount_cents for line in statement.lines)
        assert verify(runner.reader, runner.event_log).differences == []
    finally:
        runner.release()
        runner.close()
