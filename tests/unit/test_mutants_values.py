"""Values, where the mutation run (docs/mutation-testing.md) found refusals whose field or
message no other unit test pinned down, and boundaries: the dearest unit price and the most
receipt lines allowed are allowed, a no-break space is text, a SKU twice in a receipt is not."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from datetime import datetime, timedelta, timezone

from domain.values import (
    MAX_LINE_QUANTITY,
    MAX_ORDER_LINES,
    MAX_RECEIPT_LINES,
    MAX_STOCK_UNITS,
    MAX_UNIT_PRICE_CENTS,
    Money,
    OrderLine,
    checked_lines,
    epoch_us,
    identifier,
    order_lines,
    scoped_transfer_id,
    stock_units,
    text,
)


def line(sku: str = "SERUM", quantity: int = 1, cents: int = 1990, currency: str = "CNY") -> OrderLine:
    return OrderLine(sku, quantity, Money(cents, currency))


def refused(lines: list[OrderLine]) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        order_lines(lines)
    return caught.value.field, str(caught.value)


@pytest.mark.parametrize(
    "lines, field, message",
    [
        ([], "lines", "lines: an order needs at least one line"),
        (
            [line(f"SKU{i}") for i in range(MAX_ORDER_LINES + 1)],
            "lines", f"lines: has {MAX_ORDER_LINES + 1} lines; at most {MAX_ORDER_LINES} allowed",
        ),
        ([line(), line("CREAM", quantity=0)], "lines[1].quantity", "lines[1].quantity: must be > 0, got 0"),
        (
            [line(quantity=MAX_LINE_QUANTITY + 1)],
            "lines[0].quantity", f"lines[0].quantity: must be at most {MAX_LINE_QUANTITY}",
        ),
        ([line(cents=-1)], "lines[0].unit_price.cents", "lines[0].unit_price.cents: must be >= 0, got -1"),
        (
            [line(cents=MAX_UNIT_PRICE_CENTS + 1)],
            "lines[0].unit_price.cents",
            f"lines[0].unit_price.cents: must be at most {MAX_UNIT_PRICE_CENTS}, got {MAX_UNIT_PRICE_CENTS + 1}",
        ),
        (
            [line(), line("CREAM", currency="USD")],
            "lines[1].unit_price.currency", "lines[1].unit_price.currency: is USD; every line must be in CNY",
        ),
    ],
)
def test_a_refused_order_line_names_the_line_and_says_what_is_wrong(lines, field, message):
    assert refused(lines) == (field, message)


def test_the_dearest_unit_price_allowed_is_accepted():
    dearest = [line(cents=MAX_UNIT_PRICE_CENTS)]
    assert order_lines(dearest) == tuple(dearest)


def test_a_transfer_name_that_is_no_identifier_is_refused_as_the_transfer_id():
    with pytest.raises(InvalidInput) as caught:
        scoped_transfer_id("S1", "two words")
    assert caught.value.field == "transfer_id"
    assert scoped_transfer_id("S1", "T-7") == "S1/T-7"


@pytest.mark.parametrize(
    "lines, field, message",
    [
        ([], "lines", "lines: needs at least one line"),
        (
            [(f"SKU{i}", 1) for i in range(MAX_RECEIPT_LINES + 1)],
            "lines", f"lines: has {MAX_RECEIPT_LINES + 1} lines; at most {MAX_RECEIPT_LINES} allowed",
        ),
        ([("SERUM", 1), ("bad sku", 1)], "lines[1].sku", None),
        ([("SERUM", 1), ("CREAM", 2), ("SERUM", 3)], "lines[2].sku", "lines[2].sku: sku 'SERUM' appears twice; merge the lines"),
        ([("SERUM", 1), ("CREAM", 0)], "lines[1].quantity", "lines[1].quantity: must be > 0, got 0"),
    ],
)
def test_refused_lines_of_goods_name_the_line_and_say_what_is_wrong(lines, field, message):
    with pytest.raises(InvalidInput) as caught:
        checked_lines(lines)
    assert caught.value.field == field
    if message is not None:
        assert str(caught.value) == message


def test_the_most_lines_of_goods_allowed_are_accepted():
    most = [(f"SKU{i}", 1) for i in range(MAX_RECEIPT_LINES)]
    assert checked_lines(most) == most


@pytest.mark.parametrize(
    "value, required, message",
    [
        ("  ", True, "note: is required"),
        ("x" * 201, False, "note: is 201 characters long; at most 200 allowed"),
        ("a\u009fb", False, "note: must not contain control characters"),
    ],
)
def test_refused_text_names_its_field_and_says_what_is_wrong(value, required, message):
    with pytest.raises(InvalidInput) as caught:
        text("note", value, required=required)
    assert (caught.value.field, str(caught.value)) == ("note", message)


def test_a_no_break_space_is_text_not_a_control_character():
    assert text("note", "100\u00a0g") == "100\u00a0g"


def test_a_moment_is_carried_as_exact_integer_microseconds():
    moment = datetime(2026, 11, 23, 12, 0, 0, 123_457, tzinfo=timezone.utc)
    carried = epoch_us(moment)
    assert type(carried) is int
    assert carried == 1_795_435_200_123_457
    assert epoch_us(moment + timedelta(microseconds=1)) == carried + 1


@pytest.mark.parametrize(
    "cents, currency, message",
    [
        (1.5, "CNY", "cents: must be an integer"),
        (100, "cny", "currency: must be an ISO 4217 code like 'CNY', got 'cny'"),
    ],
)
def test_a_malformed_amount_says_what_is_wrong(cents, currency, message):
    with pytest.raises(InvalidInput) as caught:
        Money(cents, currency)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "value, zero_allowed, message",
    [
        (0, False, "units: must be > 0, got 0"),
        (-1, True, "units: must be >= 0, got -1"),
        (MAX_STOCK_UNITS + 1, False, f"units: must be at most {MAX_STOCK_UNITS}, got {MAX_STOCK_UNITS + 1}"),
    ],
)
def test_refused_units_say_what_is_allowed(value, zero_allowed, message):
    with pytest.raises(InvalidInput) as caught:
        stock_units("units", value, zero_allowed=zero_allowed)
    assert str(caught.value) == message


def test_units_from_one_to_the_most_allowed_are_accepted_and_zero_only_where_allowed():
    assert stock_units("units", MAX_STOCK_UNITS) == MAX_STOCK_UNITS
    assert stock_units("units", 0, zero_allowed=True) == 0
    with pytest.raises(InvalidInput):
        stock_units("units", 0)


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "sku: is required"),
        ("-SERUM", "sku: may contain only letters, digits and . _ : - and must start with a letter or digit"),
    ],
)
def test_a_refused_identifier_says_what_is_wrong(value, message):
    with pytest.raises(InvalidInput) as caught:
        identifier("sku", value)
    assert str(caught.value) == message
