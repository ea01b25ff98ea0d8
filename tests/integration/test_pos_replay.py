"""A store's POS log replayed at the application level (services.use_cases.stock.pos_sync.sync_batch) on SQLite
and PostgreSQL: a 10,000-movement log applied once, twice, or in overlapping halves leaves the
same stock and the same events; counts make the order of arrival irrelevant; two servers
receiving the same batch apply it once; a walk-in sale takes exactly the newest reservations."""

from __future__ import annotations

from collections import Counter

import threading
from collections.abc import Iterator
from itertools import count as counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates.stock_position import StockPosition
from domain.movements import Movement
from domain.values import FulfilmentMode, GeoPoint
from projections.national_stock.audit import oversold_units
from services.api.convert import common as convert
from services.use_cases.application import OmoApplication
from services.bootstrap import build_application
from services.use_cases.stock.inventory import receive_stock
from services.use_cases.ordering.orders import PlaceOrder, get_order, place_order
from services.use_cases.stock.pos_sync import sync_batch
from services.use_cases.network.stores import upsert_store
from tests.builders import JINGAN_TEMPLE, PEOPLES_SQUARE, line, store
from tests.pos_log import LOG, SKUS, T0_US, model_on_hand


def open_store(app: OmoApplication, store_id: str, at=PEOPLES_SQUARE) -> None:
    upsert_store(app, convert.store_profile(store(store_id, at, radius_km=5)))


def on_hand(app: OmoApplication, store_id: str, sku: str) -> int:
    return app.repository.get(StockPosition.create_id(store_id, sku)).on_hand


def head(app: OmoApplication) -> int:
    return app.recorder.max_notification_id() or 0


def all_events(app: OmoApplication) -> Iterator:
    position = 0
    while notifications := app.recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False):
        yield from (app.mapper.to_domain_event(n) for n in notifications)
        position = notifications[-1].id


def batches(movements: list[Movement], size: int) -> Iterator[list[Movement]]:
    for start in range(0, len(movements), size):
        yield movements[start : start + size]


def replay(app: OmoApplication, store_id: str, movements: list[Movement], size: int = 500) -> list[str]:
    """Sends the movements in batches; returns every movement's outcome."""
    result = []
    for batch in batches(movements, size):
        result.extend(ack.outcome for ack in sync_batch(app, store_id, batch).acks)
    return result


# --- the 10,000-movement log (tests/pos_log.py) ---------------------------------------------


def applied_movement_ids(app) -> Counter:
    """How often each movement id was applied to a stock position, read back from the log."""
    applied: Counter = Counter()
    for notification in app.recorder.select_notifications(start=1, limit=1_000_000):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, StockPosition.StockMovementsApplied):
            applied.update(entry[0] for entry in event.entries)
    return applied


def test_a_pos_log_in_overlapping_halves_then_resent_whole_leaves_the_stock_and_events_of_applying_it_once(app):
    """Delivered as 0-6000 then 4000-10000, and then resent whole, the log gives the model's stock
    (each movement in turn), every movement is applied to its position exactly once, and the
    resend records nothing at all."""
    open_store(app, "S1")
    once_on_hand = model_on_hand(LOG)

    first_half = replay(app, "S1", LOG[:6000])
    second_half = replay(app, "S1", LOG[4000:])

    assert first_half == ["APPLIED"] * 6000
    assert second_half == ["DUPLICATE"] * 2000 + ["APPLIED"] * 4000
    assert {sku: on_hand(app, "S1", sku) for sku in SKUS} == once_on_hand
    assert applied_movement_ids(app) == Counter(m.movement_id for m in LOG)
    app.catch_up()  # the live index, folded from the events' recorded changes, agrees
    assert {sku: app.index.stock[("S1", sku)].on_hand for sku in SKUS} == once_on_hand
    before_resend = head(app)

    resent = replay(app, "S1", LOG, size=1000)

    assert resent == ["DUPLICATE"] * len(LOG)
    assert head(app) == before_resend  # the resend recorded nothing
    assert {sku: on_hand(app, "S1", sku) for sku in SKUS} == once_on_hand


# --- counts make the order of arrival irrelevant ----------------------------------------------

KINDS = st.sampled_from(["COUNT", "SALE", "RECEIPT"])


@st.composite
def pos_histories(draw):
    """What happened at the shelf (one SKU, distinct moments), the order it reaches the
    server in (shuffled, some movements resent) and the batch sizes it comes in."""
    steps = draw(st.lists(st.tuples(KINDS, st.integers(1, 9)), min_size=1, max_size=25))
    happened = [
        (f"x{i}", kind, quantity if kind != "COUNT" else quantity * 3, T0_US + i * 60_000_000)
        for i, (kind, quantity) in enumerate(steps)
    ]
    arrival = draw(st.permutations(happened))
    resent = draw(st.lists(st.sampled_from(happened), max_size=8))
    arrival = arrival + resent
    arrival = draw(st.permutations(arrival))
    sizes = draw(st.lists(st.integers(1, 6), min_size=len(arrival), max_size=len(arrival)))
    return happened, arrival, sizes


def model_after_arrival(happened) -> int:
    """The latest count (by moment) plus every non-count movement after it; with no count,
    the sum of all."""
    counts = [h for h in happened if h[1] == "COUNT"]
    if not counts:
        return sum(q if kind == "RECEIPT" else -q for _, kind, q, _ in happened)
    _, _, counted, counted_at = max(counts, key=lambda h: h[3])
    return counted + sum(q if kind == "RECEIPT" else -q for _, kind, q, at in happened if kind != "COUNT" and at > counted_at)


EXAMPLE = counter()


# Runs on both databases: 40 examples of at most 33 movements take a few seconds on PostgreSQL.
# Each example uses a SKU of its own in one store, so the function-scoped app is safe to share.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=pos_histories())
def test_counts_interleaved_with_sales_and_receipts_give_the_same_stock_whatever_order_they_arrive_in(app, history):
    happened, arrival, sizes = history
    if not app.store_exists("P1"):
        open_store(app, "P1")
    sku = f"SKU-{next(EXAMPLE)}"
    movements = [Movement(f"{sku}-{mid}", kind, sku, q, at) for mid, kind, q, at in arrival]

    outcomes: dict[str, list[str]] = {}
    i = 0
    for size in sizes:
        if i >= len(movements):
            break
        for ack in sync_batch(app, "P1", movements[i : i + size]).acks:
            outcomes.setdefault(ack.movement_id, []).append(ack.outcome)
        i += size

    assert on_hand(app, "P1", sku) == model_after_arrival(happened)
    # each movement is taken once; every later copy is a duplicate
    assert all(o[0] in ("APPLIED", "SUPERSEDED") and set(o[1:]) <= {"DUPLICATE"} for o in outcomes.values())
    assert len(outcomes) == len(happened)


# --- two servers, one database --------------------------------------------------------------------


def test_the_same_batch_sent_to_two_servers_at_once_is_applied_once(app, database_url):
    open_store(app, "S1")
    other = build_application(database_url)  # a second server on the same database
    try:
        total = 0
        for round_ in range(5):
            batch = [
                Movement(f"r{round_}-{i}", "RECEIPT" if i % 3 else "SALE", SKUS[i % 2], 2, T0_US + (round_ * 100 + i) * 1_000_000)
                for i in range(40)
            ]
            total += sum(m.change for m in batch if m.sku == SKUS[0])
            barrier = threading.Barrier(2)
            results: dict[int, list[str]] = {}
            errors: list[BaseException] = []

            def send(n: int, application: OmoApplication) -> None:
                try:
                    barrier.wait()
                    results[n] = [ack.outcome for ack in sync_batch(application, "S1", batch).acks]
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)

            threads = [threading.Thread(target=send, args=(n, a)) for n, a in enumerate((app, other))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

            assert not errors, errors
            assert sorted(tuple(sorted(set(r))) for r in results.values()) == [("APPLIED",), ("DUPLICATE",)], f"round {round_}: {results}"
            assert on_hand(app, "S1", SKUS[0]) == total
        other.catch_up()
        assert on_hand(other, "S1", SKUS[0]) == total
    finally:
        other.close()


# --- the counter selling reserved units -----------------------------------------------------------


def place(app: OmoApplication, key: str, units: int, sku: str = "SERUM-02") -> str:
    request = line(sku, units)
    command = PlaceOrder(
        idempotency_key=key, customer_id="C1", customer_location=GeoPoint(*PEOPLES_SQUARE),
        lines=tuple(convert.order_lines([request])), mode=FulfilmentMode.DELIVERY,
    )
    order, _ = place_order(app, command)
    return order.order_id


def test_a_walk_in_sale_moves_exactly_the_newest_reservations_needed_and_nothing_is_oversold(app):
    open_store(app, "S1", PEOPLES_SQUARE)
    open_store(app, "S2", JINGAN_TEMPLE)
    receive_stock(app, "S1", [("SERUM-02", 6)])
    receive_stock(app, "S2", [("SERUM-02", 20)])
    # oldest first: 1, 2, 1, 1 units, all at S1 (the nearest)
    orders = [place(app, f"k{n}", units) for n, units in enumerate([1, 2, 1, 1])]
    assert all(get_order(app, o).store_id == "S1" for o in orders)
    s1 = StockPosition.create_id("S1", "SERUM-02")
    assert app.repository.get(s1).reservations == dict(zip(orders, [1, 2, 1, 1]))

    # 6 on the shelf, 5 reserved: selling 3 leaves 3 for 5 reserved, 2 short
    result = sync_batch(app, "S1", [Movement("walk-in-1", "SALE", "SERUM-02", 3, T0_US)])

    assert sorted(m.order_id for m in result.moved_orders) == sorted(orders[2:])  # the two newest, 1 unit each
    assert all(m.to_store_ids == ("S2",) and not m.flagged for m in result.moved_orders)
    position = app.repository.get(s1)
    assert position.reservations == {orders[0]: 1, orders[1]: 2}  # the older keep their units
    assert (position.on_hand, position.reserved) == (3, 3)
    assert [get_order(app, o).store_id for o in orders] == ["S1", "S1", "S2", "S2"]

    # one more sold: 1 short, and the newest left (2 units) moves, the oldest keeps its unit
    result = sync_batch(app, "S1", [Movement("walk-in-2", "SALE", "SERUM-02", 1, T0_US + 1_000_000)])

    assert [m.order_id for m in result.moved_orders] == [orders[1]]
    assert app.repository.get(s1).reservations == {orders[0]: 1}
    assert app.repository.get(StockPosition.create_id("S2", "SERUM-02")).reserved == 4
    assert oversold_units(all_events(app)) == 0
