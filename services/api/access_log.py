"""Every call timed for the metrics, and one line per call, at INFO on the `omo.access` logger: the method, who called (role and token
id, never the token or its secret), the status code, the milliseconds, the peer, and the trace
id when tracing. Nothing of the request itself (no customer's location, no ids it names).

The interceptor is the outermost, so the time covers the gate too; the gate tells it who
called (`note_caller`), on the thread serving the call."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

import grpc
from opentelemetry import trace

from domain.callers import Caller
from services.adapters.metrics import RPC_CALLS, RPC_IN_FLIGHT, RPC_SECONDS
from services.adapters.tracing import trace_id
from services.api.open_services import is_open

log = logging.getLogger("omo.access")
_call: ContextVar[dict[str, Any] | None] = ContextVar("omo_access_call", default=None)


def note_caller(caller: Caller) -> None:
    """The gate has identified the caller of the call being served."""
    record = _call.get()
    if record is not None:
        record["role"], record["token_id"] = caller.role, caller.token_id
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes({"omo.caller.role": str(caller.role), "omo.caller.token_id": caller.token_id})


def _logged(method: str, context: grpc.ServicerContext, started: float, record: dict[str, Any], failed: bool, lines: bool) -> None:
    code = context.code() or (grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK)
    name = code.name if isinstance(code, grpc.StatusCode) else str(code)
    seconds = time.perf_counter() - started
    RPC_IN_FLIGHT.dec()
    RPC_CALLS.labels(method, name).inc()
    RPC_SECONDS.labels(method).observe(seconds)
    if not lines or not log.isEnabledFor(logging.INFO):
        return
    fields = {
        "method": method, "role": record.get("role", ""), "token_id": record.get("token_id", ""), "code": name,
        "ms": round(seconds * 1000, 1), "peer": context.peer(),
    }
    if traced := trace_id():
        fields["trace_id"] = traced
    log.info(
        "%s %s %s/%s %.1f ms %s%s", method, name, fields["role"] or "-", fields["token_id"] or "-", fields["ms"], fields["peer"],
        f" trace {traced}" if traced else "", extra={"access": fields},
    )


class AccessLog(grpc.ServerInterceptor):
    """Times every call for the metrics; with `lines`, logs it too."""

    def __init__(self, lines: bool = True):
        self.lines = lines

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        lines = self.lines
        method = handler_call_details.method.lstrip("/")
        if handler is None or is_open(method):
            return handler
        codec = {"request_deserializer": handler.request_deserializer, "response_serializer": handler.response_serializer}
        kind = next(k for k in ("unary_unary", "unary_stream", "stream_unary", "stream_stream") if getattr(handler, k))
        inner = getattr(handler, kind)
        streaming_out = kind.endswith("_stream")

        def timed(request_or_iterator, context):
            started, record = time.perf_counter(), {}
            RPC_IN_FLIGHT.inc()
            token = _call.set(record)
            failed = True
            try:
                answer = inner(request_or_iterator, context)
                failed = False
                return answer
            finally:
                _call.reset(token)
                _logged(method, context, started, record, failed, lines)

        def timed_stream(request_or_iterator, context):
            started, record = time.perf_counter(), {}
            failed = True
            RPC_IN_FLIGHT.inc()
            _call.set(record)  # set, not reset later: a stream may be closed from another thread
            try:
                yield from inner(request_or_iterator, context)
                failed = False
            finally:
                _call.set(None)
                _logged(method, context, started, record, failed, lines)

        make = getattr(grpc, f"{kind}_rpc_method_handler")
        return make(timed_stream if streaming_out else timed, **codec)
