"""A sold-out SKU: the live index knows at once that no location has a unit of it, so the
order is refused without routing and without the order writer; a retry of an order placed
before still gets that order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregates.order import Order
from aggregates.stock_position import StockPosition
from domain.errors import DomainError, NoStoreCanFulfil
from projections.live_index.index import LiveIndex
from services.use_cases.ports import Refused
from services.use_cases.orders import place_order
from tests.test_order_writer import PEOPLES_SQUARE, command, open_store, placement, stuck_writer_link

STORES = ("S1", "S2", "S3")
SKUS = ("TEA", "SNEAKER")

operations = st.lists(
    st.tuples(
        st.sampled_from(["receive", "reserve", "release", "adjust", "count", "safety"]),
        st.sampled_from(STORES), st.sampled_from(SKUS), st.integers(0, 4), st.integers(0, 5),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_the_index_knows_a_sku_is_sold_out_exactly_when_no_location_has_a_unit(steps):
    positions = {(store, sku): StockPosition(store_id=store, sku=sku) for store in STORES for sku in SKUS}
    index = LiveIndex()
    notification_id = 0
    for action, store, sku, quantity, order in steps:
        position = positions[(store, sku)]
        try:
            if action == "receive":
                position.receive(quantity)
            elif action == "reserve":
                position.reserve(f"order-{order}", quantity)
            elif action == "release":
                position.release(f"order-{order}", "cancelled")
            elif action == "adjust":
                position.adjust(-quantity or 1, "damaged")
            elif action == "count":
                position.count(quantity)
            else:
                position.set_safety_stock(quantity)
        except DomainError:
            pass  # refused: no event
        for aggregate in positions.values():
            events = aggregate.collect_events()
            saved = [(notification_id + n + 1, e) for n, e in enumerate(events)]
            notification_id += len(events)
            assert index.follow_saved(saved)
        for each in SKUS:
            assert index.sold_out(each) == all(positions[(s, each)].available <= 0 for s in STORES)


class CountingLink:
    """The order writer link, counting the placements handed to it."""

    def __init__(self, link):
        self.link, self.handed = link, 0

    def place(self, placement, timeout: float = 60):
        self.handed += 1
        return self.link.place(placement, timeout)

    def placing(self, order_id) -> bool:
        return self.link.placing(order_id)

    def close(self) -> None:
        self.link.close()


def test_a_sold_out_sku_is_refused_without_the_order_writer_and_a_retry_still_gets_its_order(app):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 1})
    first, _ = place_order(app, command("buyer-1", "SNEAKER", customer="C1"))
    counting = CountingLink(app.order_writer)
    app.use_order_writer(counting)

    with pytest.raises(NoStoreCanFulfil, match="'SNEAKER' is sold out"):
        place_order(app, command("buyer-2", "SNEAKER", customer="C2"))
    assert counting.handed == 0

    again, replayed = place_order(app, command("buyer-1", "SNEAKER", customer="C1"))
    assert (again.id, replayed) == (first.id, True)
    assert counting.handed == 1  # only the key that had placed an order was looked up


def test_many_buyers_after_the_sell_out_are_all_refused_and_nothing_is_oversold(app):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 3})

    def buy(n: int):
        try:
            return place_order(app, command(f"buyer-{n}", "SNEAKER", customer=f"C{n}"))[0]
        except NoStoreCanFulfil as refusal:
            return refusal

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(buy, range(30)))

    assert sum(isinstance(r, Order) for r in results) == 3
    assert all("sold out" in str(r) or "SNEAKER" in str(r) for r in results if not isinstance(r, Order))
    app.catch_up()
    assert app.index.sold_out("SNEAKER")


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
