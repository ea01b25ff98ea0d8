"""No unit is held twice, as a property over random sequences, on SQLite through the real
order writer: PICKUP orders (the pickup store lacking units sends for them by transfer),
backorders against expected receipts, receipts arriving (some closed short), transfers shipped
and received, counter sales that take reserved units, cancellations, and housekeeping. After
every step, each live order holds exactly its units once, wherever they are: reserved at its
store or at a source, claimed of incoming stock, or earmarked for it in transit; an order
cancelled or flagged holds none; claims never exceed the incoming stock they are on."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from aggregates.order import CANCELLED, UNFULFILLABLE, Order
from aggregates.stock_position import StockPosition
from domain.errors import DomainError, IllegalTransition, NoStoreCanFulfil
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, epoch_us
from services.adapters.config import sqlite_url
from services.bootstrap import build_application
from services.use_cases.housekeeping import tidy
from services.use_cases.network.stores import upsert_store
from services.use_cases.ordering.orders import PlaceOrder, cancel_order, place_order
from services.use_cases.stock.inventory import expect_receipt, receive_stock
from services.use_cases.stock.pos_sync import sync_batch
from domain.movements import Movement
from services.use_cases.stock.transfers import get_transfer, receive_transfer, ship_transfer
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE
from tests.order_list_builders import profile

STORES = {"S1": PEOPLES_SQUARE, "S2": JINGAN_TEMPLE, "S3": LUJIAZUI}
SKU = "SERUM"
NOW = datetime.now(timezone.utc).replace(microsecond=0)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("pickup"), st.sampled_from(sorted(STORES)), st.integers(1, 4)),
        st.tuples(st.just("backorder"), st.integers(1, 3)),
        st.tuples(st.just("expect"), st.sampled_from(sorted(STORES)), st.integers(1, 4)),
        st.tuples(st.just("arrive"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("ship"), st.integers(0, 9)),
        st.tuples(st.just("receive"), st.integers(0, 9)),
        st.tuples(st.just("sell"), st.sampled_from(sorted(STORES)), st.integers(1, 3)),
        st.tuples(st.just("cancel"), st.integers(0, 9)),
    ),
    min_size=4, max_size=16,
)


def units_held(positions: list[StockPosition], order_id: str) -> int:
    return sum(
        p.reservations.get(order_id, 0) + p.claims.get(order_id, 0)
        + sum(p.in_transit.get(t, 0) for t, o in p.earmarks.items() if o == order_id)
        for p in positions
    )


def check(app, orders: list[str]) -> None:
    positions = [p for store_id in STORES if (p := app.find_afresh(StockPosition.create_id(store_id, SKU))) is not None]
    for position in positions:
        covered = sum(u for o, u in position.claims.items() if o not in position.uncovered)
        assert covered <= position.incoming_units, f"{position.store_id}: claims beyond the incoming stock"
    for order_id in orders:
        order = app.find_afresh(Order.create_id(order_id))
        live = [s for s in order.shipments if s["status"] != UNFULFILLABLE]
        wanted = 0 if order.status == CANCELLED else sum(u for s in live for u in s["lines"].values())
        picked = 0  # no step here picks
        assert units_held(positions, order.order_id) == wanted - picked, f"order {order_id} ({order.status})"


# every kind of step taking effect at least once: a transfer-backed order shipped and received,
# another cancelled before shipping, a source's shelf emptied, a backorder served by its receipt
# and one the receipt, closed short, leaves uncovered (flagged: nothing elsewhere)
EVERY_KIND = [
    ("pickup", "S1", 3), ("ship", 0), ("receive", 0), ("pickup", "S1", 1), ("cancel", 1), ("sell", "S3", 2),
    ("expect", "S1", 2), ("backorder", 1), ("backorder", 1), ("arrive", 0, True),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(EVERY_KIND)
@example([("pickup", "S1", 4), ("ship", 0), ("ship", 0), ("receive", 0), ("receive", 0)])  # sent by both other stores
@given(steps)
def test_every_unit_is_held_once_wherever_it_is(plan):
    with tempfile.TemporaryDirectory() as folder:
        app = build_application(sqlite_url(Path(folder) / "omo.db"), order_writer="thread", clock=lambda: NOW)
        try:
            orders = _play(app, plan)
            if plan == EVERY_KIND:
                statuses = [app.find_afresh(Order.create_id(o)).status for o in orders]
                assert statuses == ["ALLOCATED", "CANCELLED", "ALLOCATED", "NEEDS_ATTENTION"], statuses
        finally:
            app.close()


def refusal_due(app, step: tuple, transfer_id: str = "") -> type[DomainError] | None:
    """The model: by the books as they stand (every shelf's units, and the transfer's state),
    which refusal the step is due, or None when it must take effect. An order is refused
    only when the stores together have fewer units available than it asks, counting for a
    backorder the incoming units not claimed yet (all of them arrive before its bound): a
    PICKUP store lacking units has the others send them, a DELIVERY order is split across
    them. A transfer is refused shipping once it was cancelled. Nothing else is refused."""
    kind = step[0]
    if kind in ("pickup", "backorder"):
        shelves = [p for store_id in STORES if (p := app.find_afresh(StockPosition.create_id(store_id, SKU))) is not None]
        units = sum(max(p.on_hand - sum(p.reservations.values()) - p.safety_stock, 0) for p in shelves)
        if kind == "backorder":
            units += sum(max(
                sum(r["quantity"] for r in p.expected.values()) + sum(u for t, u in p.in_transit.items() if t not in p.earmarks)
                - sum(p.claims.values()), 0,
            ) for p in shelves)
        return None if units >= step[-1] else NoStoreCanFulfil
    if kind == "ship" and transfer_id and get_transfer(app, transfer_id).cancel_reason:
        return IllegalTransition
    return None


def can_move(app, transfer_id: str, kind: str) -> bool:
    """Whether the transfer has units to ship ("ship"), or in transit ("receive")."""
    transfer = get_transfer(app, transfer_id)
    left = transfer.to_ship if kind == "ship" else transfer.in_transit
    return not transfer.cancel_reason and any(left(sku) for sku in transfer.lines)


def _play(app, plan) -> list[str]:
    for store_id, at in STORES.items():
        upsert_store(app, profile(store_id, GeoPoint(*at)))
    receive_stock(app, "S2", [(SKU, 3)])
    receive_stock(app, "S3", [(SKU, 2)])
    orders: list[str] = []
    receipts: list[tuple[str, str]] = []
    tally: dict[str, list[int]] = {}
    for n, step in enumerate(plan):
        kind = step[0]
        transfer_id = ""
        if kind in ("ship", "receive"):
            transfers = [t for o in orders for s in app.find_afresh(Order.create_id(o)).shipments for t in s.get("transfers", ())]
            # aimed at a transfer with units to ship, or in transit, when there is one
            movable = [t for t in transfers if can_move(app, t["transfer_id"], kind)]
            if transfers:
                transfer_id = (movable or transfers)[step[1] % len(movable or transfers)]["transfer_id"]
        due = refusal_due(app, step, transfer_id)
        head = app.recorder.max_notification_id()
        try:
            took_effect = True
            if kind in ("pickup", "backorder"):
                pickup = kind == "pickup"
                order, _ = place_order(app, PlaceOrder(
                    idempotency_key=f"k{n}", customer_id=f"C{n}", customer_location=GeoPoint(*PEOPLES_SQUARE),
                    lines=(OrderLine(SKU, step[-1], Money(100, "CNY")),), mode=FulfilmentMode.PICKUP if pickup else FulfilmentMode.DELIVERY,
                    pickup_store_id=step[1] if pickup else "", allow_backorder=not pickup,
                    not_after=None if pickup else NOW + timedelta(days=3),
                ))
                orders.append(f"k{n}")
            elif kind == "expect":
                expect_receipt(app, step[1], SKU, step[2], epoch_us(NOW + timedelta(days=1)), f"PO{n}")
                receipts.append((step[1], f"PO{n}"))
            elif kind == "arrive" and receipts:
                store_id, reference = receipts[step[1] % len(receipts)]
                position = app.find_afresh(StockPosition.create_id(store_id, SKU))
                if took_effect := reference in position.expected:
                    left = position.expected[reference]["quantity"]
                    receive_stock(app, store_id, [(SKU, max(left - 1, 1) if step[2] else left)], reference=reference, final=step[2])
            elif kind in ("ship", "receive") and transfer_id:
                (ship_transfer if kind == "ship" else receive_transfer)(app, transfer_id)
            elif kind == "sell":
                shelf = app.find_afresh(StockPosition.create_id(step[1], SKU))
                if took_effect := shelf is not None and (on_hand := shelf.on_hand) > 0:
                    sale = Movement(f"sale-{n}", "SALE", SKU, min(step[2], on_hand), app.now_us(), "")
                    sync_batch(app, step[1], [sale])
            elif kind == "cancel" and orders:
                cancel_order(app, str(Order.create_id(orders[step[1] % len(orders)])), "changed mind")
            else:
                took_effect = False  # nothing for it to act on yet
        except DomainError as refusal:
            assert type(refusal) is due, f"{step} was refused: {refusal!r}"
            assert app.recorder.max_notification_id() == head, f"{step} was refused but recorded something"
            tally.setdefault(kind, [0, 0])[1] += 1
        else:
            assert due is None, f"{step} took effect; {due.__name__} was due"
            if took_effect:
                tally.setdefault(kind, [0, 0])[0] += 1
        tidy(app)
        check(app, orders)
    for kind, (took, refused) in tally.items():  # for --hypothesis-show-statistics
        for outcome, happened in (("took effect", took), ("refused", refused)):
            if happened:
                event(f"{kind} {outcome}")
    return orders
