"""Stream hosting without a server: a unary handler passes untouched; every handler with a
streaming side runs on the streams' pool and holds a slot while it runs; streams opened at
once never hold more than the maximum, and the others are refused with RESOURCE_EXHAUSTED
(through the real server, beside unary calls: the e2e tests of stream hosting)."""

from __future__ import annotations

import threading
from concurrent import futures

import grpc
import pytest

from services.api.stream_hosting import StreamHosting
from tests.unit.test_deadlines import wait_until


class Aborted(Exception):
    pass


class FakeContext:
    def __init__(self):
        self.code: grpc.StatusCode | None = None
        self.details = ""

    def set_trailing_metadata(self, metadata) -> None:
        pass

    def abort(self, code: grpc.StatusCode, details: str):
        self.code, self.details = code, details
        raise Aborted(details)


class Details:
    method = "/omo.v1.Test/Method"
    invocation_metadata = ()


def identity(_request, _context):
    return "answer"


def hosted(hosting: StreamHosting, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    return hosting.intercept_service(lambda _details: handler, Details())


@pytest.fixture
def hosting():
    h = StreamHosting(max_streams=10)
    yield h
    h.close()


def test_a_unary_handler_is_passed_on_untouched(hosting):
    handler = grpc.unary_unary_rpc_method_handler(identity)
    assert hosted(hosting, handler) is handler
    assert hosting.intercept_service(lambda _details: None, Details()) is None


def test_a_stream_runs_on_the_streams_pool_and_holds_a_slot_while_it_runs(hosting):
    def numbers(request, _context):
        yield from range(request)

    handler = hosted(hosting, grpc.unary_stream_rpc_method_handler(numbers))
    assert handler.unary_stream.experimental_thread_pool is hosting.pool
    stream = handler.unary_stream(3, FakeContext())
    assert next(stream) == 0
    assert hosting.held == 1
    assert list(stream) == [1, 2]
    assert hosting.held == 0


def test_a_stream_dropped_by_its_call_frees_its_slot(hosting):
    def endless(_requests, _context):
        while True:
            yield "beat"

    handler = hosted(hosting, grpc.stream_stream_rpc_method_handler(endless))
    stream = handler.stream_stream(iter(()), FakeContext())
    next(stream)
    assert hosting.held == 1
    stream.close()  # what becomes of a generator gRPC stops reading when the call ends
    assert hosting.held == 0


def test_a_client_stream_holds_a_slot_until_it_answers(hosting):
    seen = []

    def count(requests, _context):
        seen.append(hosting.held)
        return sum(requests)

    handler = hosted(hosting, grpc.stream_unary_rpc_method_handler(count))
    assert handler.stream_unary.experimental_thread_pool is hosting.pool
    assert handler.stream_unary(iter([1, 2, 3]), FakeContext()) == 6
    assert (seen, hosting.held) == ([1], 0)


def test_a_callback_driven_stream_is_left_alone(hosting):
    def watch(_request, _context, send_response_callback=None):
        pass

    watch.experimental_non_blocking = True
    handler = grpc.unary_stream_rpc_method_handler(watch)
    assert hosted(hosting, handler) is handler


def test_streams_opened_at_once_never_hold_more_than_the_maximum(hosting):
    release = threading.Event()
    seen_held = []

    def held(_request, _context):
        seen_held.append(hosting.held)
        yield "open"
        release.wait(10)

    handler = hosted(hosting, grpc.unary_stream_rpc_method_handler(held))
    start = threading.Barrier(50)

    def open_one():
        context = FakeContext()
        stream = handler.unary_stream(None, context)
        start.wait()
        try:
            next(stream)
        except Aborted:
            return context.code, context.details
        list(stream)  # held until released
        return "served", ""

    with futures.ThreadPoolExecutor(max_workers=50) as pool:
        opened = [pool.submit(open_one) for _ in range(50)]
        assert wait_until(lambda: sum(f.done() for f in opened) == 40)  # the refusals come at once
        assert hosting.held == 10
        release.set()
        outcomes = [f.result(timeout=10) for f in opened]
    assert outcomes.count(("served", "")) == 10
    assert outcomes.count((grpc.StatusCode.RESOURCE_EXHAUSTED,
                           "this server holds its maximum of 10 streams; retry later or on another server")) == 40
    assert len(seen_held) == 10 and max(seen_held) <= 10
    assert hosting.held == 0


def test_the_maximum_must_be_positive():
    with pytest.raises(ValueError, match="max_streams must be >= 1"):
        StreamHosting(0)
