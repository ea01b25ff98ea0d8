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
from domain.errors import DomainError
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
