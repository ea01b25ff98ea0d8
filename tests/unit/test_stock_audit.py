"""The oversell audit the benchmarks rely on must itself catch an oversell."""

from __future__ import annotations

from eventsourcing.application import Application

from aggregates.stock_position import TRANSFER_IN, StockPosition
from projections.national_stock.audit import oversold_units


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
