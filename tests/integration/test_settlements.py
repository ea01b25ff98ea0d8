"""Settlements between parties and months that close, on SQLite and PostgreSQL: a settlement is
recorded once per reference; each month's statement carries per counterparty the opening
balance, the month's trade, the settlements and the closing balance, which the next month
opens with; every pair of parties' balances are each other's negative; a closed month's
statement never changes, and what is recorded for it later lands in the first open month as an
adjustment naming it; closing is refused while the month runs or the ledger is behind."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import eventsourcing.domain
import pytest

from domain.attribution import CUSTOMER, HQ
from domain.errors import DealerNotFound, InvalidInput
from domain.provider_bills import RawRow
from domain.settlements import MonthNotClosable, SettlementTerms
from domain.values import Money
from projections.dealer_ledger.reader import LedgerReader
from projections.dealer_ledger.verify import verify
from projections.runtime.event_log import EventLog
from projections.dealer_ledger.projection import TOPICS
from services.cli.main import main
from services.use_cases.network.provider_bills import import_provider_bill
from services.use_cases.network.settlements import SettlementReferenceReused, close_month, record_settlement
from services.use_cases.network.statements import get_statement
from tests.ledger_builders import give_back, ledger_runner, ledger_table, trade

NOVEMBER = datetime(2026, 11, 15, 4, 0, tzinfo=timezone.utc)
DECEMBER = datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc)


class Stamps:
    """The moment the events are stamped with, a microsecond apart from `at` on."""

    def __init__(self, at: datetime):
        self.move(at)

    def move(self, at: datetime) -> None:
        self.ticks = itertools.count()
        self.at = at

    def __call__(self) -> datetime:
        return self.at + timedelta(microseconds=next(self.ticks))


@pytest.fixture
def stamps(monkeypatch) -> Stamps:
    found = Stamps(NOVEMBER)
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", found)
    return found


@pytest.fixture
def books(app, stamps):
    orders = trade(app)
    runner = ledger_runner(app)
    reader = LedgerReader.for_application(app)
    runner.catch_up()
    yield orders, runner, reader
    runner.release()
    runner.close()
    reader.close()


def paid(reference: str, payer: str, payee: str, cents: int, month: str = "2026-11") -> SettlementTerms:
    return SettlementTerms.create(reference, payer, payee, Money(cents, "CNY"), month)


def balances(reader, dealer: str, month: str) -> dict[str, tuple[int, int, int, int]]:
    statement = get_statement(reader, dealer, month)
    return {b.counterparty: (b.opening_cents, b.activity_cents, b.settled_cents, b.closing_cents) for b in statement.balances}


def trade_between(reader, party: str, month: str) -> dict[str, int]:
    """What the ledger table says the party's trade with each counterparty comes to in the
    month, signed from the party's side: the reference the balances are checked against."""
    found: dict[str, int] = defaultdict(int)
    for row in ledger_table(reader.engine):
        if row["kind"] == "SETTLEMENT" or row["statement_month"] != month or party not in (row["debit"], row["credit"]):
            continue
        other = row["credit"] if row["debit"] == party else row["debit"]
        found[other] += -row["amount_cents"] if row["debit"] == party else row["amount_cents"]
    return dict(found)


def test_a_settlement_is_recorded_once_per_reference(app, books):
    first = record_settlement(app, paid("BANK-1", "DEALER:DA", HQ, 5_000), by="ops/t1")
    assert not first.replayed and first.terms.amount == Money(5_000, "CNY")
    again = record_settlement(app, paid("BANK-1", "DEALER:DA", HQ, 5_000))
    assert again.replayed and again.recorded_at == first.recorded_at
    head = app.recorder.max_notification_id()
    with pytest.raises(SettlementReferenceReused, match="'BANK-1' was already used"):
        record_settlement(app, paid("BANK-1", "DEALER:DA", HQ, 5_001))
    with pytest.raises(DealerNotFound):
        record_settlement(app, paid("BANK-2", "DEALER:NOPE", HQ, 5_000))
    assert app.recorder.max_notification_id() == head


@pytest.mark.parametrize("payer, payee, cents, month, field", [
    ("DEALER:DA", "DEALER:DA", 100, "2026-11", "to_party"),
    (HQ, "ASSISTANT:AS1", 100, "2026-11", "from_party"),
    ("DEALER:DA", HQ, 0, "2026-11", "amount.cents"),
    ("DEALER:DA", HQ, 100, "2026-13", "month"),
    ("DEALER:DA", "CUSTOMER", 100, "2026-11", "to_party"),
    ("DEALER:", HQ, 100, "2026-11", "from_party"),
])
def test_a_malformed_settlement_is_refused_naming_the_field(payer, payee, cents, month, field):
    with pytest.raises(InvalidInput) as refused:
        paid("BANK-X", payer, payee, cents, month)
    assert refused.value.field == field


def test_balances_per_counterparty_open_with_the_last_months_close_and_settlements_pay_them_off(app, books, stamps):
    _, runner, reader = books
    november = balances(reader, "DA", "2026-11")
    assert CUSTOMER not in november
    trade = trade_between(reader, "DEALER:DA", "2026-11")
    assert {p: b[1] for p, b in november.items()} == {p: t for p, t in trade.items() if p != CUSTOMER}
    assert all(opening == settled == 0 and closing == activity for opening, activity, settled, closing in november.values())
    owed_to_hq = -november[HQ][3]
    assert owed_to_hq > 0  # DA owes HQ its share of DA's sales
    record_settlement(app, paid("BANK-1", "DEALER:DA", HQ, owed_to_hq))
    runner.catch_up()
    assert balances(reader, "DA", "2026-11")[HQ] == (0, -owed_to_hq, -owed_to_hq, 0)
    assert balances(reader, HQ, "2026-11")["DEALER:DA"] == (0, owed_to_hq, owed_to_hq, 0)
    stamps.move(DECEMBER)
    december = balances(reader, "DA", "2026-12")
    assert december[HQ] == (0, 0, 0, 0)
    assert {p: b[0] for p, b in december.items() if p != HQ} == {p: b[3] for p, b in november.items() if p != HQ}


def test_every_pair_of_parties_balances_are_each_others_negative(app, books):
    _, runner, reader = books
    record_settlement(app, paid("BANK-1", "DEALER:DB", "DEALER:DA", 777))
    record_settlement(app, paid("BANK-2", "DEALER:DA", "ASSISTANT:AS1", 55))
    runner.catch_up()
    seen = {party: balances(reader, party.removeprefix("DEALER:"), "2026-11") for party in ("DEALER:DA", "DEALER:DB", HQ)}
    pairs = 0
    for party, found in seen.items():
        for other, (opening, activity, settled, closing) in found.items():
            if other in seen:
                assert seen[other][party] == (-opening, -activity, -settled, -closing)
                pairs += 1
    assert pairs >= 4


def test_a_closed_month_never_changes_and_what_comes_later_lands_in_the_next_as_an_adjustment(app, books, stamps):
    orders, runner, reader = books
    with pytest.raises(MonthNotClosable, match="it has not ended"):
        close_month(app, reader, "2026-12")
    stamps.move(DECEMBER)
    record_settlement(app, paid("BANK-1", "DEALER:DA", HQ, 1_000))  # for November, not yet in the ledger
    with pytest.raises(MonthNotClosable, match="1 events behind"):
        close_month(app, reader, "2026-11")
    runner.catch_up()
    before = get_statement(reader, "DA", "2026-11")
    assert close_month(app, reader, "2026-11", by="ops/t1") and not close_month(app, reader, "2026-11")
    record_settlement(app, paid("BANK-2", "DEALER:DA", HQ, 2_000))  # for November, after it closed
    give_back(app, orders["a"], "R2", {"MASK": 1})  # a December return of a November sale
    runner.catch_up()
    after = get_statement(reader, "DA", "2026-11")
    assert after.closed and not before.closed
    assert (after.lines, after.totals, after.balances, after.settlements) == (before.lines, before.totals, before.balances, before.settlements)
    december = get_statement(reader, "DA", "2026-12")
    assert [(s.reference, s.amount_cents, s.adjusts_month) for s in december.settlements] == [("BANK-2", -2_000, "2026-11")]
    assert any(line.return_id == "R2" and line.adjusts_month == "" for line in december.lines)
    assert balances(reader, "DA", "2026-12")[HQ][0] == after.balances[[b.counterparty for b in after.balances].index(HQ)].closing_cents
    check = verify(reader.engine, EventLog(app, TOPICS))
    assert check.differences == [] and check.rows > 0


def test_the_command_closes_a_month_after_bringing_the_ledger_up_to_date_and_lists_it(app, stamps, monkeypatch, capsys):
    trade(app)  # no runner has run: the command brings the ledger up to the head first
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    assert main(["periods", "close", "2026-12"]) == 2
    refusal = capsys.readouterr().err.rstrip("\n").split("\n")[-1]  # after the catch-up's progress bar
    assert refusal.startswith("omo periods close: month 2026-12 cannot be closed: it has not ended")
    assert main(["periods", "close", "2026-11"]) == 0
    assert capsys.readouterr().out == "closed 2026-11\n"
    assert main(["periods", "close", "2026-11"]) == 0
    assert "closed already" in capsys.readouterr().out
    assert main(["periods", "list"]) == 0
    assert capsys.readouterr().out == "2026-11\n"
    with pytest.raises(SystemExit):
        main(["periods", "close", "November"])
    assert "must be a month 'YYYY-MM'" in capsys.readouterr().err


def test_a_month_whose_provider_bills_leave_more_than_the_tolerance_unmatched_does_not_close(app, stamps, monkeypatch, capsys):
    trade(app)
    # a payment on DA's merchant account in November that no order of DA's knows
    import_provider_bill(app, "DA", [RawRow(2, "2026-11-20 10:00:00", "WX-STRAY", "no-such-order", "payment", "12.34", "0.07")])
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    assert main(["periods", "close", "2026-11"]) == 2
    refusal = capsys.readouterr().err.rstrip("\n").split("\n")[-1]
    # the stray row, and DA's own payments and refund its bill leaves out
    found = re.search(r"dealer DA's provider bills leave (\d+) cents unmatched in (\d+) differences \(tolerance 0\)", refusal)
    unmatched, differences = int(found[1]), int(found[2])
    assert unmatched > 1234 and differences > 1 and "DB" not in refusal  # DB imported no bill
    assert main(["periods", "close", "2026-11", "--tolerance-cents", str(unmatched - 1)]) == 2
    capsys.readouterr()
    assert main(["periods", "close", "2026-11", "--tolerance-cents", str(unmatched)]) == 0
    assert capsys.readouterr().out == "closed 2026-11\n"
