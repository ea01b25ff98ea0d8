"""`omo presale plan` and `omo presale show`: a pre-sale's planning and progress, straight on
the event store (as `omo assortment import`), for HQ operations without a token at hand."""

from __future__ import annotations

import argparse
import sys

from domain.errors import DomainError
from services.adapters.config import DATABASE_URL_VARIABLE, database_url
from services.adapters.statement_export import money_text


def add_parsers(commands: argparse._SubParsersAction) -> None:
    presale = commands.add_parser(
        "presale", help="a pre-sale of a new SKU: plan its pre-orders onto locations, show its progress",
        description=f"Pre-sales in the event store named by {DATABASE_URL_VARIABLE}. A pre-sale is set with "
        "LaunchService.SetPreSale; in its window PlaceOrder for its SKU makes PRE_ORDERED orders.",
    )
    actions = presale.add_subparsers(dest="action", required=True, metavar="ACTION")
    plan = actions.add_parser(
        "plan", help="send the pre-orders not planned yet to the locations that will hand them over",
        description="Plan every pre-order of the SKU's pre-sale not planned yet (as PlanPreSale): each goes, "
        "earliest first, to the location routing would choose were the goods everywhere (its PICKUP store; "
        "else the nearest store that may serve it; else the nearest regional warehouse, EXPRESS) and becomes "
        "BACKORDERED there on a receipt announced under the reference presale:SKU, expected at the pre-sale's "
        "ships_from. Receiving the goods there with that reference (InventoryService.ReceiveStock) allocates "
        "the earliest pre-orders first. Prints the pre-orders planned per location and those no location can "
        "take, with why (they stay PRE_ORDERED). Safe to repeat: a later run plans only pre-orders placed since.",
    )
    plan.add_argument("sku", help="the SKU on pre-sale")
    show = actions.add_parser(
        "show", help="print the pre-sale's terms and progress",
        description="Print the pre-sale's terms and progress (as GetPreSale): units pre-ordered and left, the "
        "pre-orders not planned yet, and per location the pre-orders planned there, the units announced, "
        "received under the pre-sale's reference, allocated to pre-orders and still waiting for the goods.",
    )
    show.add_argument("sku", help="the SKU on pre-sale")


def presale(args: argparse.Namespace) -> int:
    from services.bootstrap import build_application

    app = build_application(database_url())
    try:
        return _plan(app, args.sku) if args.action == "plan" else _show(app, args.sku)
    except DomainError as error:  # an unknown SKU, a malformed one: the operator's to fix, no traceback
        print(f"omo presale {args.action}: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()


def _plan(app, sku: str) -> int:
    from tqdm import tqdm

    from services.use_cases.ordering.presale_plan import plan_pre_sale

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="pre-order", desc=f"planning {sku}", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        outcome = plan_pre_sale(app, sku, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    for location, orders in sorted(outcome.planned.items()):
        print(f"{location}: {_count(orders, 'pre-order')} planned")
    for order_id, reason in sorted(outcome.unplanned.items()):
        print(f"unplanned {order_id}: {reason}")
    print(
        f"planned {_count(outcome.planned_orders, 'pre-order')} at {_count(len(outcome.planned), 'location')}; "
        f"{len(outcome.unplanned)} no location can take (they stay PRE_ORDERED)", file=sys.stderr,
    )
    return 0


def _show(app, sku: str) -> int:
    from services.use_cases.ordering.presales import get_pre_sale

    view = get_pre_sale(app, sku)
    terms = view.terms
    print(
        f"pre-sale of {terms.sku}: {terms.units} units at {money_text(terms.price.cents)} {terms.price.currency}, "
        f"{terms.per_customer_limit} per customer; orders {terms.orders_from.isoformat()} to "
        f"{terms.orders_until.isoformat()}, ships from {terms.ships_from.isoformat()}"
    )
    rows = (
        ("pre-ordered", f"{_count(view.ordered_units, 'unit')} in {_count(view.ordered_orders, 'pre-order')}"),
        ("units left", f"{view.units_left}"),
        ("unplanned", f"{_count(view.unplanned_units, 'unit')} in {_count(view.unplanned_orders, 'pre-order')}"),
        ("allocated", _count(view.allocated_units, "unit")),
        ("waiting", _count(view.waiting_units, "unit")),
    )
    for label, value in rows:
        print(f"  {label:<12}{value}")
    if view.locations:
        columns = ("location", "orders", "planned", "announced", "received", "allocated", "waiting")
        print("\n" + "".join(f"{c:>10}" if n else f"{c:<10}" for n, c in enumerate(columns)))
        for at in view.locations:
            figures = (at.planned_orders, at.planned_units, at.announced_units, at.received_units, at.allocated_units, at.waiting_units)
            print(f"{at.location_id:<10}" + "".join(f"{figure:>10}" for figure in figures))
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
