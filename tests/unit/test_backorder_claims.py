"""Claims on incoming stock, as a property over random sequences of receipts announced,
changed, cancelled and received (in parts, some closed short), transfers shipped towards the
shelf and received, backorders claiming and being cancelled, on one stock position:

- a claim is accepted exactly when what is expected by its bound, less the earlier claims,
  covers it (a model says so independently);
- the claims not named uncovered never exceed the incoming stock;
- arriving units serve claims first come first served: no later claim has had a unit while an
  earlier one still waits;
- no unit is held twice: each live backorder holds, reserved plus claimed, exactly what it
  asked, and reserved never exceeds on hand by more than the oversold it names.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from aggregates.stock_position import StockPosition
from domain.errors import DomainError, IncomingShort

DAY = 86_400_000_000
TRANSIT_AT = 2 * DAY  # when units in transit are taken to arrive

operations = st.lists(
    st.one_of(
        st.tuples(st.just("expect"), st.sampled_from("ABC"), st.integers(0, 6), st.integers(1, 5)),
        st.tuples(st.just("claim"), st.integers(1, 4), st.integers(1, 5)),
        st.tuples(st.just("arrive"), st.sampled_from("ABC"), st.integers(1, 6), st.booleans()),
        st.tuples(st.just("ship"), st.integers(1, 5)),
        st.tuples(st.just("transfer_in"), st.integers(1, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 30)),
    ),
    max_size=40,
)


def claimable_by_model(position: StockPosition, transfers: dict[str, int], not_after: int) -> int:
    """Computed from the receipts and transfers as announced, not by the position."""
    by_then = sum(r["quantity"] for r in position.expected.values() if r["expected_at_us"] <= not_after)
    if TRANSIT_AT <= not_after:
        by_then += sum(transfers.values())
    return max(by_then - sum(position.claims.values()), 0)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_claims_are_covered_served_in_order_and_never_held_twice(ops):
    position = StockPosition(store_id="S1", sku="SERUM")
    position.receive(2, occurred_at_us=1)
    asked: dict[str, int] = {}  # live backorders -> units
    claim_order: list[str] = []  # every claim ever made, in order
    served: dict[str, int] = {}  # units a claim has been served
    transfers: dict[str, int] = {}  # in transit by transfer id, as shipped
    shipped = 0
    for number, op in enumerate(ops):
        kind = op[0]
        if kind == "expect":
            _, reference, quantity, days = op
            if reference in position.expected or quantity:
                position.expect_receipt(reference, quantity, days * DAY)
        elif kind == "claim":
            _, quantity, days = op
            order_id = f"o{number}"
            due = quantity <= claimable_by_model(position, transfers, days * DAY)
            try:
                position.claim(order_id, quantity, days * DAY, TRANSIT_AT)
            except IncomingShort:
                assert not due, "a claim the incoming stock covers was refused"
                continue
            assert due, "a claim beyond the incoming stock was accepted"
            asked[order_id] = quantity
            claim_order.append(order_id)
        elif kind == "arrive":
            _, reference, quantity, final = op
            if reference not in position.expected:
                continue
            quantity = min(quantity, position.expected[reference]["quantity"])
            position.receive(quantity, occurred_at_us=number + 2)
            position.receipt_arrived(reference, quantity, final=final)
        elif kind == "ship":
            shipped += 1
            transfers[f"T{shipped}"] = op[1]
            position.expect_transfer(f"T{shipped}", op[1])
        elif kind == "transfer_in":
            if not transfers:
                continue
            transfer_id = next(iter(transfers))
            quantity = min(op[1], transfers[transfer_id])
            position.move("TRANSFER_IN", quantity, number + 2, transfer_id=transfer_id)
            transfers[transfer_id] -= quantity
            if not transfers[transfer_id]:
                del transfers[transfer_id]
        elif kind == "cancel" and asked:
            order_id = sorted(asked)[op[1] % len(asked)]
            position.release(order_id, "cancelled")
            del asked[order_id]
        for event in position.collect_events():
            if isinstance(event, StockPosition.ClaimsServed):
                for order_id, units in event.served:
                    served[order_id] = served.get(order_id, 0) + units

        assert position.in_transit_units == sum(transfers.values())
        covered = sum(units for order_id, units in position.claims.items() if order_id not in position.uncovered)
        assert covered <= position.incoming_units
        waiting = [o for o in claim_order if o in position.claims]
        for later in claim_order[claim_order.index(waiting[0]) + 1:] if waiting else []:
            assert not served.get(later), f"{later} was served while the earlier claim of {waiting[0]} waits"
        for order_id, units in asked.items():
            assert position.reservations.get(order_id, 0) + position.claims.get(order_id, 0) == units
            assert position.reservations.get(order_id, 0) == served.get(order_id, 0)
        assert set(position.claims) <= set(asked) and set(position.reservations) <= set(asked)
        assert position.claimed == sum(position.claims.values())


def test_claiming_twice_or_nothing_is_refused():
    position = StockPosition(store_id="S1", sku="SERUM")
    position.expect_receipt("A", 5, DAY)
    position.claim("o1", 2, DAY, TRANSIT_AT)
    for order_id, quantity in (("o1", 1), ("o2", 0)):
        try:
            position.claim(order_id, quantity, DAY, TRANSIT_AT)
        except DomainError:
            continue
        raise AssertionError(f"claim {order_id} x {quantity} was accepted")
