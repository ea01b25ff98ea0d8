"""The gate every call passes before its servicer: who is calling (the bearer token), may it
call this (access rules and authorization), is it within its rate (the rate limits) and its
request within the limits (the request limits). Health checking and
reflection are open to all.

The checks run inside the wrapped handler, on the worker thread that serves the call, not
in `intercept_service` (which runs on the server's one polling thread). A refused call
reaches no servicer, so it changes nothing. On a client stream every message is checked
before the servicer sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import grpc

from domain.callers import Caller, Unauthenticated
from domain.errors import DomainError, InvalidInput
from services.adapters.metrics import GATE_REFUSALS
from services.api.access_log import note_caller
from services.api.errors import abort_refused
from services.api.gate.request_limits import check_request
from services.api.open_services import is_open
from services.use_cases.application import OmoApplication
from services.api.gate.authorization import authorize
from services.use_cases.network.tokens import authenticate

log = logging.getLogger("omo.api")
# the caller of the unary call this thread is serving, for the servicer to record as acting
_acting: ContextVar[Caller | None] = ContextVar("omo_acting_caller", default=None)


def acting() -> str:
    """Who makes the unary call being served, as the events it causes record it ("" outside
    a call the gate admitted)."""
    caller = _acting.get()
    return caller.recorded if caller is not None else ""


Admission = Callable[[Caller], None]  # raises a DomainError (RateLimited) to refuse


def bearer_token(metadata: Any) -> str:
    """The token of `authorization: Bearer <token>`; Unauthenticated when absent."""
    for key, value in metadata or ():
        if key == "authorization":
            scheme, _, token = value.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated("the authorization header must be 'Bearer <token>'")
            return token.strip()
    raise Unauthenticated("no bearer token: send 'authorization: Bearer <token>' (issued by `omo tokens issue`)")


class Gate(grpc.ServerInterceptor):
    def __init__(self, app: OmoApplication, admissions: tuple[Admission, ...] = ()):
        self.app = app
        self.admissions = admissions

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        method = handler_call_details.method.lstrip("/")
        if handler is None or is_open(method):
            return handler
        return _guarded(handler, self, method)

    def identify(self, context: grpc.ServicerContext) -> Caller:
        caller = authenticate(self.app, bearer_token(context.invocation_metadata()))
        note_caller(caller)
        self._admit(caller)
        return caller

    def admit(self, method: str, request: Any, context: grpc.ServicerContext) -> Caller:
        caller = self.identify(context)
        self._vet(caller, method, request)
        return caller

    def checked(self, caller: Caller, method: str, requests: Iterator[Any]) -> Iterator[Any]:
        """The client stream, each message admitted and vetted before it is passed on."""
        for request in requests:
            self._admit(caller)
            self._vet(caller, method, request)
            yield request

    def _admit(self, caller: Caller) -> None:
        for admit in self.admissions:
            admit(caller)

    def _vet(self, caller: Caller, method: str, request: Any) -> None:
        _decoded(method, request)
        check_request(request)  # before authorize: its lookups see only bounded ids
        authorize(self.app, caller, method, request)


class Undecodable:
    """Stands for request bytes that are not the method's message (invalid UTF-8 in a
    string, a truncated or corrupt message), so that the gate answers INVALID_ARGUMENT
    after authenticating the caller, instead of gRPC answering INTERNAL."""

    def __init__(self, error: Exception):
        self.error = error


def _tolerant(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserialize is None:
        return None

    def tolerant(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as error:  # noqa: BLE001 - any undecodable input is the caller's
            return Undecodable(error)

    return tolerant


def _decoded(method: str, request: Any) -> None:
    if isinstance(request, Undecodable):
        service, name = method.split("/")
        raise InvalidInput("request", f"is not a valid {service.rsplit('.', 1)[0]}.{name}Request message "
                           "(strings must be UTF-8; the message may be truncated or corrupt)")


def _refuse(context: grpc.ServicerContext, error: Exception) -> None:
    if isinstance(error, DomainError):
        try:
            abort_refused(context, error)  # with `retry-after-ms` when rate limited
        finally:
            code = context.code()
            GATE_REFUSALS.labels(code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN").inc()
    log.error("the gate failed", exc_info=error)
    context.abort(grpc.StatusCode.UNAVAILABLE, "cannot check the caller's token now; retry shortly")


def _guarded(handler: grpc.RpcMethodHandler, gate: Gate, method: str) -> grpc.RpcMethodHandler:
    codec = {"request_deserializer": _tolerant(handler.request_deserializer), "response_serializer": handler.response_serializer}
    if handler.unary_unary:
        inner = handler.unary_unary

        def unary_unary(request, context):
            try:
                caller = gate.admit(method, request, context)
            except Exception as error:  # noqa: BLE001 - every refusal gets a status
                _refuse(context, error)
            acting = _acting.set(caller)
            try:
                return inner(request, context)
            finally:
                _acting.reset(acting)

        return grpc.unary_unary_rpc_method_handler(unary_unary, **codec)
    if handler.unary_stream:
        inner_stream = handler.unary_stream

        def unary_stream(request, context):
            try:
                gate.admit(method, request, context)
            except Exception as error:  # noqa: BLE001
                _refuse(context, error)
            yield from inner_stream(request, context)

        return grpc.unary_stream_rpc_method_handler(unary_stream, **codec)
    inner_client_stream = handler.stream_unary or handler.stream_stream

    def client_stream(requests, context):
        try:
            caller = gate.identify(context)
        except Exception as error:  # noqa: BLE001
            _refuse(context, error)
        return inner_client_stream(gate.checked(caller, method, requests), context)

    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(client_stream, **codec)
    return grpc.stream_stream_rpc_method_handler(client_stream, **codec)
