"""Cancelling an order's lines, as a property over random split orders and random sequences
of cancellations (new and retried keys) and store steps, on the in-memory event store: a
model of the order says which cancellations are due and which refusals are, and after every
step the order, its total and the stores' reservations and stock agree with the model."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings, strategies as st

from aggregates.order import Order, shipment_record
from aggregates.stock_position import StockPosition, reserve_all
from domain.errors import DomainError, IdempotencyKeyReused
from domain.stores import StoreProfile
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine
from services.bootstrap import in_memory_application
from services.use_cases.ordering.fulfilment import accept_order, confirm_payment, mark_picked
from services.use_cases.ordering.line_cancellation import cancel_order_lines
from services.use_cases.network.stores import upsert_store
from services.use_cases.ports import Placement
from services.use_cases.stock.inventory import receive_stock
from tests.builders import JINGAN_TEMPLE, LUJIAZUI, PEOPLES_SQUARE

EVENING = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
STORES = {"S1": PEOPLES_SQUARE, "S2": JINGAN_TEMPLE, "S3": LUJIAZUI}
PRICES = {"SERUM": 1990, "CREAM": 4500}
STOCK = 20
CANCELLABLE = ("ALLOCATED", "ACCEPTED")  # of the steps this test takes


def new_world():
    app = in_memory_application(clock=lambda: EVENING)
    for store_id, at in STORES.items():
        upsert_store(app, StoreProfile(
            store_id=store_id, name=store_id, location=GeoPoint(*at), province="Shanghai", city="Shanghai", dealer_id="",
            opening_hours=(), time_zone="Asia/Shanghai", delivery_radius_km=5.0, daily_order_capacity=1000, active=True,
        ))
        receive_stock(app, store_id, [(sku, STOCK) for sku in PRICES])
    return app


def place(app, parts: dict[str, dict[str, int]]) -> Order:
    units: dict[str, int] = {}
    for lines in parts.values():
        for sku, n in lines.items():
            units[sku] = units.get(sku, 0) + n
    lines = tuple(OrderLine(sku, n, Money(PRICES[sku], "CNY")) for sku, n in units.items())
    placement = Placement(
        order_id=Order.create_id("k"), idempotency_key="k", fingerprint="k", customer_id="C1",
        customer_location=GeoPoint(*PEOPLES_SQUARE), lines=lines, mode=FulfilmentMode.DELIVERY,
        total=Money(sum(n * PRICES[sku] for sku, n in units.items()), "CNY"),
        shipments=[shipment_record(store_id, 100, "2026-11-23", lines) for store_id, lines in parts.items()],
        fulfilment="SPLIT" if len(parts) > 1 else "ONE_STORE",
        wanted={(store_id, sku): n for store_id, lines in parts.items() for sku, n in lines.items()},
    )
    positions = {key: app.find(StockPosition.create_id(*key)) for key in placement.wanted}
    order = placement.new_order()
    assert not reserve_all(positions, order.order_id, placement.wanted)
    app.save(order, *positions.values())
    return order


class Model:
    """The order as the rules say it must stand."""

    def __init__(self, parts: dict[str, dict[str, int]]):
        self.shipments = [{"store_id": s, "status": "ALLOCATED", "lines": dict(lines)} for s, lines in parts.items()]
        self.keys: dict[str, dict[str, int]] = {}
        self.paid = False
        self.picked: dict[tuple[str, str], int] = {}

    def lines(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for s in self.shipments:
            for sku, n in s["lines"].items():
                total[sku] = total.get(sku, 0) + n
        return total

    def cancellation_due(self, units: dict[str, int]) -> bool:
        lines = self.lines()
        if any(sku not in lines or n > lines[sku] for sku, n in units.items()) or units == lines:
            return False
        return all(
            n <= sum(s["lines"].get(sku, 0) for s in self.shipments if s["status"] in CANCELLABLE) for sku, n in units.items()
        )

    def cancel(self, units: dict[str, int]) -> None:
        for sku, n in units.items():
            for s in reversed(self.shipments):
                if n and s["status"] in CANCELLABLE and s["lines"].get(sku):
                    here = min(n, s["lines"][sku])
                    s["lines"][sku] -= here
                    n -= here
                    if not s["lines"][sku]:
                        del s["lines"][sku]
        self.shipments = [s for s in self.shipments if s["lines"]]


parts_strategy = st.dictionaries(
    st.sampled_from(sorted(STORES)), st.dictionaries(st.sampled_from(sorted(PRICES)), st.integers(1, 4), min_size=1),
    min_size=1,
)
cancel_strategy = st.tuples(
    st.just("cancel"), st.sampled_from(["c1", "c2", "c3"]),
    st.dictionaries(st.sampled_from([*sorted(PRICES), "NOPE"]), st.integers(1, 5), min_size=1, max_size=2),
)
step_strategy = st.tuples(st.just("step"), st.integers(0, 2))


def check(app, order_id: str, model: Model) -> None:
    order = app.repository.get(Order.create_id("k"))
    assert [(s["store_id"], s["status"], s["lines"]) for s in order.shipments] == [
        (s["store_id"], s["status"], s["lines"]) for s in model.shipments
    ]
    assert order.quantities() == model.lines()
    assert order.total_cents == sum(n * PRICES[sku] for sku, n in model.lines().items())
    for store_id in STORES:
        shipment = next((s for s in model.shipments if s["store_id"] == store_id), None)
        for sku in PRICES:
            position = app.repository.get(StockPosition.create_id(store_id, sku))
            holds = shipment["lines"].get(sku, 0) if shipment and shipment["status"] in CANCELLABLE else 0
            assert position.reservations.get(order_id, 0) == holds
            assert position.on_hand == STOCK - model.picked.get((store_id, sku), 0)
            assert position.reserved == sum(position.reservations.values())


@settings(max_examples=100, deadline=None)
@given(parts_strategy, st.lists(st.one_of(cancel_strategy, step_strategy, step_strategy), max_size=10))
def test_cancelled_units_leave_exactly_their_reservations_and_refusals_are_due_and_change_nothing(parts, actions):
    app = new_world()
    try:
        order = place(app, parts)
        model = Model(parts)
        refunds: dict[str, int] = {}
        for action in actions:
            version = app.repository.get(order.id).version
            if action[0] == "cancel":
                _, key, units = action
                if key in model.keys:
                    if model.keys[key] == units:
                        _, refund = cancel_order_lines(app, order.order_id, key, list(units.items()), "retry")
                        assert refund == refunds[key] and app.repository.get(order.id).version == version
                    else:
                        try:
                            cancel_order_lines(app, order.order_id, key, list(units.items()), "reused")
                            raise AssertionError("a key reused for other lines was accepted")
                        except IdempotencyKeyReused:
                            assert app.repository.get(order.id).version == version
                elif model.cancellation_due(units):
                    value = sum(n * PRICES[sku] for sku, n in units.items())
                    _, refund = cancel_order_lines(app, order.order_id, key, list(units.items()), "fewer")
                    assert refund == (value if model.paid else 0)
                    model.cancel(units)
                    model.keys[key], refunds[key] = units, refund
                else:
                    try:
                        cancel_order_lines(app, order.order_id, key, list(units.items()), "not due")
                        raise AssertionError(f"cancelling {units} of {model.lines()} was accepted")
                    except DomainError:
                        assert app.repository.get(order.id).version == version
            else:
                shipment = model.shipments[action[1] % len(model.shipments)]
                if not model.paid:
                    current = app.repository.get(order.id)
                    confirm_payment(app, order.order_id, "pay-1", Money(current.total_cents, "CNY"))
                    model.paid = True
                if shipment["status"] == "ALLOCATED":
                    accept_order(app, order.order_id, shipment["store_id"])
                    shipment["status"] = "ACCEPTED"
                elif shipment["status"] == "ACCEPTED":
                    mark_picked(app, order.order_id, shipment["store_id"])
                    shipment["status"] = "PICKED"
                    for sku, n in shipment["lines"].items():
                        model.picked[(shipment["store_id"], sku)] = n
            check(app, order.order_id, model)
    finally:
        app.close()
