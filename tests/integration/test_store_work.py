"""The store work projection, on SQLite and PostgreSQL: each store's shipments and change log
folded from the Order events (allocation, payment, the steps, a reroute away and to, a
cancellation, a lost shipment, a moved promise, a backorder served, moved or cancelled while it
waits), verified against the orders, and rebuilt to the same rows."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from sqlalchemy import select

from aggregates.order import shipment_record
from domain.values import epoch_us
from projections.definitions import STORE_WORK
from projections.store_work import reads
from projections.store_work.tables import backorders, changes, shipments
from projections.store_work.verify import verify
from tests.store_work_builders import change, pay, place, reroute, runner, serve, step

PROMISE = "2026-12-02T20:35:00+08:00"


def caught_up(app):
    r = runner(app)
    r.catch_up()
    return r


def shipment(r, order, store_id):
    with r.reader.connect() as connection:
        row = connection.execute(select(shipments).where(shipments.c.order_id == order.order_id, shipments.c.store_id == store_id)).one()
    return reads._shipment(row)


def log_of(r, store_id, after=0):
    with r.reader.connect() as connection:
        return reads.store_changes(connection, store_id, after, None, 1000)


def event_moments(app, order) -> list[int]:
    return [epoch_us(e.timestamp if e.timestamp.tzinfo else e.timestamp.replace(tzinfo=timezone.utc)) for e in app.events.get(order.id)]


def test_an_order_allocated_paid_and_worked_to_delivery(app):
    order = place(app, {"S1": {"SERUM": 2, "CREAM": 1}}, PROMISE)
    pay(app, order)
    for to in ("ACCEPTED", "PICKED", "HANDED_OVER", "DELIVERED"):
        step(app, order, "S1", to)
    r = caught_up(app)
    try:
        s = shipment(r, order, "S1")
        assert (s.status, s.paid, s.mode, s.lines) == ("DELIVERED", True, "DELIVERY", (("SERUM", 2), ("CREAM", 1)))
        assert s.promised_by == PROMISE
        assert s.promised_by_us == epoch_us(datetime(2026, 12, 2, 12, 35, tzinfo=timezone.utc))
        # placed, allocated, paid, accepted, picked, handed over, delivered: each step at its event's moment
        moments = event_moments(app, order)
        assert (s.allocated_at_us, s.accepted_at_us, s.picked_at_us, s.handed_over_at_us, s.delivered_at_us) == tuple(moments[1:2] + moments[3:])
        log = log_of(r, "S1")
        assert [c.kind for c in log] == ["ALLOCATED", "PAID", "ACCEPTED", "PICKED", "HANDED_OVER", "DELIVERED"]
        assert [c.position for c in log] == sorted({c.position for c in log})
        assert log[1].shipment.paid and not log[0].shipment.paid and log[0].shipment.status == "ALLOCATED"
        assert log[-1].shipment == s and s.position == log[-1].position
    finally:
        r.close()


def test_a_pickup_handed_to_the_customer_is_delivered_at_the_counter(app):
    order = place(app, {"S1": {"SERUM": 1}}, mode="PICKUP")
    pay(app, order)
    for to in ("ACCEPTED", "PICKED", "DELIVERED"):
        step(app, order, "S1", to)
    r = caught_up(app)
    try:
        s = shipment(r, order, "S1")
        assert (s.status, s.mode, s.promised_by, s.promised_by_us) == ("DELIVERED", "PICKUP", "", None)
        assert s.handed_over_at_us == s.delivered_at_us is not None
        assert [c.kind for c in log_of(r, "S1")][-1] == "DELIVERED"
    finally:
        r.close()


def test_a_reroute_moves_the_shipment_away_from_one_store_and_to_another_paid(app):
    order = place(app, {"S1": {"SERUM": 1}}, PROMISE)
    pay(app, order)
    reroute(app, order, "S1", {"S3": {"SERUM": 1}}, promised_by="2026-12-02T21:05:00+08:00")
    r = caught_up(app)
    try:
        away, to = shipment(r, order, "S1"), shipment(r, order, "S3")
        assert (away.status, away.paid) == ("REROUTED_AWAY", True)
        assert (to.status, to.paid, to.promised_by, to.lines) == ("ALLOCATED", True, "2026-12-02T21:05:00+08:00", (("SERUM", 1),))
        assert [c.kind for c in log_of(r, "S1")] == ["ALLOCATED", "PAID", "REROUTED_AWAY"]
        assert [c.kind for c in log_of(r, "S3")] == ["REROUTED_TO"]
        # one event, two stores: the same position in each store's log
        assert log_of(r, "S1")[-1].position == log_of(r, "S3")[0].position
    finally:
        r.close()


def test_a_cancellation_reaches_the_stores_still_holding_the_order_and_no_other(app):
    order = place(app, {"S1": {"SERUM": 1}, "S2": {"CREAM": 1}}, PROMISE)
    reroute(app, order, "S2", {"S3": {"CREAM": 1}})
    change(app, order.id, lambda o: o.cancel("changed mind"))
    r = caught_up(app)
    try:
        assert [shipment(r, order, s).status for s in ("S1", "S2", "S3")] == ["CANCELLED", "REROUTED_AWAY", "CANCELLED"]
        assert [c.kind for c in log_of(r, "S1")] == ["ALLOCATED", "CANCELLED"]
        assert [c.kind for c in log_of(r, "S2")] == ["ALLOCATED", "REROUTED_AWAY"]
        assert [c.kind for c in log_of(r, "S3")] == ["REROUTED_TO", "CANCELLED"]
    finally:
        r.close()


def test_cancelled_lines_shrink_a_store_s_shipment_or_cancel_it_there_when_none_are_left(app):
    order = place(app, {"S1": {"SERUM": 2, "CREAM": 1}, "S2": {"CREAM": 1}}, PROMISE)
    change(app, order.id, lambda o: o.cancel_lines("c1", {"SERUM": 1, "CREAM": 1}, "changed mind"))  # CREAM: the last shipment's
    r = caught_up(app)
    try:
        s1, s2 = shipment(r, order, "S1"), shipment(r, order, "S2")
        assert (s1.status, s1.lines) == ("ALLOCATED", (("SERUM", 1), ("CREAM", 1)))
        assert (s2.status, s2.lines) == ("CANCELLED", ())
        assert [c.kind for c in log_of(r, "S1")] == ["ALLOCATED", "LINES_CANCELLED"]
        assert [c.kind for c in log_of(r, "S2")] == ["ALLOCATED", "CANCELLED"]
        assert verify(r.reader, STORE_WORK.event_log(app)).differences == []
    finally:
        r.close()


def test_a_lost_shipment_is_unfulfillable_and_a_moved_promise_is_a_change(app):
    order = place(app, {"S1": {"SERUM": 1}}, PROMISE)
    change(app, order.id, lambda o: o.flag_unfulfillable("S1", "STOCK_LOST", "counted 0"))
    r = caught_up(app)
    try:
        assert shipment(r, order, "S1").status == "UNFULFILLABLE"
        # no event moves a promise yet: one naming the store and its new promise, as the fold reads it
        moved = SimpleNamespace(
            originator_id=order.id, timestamp=datetime.now(timezone.utc), store_id="S1",
            promised_by="2026-12-03T10:30:00+08:00", slot="2026-12-03T10:00:00+08:00",
        )
        position = r.position + 1
        with r.writer.begin() as connection:
            STORE_WORK.apply_batch(connection, [(position, moved)], position)
        s = shipment(r, order, "S1")
        assert (s.promised_by, s.slot, s.position, s.status) == ("2026-12-03T10:30:00+08:00", "2026-12-03T10:00:00+08:00", position, "UNFULFILLABLE")
        assert s.promised_by_us == epoch_us(datetime(2026, 12, 3, 2, 30, tzinfo=timezone.utc))
        assert [c.kind for c in log_of(r, "S1")] == ["ALLOCATED", "UNFULFILLABLE", "PROMISE_CHANGED"]
    finally:
        r.close()


def test_verified_against_the_orders_and_rebuilt_to_the_same_rows(app):
    first = place(app, {"S1": {"SERUM": 1}, "S2": {"CREAM": 2}}, PROMISE)
    pay(app, first)
    step(app, first, "S1", "ACCEPTED")
    reroute(app, first, "S2", {"S3": {"CREAM": 2}})
    second = place(app, {"S1": {"SERUM": 3}}, mode="PICKUP")
    change(app, second.id, lambda o: o.cancel("changed mind"))
    third = place(app, {"S1": {"SERUM": 1}, "S2": {"CREAM": 1}})
    change(app, third.id, lambda o: o.cancel_lines("c1", {"CREAM": 1}, "changed mind"))
    r = caught_up(app)
    try:
        result = verify(r.reader, STORE_WORK.event_log(app))
        assert result.differences == [] and result.rows == 6
        with r.reader.connect() as connection:
            before = [connection.execute(select(t).order_by(*t.primary_key.columns)).all() for t in (shipments, changes)]
        r.rebuild()
        with r.reader.connect() as connection:
            assert [connection.execute(select(t).order_by(*t.primary_key.columns)).all() for t in (shipments, changes)] == before
        # a row that disagrees with its order is found
        with r.writer.begin() as connection:
            connection.execute(shipments.update().where(shipments.c.store_id == "S3").values(paid=False))
        problems = verify(r.reader, STORE_WORK.event_log(app)).differences
        assert [p.key for p in problems] == [(first.order_id, "S3"), (first.order_id, "S3")]
    finally:
        r.close()


# --- backorders ---------------------------------------------------------------------------


def has_shipment(r, order, store_id) -> bool:
    with r.reader.connect() as connection:
        query = select(shipments).where(shipments.c.order_id == order.order_id, shipments.c.store_id == store_id)
        return connection.execute(query).first() is not None


def waiting_rows(r) -> dict:
    with r.reader.connect() as connection:
        return {(w.order_id, w.store_id): (w.status, w.lines) for w in connection.execute(select(backorders))}


def test_a_backorder_comes_to_its_store_as_an_allocation_only_once_its_stock_is_all_there(app):
    order = place(app, {"S1": {"SERUM": 3}, "S2": {"CREAM": 1}}, PROMISE, awaiting={"S1": {"SERUM": 2}})
    pay(app, order)
    r = caught_up(app)
    try:
        # the store cannot work on it yet: nothing in its queue or its log, the rest of the order goes on
        assert not has_shipment(r, order, "S1") and log_of(r, "S1") == []
        assert [c.kind for c in log_of(r, "S2")] == ["ALLOCATED", "PAID"]
        assert waiting_rows(r) == {(order.order_id, "S1"): ("BACKORDERED", '[["SERUM", 3]]')}
        serve(app, order, "S1", still_awaiting={"SERUM": 1})
        r.catch_up()  # a later batch: the backorder is read back from the tables
        assert not has_shipment(r, order, "S1") and log_of(r, "S1") == []
        serve(app, order, "S1")
        step(app, order, "S1", "ACCEPTED")
        r.catch_up()
        s = shipment(r, order, "S1")
        assert (s.status, s.paid, s.lines, s.promised_by, s.slot) == ("ACCEPTED", True, (("SERUM", 3),), PROMISE, "")
        # allocated to the store when it became its work: the last BackorderServed
        assert s.allocated_at_us == event_moments(app, order)[-2]
        log = log_of(r, "S1")
        assert [c.kind for c in log] == ["ALLOCATED", "ACCEPTED"]
        assert (log[0].shipment.status, log[0].shipment.paid) == ("ALLOCATED", True)
        assert waiting_rows(r) == {}
        assert verify(r.reader, STORE_WORK.event_log(app)).differences == []
    finally:
        r.close()


def test_a_backorder_moved_flagged_or_cancelled_while_it_waits_never_reaches_its_store(app):
    moved = place(app, {"S1": {"SERUM": 1}}, PROMISE, awaiting={"S1": {"SERUM": 1}})
    change(app, moved.id, lambda o: o.reroute(
        "S1", "INCOMING_SHORT", "the receipt was closed short", [shipment_record("S3", 200, "2026-12-02", {"SERUM": 1}, promised_by=PROMISE)],
        "ONE_STORE", {},
    ))
    flagged = place(app, {"S1": {"SERUM": 2}}, PROMISE, awaiting={"S1": {"SERUM": 2}})
    change(app, flagged.id, lambda o: o.flag_unfulfillable("S1", "INCOMING_SHORT", "nothing elsewhere"))
    flagged_then_cancelled = place(app, {"S1": {"SERUM": 1}, "S2": {"CREAM": 1}}, PROMISE, awaiting={"S1": {"SERUM": 1}})
    change(app, flagged_then_cancelled.id, lambda o: o.flag_unfulfillable("S1", "INCOMING_SHORT", "nothing elsewhere"))
    change(app, flagged_then_cancelled.id, lambda o: o.cancel("changed mind"))
    emptied = place(app, {"S1": {"SERUM": 1}, "S2": {"CREAM": 1}}, PROMISE, awaiting={"S1": {"SERUM": 1}})
    change(app, emptied.id, lambda o: o.cancel_lines("c1", {"SERUM": 1}, "changed mind"))
    # cancelling the unit still awaited leaves the backorder waiting for nothing: it goes ahead
    shrunk = place(app, {"S1": {"SERUM": 2}}, PROMISE, awaiting={"S1": {"SERUM": 1}})
    change(app, shrunk.id, lambda o: o.cancel_lines("c1", {"SERUM": 1}, "one is enough"))
    r = caught_up(app)
    try:
        assert [(c.shipment.order_id, c.kind) for c in log_of(r, "S1")] == [(shrunk.order_id, "ALLOCATED")]
        assert shipment(r, shrunk, "S1").lines == (("SERUM", 1),)
        assert [(c.shipment.order_id, c.kind) for c in log_of(r, "S3")] == [(moved.order_id, "REROUTED_TO")]
        assert [(c.shipment.order_id, c.kind) for c in log_of(r, "S2")] == [
            (flagged_then_cancelled.order_id, "ALLOCATED"), (flagged_then_cancelled.order_id, "CANCELLED"), (emptied.order_id, "ALLOCATED"),
        ]
        # still the order's, flagged, but never the store's
        assert waiting_rows(r) == {(flagged.order_id, "S1"): ("UNFULFILLABLE", '[["SERUM", 2]]')}
        assert verify(r.reader, STORE_WORK.event_log(app)).differences == []
    finally:
        r.close()


def test_backorders_are_verified_against_their_orders_and_rebuilt_to_the_same_rows(app):
    waiting = place(app, {"S1": {"SERUM": 2}}, PROMISE, awaiting={"S1": {"SERUM": 2}})
    ready = place(app, {"S1": {"SERUM": 1}}, PROMISE, awaiting={"S1": {"SERUM": 1}})
    serve(app, ready, "S1")
    r = caught_up(app)
    try:
        result = verify(r.reader, STORE_WORK.event_log(app))
        assert result.differences == [] and result.rows == 2
        with r.reader.connect() as connection:
            before = [connection.execute(select(t).order_by(*t.primary_key.columns)).all() for t in (shipments, changes, backorders)]
        r.rebuild()
        with r.reader.connect() as connection:
            assert [connection.execute(select(t).order_by(*t.primary_key.columns)).all() for t in (shipments, changes, backorders)] == before
        # a backorder the tables lost, and one they show the store before its stock is there, are found
        with r.writer.begin() as connection:
            connection.execute(backorders.delete())
            connection.execute(shipments.insert().values(dict(
                reads.Shipment(
                    waiting.order_id, "S1", "DELIVERY", "ALLOCATED", False, (), PROMISE, None, "", None, None, None, None, None, 1,
                ).__dict__, lines="[]",
            )))
        problems = verify(r.reader, STORE_WORK.event_log(app)).differences
        assert [p.key for p in problems] == [(waiting.order_id, "S1"), (waiting.order_id, "S1")]
        assert "backordered" in problems[0].problem and "no order has it" in problems[1].problem
    finally:
        r.close()
