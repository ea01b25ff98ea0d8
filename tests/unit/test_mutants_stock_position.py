"""Stock positions, where the mutation run (docs/mutation-testing.md) found behaviour no other
unit test pinned down: the refusals a caller sees (field and message), receipts announced and
arriving, claims losing their cover, transfers arriving for an order or for the claims,
counts and POS batches, releasing part of an order, reserving across stores all or nothing,
and the changes the read models add up.

Each test names the rule; the doc groups the mutants they were written against."""

from __future__ import annotations

import pytest

from aggregates.stock_position import StockPosition, reserve_all, stock_change, stores_short
from domain.errors import DomainError, ExpectedReceiptNotFound, IncomingShort, InvalidInput

DAY = 86_400_000_000


def new_position(on_hand: int = 0) -> StockPosition:
    position = StockPosition(store_id="S1", sku="SERUM")
    if on_hand:
        position.receive(on_hand, occurred_at_us=1)
    position.collect_events()
    return position


def refusal(action) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action()
    return caught.value


def event_names(position: StockPosition) -> list[str]:
    return [type(e).__name__ for e in position.collect_events()]


# --- what a refused request tells the caller ---------------------------------------------


@pytest.mark.parametrize(
    "action, field, message",
    [
        (lambda p: p.expect_transfer("T1", 0), "quantity", "quantity: must be > 0, got 0"),
        (lambda p: p.expect_receipt("R1", -1, DAY), "quantity", "quantity: must be >= 0 (0 cancels the receipt), got -1"),
        (lambda p: p.claim("O1", 0, DAY, DAY), "quantity", "quantity: must be > 0, got 0"),
        (lambda p: p.reserve("O1", 0), "quantity", "quantity: must be > 0, got 0"),
        (lambda p: p.receive(0), "quantity", "quantity: must be > 0, got 0"),
        (lambda p: p.move("SALE", 0, 1), "quantity", "quantity: must not be 0"),
        (lambda p: p.adjust(0, "typo"), "delta", "delta: must not be 0"),
        (lambda p: p.count(-1), "counted_quantity", "counted_quantity: must be >= 0, got -1"),
        (lambda p: p.set_safety_stock(-1), "quantity", "quantity: must be >= 0, got -1"),
        (lambda p: p.pick("O9", 5), "order_id", "order_id: order O9 holds no reservation of 'SERUM' at 'S1'"),
    ],
)
def test_a_malformed_request_names_its_field_and_says_what_is_wrong(action, field, message):
    position = new_position(on_hand=5)
    error = refusal(lambda: action(position))
    assert isinstance(error, InvalidInput)
    assert (error.field, str(error)) == (field, message)
    assert event_names(position) == []


def test_holding_twice_for_one_order_is_refused_naming_the_order():
    position = new_position(on_hand=5)
    position.expect_receipt("R1", 5, DAY)
    position.reserve("O1", 1)
    position.claim("O2", 1, DAY, DAY)
    again_reserved = refusal(lambda: position.reserve("O1", 1))
    again_claimed = refusal(lambda: position.claim("O2", 1, DAY, DAY))
    assert (again_reserved.field, str(again_reserved)) == ("order_id", "order_id: order O1 already holds a reservation here")
    assert (again_claimed.field, str(again_claimed)) == ("order_id", "order_id: order O2 already holds a claim here")


def test_a_claim_beyond_the_incoming_stock_says_how_much_is_claimable():
    position = new_position()
    position.expect_receipt("R1", 3, DAY)
    error = refusal(lambda: position.claim("O1", 4, DAY, DAY))
    assert isinstance(error, IncomingShort)
    assert (error.store_id, error.sku) == ("S1", "SERUM")
    assert str(error) == "store 'S1' has 3 of sku 'SERUM' incoming in time and unclaimed, 4 wanted"


def test_a_receipt_nobody_announced_is_named_in_the_refusal():
    position = new_position()
    expected = "no receipt 'R9' of sku 'SERUM' is expected at store 'S1'"
    for action in (lambda: position.expect_receipt("R9", 0, DAY), lambda: position.receipt_arrived("R9", 1)):
        error = refusal(action)
        assert isinstance(error, ExpectedReceiptNotFound)
        assert str(error) == expected


def test_more_units_than_are_still_to_come_are_refused_under_the_reference():
    position = new_position()
    position.expect_receipt("R1", 3, DAY)
    error = refusal(lambda: position.receipt_arrived("R1", 4))
    assert error.field == "lines"
    assert str(error) == (
        "lines: receipt 'R1' has 3 of sku 'SERUM' still to come at 'S1', 4 received; "
        "receive the extra units without the reference"
    )


# --- receipts announced and arriving -----------------------------------------------------


def test_announcing_a_receipt_records_what_it_adds_and_again_the_same_changes_nothing():
    position = new_position()
    assert position.expect_receipt("R1", 3, DAY) is True
    [announced] = position.collect_events()
    assert (announced.quantity, announced.previous, stock_change(announced).expected) == (3, 0, 3)
    assert position.expect_receipt("R1", 3, DAY) is False
    assert event_names(position) == []
    assert position.expect_receipt("R1", 3, 2 * DAY) is True  # the same units, later
    assert position.expect_receipt("R1", 5, 2 * DAY) is True
    [_, raised] = position.collect_events()
    assert (raised.previous, stock_change(raised).expected) == (3, 2)
    assert position.expected == {"R1": {"quantity": 5, "expected_at_us": 2 * DAY}}


def test_units_arriving_under_a_reference_leave_the_rest_still_to_come():
    position = new_position()
    position.expect_receipt("R1", 5, DAY)
    position.collect_events()
    position.receipt_arrived("R1", 2)
    [arrived] = position.collect_events()
    assert (arrived.quantity, arrived.left, arrived.cancelled) == (2, 3, 0)
    assert position.expected == {"R1": {"quantity": 3, "expected_at_us": DAY}}
    assert position.expected_units == 3


def test_a_final_delivery_cancels_what_is_left_of_the_receipt():
    position = new_position()
    position.expect_receipt("R1", 5, DAY)
    position.collect_events()
    position.receipt_arrived("R1", 2, final=True)
    [arrived] = position.collect_events()
    assert (arrived.quantity, arrived.left, arrived.cancelled) == (2, 0, 3)
    assert stock_change(arrived).expected == -5
    assert position.expected == {}


def test_a_receipt_served_to_claims_before_the_units_are_on_hand_names_the_overdraft_without_a_movement():
    position = new_position()
    position.expect_receipt("R1", 3, DAY)
    position.claim("O1", 3, DAY, DAY)
    position.collect_events()
    position.receipt_arrived("R1", 3)
    oversold = [e for e in position.collect_events() if type(e).__name__ == "StockOversold"]
    assert [(e.order_ids, e.shortfall, e.movement_id) for e in oversold] == [(["O1"], 3, "")]


# --- claims on incoming stock ---------------------------------------------------------------


def test_a_claim_records_the_moment_it_must_be_had_by():
    position = new_position()
    position.expect_receipt("R1", 3, DAY)
    position.collect_events()
    position.claim("O1", 2, 3 * DAY, DAY)
    [claimed] = position.collect_events()
    assert (claimed.order_id, claimed.quantity, claimed.not_after_us) == ("O1", 2, 3 * DAY)


def test_when_a_receipt_shrinks_only_the_newest_claims_beyond_it_lose_their_cover():
    position = new_position()
    position.expect_receipt("R1", 6, DAY)
    for order_id in ("O1", "O2", "O3"):
        position.claim(order_id, 2, DAY, DAY)
    position.expect_receipt("R1", 6, 2 * DAY)  # later, nothing short
    assert position.uncovered == []
    position.collect_events()
    position.expect_receipt("R1", 3, DAY)
    uncovered = [e for e in position.collect_events() if type(e).__name__ == "ClaimsUncovered"]
    assert [(e.shortfall, e.order_ids) for e in uncovered] == [(3, ["O3", "O2"])]
    assert position.uncovered == ["O3", "O2"]


# --- transfers for an order ----------------------------------------------------------------


def test_a_transfer_made_for_an_order_becomes_that_orders_reservation_as_it_arrives():
    position = new_position()
    position.expect_transfer("T1", 2, order_id="O1")
    position.expect_transfer("T2", 1)
    assert position.earmarks == {"T1": "O1"}
    position.move("TRANSFER_IN", 2, 10, transfer_id="T1")
    assert position.reservations == {"O1": 2}
    assert position.earmarks == {}


# --- reserving for an order at several stores ---------------------------------------------------


def test_a_store_is_short_when_it_has_no_position_or_fewer_available_than_wanted():
    exactly = new_position(on_hand=3)
    positions = {("S1", "SERUM"): exactly, ("S2", "SERUM"): None}
    assert stores_short(positions, {("S1", "SERUM"): 3}) == frozenset()
    assert stores_short(positions, {("S1", "SERUM"): 4}) == {"S1"}
    assert stores_short(positions, {("S2", "SERUM"): 1}) == {"S2"}
    assert stores_short(positions, {("S3", "SERUM"): 1}) == {"S3"}


def test_reserving_across_stores_reserves_nothing_when_one_store_is_short():
    enough, short = StockPosition(store_id="S1", sku="SERUM"), StockPosition(store_id="S2", sku="SERUM")
    enough.receive(5, occurred_at_us=1)
    short.receive(1, occurred_at_us=1)
    positions = {("S1", "SERUM"): enough, ("S2", "SERUM"): short}
    assert reserve_all(positions, "O1", {("S1", "SERUM"): 2, ("S2", "SERUM"): 2}) == {"S2"}
    assert enough.reservations == {} and short.reservations == {}
    assert reserve_all(positions, "O1", {("S1", "SERUM"): 2, ("S2", "SERUM"): 1}) == frozenset()
    assert enough.reservations == {"O1": 2} and short.reservations == {"O1": 1}


# --- what the read models add up ------------------------------------------------------------


def figures(position: StockPosition) -> tuple[int, int, int, int, int]:
    return position.on_hand, position.reserved, position.safety_stock, position.in_transit_units, position.expected_units


def test_the_changes_the_read_models_add_up_are_the_positions_own_figures_after_every_kind_of_event():
    position = StockPosition(store_id="S1", sku="SERUM")
    added_up = [0, 0, 0, 0, 0]
    steps = [
        lambda: position.receive(10, occurred_at_us=100),
        lambda: position.expect_transfer("T1", 4),
        lambda: position.expect_transfer("T2", 2, order_id="O9"),
        lambda: position.move("TRANSFER_IN", 3, 200, transfer_id="T1"),
        lambda: position.count(12, occurred_at_us=300),
        lambda: position.move("SALE", -1, 250),  # before the count: superseded, on hand unchanged
        lambda: position.apply_movements([["m1", "SALE", 2, 400, "", ""], ["m2", "TRANSFER_IN", 1, 410, "T1", ""]]),
        lambda: position.set_safety_stock(2),
        lambda: position.reserve("O1", 3),
        lambda: position.move("TRANSFER_IN", 2, 500, transfer_id="T2"),  # O9's reservation
        lambda: position.expect_receipt("R1", 5, DAY),
        lambda: position.claim("O2", 2, DAY, DAY),
        lambda: position.receipt_arrived("R1", 2),  # O2's claim served, reserved
        lambda: position.receive(2, occurred_at_us=600),
        lambda: position.release("O1", "changed my mind", quantity=1),
        lambda: position.pick("O9", 700),
        lambda: position.receipt_arrived("R1", 1, final=True),
        lambda: position.move("TRANSFER_IN", 1, 800),  # named no transfer: nothing was in transit
        lambda: position.move("TRANSFER_OUT", -1, 810, transfer_id="T5"),  # in transit at the other store
    ]
    for step in steps:
        step()
        for event in position.collect_events():
            change = stock_change(event)
            for i, amount in enumerate((change.on_hand, change.reserved, change.safety_stock, change.in_transit, change.expected)):
                added_up[i] += amount
        assert tuple(added_up) == figures(position)
    assert figures(position) == (13, 4, 2, 0, 0)


# --- counts and corrections -------------------------------------------------------------------


def test_a_count_states_on_hand_as_of_its_moment_keeping_the_movements_after_it():
    position = new_position()
    position.receive(5, occurred_at_us=100)
    position.move("SALE", -2, 500)
    position.move("RETURN", 1, 700)
    position.count(10, occurred_at_us=500)  # the sale at 500 is inside the count, the return after it is not
    assert position.on_hand == 11
    assert (position.counted_at_us, position.after_count) == (500, [[700, 1]])


def test_a_count_older_than_the_latest_is_recorded_as_superseded_and_changes_nothing():
    position = new_position()
    position.receive(5, occurred_at_us=100)
    position.count(4, movement_id="c2", occurred_at_us=400)
    position.collect_events()
    position.count(9, movement_id="c1", occurred_at_us=300)
    [counted] = position.collect_events()
    assert (counted.movement_id, counted.superseded, counted.on_hand, counted.previous_on_hand) == ("c1", True, 4, 4)
    assert (position.on_hand, position.counted_at_us) == (4, 400)


def test_a_count_below_the_reservations_names_the_orders_losing_their_units_under_the_counts_movement():
    position = new_position(on_hand=3)
    position.reserve("O1", 2)
    position.reserve("O2", 1)
    position.collect_events()
    position.count(2, movement_id="c1", occurred_at_us=50)
    counted, oversold = position.collect_events()
    assert (counted.movement_id, counted.superseded) == ("c1", False)
    assert (oversold.order_ids, oversold.movement_id) == (["O2"], "c1")


def test_a_correction_is_an_adjustment_movement_noting_its_reason():
    position = new_position(on_hand=3)
    position.adjust(-1, "broken jar", movement_id="a1", occurred_at_us=50)
    [moved] = position.collect_events()
    assert (moved.kind, moved.change, moved.movement_id, moved.note, moved.occurred_at_us) == ("ADJUSTMENT", -1, "a1", "broken jar", 50)
    position.adjust(1, "found one")
    [moved] = position.collect_events()
    assert (moved.movement_id, moved.occurred_at_us) == ("", 0)


def test_a_correction_below_zero_is_refused_saying_what_would_be_left():
    position = new_position(on_hand=3)
    error = refusal(lambda: position.adjust(-4, "typo"))
    assert str(error) == "adjusting sku 'SERUM' at store 'S1' by -4 would leave -1 on hand; record a count instead"


# --- releasing ------------------------------------------------------------------------------


def test_releasing_part_of_an_order_gives_back_its_claim_first_then_its_reservation():
    position = new_position(on_hand=2)
    position.expect_receipt("R1", 5, DAY)
    position.reserve("O1", 2)
    position.claim("O1", 2, DAY, DAY)
    position.collect_events()
    position.release("O1", "two fewer", quantity=3)
    claim_released, reservation_released = position.collect_events()
    assert (claim_released.quantity, claim_released.left, claim_released.reason) == (2, 0, "two fewer")
    assert (reservation_released.quantity, reservation_released.left) == (1, 1)
    assert (position.claims, position.reservations) == ({}, {"O1": 1})


def test_releasing_less_than_an_order_claimed_keeps_the_rest_claimed_and_its_reservation():
    position = new_position(on_hand=2)
    position.expect_receipt("R1", 5, DAY)
    position.reserve("O1", 2)
    position.claim("O1", 3, DAY, DAY)
    position.collect_events()
    position.release("O1", "one fewer", quantity=1)
    [claim_released] = position.collect_events()
    assert (claim_released.quantity, claim_released.left) == (1, 2)
    assert (position.claims, position.reservations) == ({"O1": 2}, {"O1": 2})


def test_releasing_all_of_an_order_drops_its_own_earmarks_and_no_other_orders():
    position = new_position()
    position.expect_transfer("T1", 2, order_id="O1")
    position.expect_transfer("T2", 1, order_id="O2")
    position.collect_events()
    position.release("O1", "one line cancelled", quantity=1)
    assert position.earmarks == {"T1": "O1", "T2": "O2"}  # a part released: its transfer still comes for it
    position.release("O1", "cancelled")
    [dropped] = position.collect_events()
    assert (dropped.order_id, dropped.transfer_ids, dropped.reason) == ("O1", ["T1"], "cancelled")
    assert position.earmarks == {"T2": "O2"}


def test_picking_an_order_the_counter_had_taken_the_units_of_names_the_next_order_short_with_no_movement():
    position = new_position(on_hand=3)
    position.reserve("O1", 2)
    position.reserve("O2", 1)
    position.move("SALE", -1, 50, movement_id="s1")  # O2 loses its unit
    assert position.losing == ["O2"]
    position.collect_events()
    position.pick("O2", 60)  # the shelf had it after all: now O1 is short
    oversold = [e for e in position.collect_events() if type(e).__name__ == "StockOversold"]
    assert [(e.order_ids, e.movement_id) for e in oversold] == [(["O1"], "")]


# --- movements and transfers arriving -----------------------------------------------------------


def test_a_movement_records_its_kind_id_and_note_and_none_when_not_given():
    position = new_position()
    position.receive(3, movement_id="r1", occurred_at_us=10)
    position.move("DAMAGE", -1, 20)
    position.count(2)
    received, damaged, counted = position.collect_events()
    assert (received.kind, received.movement_id, received.note) == ("RECEIPT", "r1", "")
    assert (damaged.kind, damaged.movement_id, damaged.note) == ("DAMAGE", "", "")
    assert (counted.movement_id, counted.occurred_at_us) == ("", 0)
    position.receive(1)
    [received] = position.collect_events()
    assert (received.movement_id, received.occurred_at_us) == ("", 0)


def test_a_movement_at_the_moment_of_the_latest_count_or_before_it_is_inside_the_count():
    position = new_position()
    position.count(5, occurred_at_us=500)
    position.move("SALE", -1, 500)
    position.move("SALE", -1, 1)
    assert position.on_hand == 5
    position.move("SALE", -1, 501)
    assert position.on_hand == 4


def test_a_sale_below_the_reservations_names_the_orders_losing_their_units_under_the_sales_movement():
    position = new_position(on_hand=2)
    position.reserve("O1", 2)
    position.collect_events()
    position.move("SALE", -1, 50, movement_id="s1")
    oversold = [e for e in position.collect_events() if type(e).__name__ == "StockOversold"]
    assert [(e.order_ids, e.movement_id) for e in oversold] == [(["O1"], "s1")]


def test_units_arriving_for_a_transfer_this_store_never_saw_dispatched_are_on_hand():
    position = new_position()
    position.move("TRANSFER_IN", 2, 10, transfer_id="T9")
    assert (position.on_hand, position.in_transit) == (2, {})


def test_each_transfer_arriving_serves_its_own_order_and_one_still_in_transit_serves_nobody():
    position = new_position()
    position.expect_transfer("T1", 2, order_id="O1")
    position.expect_transfer("T2", 1, order_id="O2")
    position.collect_events()
    position.move("TRANSFER_IN", 1, 10, transfer_id="T2")
    served = [e for e in position.collect_events() if type(e).__name__ == "TransferServed"]
    assert [(e.transfer_id, e.order_id, e.quantity, e.done) for e in served] == [("T2", "O2", 1, True)]
    assert position.reservations == {"O2": 1}


def test_units_of_several_transfers_arriving_at_once_all_serve_the_claims_and_other_movements_serve_none():
    position = new_position()
    position.expect_transfer("T1", 2)
    position.expect_transfer("T2", 1)
    position.claim("O1", 3, DAY, 0)
    position.receive(5, occurred_at_us=5)  # not incoming stock: no claim is served by it
    assert position.claims == {"O1": 3}
    position.apply_movements([["m1", "TRANSFER_IN", 2, 10, "T1", ""], ["m2", "TRANSFER_IN", 1, 11, "T2", ""]])
    assert (position.claims, position.reservations) == ({}, {"O1": 3})


def test_safety_stock_changes_add_up_to_what_it_is_now():
    position = new_position()
    position.set_safety_stock(3)
    position.set_safety_stock(1)
    assert sum(stock_change(e).safety_stock for e in position.collect_events()) == 1


def test_a_receipt_arrival_recorded_before_short_deliveries_could_be_closed_counts_nothing_cancelled():
    position = new_position()
    position.expect_receipt("R1", 3, DAY)
    position.receipt_arrived("R1", 2)
    arrived = position.collect_events()[-1]
    recorded_before = type(arrived).__new__(type(arrived))
    recorded_before.__dict__.update({k: v for k, v in arrived.__dict__.items() if k != "cancelled"})
    assert stock_change(recorded_before).expected == -2


def test_a_pos_batch_counts_and_moves_in_order_and_names_an_oversell_under_its_last_movement():
    position = new_position(on_hand=3)
    position.reserve("O1", 2)
    position.reserve("O2", 1)
    position.collect_events()
    superseded = position.apply_movements([
        ["c1", "COUNT", 2, 20, "", ""],
        ["m2", "SALE", 1, 30, "", ""],
        ["m3", "SALE", 1, 15, "", ""],  # before the count: inside it already
        ["m4", "RETURN", 1, 40, "", ""],
    ])
    assert superseded == [False, False, True, False]
    assert (position.on_hand, position.counted_at_us) == (2, 20)
    oversold = [e for e in position.collect_events() if type(e).__name__ == "StockOversold"]
    assert [(e.order_ids, e.movement_id) for e in oversold] == [(["O2"], "m4")]


def test_arriving_units_serve_the_earliest_claims_and_the_claims_they_do_not_reach_hold_nothing():
    position = new_position()
    position.expect_receipt("R1", 5, DAY)
    position.claim("O1", 2, DAY, DAY)
    position.claim("O2", 3, DAY, DAY)
    position.receive(4, occurred_at_us=5)  # not the receipt's units: serves no claim
    position.collect_events()
    position.receipt_arrived("R1", 2)
    served = [e for e in position.collect_events() if type(e).__name__ == "ClaimsServed"]
    assert [e.served for e in served] == [[["O1", 2]]]
    assert (position.claims, position.reservations) == ({"O2": 3}, {"O1": 2})
