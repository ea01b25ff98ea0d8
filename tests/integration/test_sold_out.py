"""A sold-out SKU: the live index knows at once that no location has a unit of it, so the
order is refused without routing and without the order writer; a retry of an order placed
before still gets that order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from aggregates.order import Order
from domain.errors import NoStoreCanFulfil
from services.use_cases.ordering.orders import place_order
from tests.writer_builders import PEOPLES_SQUARE, command, open_store


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
