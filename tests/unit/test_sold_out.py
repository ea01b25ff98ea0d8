"""A sold-out SKU without a database: the live index knows at once that no location has a
unit of it, and the writer link knows which placements it holds (the refusal without the
order writer: tests/integration/test_sold_out.py)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

from aggregates.order import Order
from aggregates.stock_position import StockPosition
from domain.errors import DomainError, InvalidInput, NegativeStock, OutOfStock
from projections.live_index.index import LiveIndex
from services.use_cases.ports import Refused
from tests.writer_builders import placement, stuck_writer_link

STORES = ("S1", "S2", "S3")
SKUS = ("TEA", "SNEAKER")

operations = st.lists(
    st.tuples(
        st.sampled_from(["receive", "reserve", "release", "adjust", "count", "safety"]),
        st.sampled_from(STORES), st.sampled_from(SKUS), st.integers(0, 4), st.integers(0, 5),
    ),
    max_size=60,
)


class Shelf:
    """The model of one position: what each operation is due to do, or why it is due to be
    refused."""

    def __init__(self) -> None:
        self.on_hand = 0
        self.safety_stock = 0
        self.reservations: dict[str, int] = {}

    @property
    def available(self) -> int:
        return max(0, self.on_hand - sum(self.reservations.values()) - self.safety_stock)

    def refusal(self, action: str, quantity: int, order_id: str) -> type[DomainError] | None:
        if action == "receive" and quantity <= 0:
            return InvalidInput
        if action == "reserve" and (quantity <= 0 or order_id in self.reservations):
            return InvalidInput
        if action == "reserve" and quantity > self.available:
            return OutOfStock
        if action == "adjust" and self.on_hand + adjustment(quantity) < 0:
            return NegativeStock
        return None

    def accepted(self, action: str, quantity: int, order_id: str) -> None:
        if action == "receive":
            self.on_hand += quantity
        elif action == "reserve":
            self.reservations[order_id] = quantity
        elif action == "release":
            self.reservations.pop(order_id, None)
        elif action == "adjust":
            self.on_hand += adjustment(quantity)
        elif action == "count":
            self.on_hand = quantity
        else:
            self.safety_stock = quantity


def adjustment(quantity: int) -> int:
    return -quantity or 1


@settings(max_examples=150, deadline=None)
@given(operations)
def test_the_index_knows_a_sku_is_sold_out_exactly_when_no_location_has_a_unit(steps):
    positions = {(store, sku): StockPosition(store_id=store, sku=sku) for store in STORES for sku in SKUS}
    shelves = {key: Shelf() for key in positions}
    index = LiveIndex()
    notification_id = 0
    for action, store, sku, quantity, order in steps:
        position, shelf, order_id = positions[(store, sku)], shelves[(store, sku)], f"order-{order}"
        due = shelf.refusal(action, quantity, order_id)
        version = position.version
        try:
            if action == "receive":
                position.receive(quantity)
            elif action == "reserve":
                position.reserve(order_id, quantity)
            elif action == "release":
                position.release(order_id, "cancelled")
            elif action == "adjust":
                position.adjust(adjustment(quantity), "damaged")
            elif action == "count":
                position.count(quantity)
            else:
                position.set_safety_stock(quantity)
        except DomainError as refusal:
            assert due is not None and isinstance(refusal, due), f"{action} {quantity} of {order_id} refused: {refusal!r}"
            assert position.version == version  # no event
        else:
            assert due is None, f"{action} {quantity} of {order_id} accepted; {due.__name__} was due"
            shelf.accepted(action, quantity, order_id)
        assert position.available == shelf.available
        for aggregate in positions.values():
            events = aggregate.collect_events()
            saved = [(notification_id + n + 1, e) for n, e in enumerate(events)]
            notification_id += len(events)
            assert index.follow_saved(saved)
        for each in SKUS:
            assert index.sold_out(each) == all(positions[(s, each)].available <= 0 for s in STORES)


def test_the_link_knows_a_placement_is_with_the_writer_until_it_is_answered():
    release = threading.Event()
    link = stuck_writer_link(release)
    waiting = placement("k", "S1", "TEA")
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(link.place, waiting, 0.5)
        threading.Event().wait(0.1)
        assert link.placing(waiting.order_id)
        assert not link.placing(Order.create_id("another key"))
        assert isinstance(answer.result(), Refused)  # not answered in time
    release.set()
    assert not link.placing(waiting.order_id)
