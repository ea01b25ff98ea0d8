"""The oversell audit the benchmarks rely on must itself catch an oversell, as an independent
reference (tests/stock_reference.py) finds it."""

from __future__ import annotations

from eventsourcing.application import Application
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregates.stock_position import TRANSFER_IN, StockPosition
from projections.national_stock.audit import oversold_units
from tests.stock_reference import reference_stock


def events_of(*positions: StockPosition) -> list:
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.save(*positions)
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=1000)]


def test_reservations_within_stock_are_not_oversold():
    position = StockPosition(store_id="S1", sku="A")
    position.receive(3)
    position.reserve("o1", 2)
    position.reserve("o2", 1)
    position.release("o1", "cancelled")
    position.reserve("o3", 2)
    assert oversold_units(events_of(position)) == 0


def test_a_reservation_beyond_on_hand_is_counted():
    position = StockPosition(store_id="S1", sku="A")
    position.receive(2)
    position.reserve("o1", 2)
    # bypass the aggregate's own check, as a buggy writer would
    position._stock_reserved(order_id="o2", quantity=3)
    other = StockPosition(store_id="S2", sku="A")
    other.receive(1)
    other._stock_reserved(order_id="o3", quantity=2)
    assert oversold_units(events_of(position, other)) == 3 + 1


def test_backorders_served_from_arriving_units_are_not_oversold():
    position = StockPosition(store_id="S1", sku="A")
    position.expect_receipt("PO-1", 3, 1)
    position.expect_transfer("T1", 2)
    position.claim("o1", 4, 2, 1)
    position.claim("o2", 1, 2, 1)
    position.receive(3)
    position.receipt_arrived("PO-1", 3)  # o1 served 3
    position.move(TRANSFER_IN, 2, 0, transfer_id="T1")  # o1's last unit, then o2's
    assert position.reserved == 5 and not position.claims
    assert oversold_units(events_of(position)) == 0


def test_a_backorder_served_units_that_never_arrived_is_counted():
    position = StockPosition(store_id="S1", sku="A")
    position.expect_receipt("PO-1", 3, 1)
    position.claim("o1", 3, 2, 1)
    position.receive(3)  # two more than the receipt's: on hand covers the claim, the arrival does not
    # a buggy writer serving the whole claim on one unit's arrival
    position._expected_receipt_arrived(reference="PO-1", quantity=1, left=2)
    position._claims_served(served=[["o1", 3]])
    assert position.reserved <= position.on_hand
    assert oversold_units(events_of(position)) == 3 - 1


shelf_steps = st.lists(
    st.tuples(
        st.sampled_from(["receive", "sale", "count", "reserve", "reserve_unchecked", "release", "release_part", "pick", "safety"]),
        st.integers(0, 8),  # units
        st.integers(-3, 1),  # steps before (after) its own the movement or count is dated
    ),
    min_size=1, max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(steps=shelf_steps)
def test_the_audit_finds_what_the_reference_finds_reserved_beyond_stock(steps):
    """Reservations made through the checks and around them (as a buggy writer would), among
    counts and movements out of order: the audit counts exactly the units the independent
    reference finds reserved beyond on hand, and the position ends as the reference folds it."""
    position = StockPosition(store_id="S1", sku="A")
    moment = 10_000  # every moment stays after the epoch, as a POS must date them
    for n, (kind, units, shift) in enumerate(steps):
        moment += 1_000
        at = moment + shift * 1_000
        held = list(position.reservations)
        if kind == "receive" and units:
            position.receive(units, occurred_at_us=at)
        elif kind == "sale" and units:
            position.move("SALE", -units, at)
        elif kind == "count":
            position.count(units, occurred_at_us=at)
        elif kind == "reserve" and min(units, position.available):
            position.reserve(f"o{n}", min(units, position.available))
        elif kind == "reserve_unchecked" and units:
            position._stock_reserved(order_id=f"o{n}", quantity=units)
        elif kind == "release" and held:
            position.release(held[units % len(held)], "cancelled")
        elif kind == "release_part" and held and units:
            position.release(held[units % len(held)], "a line cancelled", quantity=units)
        elif kind == "pick" and held:
            position.pick(held[units % len(held)], at)
        elif kind == "safety":
            position.set_safety_stock(units)
    events = events_of(position)
    reference = reference_stock(events)
    assert oversold_units(events) == reference.units_reserved_beyond_stock()
    own = (position.on_hand, position.reserved, position.safety_stock, position.available, position.in_transit_units, position.expected_units)
    assert own == reference.figures()[("S1", "A")].as_stored()
