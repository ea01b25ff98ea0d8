"""Hostile requests to every RPC: random messages built from the descriptors and valid
requests with fields mutated (tests/fuzz_strategies.py), each sent by a caller the access rules
allow (`Cast`), to a served copy of the authorization world (tests/authorization_world.py).

Every call either succeeds or is refused with a code that says what the caller did wrong:
INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, RESOURCE_EXHAUSTED (a message
over gRPC's size limit) or PERMISSION_DENIED (a request naming another store than its POS
caller's), and also the other codes the README's status table documents for a well-formed
refusal: ALREADY_EXISTS (a mutated request reusing an idempotency key, movement or transfer id
of an earlier one) and ABORTED (contention). DEADLINE_EXCEEDED is accepted only from the
read-your-writes calls (StockQueryService, GetStatement, GetStorePerformance, ListOrders,
ListShipments), where the
caller asked to wait for a position and the README documents it. The fuzzer does not avoid
those requests: they are what a hostile caller sends, and the rare example that draws one can
afford a 5 s wait (StockQueryService and GetStorePerformance refuse a position beyond the head
at once). Never UNKNOWN, INTERNAL or UNAVAILABLE, nothing logged at ERROR by the server, the
health check still answers after each call, and a refused call leaves the event log's head
where it was.

Tokens are issued (an event each) before the head is read, so that only the call is judged.
Requests that create something (a movement id, an idempotency key, a transfer, a dealer) get a
new id per example (`renamed`), so that they keep reaching the use case instead of being
answered as duplicates of an earlier example.

Below the fuzzer: one plain example per bug it found, each now refused with INVALID_ARGUMENT
naming the field (or, for a message over gRPC's size limit, RESOURCE_EXHAUSTED with nothing
logged), with the event log unmoved.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from services.client.cast import Cast
from services.client.client import OmoClient
from tests.e2e import test_authorization_matrix as matrix
from tests.authorization_world import LAUNCH, SERUM, World, requests
from tests.fuzz_strategies import mutated_requests, random_requests, renamed
from tests.unit.test_access_rules import served_methods

# enough to run the file in well under a minute; OMO_FUZZ_EXAMPLES=500 for a longer hunt
EXAMPLES_PER_RPC = int(os.environ.get("OMO_FUZZ_EXAMPLES", "30"))
REFUSALS = frozenset({
    grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.OUT_OF_RANGE, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.ABORTED,
})
WAITS_FOR_A_POSITION = frozenset({
    "omo.v1.StockQueryService/GetNationalStock", "omo.v1.StockQueryService/ListLowStock",
    "omo.v1.StockQueryService/WatchStock", "omo.v1.DealerService/GetStatement", "omo.v1.DealerService/GetReconciliation",
    "omo.v1.StoreService/GetStorePerformance",
    "omo.v1.OrderService/ListOrders", "omo.v1.FulfilmentService/ListShipments",
})

# the ids the valid requests of `requests(world)` create
NEW_IDS = frozenset({
    "matrix-key", "m-matrix", "a-matrix", "c-matrix", "R-matrix", "walk-in-matrix", "T-MATRIX", "R-NEW", "D-NEW", "CS-NEW", "A-9",
    "DROP-NEW",
})

world_file = matrix.world_file  # the world, built once for this module


def world_ids(world: World) -> tuple[str, ...]:
    """Ids that name real objects of the world, so that fuzzed requests reach the use cases."""
    orders = tuple(placed.order_id for placed in world.orders.values())
    return ("S1", "S2", "S3", "D1", "D2", "HQ", "CS1", "R-EAST", "default", SERUM, "T-FROM-S1", "T-TO-S1", "A-9", LAUNCH, *orders)


def allowed_codes(method: str) -> frozenset[grpc.StatusCode]:
    if method in WAITS_FOR_A_POSITION:
        return REFUSALS | {grpc.StatusCode.DEADLINE_EXCEEDED}
    return REFUSALS


def token_for(cast: Cast, world: World, method: str, request) -> str:
    """An allowed caller's token; a POS call naming no valid store id gets S1's POS (no POS
    can be for a store that cannot exist), which the rules or the use case then refuse."""
    try:
        return cast(method, request)
    except InvalidInput:
        return world.tokens["pos_own"]


class ErrorLog(logging.Handler):
    """What the server logs at ERROR (an unexpected exception in a servicer or the gate)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(self.format(record) for record in self.records)


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    loggers = [logging.getLogger("omo.api"), logging.getLogger("grpc")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def outcome(port: int, token: str, method: str, request) -> tuple[grpc.StatusCode, str]:
    """The call's status code and details, then checks the server still answers."""
    with OmoClient(f"127.0.0.1:{port}", token=token) as client:
        try:
            matrix.invoke(client, method, request)
            code, details = grpc.StatusCode.OK, ""
        except grpc.RpcError as error:
            code, details = error.code(), error.details() or ""
        health = client.health.Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert health.status == health_pb2.HealthCheckResponse.SERVING
    return code, details


def short(request) -> str:
    text = str(request)
    return text if len(text) < 2000 else text[:2000] + f"... ({len(text)} characters)"


@pytest.mark.parametrize("method", sorted(served_methods()))
def test_hostile_requests_are_answered_or_refused_cleanly(world_file, tmp_path, error_log, method):
    world_db, world = world_file
    served = matrix.Copy(world_db, world, tmp_path / "copy")
    cast = Cast(served.app, label="fuzz")
    ids = world_ids(world)
    descriptor = served_methods()[method].input_type
    mutated = mutated_requests(requests(world)[method], ids)
    hostile = st.one_of(mutated, mutated, mutated, random_requests(descriptor, ids))  # mutations reach further
    allowed = allowed_codes(method)
    examples = iter(range(1_000_000))

    @settings(
        max_examples=EXAMPLES_PER_RPC, deadline=None, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(request=hostile)
    def answered_or_refused_cleanly(request):
        request = renamed(request, NEW_IDS, f"-{next(examples)}")
        token = token_for(cast, world, method, request)
        head = served.head()
        error_log.records.clear()
        code, details = outcome(served.server.port, token, method, request)
        assert code == grpc.StatusCode.OK or code in allowed, (
            f"{method} answered {code.name}: {details}\nserver log:\n{error_log.text()}\nrequest:\n{short(request)}"
        )
        assert not error_log.records, f"{method} logged an error ({code.name}):\n{error_log.text()}\nrequest:\n{short(request)}"
        if code != grpc.StatusCode.OK:
            assert served.head() == head, f"{method} refused with {code.name} but changed something: {details}"

    try:
        answered_or_refused_cleanly()
    finally:
        served.close()


# --- what the fuzzer found ------------------------------------------------------------------

@pytest.fixture
def served(world_file, tmp_path) -> Iterator[matrix.Copy]:
    world_db, world = world_file
    copy = matrix.Copy(world_db, world, tmp_path / "served")
    yield copy
    copy.close()


def sent(served: matrix.Copy, method: str, request) -> tuple[grpc.StatusCode, str, bool]:
    """The call's code and details, and whether it moved the event log's head."""
    token = token_for(Cast(served.app, label="regression"), served.world, method, request)
    head = served.head()
    code, details = outcome(served.server.port, token, method, request)
    return code, details, served.head() != head


def changed(world_request, change):
    request = type(world_request)()
    request.CopyFrom(world_request)
    change(request)
    return request


def _set(path: str, value):
    """A change setting the field at a dotted path ("lines.0.quantity") to value."""
    *steps, name = path.split(".")

    def change(request):
        target = request
        for step in steps:
            target = target[int(step)] if step.isdigit() else getattr(target, step)
        setattr(target, name, value)

    return change


# each was INTERNAL before its fix (the writes after saving their events), or was accepted and
# made a later call INTERNAL
FOUND = [
    # a 64-bit quantity overflowed on hand when the position was answered, then at every read
    ("omo.v1.InventoryService/ReceiveStock", _set("lines.0.quantity", 2**63 - 1), "lines[0].quantity"),
    ("omo.v1.InventoryService/AdjustStock", _set("delta", 2**63 - 1), "delta"),
    ("omo.v1.InventoryService/AdjustStock", _set("delta", -(2**63)), "delta"),
    ("omo.v1.InventoryService/RecordCount", _set("counted_quantity", 2**63 - 1), "counted_quantity"),
    ("omo.v1.InventoryService/SetSafetyStock", _set("quantity", 2**63 - 1), "quantity"),
    ("omo.v1.PosService/SyncStock", _set("movements.0.quantity", 2**63 - 1), "movements[0].quantity"),
    ("omo.v1.TransferService/RequestTransfer", _set("lines.0.quantity", 2**63 - 1), "lines[0].quantity"),
    # price x quantity overflowed the order's total in cents
    ("omo.v1.OrderService/PlaceOrder", lambda r: (_set("lines.0.unit_price.cents", 2**62)(r), _set("lines.0.quantity", 2)(r)),
     "lines[0].unit_price.cents"),
    # seconds near 2**63 overflowed the movement's microseconds
    ("omo.v1.PosService/SyncStock", _set("movements.0.occurred_at.seconds", 2**62), "movements[0].occurred_at"),
    # the month after 9999-12 is no datetime
    ("omo.v1.DealerService/GetStatement", _set("month", "9999-12"), "period"),
]


@pytest.mark.parametrize(("method", "change", "field"), FOUND, ids=[f"{m.split('/')[1]}-{f}" for m, _, f in FOUND])
def test_what_the_fuzzer_found_is_refused_naming_the_field(served, error_log, method, change, field):
    request = changed(requests(served.world)[method], change)
    code, details, moved = sent(served, method, request)
    assert (code, details.split(":")[0]) == (grpc.StatusCode.INVALID_ARGUMENT, field), details
    assert not moved and not error_log.records


def test_a_billion_units_is_still_a_quantity(served):
    """The bound on quantities (domain/values.py MAX_STOCK_UNITS) is inclusive."""
    from domain.values import MAX_STOCK_UNITS

    request = changed(requests(served.world)["omo.v1.InventoryService/ReceiveStock"], _set("lines.0.quantity", MAX_STOCK_UNITS))
    code, details, moved = sent(served, "omo.v1.InventoryService/ReceiveStock", request)
    assert (code, moved) == (grpc.StatusCode.OK, True), details


def test_a_pos_message_over_the_size_limit_is_refused_without_an_error_logged(served, error_log):
    """gRPC refuses it itself; the servicer, reading the stream, used to log that as an
    unexpected error (so did every POS that went away mid-stream)."""
    request = changed(requests(served.world)["omo.v1.PosService/SyncStock"], _set("movements.0.reason", "a" * (5 * 1024 * 1024)))
    code, details, moved = sent(served, "omo.v1.PosService/SyncStock", request)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED, details
    assert not moved and not error_log.records, error_log.text()


def test_a_made_up_statement_page_token_holding_huge_numbers_is_refused(served, error_log):
    """Found beside the fuzzer's month bug, by reading: statement page tokens are encoded, not
    signed, and a number past 64 bits reached the database (INTERNAL)."""
    from services.use_cases.network.statements import dealer_party, month

    request = requests(served.world)["omo.v1.DealerService/GetStatement"]
    period = month(request.month)
    body = json.dumps([1, dealer_party("D1"), period.start_us, period.end_us, 10**30, 1, 2, 3])
    request = changed(request, _set("page_token", base64.urlsafe_b64encode(body.encode()).decode()))
    code, details, moved = sent(served, "omo.v1.DealerService/GetStatement", request)
    assert (code, details.split(":")[0]) == (grpc.StatusCode.INVALID_ARGUMENT, "page_token"), details
    assert not error_log.records, error_log.text()


# bytes no GetStoreRequest can be read from: proto3 strings must be UTF-8, lengths must fit
UNDECODABLE = {
    "invalid UTF-8 in store_id": b"\x0a\x01\xff",  # field 1 (store_id), 1 byte long: 0xff
    "a lone surrogate in store_id": b"\x0a\x05S1\xed\xa0\x80",
    "a length past the end": b"\x0a\x10S1",
}


@pytest.mark.parametrize("payload", list(UNDECODABLE.values()), ids=list(UNDECODABLE))
def test_a_request_that_cannot_be_decoded_is_invalid_argument(served, error_log, payload):
    from protos.omo.v1 import stores_pb2

    token = Cast(served.app, label="regression").token("ops")
    with grpc.insecure_channel(f"127.0.0.1:{served.server.port}") as channel:
        get_store = channel.unary_unary(
            "/omo.v1.StoreService/GetStore", request_serializer=bytes, response_deserializer=stores_pb2.GetStoreResponse.FromString,
        )
        with pytest.raises(grpc.RpcError) as refusal:
            get_store(payload, metadata=[("authorization", f"Bearer {token}")], timeout=10)
    assert refusal.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refusal.value.details()
    assert "not a valid omo.v1.GetStoreRequest" in refusal.value.details()
    assert not error_log.records, error_log.text()
