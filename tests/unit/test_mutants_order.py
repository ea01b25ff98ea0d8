"""The order's way through its stores, on the aggregate itself: the mutation run
(docs/mutation-testing.md) found these steps exercised only through the server (tests/e2e),
which it cannot run, or exercised without their refusals and their records pinned down.

Paying, accepting, picking, handing over (to a courier, or to the customer with the pickup
code), delivering, cancelling the order or some of its lines, returning, moving a shipment to
other stores or flagging it, a backorder served, and what the order's events record."""

from __future__ import annotations

import pytest

from aggregates.order import (
    ACCEPTED,
    ALLOCATED,
    BACKORDERED,
    CANCELLED,
    DELIVERED,
    HANDED_OVER,
    NEEDS_ATTENTION,
    PICKED,
    TO_COURIER,
    TO_CUSTOMER,
    UNFULFILLABLE,
    Order,
    lines_to_record,
    order_status,
    sale_record,
    shipment_record,
)
from domain.attribution import DEFAULT_TERMS, HQ
from domain.dealers import DEFAULT_BRAND
from domain.errors import (
    DomainError,
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidInput,
    OrderNotAllocatable,
    OrderNotCancellable,
    ShipmentNotFound,
)
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine, order_lines, order_total

DAY = "2026-11-23"
PICKUP_CODE = "482913"
PRICES = {"SERUM": 1990, "CREAM": 4500}


def placed(mode: FulfilmentMode = FulfilmentMode.DELIVERY, quantities: dict[str, int] | None = None) -> Order:
    lines = order_lines([OrderLine(sku, units, Money(PRICES[sku], "CNY")) for sku, units in (quantities or {"SERUM": 2, "CREAM": 1}).items()])
    return Order.place(
        idempotency_key="checkout-1", request_fingerprint="sha256:abc", customer_id="cust-1",
        customer_location=GeoPoint(31.23, 121.47), lines=lines, fulfilment_mode=mode,
        pickup_store_id="S1" if mode is FulfilmentMode.PICKUP else "", total=order_total(lines),
        pickup_code=PICKUP_CODE,
    )


def allocated(mode: FulfilmentMode = FulfilmentMode.DELIVERY, split: bool = False) -> Order:
    order = placed(mode)
    if split:
        order.allocate([shipment_record("S1", 100, DAY, {"SERUM": 2}), shipment_record("S2", 900, DAY, {"CREAM": 1})], "SPLIT")
    else:
        order.allocate([shipment_record("S1", 100, DAY, order.quantities())])
    return order


def paid(order: Order) -> Order:
    order.confirm_payment("pay-1", order.total_cents)
    return order


def picked(mode: FulfilmentMode = FulfilmentMode.DELIVERY) -> Order:
    order = paid(allocated(mode))
    order.accept("S1")
    order.mark_picked("S1")
    return order


def delivered() -> Order:
    order = picked()
    order.hand_over("S1", TO_COURIER)
    order.mark_delivered("S1")
    return order


def refusal(action) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action()
    return caught.value


def new_events(order: Order) -> list:
    return order.collect_events()


# --- paying ---------------------------------------------------------------------------------


def test_a_payment_is_recorded_with_its_amount_and_caller_and_again_changes_nothing():
    order = allocated()
    new_events(order)
    order.confirm_payment("pay-1", order.total_cents, by="pos:1")
    [payment] = new_events(order)
    assert (payment.payment_id, payment.amount_cents, payment.by) == ("pay-1", 8480, "pos:1")
    order.confirm_payment("pay-1", order.total_cents)
    assert new_events(order) == []


def test_a_payment_that_is_not_the_orders_total_is_refused_as_the_amount():
    error = refusal(lambda: allocated().confirm_payment("pay-1", 8479))
    assert isinstance(error, InvalidInput)
    assert (error.field, str(error)) == ("amount", "amount: is 8479 cents; the order's total is 8480 CNY cents")


def test_a_second_payment_or_one_for_a_cancelled_order_is_refused_saying_why():
    order = paid(allocated())
    second = refusal(lambda: order.confirm_payment("pay-2", order.total_cents))
    assert isinstance(second, IllegalTransition)
    assert str(second) == f"order {order.order_id} is already paid by payment 'pay-1'"
    cancelled = allocated()
    cancelled.cancel("changed my mind")
    late = refusal(lambda: cancelled.confirm_payment("pay-1", cancelled.total_cents))
    assert str(late) == f"order {cancelled.order_id} is CANCELLED (changed my mind); refund the payment"


# --- the store's steps ------------------------------------------------------------------------


def test_an_unpaid_order_is_not_accepted_but_a_paid_one_is_once():
    order = allocated()
    unpaid = refusal(lambda: order.accept("S1"))
    assert isinstance(unpaid, IllegalTransition)
    assert str(unpaid) == f"order {order.order_id} is ALLOCATED and awaiting payment; it can be accepted once paid"
    paid(order)
    new_events(order)
    order.accept("S1", by="pos:1")
    [accepted] = new_events(order)
    assert (type(accepted).__name__, accepted.store_id, accepted.by) == ("ShipmentAccepted", "S1", "pos:1")
    assert order.status == ACCEPTED
    order.accept("S1")  # a retried step
    assert new_events(order) == []


def test_a_step_out_of_turn_names_where_the_shipment_is_and_where_it_must_be():
    order = paid(allocated())
    early = refusal(lambda: order.mark_picked("S1"))
    assert isinstance(early, IllegalTransition)
    assert str(early) == f"the shipment of order {order.order_id} from 'S1' is ALLOCATED; it must be ACCEPTED to become PICKED"
    order.cancel("out of stock")
    after_cancel = refusal(lambda: order.accept("S1"))
    assert str(after_cancel) == f"the shipment of order {order.order_id} from 'S1' is CANCELLED; it must be ALLOCATED to become ACCEPTED"


def test_a_step_at_a_store_the_order_has_no_shipment_from_is_refused_naming_both():
    order = paid(allocated())
    error = refusal(lambda: order.accept("S9"))
    assert isinstance(error, ShipmentNotFound)
    assert str(error) == f"order {order.order_id!r} has no shipment from store 'S9'"


def test_a_delivery_goes_to_the_courier_and_is_delivered_after():
    order = picked()
    new_events(order)
    order.hand_over("S1", TO_COURIER, by="pos:1")
    [handed] = new_events(order)
    assert (handed.to, handed.status, handed.by) == (TO_COURIER, HANDED_OVER, "pos:1")
    assert order.status == HANDED_OVER
    order.hand_over("S1", TO_COURIER)  # a retried step
    assert new_events(order) == []
    order.mark_delivered("S1", by="courier:1")
    [done] = new_events(order)
    assert (type(done).__name__, done.by) == ("ShipmentDelivered", "courier:1")
    assert order.status == DELIVERED
    order.mark_delivered("S1")  # a retried step
    assert new_events(order) == []


def test_a_pickup_is_handed_to_the_customer_with_the_pickup_code_and_is_delivered_at_once():
    order = picked(FulfilmentMode.PICKUP)
    wrong = refusal(lambda: order.hand_over("S1", TO_CUSTOMER, pickup_code="000000"))
    assert isinstance(wrong, InvalidInput)
    assert str(wrong) == "pickup_code: does not match the order's pickup code; ask the customer for the code they received"
    courier = refusal(lambda: order.hand_over("S1", TO_COURIER))
    assert str(courier) == f"order {order.order_id} is PICKUP: hand it over to the customer with the pickup code"
    order.hand_over("S1", TO_CUSTOMER, pickup_code=PICKUP_CODE)
    assert order.status == DELIVERED


def test_a_delivery_is_not_handed_to_the_customer_and_nobody_else_takes_anything():
    order = picked()
    customer = refusal(lambda: order.hand_over("S1", TO_CUSTOMER, pickup_code=PICKUP_CODE))
    assert isinstance(customer, IllegalTransition)
    assert str(customer) == f"order {order.order_id} is DELIVERY: hand it over to the courier"
    stranger = refusal(lambda: order.hand_over("S1", "NEIGHBOUR"))
    assert (stranger.field, str(stranger)) == ("to", "to: must be COURIER or CUSTOMER, got 'NEIGHBOUR'")
    assert order.status == PICKED


# --- cancelling -----------------------------------------------------------------------------------


def test_an_order_is_cancelled_once_with_its_reason_and_caller():
    order = allocated()
    new_events(order)
    order.cancel("changed my mind", by="customer:1")
    [cancelled] = new_events(order)
    assert (cancelled.reason, cancelled.by) == ("changed my mind", "customer:1")
    assert (order.status, order.holding_reservations()) == (CANCELLED, [])
    again = refusal(lambda: order.cancel("again"))
    assert isinstance(again, OrderNotCancellable)


def test_an_order_a_store_has_picked_is_not_cancelled_naming_the_store():
    order = paid(allocated(split=True))
    order.accept("S2")
    order.mark_picked("S2")
    error = refusal(lambda: order.cancel("too late"))
    assert isinstance(error, OrderNotCancellable)
    assert str(error) == (
        f"order {order.order_id} is ALLOCATED: store 'S2' has already picked it; "
        "it can no longer be cancelled (return it once delivered)"
    )
    assert not order.cancelled


def test_only_shipments_not_yet_picked_hold_reservations():
    order = paid(allocated(split=True))
    assert [s["store_id"] for s in order.holding_reservations()] == ["S1", "S2"]
    order.accept("S2")
    order.mark_picked("S2")
    assert [s["store_id"] for s in order.holding_reservations()] == ["S1"]


def test_a_shipment_recorded_before_statuses_were_recorded_counts_as_allocated():
    order = placed()
    order.allocate([{"store_id": "S1", "distance_m": 100, "store_day": DAY, "scheduled_for": "", "lines": order.quantities()}])
    assert [s["store_id"] for s in order.holding_reservations()] == ["S1"]
    assert order.status == ALLOCATED


# --- returns ------------------------------------------------------------------------------------


def test_a_return_refunds_each_line_at_the_price_paid_and_a_retry_changes_nothing():
    order = delivered()
    new_events(order)
    assert order.record_return("R1", "S1", {"SERUM": 1}, by="pos:1") is True
    [returned] = new_events(order)
    assert (returned.store_id, returned.lines, returned.by) == ("S1", [{"sku": "SERUM", "quantity": 1, "refund_cents": 1990}], "pos:1")
    assert order.record_return("R1", "S1", {"SERUM": 1}) is False
    assert new_events(order) == []
    assert order.returned_units() == {"SERUM": 1}
    order.record_return("R2", "S1", {"SERUM": 1, "CREAM": 1})
    assert order.returned_units() == {"SERUM": 2, "CREAM": 1}


def test_a_return_key_used_again_for_another_return_is_refused():
    order = delivered()
    order.record_return("R1", "S1", {"SERUM": 1})
    for other_store, other_units in (("S2", {"SERUM": 1}), ("S1", {"SERUM": 2})):
        error = refusal(lambda: order.record_return("R1", other_store, other_units))
        assert isinstance(error, IdempotencyKeyReused)
        assert str(error).startswith("idempotency_key 'R1' was already used")


def test_more_than_was_delivered_and_not_yet_returned_cannot_be_returned():
    order = delivered()
    order.record_return("R1", "S1", {"SERUM": 1})
    too_many = refusal(lambda: order.record_return("R2", "S1", {"SERUM": 2}))
    assert isinstance(too_many, IllegalTransition)
    assert str(too_many) == f"order {order.order_id} has 1 of sku 'SERUM' left to return, 2 asked"
    unknown = refusal(lambda: order.record_return("R3", "S1", {"TONER": 1}))
    assert (unknown.field, str(unknown)) == ("lines", f"lines: sku 'TONER' is not in order {order.order_id}")
    order.record_return("R4", "S1", {"SERUM": 1})  # exactly what is left


def test_an_order_not_delivered_cannot_be_returned():
    order = picked()
    error = refusal(lambda: order.record_return("R1", "S1", {"SERUM": 1}))
    assert isinstance(error, IllegalTransition)
    assert str(error) == f"order {order.order_id} is PICKED; only a DELIVERED order can be returned"


# --- moving a shipment --------------------------------------------------------------------------


def test_a_shipment_moves_to_stores_shipping_the_same_units_and_the_move_is_explained():
    order = allocated(split=True)
    new_events(order)
    order.reroute(
        "S1", "OVERSOLD", "sold at the counter", [shipment_record("S3", 400, DAY, {"SERUM": 2})], "ONE_STORE", {"why": 1},
        by="system",
    )
    [moved] = new_events(order)
    assert (moved.from_store_id, moved.cause, moved.reason, moved.fulfilment, moved.by) == ("S1", "OVERSOLD", "sold at the counter", "SPLIT", "system")
    assert order.store_ids == ["S3", "S2"]
    assert order.reroutes == [{"store_id": "S1", "cause": "OVERSOLD", "reason": "sold at the counter", "to": ["S3"]}]
    assert (order.fulfilment, order.explanation) == ("SPLIT", {"why": 1})


def test_a_single_shipment_moved_keeps_the_fulfilment_it_is_given():
    order = allocated()
    order.reroute("S1", "OVERSOLD", "sold out", [shipment_record("S3", 400, DAY, order.quantities())], "ONE_STORE", {})
    assert (order.store_ids, order.fulfilment) == (["S3"], "ONE_STORE")


def test_a_move_that_does_not_ship_the_same_units_or_goes_to_a_store_already_shipping_is_refused():
    order = allocated(split=True)
    fewer = refusal(lambda: order.reroute("S1", "OVERSOLD", "", [shipment_record("S3", 400, DAY, {"SERUM": 1})], "SPLIT", {}))
    assert isinstance(fewer, OrderNotAllocatable)
    assert str(fewer) == f"order {order.order_id}: the new shipments ({{'SERUM': 1}}) are not the moving one ({{'SERUM': 2}})"
    nowhere = refusal(lambda: order.reroute("S1", "OVERSOLD", "", [], "SPLIT", {}))
    assert isinstance(nowhere, OrderNotAllocatable)
    onto_another = refusal(lambda: order.reroute("S1", "OVERSOLD", "", [shipment_record("S2", 900, DAY, {"SERUM": 2})], "SPLIT", {}))
    assert str(onto_another) == f"order {order.order_id} already has a shipment from 'S2'"
    assert order.store_ids == ["S1", "S2"]


def test_a_shipment_already_picked_is_neither_moved_nor_flagged():
    order = picked()
    error = refusal(lambda: order.flag_unfulfillable("S1", "OVERSOLD", "gone"))
    assert isinstance(error, IllegalTransition)
    assert str(error) == f"the shipment of order {order.order_id} from 'S1' is PICKED and cannot be flagged"
    order = allocated()
    order.cancel("changed my mind")
    error = refusal(lambda: order.reroute("S1", "OVERSOLD", "", [shipment_record("S3", 1, DAY, order.quantities())], "ONE_STORE", {}))
    assert str(error) == f"the shipment of order {order.order_id} from 'S1' is CANCELLED and cannot be rerouted"


def test_a_shipment_no_store_can_take_needs_attention():
    order = allocated(split=True)
    new_events(order)
    order.flag_unfulfillable("S2", "OVERSOLD", "sold at the counter", by="system")
    [flagged] = new_events(order)
    assert (flagged.store_id, flagged.cause, flagged.by) == ("S2", "OVERSOLD", "system")
    assert order.shipment_from("S2")["status"] == UNFULFILLABLE
    assert order.status == NEEDS_ATTENTION
    assert order.reroutes == [{"store_id": "S2", "cause": "OVERSOLD", "reason": "sold at the counter", "to": []}]


# --- a backorder served -------------------------------------------------------------------------


def backordered() -> Order:
    order = placed(quantities={"SERUM": 3})
    order.allocate([shipment_record("S1", 100, DAY, {"SERUM": 3}, awaiting={"SERUM": 3}, not_after="2026-11-30T00:00:00Z")])
    return order


def test_a_backorder_waits_for_what_is_not_reserved_yet_and_is_allocated_when_nothing_is():
    order = backordered()
    assert order.shipment_from("S1")["status"] == BACKORDERED
    new_events(order)
    assert order.backorder_served("S1", {"SERUM": 1}, by="system") is True
    [served] = new_events(order)
    assert (served.awaiting, served.by) == ({"SERUM": 2}, "system")
    assert order.shipment_from("S1")["status"] == BACKORDERED
    assert order.backorder_served("S1", {"SERUM": 1}) is False  # nothing new
    assert order.backorder_served("S1", {"SERUM": 3}) is True
    assert (order.shipment_from("S1")["status"], order.shipment_from("S1")["awaiting"]) == (ALLOCATED, {})
    assert order.backorder_served("S1", {"SERUM": 3}) is False  # not waiting any more


def test_a_cancelled_backorder_is_not_served():
    order = backordered()
    order.cancel("changed my mind")
    assert order.backorder_served("S1", {"SERUM": 3}) is False


# --- who caused it --------------------------------------------------------------------------------


def steps_without_a_caller() -> list[tuple[str, object]]:
    """(name, a function taking a fresh order through one step, no caller named)."""

    def return_one(order: Order) -> None:
        order.hand_over("S1", TO_COURIER)
        order.mark_delivered("S1")
        order.record_return("R1", "S1", {"SERUM": 1})

    return [
        ("confirm_payment", lambda order: None),  # the last step of setting up
        ("accept", lambda order: order.accept("S1")),
        ("mark_picked", lambda order: (order.accept("S1"), order.mark_picked("S1"))),
        ("hand_over", lambda order: (order.accept("S1"), order.mark_picked("S1"), order.hand_over("S1", TO_COURIER))),
        ("mark_delivered", lambda order: (
            order.accept("S1"), order.mark_picked("S1"), order.hand_over("S1", TO_COURIER), order.mark_delivered("S1"),
        )),
        ("record_return", lambda order: (order.accept("S1"), order.mark_picked("S1"), return_one(order))),
        ("cancel", lambda order: order.cancel("changed my mind")),
        ("cancel_lines", lambda order: order.cancel_lines("C1", {"SERUM": 1}, "one is enough")),
        ("reroute", lambda order: order.reroute("S1", "OVERSOLD", "", [shipment_record("S3", 1, DAY, order.quantities())], "ONE_STORE", {})),
        ("flag_unfulfillable", lambda order: order.flag_unfulfillable("S1", "OVERSOLD", "")),
    ]


@pytest.mark.parametrize("name, step", steps_without_a_caller(), ids=[name for name, _ in steps_without_a_caller()])
def test_a_step_no_caller_is_named_for_records_an_unknown_caller(name, step):
    order = placed()
    order.allocate([shipment_record("S1", 100, DAY, order.quantities())])
    order.confirm_payment("pay-1", order.total_cents)
    step(order)
    assert order.collect_events()[-1].by == ""


def test_a_pickup_order_placed_before_pickup_codes_is_handed_over_without_one():
    lines = order_lines([OrderLine("SERUM", 1, Money(1990, "CNY"))])
    order = Order.place(
        idempotency_key="checkout-old", request_fingerprint="sha256:abc", customer_id="cust-1",
        customer_location=GeoPoint(31.23, 121.47), lines=lines, fulfilment_mode=FulfilmentMode.PICKUP,
        pickup_store_id="S1", total=order_total(lines),
    )
    order.allocate([shipment_record("S1", 0, DAY, order.quantities())])
    paid(order)
    order.accept("S1")
    order.mark_picked("S1")
    order.hand_over("S1", TO_CUSTOMER)
    assert order.status == DELIVERED


def test_a_shipment_moves_to_several_stores_sharing_its_units_of_a_line():
    order = allocated(split=True)
    order.reroute(
        "S1", "OVERSOLD", "", [shipment_record("S3", 400, DAY, {"SERUM": 1}), shipment_record("S4", 500, DAY, {"SERUM": 1})],
        "SPLIT", {},
    )
    assert order.store_ids == ["S3", "S4", "S2"]


def test_a_backorder_of_several_lines_awaits_every_line_not_yet_reserved():
    order = placed(quantities={"SERUM": 2, "CREAM": 1})
    order.allocate([shipment_record("S1", 100, DAY, order.quantities(), awaiting=order.quantities(), not_after="2026-11-30T00:00:00Z")])
    assert order.backorder_served("S1", {"SERUM": 2}) is True
    assert order.shipment_from("S1")["awaiting"] == {"CREAM": 1}


# --- cancelling lines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "units, field, message",
    [
        ({}, "lines", "lines: name at least one line to cancel"),
        ({"TONER": 1}, "lines", "lines: sku 'TONER' is not in order {order_id}"),
        ({"SERUM": 0}, "lines", "lines: the quantity of sku 'SERUM' must be positive, got 0"),
        ({"SERUM": 3}, "lines", "lines: order {order_id} has 2 of sku 'SERUM', 3 asked"),
    ],
)
def test_lines_that_cannot_be_cancelled_are_refused_naming_the_line(units, field, message):
    order = paid(allocated())
    error = refusal(lambda: order.units_to_cancel(units))
    assert isinstance(error, InvalidInput)
    assert (error.field, str(error)) == (field, message.format(order_id=order.order_id))


def test_cancelling_every_unit_or_lines_of_a_cancelled_order_is_refused_saying_what_to_do():
    order = paid(allocated())
    every_unit = refusal(lambda: order.units_to_cancel(order.quantities()))
    assert isinstance(every_unit, OrderNotCancellable)
    assert str(every_unit) == f"these are all the units of order {order.order_id}: cancel the order instead (CancelOrder)"
    order.cancel("changed my mind")
    cancelled = refusal(lambda: order.units_to_cancel({"SERUM": 1}))
    assert str(cancelled) == f"order {order.order_id} is already cancelled"


def test_units_on_their_way_from_another_store_are_not_cancelled_until_they_arrive():
    order = placed()
    transfer = {"transfer_id": "S1/T1", "from_store_id": "S2", "lines": {"SERUM": 2}}
    order.allocate([shipment_record("S1", 100, DAY, order.quantities(), awaiting={"SERUM": 2}, transfers=[transfer])])
    error = refusal(lambda: order.units_to_cancel({"SERUM": 1}))
    assert isinstance(error, IllegalTransition)
    assert str(error) == (
        f"the shipment of order {order.order_id} from 'S1' is AWAITING_TRANSFER: its units of sku 'SERUM' are on their "
        "way from another store; cancel them once they have arrived, or cancel the order"
    )


def test_a_shipment_recorded_before_statuses_were_recorded_gives_up_its_lines_as_allocated():
    order = placed()
    order.allocate([{"store_id": "S1", "distance_m": 100, "store_day": DAY, "scheduled_for": "", "lines": order.quantities()}])
    assert order.units_to_cancel({"SERUM": 1}) == [{"store_id": "S1", "lines": {"SERUM": 1}, "emptied": False}]


def test_a_cancellation_key_used_again_for_other_lines_is_refused_naming_the_key_and_the_order():
    order = paid(allocated())
    assert order.cancel_lines("C1", {"SERUM": 1}, "one is enough") is True
    assert order.cancel_lines("C1", {"SERUM": 1}, "one is enough") is False
    error = refusal(lambda: order.cancel_lines("C1", {"CREAM": 1}, "and no cream"))
    assert isinstance(error, IdempotencyKeyReused)
    assert str(error) == (
        f"idempotency_key 'C1' already cancelled other lines of order {order.order_id}; "
        "a retry must repeat the lines exactly, a new cancellation needs a new key"
    )



# --- what the order records -----------------------------------------------------------------------


def test_an_order_placed_records_who_placed_what_when_and_where_it_was_sold():
    sale = sale_record(cloud_shop_id="CS1", assistant_id="A1", seller="dealer:D1", brand_id="B1", policy_version=3)
    lines = order_lines([OrderLine("SERUM", 2, Money(1990, "CNY"))])
    order = Order.place(
        idempotency_key="checkout-2", request_fingerprint="sha256:def", customer_id="cust-2",
        customer_location=GeoPoint(31.23, 121.47), lines=lines, fulfilment_mode=FulfilmentMode.DELIVERY,
        pickup_store_id="", total=order_total(lines), placed_at_us=1_795_435_200_000_000, pickup_code="1234",
        sale=sale, by="checkout:abc",
    )
    [placed_event] = order.collect_events()
    assert placed_event.by == "checkout:abc"
    assert (order.request_fingerprint, order.customer_id, order.placed_at_us, order.pickup_code) == (
        "sha256:def", "cust-2", 1_795_435_200_000_000, "1234",
    )
    assert order.sale == sale
    assert order.lines == [{"sku": "SERUM", "quantity": 2, "unit_price_cents": 1990, "currency": "CNY"}]


def test_an_order_placed_with_nothing_said_of_its_sale_was_sold_by_hq_on_the_default_terms():
    lines = order_lines([OrderLine("SERUM", 1, Money(1990, "CNY"))])
    order = Order.place(
        idempotency_key="checkout-3", request_fingerprint="sha256:ghi", customer_id="cust-3",
        customer_location=GeoPoint(31.23, 121.47), lines=lines, fulfilment_mode=FulfilmentMode.DELIVERY,
        pickup_store_id="", total=order_total(lines),
    )
    [placed_event] = order.collect_events()
    assert (placed_event.by, order.placed_at_us, order.pickup_code) == ("", 0, "")
    assert order.sale == sale_record()


def test_the_records_events_carry_keep_their_keys():
    # events are stored for good: a key renamed here would make the old events unreadable
    assert sale_record() == {
        "cloud_shop_id": "", "assistant_id": "", "seller": HQ, "brand_id": DEFAULT_BRAND, "policy_version": 0,
        "terms": DEFAULT_TERMS.to_record(),
    }
    assert lines_to_record((OrderLine("SERUM", 2, Money(1990, "CNY")),)) == [
        {"sku": "SERUM", "quantity": 2, "unit_price_cents": 1990, "currency": "CNY"},
    ]
    assert shipment_record("S1", 100, DAY, {"SERUM": 2}) == {
        "store_id": "S1", "distance_m": 100, "store_day": DAY, "scheduled_for": "", "lines": {"SERUM": 2},
        "status": ALLOCATED, "promised_by": "", "slot": "",
    }
    backorder = shipment_record("S1", 100, DAY, {"SERUM": 2}, awaiting={"SERUM": 1})
    assert (backorder["status"], backorder["awaiting"], backorder["not_after"]) == (BACKORDERED, {"SERUM": 1}, "")
    transfer = {"transfer_id": "S1/T1", "from_store_id": "S2", "lines": {"SERUM": 1}}
    by_transfer = shipment_record("S1", 100, DAY, {"SERUM": 2}, awaiting={"SERUM": 1}, transfers=[transfer])
    assert (by_transfer["status"], by_transfer["awaiting"], by_transfer["transfers"]) == ("AWAITING_TRANSFER", {"SERUM": 1}, [transfer])
    assert "not_after" not in by_transfer
    assert shipment_record("S1", 100, DAY, {"SERUM": 2}, transfers=[transfer])["awaiting"] == {}


def test_the_orders_status_is_its_least_advanced_shipments_whatever_their_names():
    assert order_status(False, [ACCEPTED, ALLOCATED]) == ALLOCATED
    assert order_status(False, [DELIVERED, PICKED, HANDED_OVER]) == PICKED
    assert order_status(False, [ALLOCATED, BACKORDERED]) == BACKORDERED


def test_allocating_records_its_caller_and_refuses_shipments_that_are_not_the_order():
    order = placed()
    wrong = refusal(lambda: order.allocate([shipment_record("S1", 100, DAY, {"SERUM": 1})]))
    assert isinstance(wrong, OrderNotAllocatable)
    assert str(wrong) == (
        f"order {order.order_id}: the shipments ({{'SERUM': 1}}) are not the order ({{'SERUM': 2, 'CREAM': 1}})"
    )
    new_events(order)
    order.allocate([shipment_record("S1", 100, DAY, order.quantities())], by="checkout:abc")
    [allocated_event] = new_events(order)
    assert allocated_event.by == "checkout:abc"
    again = refusal(lambda: order.allocate([shipment_record("S1", 100, DAY, order.quantities())]))
    assert str(again) == f"order {order.order_id} is ALLOCATED and cannot be allocated"


def test_picking_records_its_caller():
    order = paid(allocated())
    order.accept("S1")
    new_events(order)
    order.mark_picked("S1", by="pos:2")
    [picked_event] = new_events(order)
    assert (type(picked_event).__name__, picked_event.by) == ("ShipmentPicked", "pos:2")


def test_cancelling_the_units_a_backorder_still_awaits_lets_it_go_ahead_with_what_it_holds():
    order = placed(quantities={"SERUM": 2, "CREAM": 1})
    order.allocate([shipment_record("S1", 100, DAY, order.quantities(), awaiting={"CREAM": 1}, not_after="2026-11-30T00:00:00Z")])
    paid(order)
    new_events(order)
    assert order.cancel_lines("C1", {"CREAM": 1}, "no cream after all", by="customer:1") is True
    cancelled, served = new_events(order)
    assert (type(cancelled).__name__, cancelled.reason, cancelled.by, cancelled.refund_cents) == (
        "OrderLinesCancelled", "no cream after all", "customer:1", 4500,
    )
    assert (type(served).__name__, served.store_id, served.awaiting, served.by) == ("BackorderServed", "S1", {}, "customer:1")
    assert order.shipment_from("S1")["status"] == ALLOCATED


def test_cancelling_units_a_backorder_holds_leaves_it_waiting_for_the_rest():
    order = placed(quantities={"SERUM": 2, "CREAM": 1})
    order.allocate([shipment_record("S1", 100, DAY, order.quantities(), awaiting={"CREAM": 1}, not_after="2026-11-30T00:00:00Z")])
    order.cancel_lines("C1", {"SERUM": 1}, "one is enough")
    assert [type(e).__name__ for e in new_events(order)][-1] == "OrderLinesCancelled"
    assert (order.shipment_from("S1")["status"], order.shipment_from("S1")["awaiting"]) == (BACKORDERED, {"CREAM": 1})


def test_allocating_without_a_caller_records_none():
    order = placed()
    new_events(order)
    order.allocate([shipment_record("S1", 100, DAY, order.quantities())])
    assert new_events(order)[-1].by == ""


def test_units_a_store_has_picked_cannot_be_cancelled_naming_that_store():
    order = placed(quantities={"SERUM": 3, "CREAM": 1})
    old_shipment = {"store_id": "S1", "distance_m": 900, "store_day": DAY, "scheduled_for": "", "lines": {"SERUM": 1}}
    order.allocate([shipment_record("S2", 100, DAY, {"SERUM": 2, "CREAM": 1}), old_shipment], "SPLIT")
    paid(order)
    order.accept("S2")
    order.mark_picked("S2")
    error = refusal(lambda: order.units_to_cancel({"SERUM": 2}))
    assert isinstance(error, IllegalTransition)
    assert str(error) == (
        f"the shipment of order {order.order_id} from 'S2' is PICKED; "
        "its units of sku 'SERUM' can no longer be cancelled (return them once delivered)"
    )
