"""The books hold for any run of sales, returns, settlements and month closings, through the
use cases and the dealer ledger, on SQLite and PostgreSQL:

- between any two parties the balances are each other's negative, every month, and a
  counterparty's closing balance is the next month's opening;
- a closed month's statement, exported, is the same before and after everything recorded later
  (the CSV byte for byte, the XLSX cell for cell but for the ledger position it was read at;
  settlements naming it land in the first open month instead, as adjustments);
- every settlement is shown exactly once, in the month it names or, that month closed, in the
  first open one after it;
- `omo projections verify` finds the ledger equal to the events.

(Bills with missing, duplicated and altered rows, each difference reported exactly once:
tests/integration/test_provider_bills.py.)"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta, timezone

import eventsourcing.domain
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from domain.attribution import HQ
from domain.settlements import SettlementTerms, next_month
from domain.values import Money
from projections.dealer_ledger.projection import TOPICS
from projections.dealer_ledger.reader import LedgerReader
from projections.dealer_ledger.verify import verify
from projections.runtime.event_log import EventLog
from services.adapters.statement_export import export_statement
from services.bootstrap import build_application
from services.use_cases.network.settlements import close_month, record_settlement
from services.use_cases.network.statements import get_statement
from services.adapters.config import sqlite_url
from tests.conftest import postgres_schema_url
from tests.ledger_builders import TERMS, dealer_network, give_back, ledger_runner, sell

MONTHS = ("2026-09", "2026-10", "2026-11", "2026-12")
PARTIES = {"DA": "DEALER:DA", "DB": "DEALER:DB", "HQ": HQ}
LATER = datetime(2027, 6, 1, tzinfo=timezone.utc)  # the application's clock: every month above has ended


def mid_month(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), 15, 4, 0, tzinfo=timezone.utc)


class Stamps:
    def __init__(self) -> None:
        self.at, self.ticks = mid_month(MONTHS[0]), itertools.count()

    def move(self, month: str) -> None:
        self.at = mid_month(month)

    def __call__(self) -> datetime:
        return self.at + timedelta(microseconds=next(self.ticks))


PAIRS = [(payer, payee) for payer in PARTIES for payee in PARTIES if payer != payee]  # each has a dealer: HQ is one party

steps = st.lists(st.one_of(
    st.tuples(st.just("sell"), st.sampled_from(["CS-A", "CS-B", "CS-H"]), st.integers(1, 3)),
    st.tuples(st.just("return"), st.integers(0, 50)),
    st.tuples(st.just("settle"), st.sampled_from(PAIRS), st.integers(1, 50_000), st.sampled_from(MONTHS)),
    st.tuples(st.just("close")),
    st.tuples(st.just("next month")),
), min_size=4, max_size=18)


@pytest.fixture
def fresh_books(database_url, request, monkeypatch, tmp_path):
    """Makes the books anew, on an event store of their own, for each example."""
    made = []
    numbers = itertools.count()

    def make():
        url = sqlite_url(tmp_path / f"books-{next(numbers)}.db") if database_url.startswith("sqlite") else (
            postgres_schema_url(request.getfixturevalue("postgres_database")))
        stamps = Stamps()
        monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", stamps)
        app = build_application(url, clock=lambda: LATER)
        code = dealer_network(app, terms=TERMS)
        runner, reader = ledger_runner(app), LedgerReader.for_application(app)
        made.append((app, runner, reader))
        return app, stamps, runner, reader, code

    yield make
    for app, runner, reader in made:
        runner.release()
        runner.close()
        reader.close()
        app.close()


def exported(reader, party: str, month: str, path) -> tuple[bytes, list]:
    """The statement as CSV bytes, and its XLSX's cells but for the ledger position it was read
    at (the About sheet's; it grows with every later event)."""
    export_statement(reader, party, month, "csv", path.with_suffix(".csv"))
    export_statement(reader, party, month, "xlsx", path.with_suffix(".xlsx"))
    book = load_workbook(path.with_suffix(".xlsx"))
    cells = [[row for row in sheet.values if row[0] != "Ledger position"] for sheet in book.worksheets]
    return path.with_suffix(".csv").read_bytes(), cells


def test_balances_mirror_each_other_and_closed_months_never_change_whatever_is_recorded(fresh_books, tmp_path):
    tally: Counter = Counter()

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @example(plan=[
        ("sell", "CS-A", 2), ("next month",), ("sell", "CS-B", 1), ("close",), ("settle", ("DA", "HQ"), 1_234, MONTHS[0]),
        ("return", 0), ("settle", ("DB", "DA"), 99, MONTHS[1]), ("next month",), ("close",),
    ])
    @given(plan=steps)
    def the_books_hold(plan):
        app, stamps, runner, reader, code = fresh_books()
        references = itertools.count()
        frozen: dict[tuple[str, str], tuple[bytes, list]] = {}  # (party, closed month) -> its statement as exported when closed
        settled: dict[str, str] = {}  # reference -> the month it names
        orders: list[str] = []
        for step in plan:
            month = stamps.at.strftime("%Y-%m")
            if step[0] == "sell":
                orders.append(sell(app, f"o{next(references)}", {"SERUM": step[2]}, cloud_shop=step[1], share_code=code if step[1] == "CS-A" else ""))
                tally["sold"] += 1
            elif step[0] == "return" and orders:
                order_id = orders.pop(step[1] % len(orders))
                give_back(app, order_id, f"R{next(references)}", {"SERUM": 1}, store_id="S2")
                tally["returned"] += 1
            elif step[0] == "settle":
                (payer, payee), cents, named = step[1], step[2], step[3]
                reference = f"BANK-{next(references)}"
                record_settlement(app, SettlementTerms.create(reference, PARTIES[payer], PARTIES[payee], Money(cents, "CNY"), named))
                settled[reference] = named
                tally["settled"] += 1
                tally["settled for a closed month"] += ("DA", named) in frozen
            elif step[0] == "close":
                runner.catch_up()
                open_before = [m for m in MONTHS if m < month and ("DA", m) not in frozen]
                if open_before:
                    closing = open_before[0]
                    assert close_month(app, reader, closing)
                    for party in PARTIES:
                        frozen[(party, closing)] = exported(reader, party, closing, tmp_path / "s.csv")
                    tally["closed"] += 1
            elif step[0] == "next month" and month != MONTHS[-1]:
                stamps.move(next_month(month))
                tally["months"] += 1
        runner.catch_up()

        for (party, closed_month), statement in frozen.items():
            assert exported(reader, party, closed_month, tmp_path / "again.csv") == statement, f"{party}'s {closed_month} changed"
        shown = Counter()
        for month in MONTHS:
            seen = {name: {b.counterparty: b for b in get_statement(reader, name, month).balances} for name in PARTIES}
            for name, balances in seen.items():
                for counterparty, balance in balances.items():
                    other = next((n for n, p in PARTIES.items() if p == counterparty), None)
                    if other is not None:
                        mirror = seen[other][PARTIES[name]]
                        assert (balance.opening_cents, balance.activity_cents, balance.settled_cents, balance.closing_cents) == (
                            -mirror.opening_cents, -mirror.activity_cents, -mirror.settled_cents, -mirror.closing_cents)
                    if month != MONTHS[-1]:
                        following = {b.counterparty: b for b in get_statement(reader, name, next_month(month)).balances}
                        assert following[counterparty].opening_cents == balance.closing_cents
                for line in get_statement(reader, name, month).settlements:
                    shown[line.reference] += 1
                    named = settled[line.reference]
                    # in the month it names, or (that month closed first) a later one naming it
                    assert (month == named and line.adjusts_month == "") or (month > named and line.adjusts_month == named)
        assert all(shown[reference] == 2 for reference in settled)  # the payer's statement and the payee's
        check = verify(reader.engine, EventLog(app, TOPICS))
        assert check.differences == []

    the_books_hold()
    least = {"sold": 10, "returned": 2, "settled": 6, "closed": 2, "months": 4, "settled for a closed month": 1}
    short = {kind: (tally[kind], n) for kind, n in least.items() if tally[kind] < n}
    assert not short, f"kinds of step that happened too seldom (done, at least): {short}; all: {dict(tally)}"
