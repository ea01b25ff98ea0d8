"""The order writer: placements decided one after another in a batch and committed in one
save; a batch that conflicts with another writer decided again; a writer process that dies
answered UNAVAILABLE and replaced, with nothing acknowledged lost."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from aggregates.order import Order
from aggregates.stock_position import StockPosition
from aggregates.store_slot import StoreSlot
from domain.errors import IdempotencyKeyReused, InvalidInput, NoStoreCanFulfil
from domain.launches import PurchaseLimitReached
from projections.national_stock.audit import oversold_units
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application, writer_application
from services.adapters.order_writer import OrderWriter
from services.use_cases.ports import NotPlaced, OrderWriterUnavailable, Placed, Placement, Refused, Reroute
from services.use_cases.ordering.orders import cancel_order, place_order
from services.adapters.writer_links import ProcessWriterLink
from tests.writer_builders import JINGAN_TEMPLE, PEOPLES_SQUARE, command, open_store, placement


def all_events(app: OmoApplication) -> list:
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=1_000_000)]


@pytest.fixture
def writer(database_url):
    application = build_application(database_url)
    yield OrderWriter(application)
    application.close()


def test_a_batch_is_decided_in_order_so_the_last_unit_goes_to_the_first_placement_only(app, writer):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 1})

    first, second = writer.commit([placement("k1", "S1", "SNEAKER"), placement("k2", "S1", "SNEAKER")])

    assert isinstance(first, Placed) and not first.replayed
    assert second == Reroute(frozenset({"S1"}))
    app.catch_up()
    assert app.index.available("S1", "SNEAKER") == 0
    assert oversold_units(all_events(app)) == 0


def test_one_batch_is_one_transaction_its_orders_events_side_by_side_in_the_log(app, writer):
    open_store(app, "S1", PEOPLES_SQUARE, {"TEA": 100})
    head = app.recorder.max_notification_id()

    outcomes = writer.commit([placement(f"k{n}", "S1", "TEA") for n in range(10)])

    assert all(isinstance(o, Placed) and not o.replayed for o in outcomes)
    new = app.recorder.select_notifications(start=head + 1, limit=1000)
    # 10 orders placed and allocated, 10 reservations: 30 events, numbered without another
    # writer's event between them, and each outcome names the batch's last one
    assert len(new) == 30
    assert {o.position for o in outcomes} == {new[-1].id}


def test_the_same_key_twice_in_a_batch_places_one_order_and_replays_it_to_the_second(app, writer):
    open_store(app, "S1", PEOPLES_SQUARE, {"TEA": 10})

    first, again = writer.commit([placement("same", "S1", "TEA"), placement("same", "S1", "TEA")])

    assert first.order.id == again.order.id and (first.replayed, again.replayed) == (False, True)
    assert StockPosition_reserved(app, "S1", "TEA") == 1


def StockPosition_reserved(app: OmoApplication, store_id: str, sku: str) -> int:
    return app.find_afresh(StockPosition.create_id(store_id, sku)).reserved


def test_a_key_reused_for_another_request_is_refused_and_a_lookup_finds_the_first_order(app, writer):
    open_store(app, "S1", PEOPLES_SQUARE, {"TEA": 10})
    (placed,) = writer.commit([placement("k1", "S1", "TEA")])
    other = Placement(**{**placement("k1", "S1", "TEA").__dict__, "fingerprint": "another request"})

    refused, found = writer.commit([other, Placement(**{**placement("k1", "S1", "TEA").__dict__, "wanted": {}})])
    (unknown,) = writer.commit([Placement(**{**placement("nobody", "S1", "TEA").__dict__, "wanted": {}})])

    assert isinstance(refused, Refused) and isinstance(refused.error, IdempotencyKeyReused)
    assert isinstance(found, Placed) and found.replayed and found.order.id == placed.order.id
    assert unknown == NotPlaced()


def test_a_batch_that_meets_another_writers_change_is_decided_again_from_what_was_saved(app, writer, database_url):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 3})
    writer.commit([placement("warm-up", "S1", "SNEAKER")])  # the writer now holds the position in memory
    # a POS sells the last two units through another application: the writer's copy is stale
    with build_application(database_url) as pos_server:
        from services.use_cases.stock.inventory import adjust_stock

        adjust_stock(pos_server, "S1", "SNEAKER", -2, "walk-in sale")

    (outcome,) = writer.commit([placement("late", "S1", "SNEAKER")])

    assert outcome == Reroute(frozenset({"S1"}))  # decided again, on the stock as it is
    assert oversold_units(all_events(app)) == 0


def test_orders_placed_through_a_writer_process_survive_its_death_and_a_new_one_takes_over(database_url):
    app = build_application(database_url)
    try:
        open_store(app, "S1", PEOPLES_SQUARE, {"TEA": 1000})
        link = ProcessWriterLink(database_url, writer_application)
        app.use_order_writer(link)
        acknowledged = [place_order(app, command(f"before-{n}", "TEA"))[0].id for n in range(5)]

        first_pid = link.pid
        os.kill(first_pid, signal.SIGKILL)
        answers = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # refused UNAVAILABLE until the new writer is up
            try:
                answers.append(place_order(app, command("after", "TEA")))
                break
            except OrderWriterUnavailable as refusal:
                assert "retry with the same idempotency key" in str(refusal)
                time.sleep(0.2)
        assert answers and link.pid != first_pid

        for n, order_id in enumerate(acknowledged):  # every acknowledged order is there, once
            order, replayed = place_order(app, command(f"before-{n}", "TEA"))
            assert (order.id, replayed) == (order_id, True)
        placed = [e for e in all_events(app) if isinstance(e, Order.OrderPlaced)]
        assert len(placed) == len({e.originator_id for e in placed}) == 6
    finally:
        app.close()


def test_orders_from_many_threads_through_the_writer_thread_never_oversell(app):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 7})
    open_store(app, "S2", JINGAN_TEMPLE, {"SNEAKER": 5})

    def buy(n: int):
        try:
            return place_order(app, command(f"buyer-{n}", "SNEAKER", customer=f"C{n}"))[0]
        except NoStoreCanFulfil as refusal:  # the losers' refusal; any other error fails the test
            return refusal

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(buy, range(40)))

    assert sum(isinstance(r, Order) for r in results) == 12
    assert sum(isinstance(r, NoStoreCanFulfil) for r in results) == 28
    app.catch_up()
    assert (app.index.available("S1", "SNEAKER"), app.index.available("S2", "SNEAKER")) == (0, 0)
    assert oversold_units(all_events(app)) == 0


def test_a_retry_gets_its_order_even_once_the_stock_is_gone_and_its_cloud_shop_closed(app):
    from dataclasses import replace

    from services.use_cases.network.cloud_shops import set_cloud_shop_active
    from tests.ledger_builders import dealer_network

    dealer_network(app, stock={"S1": {"SERUM": 1}})
    first = replace(command("checkout-1", "SERUM"), cloud_shop_id="CS-A")
    order, _ = place_order(app, first)
    set_cloud_shop_active(app, "CS-A", False)

    again, replayed = place_order(app, first)

    assert (again.id, replayed) == (order.id, True)
    with pytest.raises(InvalidInput, match="closed") as refused:
        place_order(app, replace(first, idempotency_key="checkout-2"))
    assert refused.value.field == "cloud_shop_id"


def test_units_released_elsewhere_after_the_writer_saw_the_shelf_empty_are_sold_again(app, writer, database_url):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 1})
    (first,) = writer.commit([placement("first", "S1", "SNEAKER")])
    # the writer holds the position with nothing left; another server cancels the order
    with build_application(database_url) as other_server:
        cancel_order(other_server, str(first.order.id), "changed my mind")

    (outcome,) = writer.commit([placement("second", "S1", "SNEAKER")])

    assert isinstance(outcome, Placed) and not outcome.replayed
    assert oversold_units(all_events(app)) == 0


def test_a_batch_of_orders_for_a_sold_out_shelf_reads_the_log_once_not_once_per_order(app, writer):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 1})
    writer.commit([placement("first", "S1", "SNEAKER")])
    reads = []
    catch_up = writer.app.catch_up
    writer.app.catch_up = lambda: reads.append(1) or catch_up()

    outcomes = writer.commit([placement(f"late-{n}", "S1", "SNEAKER", customer=f"C{n}") for n in range(5)])

    assert outcomes == [Reroute(frozenset({"S1"}))] * 5
    assert len(reads) == 1


def launch_placement(key: str, customer: str, device: str, terms) -> Placement:
    from dataclasses import replace

    return replace(placement(key, "S1", "SNEAKER", customer=customer), device_id=device, launches=(terms,))


def sneaker_drop(limit: int = 1):
    from datetime import datetime, timedelta, timezone

    from domain.launches import LaunchTerms

    starts = datetime(2026, 11, 1, tzinfo=timezone.utc)
    return LaunchTerms.create("DROP-1", [("SNEAKER", limit)], 0, starts, starts + timedelta(days=3650))


def test_an_order_that_fills_its_buyers_quota_says_so_for_the_servers_guard(app, writer):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 10})
    terms = sneaker_drop(limit=2)

    (first,) = writer.commit([launch_placement("first", "C-1", "D-1", terms)])
    (second,) = writer.commit([launch_placement("second", "C-1", "D-2", terms)])

    assert first.exhausted == ()
    assert [(e.buyer, set(e.blocked)) for e in second.exhausted] == [("customer:C-1", {"SNEAKER"})]


def test_a_buyer_who_bought_through_another_writer_is_held_to_the_limit_here(app, writer, database_url):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 10})
    terms = sneaker_drop(limit=1)
    with build_application(database_url) as other_server:
        (bought,) = OrderWriter(other_server).commit([launch_placement("elsewhere", "C-1", "D-1", terms)])
    assert isinstance(bought, Placed)

    (again,) = writer.commit([launch_placement("here", "C-1", "D-9", terms)])

    assert isinstance(again, Refused) and isinstance(again.error, PurchaseLimitReached)


SLOT = "2026-11-23T15:00:00+08:00"


def test_two_writers_never_fill_a_slot_beyond_the_stores_limit(app, writer, database_url):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 10})
    other = OrderWriter(build_application(database_url))  # another server's writer
    try:
        (first,) = writer.commit([placement("a", "S1", "SNEAKER", slot=SLOT, slot_capacity=2)])
        (second,) = other.commit([placement("b", "S1", "SNEAKER", slot=SLOT, slot_capacity=2)])
        # the first writer's copy of the slot is stale now: it must not take a third place
        (third,) = writer.commit([placement("c", "S1", "SNEAKER", slot=SLOT, slot_capacity=2)])
    finally:
        other.app.close()
    assert isinstance(first, Placed) and isinstance(second, Placed)
    assert third == Reroute(frozenset())  # route again: the slot is full
    slot = app.find(StoreSlot.create_id("S1", SLOT))
    assert sorted(slot.order_ids) == sorted([first.order.order_id, second.order.order_id])


def test_a_place_given_back_by_a_cancellation_elsewhere_is_taken_again(app, writer, database_url):
    open_store(app, "S1", PEOPLES_SQUARE, {"SNEAKER": 10})
    placed = writer.commit([placement(key, "S1", "SNEAKER", slot=SLOT, slot_capacity=2) for key in ("a", "b")])
    with build_application(database_url) as checkout_server:
        cancel_order(checkout_server, placed[0].order.order_id, "changed my mind")
    (again,) = writer.commit([placement("c", "S1", "SNEAKER", slot=SLOT, slot_capacity=2)])
    assert isinstance(again, Placed)
    assert sorted(app.find_afresh(StoreSlot.create_id("S1", SLOT)).order_ids) == sorted([placed[1].order.order_id, again.order.order_id])
