"""Value objects and store profiles: what the domain accepts and what it refuses, and why."""

from __future__ import annotations

import math

import pytest

from domain.errors import DomainError, InvalidInput
from domain.stores import (
    DEFAULT_TIME_ZONE,
    MAX_RADIUS_KM,
    DailyHours,
    StoreProfile,
    clock_minutes,
)
from domain.values import (
    MAX_ID_LENGTH,
    MAX_LINE_QUANTITY,
    MAX_ORDER_LINES,
    MAX_TEXT_LENGTH,
    GeoPoint,
    Money,
    OrderLine,
    available_units,
    identifier,
    optional_identifier,
    order_lines,
    order_total,
    text,
)

PEOPLES_SQUARE = GeoPoint(31.2304, 121.4737)  # Shanghai


def cny(cents: int) -> Money:
    return Money(cents, "CNY")


def line(sku: str, quantity: int = 1, cents: int = 1000, currency: str = "CNY") -> OrderLine:
    return OrderLine(sku=sku, quantity=quantity, unit_price=Money(cents, currency))


# --- GeoPoint ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latitude, longitude",
    [(0, 0), (90, 180), (-90, -180), (31.2304, 121.4737), (39.9042, 116.4074), (-33.8688, 151.2093)],
)
def test_a_point_on_the_earth_is_accepted(latitude, longitude):
    point = GeoPoint(latitude, longitude)
    assert (point.latitude, point.longitude) == (latitude, longitude)


@pytest.mark.parametrize("latitude", [90.0001, -90.0001, 91, -180, 1e9, math.inf, -math.inf])
def test_a_latitude_beyond_the_poles_is_refused_naming_latitude(latitude):
    with pytest.raises(InvalidInput) as refused:
        GeoPoint(latitude, 121.0)
    assert refused.value.field == "latitude"
    assert "[-90, 90]" in str(refused.value)


@pytest.mark.parametrize("longitude", [180.0001, -180.0001, 360, math.inf])
def test_a_longitude_beyond_the_antimeridian_is_refused_naming_longitude(longitude):
    with pytest.raises(InvalidInput) as refused:
        GeoPoint(31.0, longitude)
    assert refused.value.field == "longitude"
    assert "[-180, 180]" in str(refused.value)


@pytest.mark.parametrize("field, latitude, longitude", [("latitude", math.nan, 0.0), ("longitude", 0.0, math.nan)])
def test_a_nan_coordinate_is_refused(field, latitude, longitude):
    with pytest.raises(InvalidInput) as refused:
        GeoPoint(latitude, longitude)
    assert refused.value.field == field


def test_a_coordinate_that_is_not_a_number_is_refused():
    with pytest.raises(InvalidInput) as refused:
        GeoPoint("31.2", 121.4)  # type: ignore[arg-type]
    assert refused.value.field == "latitude"


def test_parsing_a_point_names_the_request_field_in_the_error():
    with pytest.raises(InvalidInput) as refused:
        GeoPoint.parse("customer_location", 95.0, 121.0)
    assert refused.value.field == "customer_location.latitude"
    assert str(refused.value).startswith("customer_location.latitude: must be within [-90, 90]")

    with pytest.raises(InvalidInput) as refused:
        GeoPoint.parse("store.location", 31.0, -181.0)
    assert refused.value.field == "store.location.longitude"


def test_parsing_a_good_point_gives_the_point():
    assert GeoPoint.parse("customer_location", 31.2304, 121.4737) == PEOPLES_SQUARE


def test_invalid_input_is_a_domain_error():
    assert issubclass(InvalidInput, DomainError)


# --- Money ---------------------------------------------------------------------------------


def test_money_is_kept_in_integer_cents():
    assert Money(1999, "CNY").cents == 1999
    with pytest.raises(InvalidInput) as refused:
        Money(19.99, "CNY")  # type: ignore[arg-type]
    assert refused.value.field == "cents"


@pytest.mark.parametrize("currency", ["", "cny", "RMB1", "CN", "YUAN", None])
def test_money_needs_an_iso_currency_code(currency):
    with pytest.raises(InvalidInput) as refused:
        Money(100, currency)  # type: ignore[arg-type]
    assert refused.value.field == "currency"


def test_amounts_in_the_same_currency_add_up():
    assert cny(1050) + cny(250) == cny(1300)


def test_amounts_in_different_currencies_are_never_added():
    with pytest.raises(InvalidInput) as refused:
        cny(100) + Money(100, "USD")
    assert refused.value.field == "currency"
    assert "USD" in str(refused.value) and "CNY" in str(refused.value)


def test_times_multiplies_the_unit_price_by_the_quantity():
    assert cny(1999).times(3) == cny(5997)
    assert cny(1999).times(0) == cny(0)
    assert Money(5, "USD").times(4).currency == "USD"


# --- order lines ---------------------------------------------------------------------------


def test_good_order_lines_are_kept_in_order():
    lines = [line("TEA-001", 2), line("CUP-002", 1, 500)]
    assert order_lines(lines) == tuple(lines)


def test_an_order_needs_at_least_one_line():
    with pytest.raises(InvalidInput) as refused:
        order_lines([])
    assert refused.value.field == "lines"


def test_an_order_has_a_bounded_number_of_lines():
    order_lines([line(f"SKU-{i}") for i in range(MAX_ORDER_LINES)])
    with pytest.raises(InvalidInput) as refused:
        order_lines([line(f"SKU-{i}") for i in range(MAX_ORDER_LINES + 1)])
    assert refused.value.field == "lines"


def test_the_same_sku_twice_must_be_merged_into_one_line():
    with pytest.raises(InvalidInput) as refused:
        order_lines([line("TEA-001"), line("CUP-002"), line("TEA-001")])
    assert refused.value.field == "lines[2].sku"
    assert "TEA-001" in str(refused.value) and "twice" in str(refused.value)


def test_a_line_with_a_malformed_sku_names_that_line():
    with pytest.raises(InvalidInput) as refused:
        order_lines([line("TEA-001"), line("bad sku")])
    assert refused.value.field == "lines[1].sku"


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_line_must_order_at_least_one_unit(quantity):
    with pytest.raises(InvalidInput) as refused:
        order_lines([line("TEA-001"), line("CUP-002", quantity)])
    assert refused.value.field == "lines[1].quantity"


def test_a_line_quantity_is_bounded():
    order_lines([line("TEA-001", MAX_LINE_QUANTITY)])
    with pytest.raises(InvalidInput) as refused:
        order_lines([line("TEA-001", MAX_LINE_QUANTITY + 1)])
    assert refused.value.field == "lines[0].quantity"


def test_a_free_item_is_allowed_but_a_negative_price_is_not():
    order_lines([line("GIFT-BAG", 1, 0)])
    with pytest.raises(InvalidInput) as refused:
        order_lines([line("TEA-001"), line("REFUND", 1, -1)])
    assert refused.value.field == "lines[1].unit_price.cents"


def test_every_line_of_an_order_is_priced_in_one_currency():
    with pytest.raises(InvalidInput) as refused:
        order_lines([line("TEA-001"), line("CUP-002"), line("MUG-003", currency="USD")])
    assert refused.value.field == "lines[2].unit_price.currency"
    assert "CNY" in str(refused.value)


def test_the_order_total_is_the_sum_of_quantity_times_unit_price():
    lines = order_lines([line("TEA-001", 3, 1999), line("CUP-002", 2, 550), line("GIFT-BAG", 1, 0)])
    assert order_total(lines) == cny(3 * 1999 + 2 * 550)


def test_the_order_total_keeps_the_order_currency():
    assert order_total(order_lines([line("MUG-003", 2, 700, "USD")])) == Money(1400, "USD")


# --- available units ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on_hand, reserved, safety_stock, available",
    [(10, 0, 0, 10), (10, 3, 2, 5), (10, 8, 2, 0), (10, 9, 2, 0), (0, 0, 5, 0), (3, 5, 0, 0)],
)
def test_available_units_are_on_hand_less_reservations_and_safety_stock_never_below_zero(
    on_hand, reserved, safety_stock, available
):
    assert available_units(on_hand, reserved, safety_stock) == available


# --- identifiers and text ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["S1", "store-001", "SH.PD_01:a", "9", "a" * MAX_ID_LENGTH])
def test_an_identifier_of_letters_digits_and_separators_is_accepted(value):
    assert identifier("store_id", value) == value


def test_an_empty_identifier_is_required():
    with pytest.raises(InvalidInput) as refused:
        identifier("store_id", "")
    assert refused.value.field == "store_id"
    assert "required" in str(refused.value)


def test_an_identifier_too_long_is_refused_with_its_length():
    with pytest.raises(InvalidInput) as refused:
        identifier("sku", "a" * (MAX_ID_LENGTH + 1))
    assert refused.value.field == "sku"
    assert f"{MAX_ID_LENGTH + 1} characters" in str(refused.value)


@pytest.mark.parametrize("value", ["-store", ".x", "store 1", "store/1", "店铺", "a\tb", "a\x00", "S1;DROP"])
def test_an_identifier_with_other_characters_is_refused(value):
    with pytest.raises(InvalidInput) as refused:
        identifier("store_id", value)
    assert refused.value.field == "store_id"


def test_an_identifier_with_a_trailing_newline_is_refused():
    with pytest.raises(InvalidInput):
        identifier("sku", "TEA-001\n")


def test_a_currency_with_a_trailing_newline_is_refused():
    with pytest.raises(InvalidInput):
        Money(100, "CNY\n")


def test_a_clock_time_with_a_trailing_newline_is_refused():
    with pytest.raises(InvalidInput):
        clock_minutes("opens", "09:00\n")


def test_an_optional_identifier_may_be_empty_but_not_malformed():
    assert optional_identifier("dealer_id", "") == ""
    assert optional_identifier("dealer_id", "D-7") == "D-7"
    with pytest.raises(InvalidInput):
        optional_identifier("dealer_id", "D 7")


def test_free_text_may_hold_any_printable_characters():
    assert text("name", "静安寺店 (Jing'an) #3") == "静安寺店 (Jing'an) #3"
    assert text("city", "") == ""


@pytest.mark.parametrize("value", ["", "   "])
def test_required_text_must_not_be_blank(value):
    with pytest.raises(InvalidInput) as refused:
        text("name", value, required=True)
    assert refused.value.field == "name"


def test_text_too_long_is_refused():
    text("name", "x" * MAX_TEXT_LENGTH)
    with pytest.raises(InvalidInput) as refused:
        text("name", "x" * (MAX_TEXT_LENGTH + 1))
    assert f"{MAX_TEXT_LENGTH + 1} characters" in str(refused.value)


@pytest.mark.parametrize("value", ["line\nbreak", "tab\there", "nul\x00", "bell\x07", "\x1f"])
def test_text_with_control_characters_is_refused(value):
    with pytest.raises(InvalidInput) as refused:
        text("name", value)
    assert "control characters" in str(refused.value)


# --- store profiles --------------------------------------------------------------------------


def profile(**overrides) -> StoreProfile:
    fields = dict(
        store_id="SH-001",
        name="Jing'an Temple",
        location=PEOPLES_SQUARE,
        province="Shanghai",
        city="Shanghai",
        dealer_id="",
        opening_hours=[DailyHours("MONDAY", "09:00", "21:00")],
        time_zone="Asia/Shanghai",
        delivery_radius_km=5.0,
        daily_order_capacity=200,
        active=True,
    )
    fields.update(overrides)
    return StoreProfile.create(**fields)


def test_a_well_formed_store_profile_is_created():
    store = profile(delivery_radius_km=3)
    assert store.store_id == "SH-001"
    assert store.delivery_radius_km == 3.0 and isinstance(store.delivery_radius_km, float)
    assert store.opening_hours == (DailyHours("MONDAY", "09:00", "21:00"),)
    assert store.active is True


@pytest.mark.parametrize("radius", [0, 0.5, MAX_RADIUS_KM])
def test_a_delivery_radius_from_zero_to_the_maximum_is_accepted(radius):
    assert profile(delivery_radius_km=radius).delivery_radius_km == radius


@pytest.mark.parametrize("radius", [-0.001, -5, MAX_RADIUS_KM + 0.1, math.inf, math.nan])
def test_a_delivery_radius_outside_the_bounds_is_refused(radius):
    with pytest.raises(InvalidInput) as refused:
        profile(delivery_radius_km=radius)
    assert refused.value.field == "delivery_radius_km"


def test_a_negative_daily_order_capacity_is_refused():
    assert profile(daily_order_capacity=0).daily_order_capacity == 0
    with pytest.raises(InvalidInput) as refused:
        profile(daily_order_capacity=-1)
    assert refused.value.field == "daily_order_capacity"


def test_a_store_without_a_time_zone_gets_the_default():
    assert profile(time_zone="").time_zone == DEFAULT_TIME_ZONE == "Asia/Shanghai"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Asia/Peking_Time", "../etc/passwd", "Asia/"])
def test_a_time_zone_that_is_not_iana_is_refused(zone):
    with pytest.raises(InvalidInput) as refused:
        profile(time_zone=zone)
    assert refused.value.field == "time_zone"


@pytest.mark.parametrize("zone", ["Asia", "America", "Etc"])
def test_a_region_name_without_a_city_is_refused_as_a_time_zone(zone):
    with pytest.raises(InvalidInput) as refused:
        profile(time_zone=zone)
    assert refused.value.field == "time_zone"


def test_store_fields_are_validated_with_their_names():
    for overrides, field in [
        ({"store_id": "SH 001"}, "store_id"),
        ({"name": "  "}, "name"),
        ({"city": "Shang\nhai"}, "city"),
        ({"dealer_id": "dealer/9"}, "dealer_id"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            profile(**overrides)
        assert refused.value.field == field


@pytest.mark.parametrize("value, minutes", [("00:00", 0), ("09:30", 570), ("23:59", 1439), ("24:00", 1440)])
def test_clock_times_are_read_as_minutes_after_midnight(value, minutes):
    assert clock_minutes("opens", value) == minutes


@pytest.mark.parametrize("value", ["9:00", "09:60", "25:00", "24:01", "24:30", "0900", "", "noon", "09:00:00"])
def test_a_clock_time_that_is_not_hh_mm_up_to_24_00_is_refused(value):
    with pytest.raises(InvalidInput) as refused:
        clock_minutes("opening_hours[0].opens", value)
    assert refused.value.field == "opening_hours[0].opens"


def test_a_store_may_close_at_midnight_written_24_00():
    store = profile(opening_hours=[DailyHours("FRIDAY", "18:00", "24:00")])
    assert store.opening_hours == (DailyHours("FRIDAY", "18:00", "24:00"),)


def test_a_store_cannot_open_at_24_00():
    with pytest.raises(InvalidInput) as refused:
        profile(opening_hours=[DailyHours("FRIDAY", "24:00", "24:00")])
    assert refused.value.field == "opening_hours[0].opens"


@pytest.mark.parametrize("opens, closes", [("21:00", "09:00"), ("09:00", "09:00")])
def test_a_store_must_close_after_it_opens(opens, closes):
    with pytest.raises(InvalidInput) as refused:
        profile(opening_hours=[DailyHours("MONDAY", "08:00", "08:30"), DailyHours("TUESDAY", opens, closes)])
    assert refused.value.field == "opening_hours[1].closes"


def test_an_unknown_weekday_is_refused():
    with pytest.raises(InvalidInput) as refused:
        profile(opening_hours=[DailyHours("monday", "09:00", "17:00")])
    assert refused.value.field == "opening_hours[0].weekday"


def test_split_shifts_on_one_weekday_are_allowed_when_they_do_not_overlap():
    store = profile(
        opening_hours=[DailyHours("MONDAY", "14:00", "20:00"), DailyHours("MONDAY", "08:00", "14:00")]
    )
    assert store.opening_hours == (DailyHours("MONDAY", "08:00", "14:00"), DailyHours("MONDAY", "14:00", "20:00"))


def test_overlapping_hours_on_one_weekday_are_refused():
    with pytest.raises(InvalidInput) as refused:
        profile(
            opening_hours=[
                DailyHours("MONDAY", "08:00", "12:00"),
                DailyHours("TUESDAY", "11:00", "20:00"),  # another day: no clash
                DailyHours("MONDAY", "11:59", "20:00"),
            ]
        )
    assert refused.value.field == "opening_hours[2]"
    assert "overlaps" in str(refused.value) and "MONDAY" in str(refused.value)


def test_hours_contained_in_other_hours_on_the_same_day_are_refused():
    with pytest.raises(InvalidInput):
        profile(opening_hours=[DailyHours("SUNDAY", "08:00", "22:00"), DailyHours("SUNDAY", "12:00", "13:00")])


def test_opening_hours_are_sorted_monday_to_sunday_then_by_opening_time():
    store = profile(
        opening_hours=[
            DailyHours("SUNDAY", "10:00", "18:00"),
            DailyHours("WEDNESDAY", "17:00", "22:00"),
            DailyHours("MONDAY", "09:00", "21:00"),
            DailyHours("WEDNESDAY", "09:00", "12:00"),
            DailyHours("SATURDAY", "10:00", "22:00"),
        ]
    )
    assert [(d.weekday, d.opens) for d in store.opening_hours] == [
        ("MONDAY", "09:00"),
        ("WEDNESDAY", "09:00"),
        ("WEDNESDAY", "17:00"),
        ("SATURDAY", "10:00"),
        ("SUNDAY", "10:00"),
    ]


def test_a_store_with_no_opening_hours_is_allowed():
    assert profile(opening_hours=[]).opening_hours == ()


def test_a_boolean_is_not_a_coordinate():
    with pytest.raises(InvalidInput):
        GeoPoint(True, False)


def test_text_refuses_delete_and_c1_control_characters():
    for bad in ("shop\x7f", "shop\x85"):
        with pytest.raises(InvalidInput):
            text("name", bad)
