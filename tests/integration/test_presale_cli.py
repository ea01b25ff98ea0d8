"""`omo presale plan` and `omo presale show` on the event store, SQLite and PostgreSQL: the plan
sends each pre-order to its nearest store (saying per location how many, and why the ones no
location can take stay put), shows its progress on stderr batch by batch, and is safe to repeat;
`show` reads the pre-sale's progress as the goods arrive; an unknown SKU is one line, exit 2."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial

import pytest

from domain.presales import PreSaleTerms
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.api.convert import common as convert
from services.bootstrap import build_application
from services.cli.main import main
from services.use_cases.network import stores
from services.use_cases.ordering import orders, presale_plan, presales
from services.use_cases.stock import inventory
from tests.builders import BEIJING, JINGAN_TEMPLE, PEOPLES_SQUARE, SetClock, XUJIAHUI, store

SKU = "PHONE-X"
PRICE = Money(599900, "CNY")
OPENS = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def pre_orders(database_url, monkeypatch) -> dict[str, str]:
    """Two stores in Shanghai and a pre-sale of 10 units, 2 per customer; pre-orders from two
    customers near People's Square, one at Xujiahui and one in Beijing, beyond every store's
    reach (and there is no warehouse). Returns customer -> order id."""
    monkeypatch.setenv("OMO_DATABASE_URL", database_url)
    app = build_application(database_url, clock=SetClock(OPENS + timedelta(minutes=5)))
    try:
        stores.upsert_store(app, convert.store_profile(store("S1", PEOPLES_SQUARE)))
        stores.upsert_store(app, convert.store_profile(store("S2", XUJIAHUI)))
        presales.set_pre_sale(app, PreSaleTerms.create(
            SKU, 10, PRICE, OPENS, OPENS + timedelta(hours=2), OPENS + timedelta(days=10), per_customer_limit=2,
        ))
        placed = {}
        for customer, where, units in (("C1", JINGAN_TEMPLE, 2), ("C2", PEOPLES_SQUARE, 1), ("C3", XUJIAHUI, 1), ("C4", BEIJING, 1)):
            order, _ = orders.place_order(app, orders.PlaceOrder(
                idempotency_key=f"pre-{customer}", customer_id=customer, customer_location=GeoPoint(*where),
                lines=(OrderLine(SKU, units, PRICE),), mode=FulfilmentMode.DELIVERY,
            ))
            assert order.status == "PRE_ORDERED"
            placed[customer] = order.order_id
        return placed
    finally:
        app.close()


def test_plan_sends_the_pre_orders_to_their_stores_with_progress_and_show_follows_the_goods(pre_orders, database_url, capsys, monkeypatch):
    assert main(["presale", "show", SKU]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[0].startswith(f"pre-sale of {SKU}: 10 units at 5999.00 CNY, 2 per customer")
    assert "pre-ordered 5 units in 4 pre-orders" in shown and "unplanned   5 units in 4 pre-orders" in shown
    assert "location" not in shown  # nothing planned anywhere yet

    # a batch of two pre-orders at a time, so a run of four shows its progress twice
    monkeypatch.setattr(presale_plan, "plan_pre_sale", partial(presale_plan.plan_pre_sale, batch=2))
    assert main(["presale", "plan", SKU]) == 0
    out, err = capsys.readouterr()
    beyond_reach = f"unplanned {pre_orders['C4']}: no active store delivers to (39.90420, 116.40740); the nearest"
    lines = out.splitlines()
    assert lines[:2] == ["S1: 2 pre-orders planned", "S2: 1 pre-order planned"]
    assert len(lines) == 3 and lines[2].startswith(beyond_reach)
    assert f"planning {SKU}" in err and "4/4" in err
    assert err.strip().splitlines()[-1] == "planned 3 pre-orders at 2 locations; 1 no location can take (they stay PRE_ORDERED)"

    # again: nothing new to plan; the Beijing pre-order is tried again and still cannot go anywhere
    assert main(["presale", "plan", SKU]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 and out.startswith(beyond_reach)
    assert "planned 0 pre-orders at 0 locations; 1 no location" in err

    # the first two units at S1 go to its earliest pre-order (C1's two); C2's, placed after, waits
    app = build_application(database_url)
    try:
        inventory.receive_stock(app, "S1", [(SKU, 2)], reference=f"presale:{SKU}")
        assert orders.get_order(app, pre_orders["C1"]).status == "ALLOCATED"
        assert orders.get_order(app, pre_orders["C2"]).status == "BACKORDERED"
    finally:
        app.close()
    assert main(["presale", "show", SKU]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines() if line.startswith("S")}
    # orders, planned, announced, received, allocated, waiting
    assert rows == {"S1": ["2", "3", "3", "2", "2", "1"], "S2": ["1", "1", "1", "0", "0", "1"]}


def test_an_unknown_or_malformed_sku_is_one_line_and_exit_2(pre_orders, capsys):
    for action in ("plan", "show"):
        assert main(["presale", action, "NO-SUCH"]) == 2
        err = capsys.readouterr().err
        assert err == f"omo presale {action}: sku 'NO-SUCH' has no pre-sale; SetPreSale first\n"
    assert main(["presale", "plan", "bad sku"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("omo presale plan: sku") and "Traceback" not in err


def test_both_actions_have_help(capsys):
    for action in ("plan", "show"):
        with pytest.raises(SystemExit) as done:
            main(["presale", action, "--help"])
        assert done.value.code == 0
        assert f"usage: omo presale {action}" in capsys.readouterr().out
