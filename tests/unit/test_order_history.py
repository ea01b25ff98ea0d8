"""An order's history from its events: who caused each, in the three cases there are."""

from __future__ import annotations

from datetime import datetime, timezone

from services.use_cases.ordering.order_history import SYSTEM, _entry

AT = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


class ShipmentAccepted:  # named as the order's event is: the history reads the kind from the name
    def __init__(self, **attributes):
        self.originator_version, self.timestamp, self.store_id = 4, AT, "S1"
        self.__dict__.update(attributes)


def test_a_step_names_the_caller_its_event_recorded():
    entry = _entry(ShipmentAccepted(by="pos:4f2a9c1d0e3b"))
    assert (entry.step, entry.store_id, entry.caller_role, entry.caller_token_id) == ("ACCEPTED", "S1", "pos", "4f2a9c1d0e3b")
    assert (entry.version, entry.at) == (4, AT)
    assert entry.summary == "store S1 accepted its shipment"


def test_a_step_the_backbone_took_of_its_own_accord_is_the_system_s():
    entry = _entry(ShipmentAccepted(by=""))
    assert (entry.caller_role, entry.caller_token_id) == (SYSTEM, "")


def test_a_step_recorded_before_events_named_their_callers_is_unknown():
    entry = _entry(ShipmentAccepted())  # stored without the field
    assert (entry.caller_role, entry.caller_token_id) == ("unknown", "unknown")


def test_an_order_recorded_before_events_named_their_callers_still_loads_and_reads_unknown():
    from dataclasses import replace

    from aggregates.order import Order, shipment_record
    from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_total
    from services.bootstrap import in_memory_application

    app = in_memory_application()
    lines = (OrderLine("SERUM", 1, Money(1990, "CNY")),)
    order = Order.place(
        idempotency_key="k-old", request_fingerprint="fp", customer_id="C1", customer_location=GeoPoint(31.2, 121.4),
        lines=lines, fulfilment_mode=FulfilmentMode.DELIVERY, pickup_store_id="", total=order_total(lines), by="checkout:abc",
    )
    order.allocate([shipment_record("S1", 100, "2026-12-02", {"SERUM": 1})], by="checkout:abc")
    events = order.collect_events()
    transcoder = app.mapper.transcoder
    old = []
    for event in events:  # stored as before events named their callers: no "by" in the state
        stored = app.mapper.to_stored_event(event)
        state = transcoder.decode(stored.state)
        del state["by"]
        old.append(app.mapper.to_domain_event(replace(stored, state=transcoder.encode(state))))

    replayed = None
    for event in old:
        replayed = event.mutate(replayed)

    assert replayed.status == "ALLOCATED" and replayed.store_ids == ["S1"]
    assert [(_entry(e).step, _entry(e).caller_role) for e in old] == [("PLACED", "unknown"), ("ALLOCATED", "unknown")]
    app.close()


def test_a_backorder_says_what_it_awaits_and_each_arrival_what_is_still_awaited():
    from aggregates.order import Order, shipment_record
    from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_total

    lines = (OrderLine("SERUM", 3, Money(1990, "CNY")), OrderLine("MASK", 1, Money(990, "CNY")))
    order = Order.place(
        idempotency_key="k-back", request_fingerprint="fp", customer_id="C1", customer_location=GeoPoint(31.2, 121.4),
        lines=lines, fulfilment_mode=FulfilmentMode.DELIVERY, pickup_store_id="", total=order_total(lines), by="checkout:abc",
    )
    order.allocate([
        shipment_record(
            "S1", 100, "2026-12-03", {"SERUM": 3, "MASK": 1}, promised_by="2026-12-03T15:00:00+08:00",
            awaiting={"SERUM": 2}, not_after="2026-12-09T00:00:00+08:00",
        ),
    ], by="checkout:abc")
    order.backorder_served("S1", {"SERUM": 2, "MASK": 1})
    order.backorder_served("S1", {"SERUM": 3, "MASK": 1})
    placed, allocated, partly, ready = [_entry(e) for e in order.collect_events()]

    assert (allocated.step, allocated.store_id) == ("ALLOCATED", "S1")
    assert allocated.summary == (
        "allocated (ONE_STORE) to store S1 (100 m): BACKORDERED, 1 x SERUM, 1 x MASK reserved there and 2 x SERUM awaited of "
        "its incoming stock, by 2026-12-09T00:00:00+08:00 at the latest, promised by 2026-12-03T15:00:00+08:00."
    )
    assert (partly.step, partly.store_id, partly.caller_role) == ("BACKORDER_SERVED", "S1", SYSTEM)
    assert partly.summary == "units arrived and reserved at store S1 for the shipment, which still awaits 1 x SERUM"
    assert (ready.step, ready.store_id) == ("BACKORDER_SERVED", "S1")
    assert "awaits nothing more" in ready.summary and "ALLOCATED" in ready.summary


def test_a_shipment_allocated_from_stock_on_the_shelf_reads_as_before():
    from aggregates.order import shipment_record
    from services.use_cases.ordering.order_history import _shipments

    record = shipment_record("S1", 100, "2026-12-03", {"SERUM": 2}, promised_by="2026-12-03T15:00:00+08:00")
    assert _shipments([record]) == "store S1 (100 m): 2 x SERUM reserved there, promised by 2026-12-03T15:00:00+08:00"
