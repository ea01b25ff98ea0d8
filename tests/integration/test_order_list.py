"""The order list projection, on SQLite and PostgreSQL: each order once, with its customer,
status (its least advanced shipment's, BACKORDERED while one waits for incoming stock), stores,
total, payment and earliest open promise, as the order's events change them; a store's orders by its own local day; the same tables
however the log is cut into batches, and verified against the events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from projections.order_list.verify import verify
from services.use_cases.ordering.fulfilment import accept_order, confirm_payment, hand_over, mark_delivered, mark_picked, reject_order
from services.use_cases.reads.order_list import OrderList, OrderQuery
from services.use_cases.ordering.orders import cancel_order, get_order
from services.use_cases.ordering.line_cancellation import cancel_order_lines
from services.use_cases.network.stores import get_store, upsert_store
from services.use_cases.stock.inventory import expect_receipt, receive_stock
from domain.values import Money, epoch_us
from tests.order_list_builders import (
    PRICE, SERUM, network, order_list, order_list_runner, place, place_backorder, place_promised, place_unallocated, profile,
)


@pytest.fixture
def runner(app) -> Iterator:
    r = order_list_runner(app)
    yield r
    r.release()
    r.close()


@pytest.fixture
def listing(app) -> Iterator[OrderList]:
    reader = order_list(app)
    yield reader
    reader.close()


def listed(reader: OrderList, runner, **query) -> list:
    runner.catch_up()
    return reader.list_orders(OrderQuery(**query), 500).orders


def one(reader: OrderList, runner, order_id: str):
    found = [o for o in listed(reader, runner) if o.order_id == order_id]
    assert len(found) == 1
    return found[0]


def ids(orders) -> list[str]:
    return [o.order_id for o in orders]


def pay(app, order) -> None:
    confirm_payment(app, order.order_id, f"pay-{order.order_id}", Money(order.total_cents, order.currency))


def test_an_allocated_order_is_listed_by_its_customer_store_and_status(app, runner, listing):
    network(app)
    order = place(app, "k1", customer="C1", units=2)
    place(app, "k2", customer="C2")
    o = one(listing, runner, order.order_id)
    assert (o.customer_id, o.status, o.mode, o.store_ids, o.total_cents, o.currency, o.paid, o.promised_by) == (
        "C1", "ALLOCATED", "DELIVERY", ("S1",), 2 * PRICE, "CNY", False, order.shipments[0]["promised_by"],
    )
    assert o.promised_by  # placed now, so promised
    placed = get_order(app, order.order_id).created_on
    assert o.placed_at_us == int((placed - datetime(1970, 1, 1, tzinfo=timezone.utc)) / timedelta(microseconds=1))
    assert ids(listed(listing, runner, customer_id="C1")) == [order.order_id]
    assert order.order_id in ids(listed(listing, runner, store_id="S1", status="ALLOCATED"))
    assert listed(listing, runner, store_id="S2") == []
    assert listed(listing, runner, customer_id="C1", status="DELIVERED") == []


def test_a_placed_order_not_yet_allocated_is_placed_and_at_no_store(app, runner, listing):
    network(app)
    order = place_unallocated(app, "k-unallocated")
    o = one(listing, runner, order.order_id)
    assert (o.status, o.store_ids, o.mode) == ("PLACED", (), "PICKUP")
    assert ids(listed(listing, runner, status="PLACED")) == [order.order_id]
    assert listed(listing, runner, store_id="S1") == []


def test_each_step_changes_the_status_and_paid(app, runner, listing):
    network(app)
    order = place(app, "k-steps")
    steps = [
        ("ALLOCATED", True, lambda: pay(app, order)),
        ("ACCEPTED", True, lambda: accept_order(app, order.order_id, "S1")),
        ("PICKED", True, lambda: mark_picked(app, order.order_id, "S1")),
        ("HANDED_OVER", True, lambda: hand_over(app, order.order_id, "S1", "COURIER")),
        ("DELIVERED", True, lambda: mark_delivered(app, order.order_id, "S1")),
    ]
    for status, paid, step in steps:
        step()
        o = one(listing, runner, order.order_id)
        assert (o.status, o.paid) == (status, paid)
        assert ids(listed(listing, runner, store_id="S1", status=status)) == [order.order_id]
        assert ids(listed(listing, runner, customer_id="C1", status=status)) == [order.order_id]


def test_a_cancelled_order_is_cancelled_and_keeps_no_promise(app, runner, listing):
    network(app)
    order = place_promised(app, "k-cancel", [("S1", 1, "2026-12-02T20:35:00+08:00")])
    assert one(listing, runner, order.order_id).promised_by == "2026-12-02T20:35:00+08:00"
    cancel_order(app, order.order_id, "changed mind")
    o = one(listing, runner, order.order_id)
    assert (o.status, o.promised_by, o.store_ids) == ("CANCELLED", "", ("S1",))
    assert ids(listed(listing, runner, store_id="S1", status="CANCELLED")) == [order.order_id]
    assert listed(listing, runner, store_id="S1", status="ALLOCATED") == []


def test_a_rerouted_order_moves_to_the_new_store_s_list(app, runner, listing):
    network(app)
    order = place(app, "k-reroute")
    assert ids(listed(listing, runner, store_id="S1")) == [order.order_id]
    moved = reject_order(app, order.order_id, "S1", "freezer broken")
    to = moved.store_ids
    assert to and "S1" not in to
    assert listed(listing, runner, store_id="S1") == []
    assert ids(listed(listing, runner, store_id=to[0])) == [order.order_id]
    assert one(listing, runner, order.order_id).store_ids == tuple(to)


def test_an_order_no_store_can_take_needs_attention_and_stays_at_its_last_store(app, runner, listing):
    network(app)
    order = place(app, "k-lost")
    store_id = "S1"
    for _ in range(3):  # every store rejects it in turn, until none is left to take it
        moved = reject_order(app, order.order_id, store_id, "no staff")
        store_id = moved.store_ids[0]
    o = one(listing, runner, order.order_id)
    assert (o.status, o.store_ids) == ("NEEDS_ATTENTION", (store_id,))
    assert ids(listed(listing, runner, status="NEEDS_ATTENTION", store_id=store_id)) == [order.order_id]


def test_a_split_order_is_its_least_advanced_shipment_and_promises_its_earliest_open_one(app, runner, listing):
    network(app)
    # S2's promise reads later but is the earlier moment (19:40 at +08:00)
    order = place_promised(app, "k-split", [("S1", 1, "2026-12-02T20:35:00+08:00"), ("S2", 2, "2026-12-02T20:40:00+09:00")])
    o = one(listing, runner, order.order_id)
    assert (o.status, o.store_ids, o.total_cents, o.promised_by) == ("ALLOCATED", ("S1", "S2"), 3 * PRICE, "2026-12-02T20:40:00+09:00")
    pay(app, order)
    accept_order(app, order.order_id, "S2")
    assert one(listing, runner, order.order_id).status == "ALLOCATED"  # S1 has not accepted
    accept_order(app, order.order_id, "S1")
    assert one(listing, runner, order.order_id).status == "ACCEPTED"
    for step in (mark_picked, lambda a, i, s: hand_over(a, i, s, "COURIER"), mark_delivered):
        step(app, order.order_id, "S2")
    o = one(listing, runner, order.order_id)
    # S2's shipment is delivered: the promise still open is S1's
    assert (o.status, o.promised_by) == ("ACCEPTED", "2026-12-02T20:35:00+08:00")
    assert ids(listed(listing, runner, store_id="S2", status="ACCEPTED")) == [order.order_id]
    for step in (mark_picked, lambda a, i, s: hand_over(a, i, s, "COURIER"), mark_delivered):
        step(app, order.order_id, "S1")
    assert one(listing, runner, order.order_id).promised_by == ""


def test_cancelled_lines_shrink_the_total_and_a_store_left_with_nothing_no_longer_lists_the_order(app, runner, listing):
    network(app)
    order = place_promised(app, "k-split", [("S1", 1, "2026-12-02T20:35:00+08:00"), ("S2", 2, "2026-12-02T20:40:00+09:00")])
    cancel_order_lines(app, order.order_id, "c1", [(SERUM, 2)], "two fewer")  # all of S2's, the last shipment
    o = one(listing, runner, order.order_id)
    assert (o.status, o.store_ids, o.total_cents, o.promised_by) == ("ALLOCATED", ("S1",), PRICE, "2026-12-02T20:35:00+08:00")
    assert ids(listed(listing, runner, store_id="S2")) == []
    assert verify(runner.reader, runner.event_log).differences == []


MASK = "MASK"


def expect_masks(app, units: int, reference: str = "PO-1") -> None:
    """`units` masks expected at S1 tomorrow; no store holds one now."""
    expect_receipt(app, "S1", MASK, units, epoch_us(datetime.now(timezone.utc) + timedelta(days=1)), reference)


def test_a_backorder_is_backordered_until_its_stock_is_all_there_then_allocated(app, runner, listing):
    network(app)
    expect_masks(app, 3)
    order = place_backorder(app, "k-back", MASK, 3)
    o = one(listing, runner, order.order_id)
    promised = get_order(app, order.order_id).shipments[0]["promised_by"]
    # promised from the receipt's arrival: the customer waits for it
    assert (o.status, o.store_ids, o.promised_by) == ("BACKORDERED", ("S1",), promised) and promised
    assert ids(listed(listing, runner, store_id="S1", status="BACKORDERED")) == [order.order_id]
    pay(app, order)
    receive_stock(app, "S1", [(MASK, 2)], "GRN-1", reference="PO-1")
    assert one(listing, runner, order.order_id).status == "BACKORDERED"  # one still to come
    receive_stock(app, "S1", [(MASK, 1)], "GRN-2", reference="PO-1")
    o = one(listing, runner, order.order_id)
    assert (o.status, o.paid, o.promised_by) == ("ALLOCATED", True, promised)
    assert listed(listing, runner, status="BACKORDERED") == []
    accept_order(app, order.order_id, "S1")
    assert one(listing, runner, order.order_id).status == "ACCEPTED"
    assert verify(runner.reader, runner.event_log).differences == []


def test_a_backorder_whose_stock_will_not_come_and_no_store_can_take_needs_attention(app, runner, listing):
    network(app)
    expect_masks(app, 2)
    first, second = place_backorder(app, "k-first", MASK, 1), place_backorder(app, "k-second", MASK, 1, customer="C2")
    assert {o.status for o in listed(listing, runner, status="BACKORDERED")} == {"BACKORDERED"}
    # one of the two comes and the receipt is closed: the earlier claim is served, the later flagged
    receive_stock(app, "S1", [(MASK, 1)], "GRN-1", reference="PO-1", final=True)
    assert one(listing, runner, first.order_id).status == "ALLOCATED"
    assert one(listing, runner, second.order_id).status == "NEEDS_ATTENTION"
    cancel_order(app, second.order_id, "changed mind")
    assert (one(listing, runner, second.order_id).status, one(listing, runner, second.order_id).promised_by) == ("CANCELLED", "")
    assert verify(runner.reader, runner.event_log).differences == []


def test_a_store_s_day_is_its_local_day_not_utc_s(app, runner, listing):
    # a zone whose date differs from UTC's now: 12 hours behind before noon UTC, 14 ahead after
    zone = "Etc/GMT+12" if datetime.now(timezone.utc).hour < 12 else "Pacific/Kiritimati"
    network(app, {"S1": zone})
    order = place(app, "k-day")
    placed = get_order(app, order.order_id).created_on
    local = placed.astimezone(get_store_zone(app, "S1")).date()
    utc = placed.astimezone(timezone.utc).date()
    assert local != utc
    assert ids(listed(listing, runner, store_id="S1", date=local.isoformat())) == [order.order_id]
    assert listed(listing, runner, store_id="S1", date=utc.isoformat()) == []
    # the store moves to Shanghai: its days move with it (UTC+8 is on UTC's date, or the next)
    upsert_store(app, profile("S1", get_store(app, "S1").location, "Asia/Shanghai"))
    shanghai = placed.astimezone(get_store_zone(app, "S1")).date()
    assert ids(listed(listing, runner, store_id="S1", date=shanghai.isoformat())) == [order.order_id]
    assert shanghai == local or listed(listing, runner, store_id="S1", date=local.isoformat()) == []


def get_store_zone(app, store_id: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(get_store(app, store_id).time_zone)


def test_the_same_tables_however_the_log_is_cut_into_batches(app, runner, listing):
    network(app)
    orders = [place(app, f"k-b{i}", customer=f"C{i % 3}") for i in range(5)]
    split = place_promised(app, "k-b-split", [("S1", 1, "2026-12-02T20:35:00+08:00"), ("S3", 1, "2026-12-02T20:05:00+08:00")])
    pay(app, orders[0])
    accept_order(app, orders[0].order_id, "S1")
    reject_order(app, orders[1].order_id, "S1", "no staff")
    cancel_order(app, orders[2].order_id, "changed mind")
    reject_order(app, split.order_id, "S3", "no staff")
    runner.catch_up()
    before = tables(runner)
    assert verify(runner.reader, runner.event_log).differences == []
    with runner.writer.begin() as connection:  # a row changed behind the projection's back
        connection.execute(text("UPDATE order_list_orders SET status = 'DELIVERED' WHERE order_id = :o"), {"o": orders[3].order_id})
    assert [str(d) for d in verify(runner.reader, runner.event_log).differences] == [
        f"order {orders[3].order_id}: status expected 'ALLOCATED', found 'DELIVERED'",
    ]
    runner.release()
    small = order_list_runner(app, holder="small-batches", batch_size=1)
    try:
        assert small.try_lead(take_over=True)
        small.rebuild()
        assert tables(small) == before
    finally:
        small.release()
        small.close()


def tables(runner) -> dict[str, list[tuple]]:
    order_by = {"order_list_orders": "order_id", "order_list_shipments": "order_id, store_id", "order_list_stores": "store_id"}
    with runner.reader.connect() as connection:
        found = {
            name: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {name} ORDER BY {key}"))]
            for name, key in order_by.items()
        }
    # the position a row was last changed at depends on the batches; nothing else may
    found["order_list_orders"] = [r[:-1] for r in found["order_list_orders"]]
    return found
