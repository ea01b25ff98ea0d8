"""One line per call, at INFO on the `omo.access` logger: the method, who called (role and token
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

from domain.callers import Caller

log = logging.getLogger("omo.access")
_call: ContextVar[dict[str, Any] | None] = ContextVar("omo_access_call", default=None)


def note_caller(caller: Caller) -> None:
    """The gate has identified the caller of the call being served."""
    record = _call.get()
    if record is not None:
        record["role"], record["token_id"] = caller.role, caller.token_id


def _logged(method: str, context: grpc.ServicerContext, started: float, record: dict[str, Any], failed: bool) -> None:
    code = context.code() or (grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK)
    name = code.name if isinstance(code, grpc.StatusCode) else str(code)
    fields = {
        "method": method, "role": record.get("role", ""), "token_id": record.get("token_id", ""), "code": name,
        "ms": round((time.perf_counter() - started) * 1000, 1), "peer": context.peer(),
    }
    log.info(
        "%s %s %s/%s %.1f ms %s", method, name, fields["role"] or "-", fields["token_id"] or "-", fields["ms"], fields["peer"],
        extra={"access": fields},
    )


class AccessLog(grpc.ServerInterceptor):
    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or not log.isEnabledFor(logging.INFO):
            return handler
        method = handler_call_details.method.lstrip("/")
        codec = {"request_deserializer": handler.request_deserializer, "response_serializer": handler.response_serializer}
        kind = next(k for k in ("unary_unary", "unary_stream", "stream_unary", "stream_stream") if getattr(handler, k))
        inner = getattr(handler, kind)
        streaming_out = kind.endswith("_stream")

        def timed(request_or_iterator, context):
            started, record = time.perf_counter(), {}
            token = _call.set(record)
            failed = True
            try:
                answer = inner(request_or_iterator, context)
                failed = False
                return answer
            finally:
                _call.reset(token)
                _logged(method, context, started, record, failed)

        def timed_stream(request_or_iterator, context):
            started, record = time.perf_counter(), {}
            failed = True
            _call.set(record)  # set, not reset later: a stream may be closed from another thread
            try:
                yield from inner(request_or_iterator, context)
                failed = False
            finally:
                _call.set(None)
                _logged(method, context, started, record, failed)

        make = getattr(grpc, f"{kind}_rpc_method_handler")
        return make(timed_stream if streaming_out else timed, **codec)
