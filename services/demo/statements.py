"""The end of `omo demo`: the dealers' statements for the run, and the proof they balance."""

from __future__ import annotations

from datetime import datetime
from typing import TextIO

from domain.attribution import HQ
from protos.omo.v1 import orders_pb2
from services.client.client import OmoClient
from services.adapters.statement_export import ledger_caught_up, money_text, totals_table
from projections.dealer_ledger.reader import LedgerReader
from services.use_cases.network.statements import Statement, get_statement

SHOWN = 8  # dealers listed, the biggest sellers first


def attributed_cents(client: OmoClient, order_ids: list[str]) -> int:
    """What the orders say was earned: every attributed shipment's lines, less refunds."""
    total = 0
    for order_id in order_ids:
        order = client.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id)).order
        total += sum(line.total_cents for a in order.attributions for line in a.lines) - order.refunded.cents
    return total


def print_statements(app, client: OmoClient, dealer_ids: list[str], period: tuple[datetime, datetime], worked: list[str], out: TextIO) -> None:
    """Brings the ledger up to date, prints the statements of the run's period and checks
    that all parties together hold exactly what the orders say was earned."""
    ledger_caught_up(app, app.database_url)
    reader = LedgerReader.for_application(app)
    try:
        statements = [get_statement(reader, d, period, page_size=1) for d in [*dealer_ids, HQ]]
    finally:
        reader.close()
    dealers = sorted((s for s in statements if s.party != HQ and s.totals.lines), key=lambda s: -s.totals.gross_sales)
    hq = statements[-1]
    print(f"\n  dealer statements for this run (the ledger; {len(dealers)} dealers sold or fulfilled, the top {SHOWN} shown), CNY", file=out)
    print("  " + totals_table([*dealers[:SHOWN], hq]).replace("\n", "\n  "), file=out)
    print_balance(statements, attributed_cents(client, worked), out)


def print_balance(statements: list[Statement], earned_cents: int, out: TextIO) -> None:
    """Dealers and HQ net what they keep; shop assistants receive what the sellers paid them."""
    kept = sum(s.totals.net_payable for s in statements)
    assistants = -sum(s.totals.assistant_commissions for s in statements)
    together = kept + assistants
    verdict = "balanced to the cent" if together == earned_cents else "DOES NOT BALANCE"
    print(
        f"  dealers + HQ {money_text(kept)} + shop assistants {money_text(assistants)} = {money_text(together)}; "
        f"delivered less refunds per the orders {money_text(earned_cents)}: {verdict}",
        file=out,
    )
