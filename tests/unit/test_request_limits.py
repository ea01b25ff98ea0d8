"""Request limits: every repeated field, string and page size of every RPC's request is
bounded (found by walking the descriptors, so a new RPC is covered without a line of test),
and refusals name the field and the limit (through gRPC: tests/e2e/test_request_limits.py)."""

from __future__ import annotations

from collections.abc import Iterator

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from protos.omo.v1 import dealers_pb2, orders_pb2, pos_pb2, stock_query_pb2, stores_pb2, transfers_pb2
from services.api.gate.request_limits import (
    MAX_ID_CHARS,
    MAX_PAGE_TOKEN_CHARS,
    MAX_REPEATED,
    MAX_TEXT_CHARS,
    check_request,
    limits_of,
)
from services.api.server import SERVICE_NAMES
from tests.builders import line


def request_types() -> list[Descriptor]:
    pool = descriptor_pool.Default()
    return [method.input_type for service in SERVICE_NAMES for method in pool.FindServiceByName(service).methods]


def reachable_fields(root: Descriptor) -> Iterator[tuple[list[FieldDescriptor], FieldDescriptor]]:
    """Every field under a request type: (the message fields leading to it, the field)."""
    def walk(message_type: Descriptor, path: list[FieldDescriptor], seen: frozenset[str]):
        for field in message_type.fields:
            yield path, field
            if field.message_type is not None and field.message_type.full_name not in seen:
                yield from walk(field.message_type, [*path, field], seen | {field.message_type.full_name})

    yield from walk(root, [], frozenset({root.full_name}))


def with_field(root: Descriptor, path: list[FieldDescriptor], fill) -> tuple[Message, str]:
    """A request of the type with the field at the end of `path` set by `fill(message)`, and
    the name a refusal should give it (repeated messages on the way hold one entry)."""
    request = GetMessageClass(root)()
    message, name = request, ""
    for step in path:
        if step.is_repeated:
            message, name = getattr(message, step.name).add(), f"{name}{step.name}[0]."
        else:
            message, name = getattr(message, step.name), f"{name}{step.name}."
    fill(message)
    return request, name


def zero(field: FieldDescriptor):
    return {FieldDescriptor.TYPE_STRING: "", FieldDescriptor.TYPE_BYTES: b"", FieldDescriptor.TYPE_BOOL: False}.get(field.type, 0)


def refusal(request: Message) -> InvalidInput | None:
    try:
        check_request(request)
        return None
    except InvalidInput as error:
        return error


# --- every field of every RPC -------------------------------------------------------------

def test_every_string_of_every_request_is_bounded_and_the_refusal_names_it():
    checked = 0
    for root in request_types():
        for path, field in reachable_fields(root):
            if field.type != FieldDescriptor.TYPE_STRING or field.is_repeated:
                continue
            limit = limits_of(field.containing_type)[field.name].chars
            assert limit in (MAX_ID_CHARS, MAX_TEXT_CHARS, MAX_PAGE_TOKEN_CHARS), field.full_name
            at_limit, _ = with_field(root, path, lambda m: setattr(m, field.name, "x" * limit))
            assert refusal(at_limit) is None, field.full_name
            over, name = with_field(root, path, lambda m: setattr(m, field.name, "x" * (limit + 1)))
            error = refusal(over)
            assert error is not None and error.field == name + field.name, field.full_name
            assert f"at most {limit}" in str(error)
            checked += 1
    assert checked > 100  # the walk found the requests' strings, nested ones included


def test_every_repeated_field_of_every_request_is_bounded_and_the_refusal_names_it():
    checked = 0
    for root in request_types():
        for path, field in reachable_fields(root):
            if not field.is_repeated:
                continue
            limit = limits_of(field.containing_type)[field.name].entries
            assert 1 <= limit <= MAX_REPEATED, field.full_name

            def fill(count: int):
                def set_entries(message: Message) -> None:
                    entries = getattr(message, field.name)
                    for _ in range(count):
                        entries.add() if field.message_type is not None else entries.append(zero(field))
                return set_entries

            at_limit, _ = with_field(root, path, fill(limit))
            assert refusal(at_limit) is None, field.full_name
            over, name = with_field(root, path, fill(limit + 1))
            error = refusal(over)
            assert error is not None and error.field == name + field.name, field.full_name
            assert f"has {limit + 1} entries; at most {limit} allowed" in str(error)
            checked += 1
    assert checked >= 7


def test_every_page_size_has_the_ceiling_its_use_case_has():
    pages = {
        root.full_name: limits_of(root)["page_size"].page_size
        for root in request_types() if "page_size" in root.fields_by_name
    }
    assert pages == {
        "omo.v1.ListStoresRequest": 500, "omo.v1.ListStockPositionsRequest": 500,
        "omo.v1.ListLowStockRequest": 500, "omo.v1.GetStatementRequest": 1000,
        "omo.v1.GetStorePerformanceRequest": 500, "omo.v1.ListOrdersRequest": 500,
        "omo.v1.ListShipmentsRequest": 500, "omo.v1.GetAssortmentRequest": 500,
    }
    assert refusal(stores_pb2.ListStoresRequest(page_size=500)) is None
    assert "between 0 (the default page) and 500, got 501" in str(refusal(stores_pb2.ListStoresRequest(page_size=501)))
    assert refusal(stores_pb2.ListStoresRequest(page_size=-1)).field == "page_size"
    assert refusal(dealers_pb2.GetStatementRequest(page_size=1000)) is None
    assert refusal(dealers_pb2.GetStatementRequest(page_size=1001)).field == "page_size"


def test_the_limits_that_are_the_use_cases_own():
    def lines(n):
        return [line(f"SKU-{i}", 1) for i in range(n)]

    assert refusal(orders_pb2.PlaceOrderRequest(lines=lines(100))) is None
    assert "at most 100" in str(refusal(orders_pb2.PlaceOrderRequest(lines=lines(101))))
    movements = [pos_pb2.StockMovement(movement_id=f"m{i}") for i in range(1001)]
    assert "at most 1000" in str(refusal(pos_pb2.SyncStockRequest(movements=movements)))
    transfer = transfers_pb2.RequestTransferRequest(lines=[transfers_pb2.RequestedLine(sku="S") for _ in range(1001)])
    assert refusal(transfer).field == "lines"
    assert refusal(stock_query_pb2.GetNationalStockRequest(breakdown=[stock_query_pb2.BY_CITY] * 5)).field == "breakdown"
    hours = [stores_pb2.DailyHours(weekday=stores_pb2.MONDAY, opens="09:00", closes="10:00")] * 29
    assert refusal(stores_pb2.UpsertStoreRequest(opening_hours=hours)).field == "opening_hours"


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_string_is_refused_exactly_when_it_is_longer_than_its_limit(data):
    root = data.draw(st.sampled_from(request_types()))
    strings = [(path, field) for path, field in reachable_fields(root) if field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated]
    if not strings:
        return
    path, field = data.draw(st.sampled_from(strings))
    limit = limits_of(field.containing_type)[field.name].chars
    length = data.draw(st.one_of(st.integers(0, 2 * limit), st.sampled_from([limit, limit + 1])))
    # any characters: the limit counts characters, not the bytes UTF-8 needs for them
    text = data.draw(st.text(alphabet=st.characters(codec="utf-8"), min_size=length, max_size=length))
    request, _ = with_field(root, path, lambda m: setattr(m, field.name, text))
    assert (refusal(request) is not None) == (len(text) > limit)
