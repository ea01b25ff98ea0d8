"""Checks the dealer ledger against the event store, and the ledger against itself.

1. Every entry recomputed from the events up to the ledger's position (read in one snapshot
   with the tables, so it can run beside a live runner), compared column by column with
   the rows: missing, unexpected and changed rows are differences; so are attributions.
2. The events themselves: each attributed line's parts sum to its total and are never
   negative, its entries are what `entries_for` gives for those parts and parties, and a
   reversal's are the reversed parts' entries between the same parties; no line is
   reversed beyond what was attributed.
3. The rows: debit differs from credit, the amount is positive, the kind is known, a
   reversal names its return; the parties' balances sum to zero (the ledger balances); and
   no line pays out more than its sale brought in, nor reverses more than it sold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timezone
from typing import Any

from sqlalchemy import Engine, func, select

from aggregates.ledger_period import LedgerPeriod
from aggregates.order import Order
from aggregates.settlement import Settlement
from domain.attribution import ENTRY_KINDS, SALE, ShipmentParties, entries_for
from domain.values import epoch_us
from domain.settlements import SETTLEMENT, first_open, month_of
from projections.dealer_ledger.projection import NAME, entry_id, settlement_entry_id
from projections.runtime.moments import moment_of
from projections.runtime.event_log import EventLog
from projections.runtime.verification import Difference, Verification, compare, notifications_up_to
from projections.dealer_ledger.tables import attributions, entries
from projections.runtime.database import tracking

COLUMNS = (
    "notification_id", "occurred_at_us", "occurred_at_us_of_timestamp", "order_id", "event_version", "entry_index", "line",
    "store_id", "kind", "reversal", "return_id", "debit", "credit", "amount_cents", "brand_id", "policy_version",
    "statement_month", "adjusts_month", "reference",
)
ATTRIBUTION_COLUMNS = ("notification_id", "occurred_at_us", "brand_id", "policy_version", "seller", "fulfiller", "assistant")
Rows = dict[str, tuple]


def _shown(month: str, closed: set[str]) -> tuple[str, str | None]:
    """(statement month, the closed month adjusted) of an entry of `month`."""
    shown = first_open(month, closed)
    return shown, month if shown != month else None


def _row(notification_id: int, e: Any, index: int, entry: dict, store_id: str, brand: tuple[str, int], closed: set[str]) -> tuple:
    moment = epoch_us(moment_of(e))
    return (
        notification_id, moment, moment, str(e.originator_id), e.originator_version, index, entry["line"], store_id,
        entry["kind"], bool(entry["reversal"]), getattr(e, "return_id", None), entry["debit"], entry["credit"],
        entry["amount_cents"], *brand, *_shown(month_of(moment_of(e)), closed), None,
    )


def _settlement_row(notification_id: int, e: Any, closed: set[str]) -> tuple:
    moment, t = epoch_us(moment_of(e)), e.terms
    return (
        notification_id, moment, moment, "", e.originator_version, 0, "", "", SETTLEMENT, False, None, t["from_party"],
        t["to_party"], t["amount_cents"], "", 0, *_shown(t["month"], closed), e.reference,
    )


def _check_attribution(key: str, a: dict[str, Any], problems: list[Difference]) -> None:
    parties = ShipmentParties(a["seller"], a["fulfiller"], a["assistant"])
    expected = []
    for sku, line in a["lines"].items():
        if sum(line["parts"].values()) != line["total_cents"] or min(line["parts"].values(), default=0) < 0:
            problems.append(Difference("event", f"{key}/{sku}", f"parts {line['parts']} do not split the total {line['total_cents']}"))
        expected += entries_for(sku, line["parts"], parties)
    if expected != a["entries"]:
        problems.append(Difference("event", key, "its entries are not the entries of its parts"))


def recompute(event_log: EventLog, position: int) -> tuple[Rows, Rows, list[Difference]]:
    """(entries, attributions, problems found in the events) up to `position`."""
    rows: Rows = {}
    shipments: Rows = {}
    problems: list[Difference] = []
    attributed: dict[tuple[str, str], dict[str, Any]] = {}
    reversed_parts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    closed: set[str] = set()
    for notification_id, e in notifications_up_to(event_log, position):
        order_id = str(e.originator_id)
        if isinstance(e, LedgerPeriod.PeriodClosed):
            closed.add(e.month)
        elif isinstance(e, Settlement.SettlementRecorded):
            rows[settlement_entry_id(e.reference)] = _settlement_row(notification_id, e, closed)
        elif isinstance(e, Order.ShipmentAttributed):
            a = e.attribution
            attributed[(order_id, e.store_id)] = a
            brand = (a["brand_id"], a["policy_version"])
            shipments[f"{order_id}/{e.store_id}"] = (
                notification_id, epoch_us(moment_of(e)), *brand, a["seller"], a["fulfiller"], a["assistant"] or "",
            )
            _check_attribution(f"{order_id}/{e.store_id}", a, problems)
            for i, entry in enumerate(a["entries"]):
                rows[entry_id(order_id, e.originator_version, i)] = _row(notification_id, e, i, entry, e.store_id, brand, closed)
        elif isinstance(e, Order.AttributionReversed):
            expected = []
            for line in e.lines:
                a = attributed.get((order_id, line["store_id"]))
                if a is None:
                    problems.append(Difference("event", f"{order_id}/{line['store_id']}", f"return {e.return_id!r} reverses a shipment never attributed"))
                    continue
                done = reversed_parts[(order_id, line["store_id"], line["sku"])]
                for part, cents in line["parts"].items():
                    done[part] += cents
                    if cents < 0 or done[part] > a["lines"][line["sku"]]["parts"].get(part, 0):
                        problems.append(Difference("event", f"{order_id}/{line['store_id']}/{line['sku']}", f"{part} reversed beyond what was attributed"))
                parties = ShipmentParties(a["seller"], a["fulfiller"], a["assistant"])
                expected += [dict(x, store_id=line["store_id"]) for x in entries_for(line["sku"], line["parts"], parties, reversal=True)]
            if expected != e.entries:
                problems.append(Difference("event", f"{order_id}/{e.return_id}", "its entries are not the entries of its reversed parts"))
            for i, entry in enumerate(e.entries):
                a = attributed.get((order_id, entry["store_id"]), {"brand_id": "", "policy_version": -1})
                rows[entry_id(order_id, e.originator_version, i)] = _row(
                    notification_id, e, i, entry, entry["store_id"], (a["brand_id"], a["policy_version"]), closed,
                )
    return rows, shipments, problems


def _us(moment) -> int:
    return epoch_us(moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment)


def stored(engine: Engine, projection: str = NAME) -> tuple[int, Rows, Rows, int]:
    """The ledger's position, entries, attributions and the sum of every party's balance
    (credits less debits), read in one snapshot."""
    with engine.connect() as connection:
        position = connection.execute(select(tracking.c.position).where(tracking.c.projection == projection)).scalar_one()
        rows = {
            r.entry_id: (
                r.notification_id, r.occurred_at_us, _us(r.occurred_at), r.order_id, r.event_version, r.entry_index, r.line,
                r.store_id, r.kind, bool(r.reversal), r.return_id, r.debit, r.credit, r.amount_cents, r.brand_id, r.policy_version,
                r.statement_month, r.adjusts_month, r.reference,
            )
            for r in connection.execute(select(entries))
        }
        shipments = {f"{r.order_id}/{r.store_id}": tuple(r._mapping[c] for c in ATTRIBUTION_COLUMNS) for r in connection.execute(select(attributions))}
        # the balances, summed by the database on each side
        credited = dict(connection.execute(select(entries.c.credit, func.sum(entries.c.amount_cents)).group_by(entries.c.credit)).all())
        debited = dict(connection.execute(select(entries.c.debit, func.sum(entries.c.amount_cents)).group_by(entries.c.debit)).all())
    balances = {p: int(credited.get(p, 0)) - int(debited.get(p, 0)) for p in credited.keys() | debited.keys()}
    return position, rows, shipments, sum(balances.values())


def _check_rows(rows: Rows) -> list[Difference]:
    problems = []
    lines: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # sold, paid out of it, sale reversed
    for key, r in rows.items():
        order_id, line, store_id, kind, reversal, return_id, debit, credit, amount = r[3], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13]
        if debit == credit:
            problems.append(Difference("ledger", key, f"debits and credits the same party {debit!r}"))
        if not amount > 0:
            problems.append(Difference("ledger", key, f"amount {amount} is not positive"))
        if kind not in (*ENTRY_KINDS, SETTLEMENT):
            problems.append(Difference("ledger", key, f"unknown kind {kind!r}"))
        if kind == SETTLEMENT:
            continue
        if reversal != (return_id is not None):
            problems.append(Difference("ledger", key, "a reversal names its return, and only a reversal does"))
        if not reversal:
            lines[(order_id, store_id, line)][0 if kind == SALE else 1] += amount
        elif kind == SALE:
            lines[(order_id, store_id, line)][2] += amount
    for (order_id, store_id, line), (sold, paid_out, returned) in sorted(lines.items()):
        if paid_out > sold or returned > sold:
            problems.append(Difference(
                "ledger", f"{order_id}/{store_id}/{line}", f"sold {sold}, paid out {paid_out} of it, reversed {returned}",
            ))
    return problems


def verify(engine: Engine, event_log: EventLog, projection: str = NAME) -> Verification:
    position, found, found_shipments, balance = stored(engine, projection)
    expected, shipments, problems = recompute(event_log, position)
    differences = compare("entry", expected, found, COLUMNS)
    differences += compare("attribution", shipments, found_shipments, ATTRIBUTION_COLUMNS)
    differences += problems + _check_rows(found)
    if balance != 0:
        differences.append(Difference("ledger", "(all parties)", f"the balances sum to {balance}, not 0"))
    return Verification(position, len(expected), differences)
