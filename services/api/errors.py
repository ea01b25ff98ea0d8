"""Domain errors mapped to gRPC status codes, in one place."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import grpc

from domain.errors import (
    Contention,
    DomainError,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from domain.callers import PermissionDenied, RateLimited, Unauthenticated
from domain.launches import PurchaseLimitReached
from domain.stock_query_errors import ProjectionBehind
from projections.runtime.database import OutdatedTables
from services.api.stream_limits import StreamExhausted, StreamExpired
from services.adapters.database_timeouts import database_connection_lost, database_timed_out
from services.use_cases.ports import OrderWriterUnavailable

log = logging.getLogger("omo.api")

STATUS_OF: list[tuple[type[DomainError], grpc.StatusCode]] = [
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (RateLimited, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (StreamExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (StreamExpired, grpc.StatusCode.DEADLINE_EXCEEDED),
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (IdempotencyKeyReused, grpc.StatusCode.ALREADY_EXISTS),
    # a read-your-writes wait ran out before the projection reached the position
    (ProjectionBehind, grpc.StatusCode.DEADLINE_EXCEEDED),
    # a launch's per-buyer limit: retrying will not help, the message says which limit
    (PurchaseLimitReached, grpc.StatusCode.FAILED_PRECONDITION),
    (RuleViolation, grpc.StatusCode.FAILED_PRECONDITION),
    (Contention, grpc.StatusCode.ABORTED),
    # nothing was acknowledged: retry with the same idempotency key
    (OrderWriterUnavailable, grpc.StatusCode.UNAVAILABLE),
]


def status_of(error: DomainError) -> grpc.StatusCode:
    for error_type, code in STATUS_OF:
        if isinstance(error, error_type):
            return code
    return grpc.StatusCode.FAILED_PRECONDITION


RETRY_AFTER_METADATA = "retry-after-ms"


def abort_refused(context: grpc.ServicerContext, error: DomainError) -> None:
    """Ends the call with the error's status and message; a refusal that says when to retry
    (RateLimited) also sends the delay as `retry-after-ms` trailing metadata."""
    retry_after_ms = getattr(error, "retry_after_ms", None)
    if retry_after_ms is not None:
        context.set_trailing_metadata(((RETRY_AFTER_METADATA, str(retry_after_ms)),))
    context.abort(status_of(error), str(error))


def rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps a servicer method: a domain refusal becomes its status code with the domain's
    message; anything unexpected is logged and answered INTERNAL without internals."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except Exception as error:  # noqa: BLE001 - every failure gets a status
            _abort(error, context, method)

    return wrapper


def _abort(error: Exception, context: grpc.ServicerContext, method: Callable[..., Any]) -> None:
    if isinstance(error, DomainError):
        abort_refused(context, error)
    if database_timed_out(error):  # statement_timeout or lock_timeout
        log.warning("%s: the database did not answer within statement_timeout or lock_timeout", method.__qualname__)
        context.abort(grpc.StatusCode.UNAVAILABLE, "the database did not answer in time; retry shortly")
    if database_connection_lost(error):  # a restart or failover: the pool reconnects
        log.warning("%s: the database connection was lost", method.__qualname__)
        context.abort(grpc.StatusCode.UNAVAILABLE, "the connection to the database was lost; retry shortly")
    if isinstance(error, OutdatedTables):  # rebuilt under a running server: the operator's to fix, not the caller's
        log.error("%s: %s", method.__qualname__, error)
        context.abort(grpc.StatusCode.UNAVAILABLE, "a view this call reads is being rebuilt; retry later")
    log.error("unexpected error in %s", method.__qualname__, exc_info=error)
    context.abort(grpc.StatusCode.INTERNAL, "internal error; the request may be retried")


def stream_rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    """`rpc` for a method that yields its responses (a server or bidirectional stream)."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            yield from method(self, request, context)
        except Exception as error:  # noqa: BLE001 - every failure gets a status
            _abort(error, context, method)

    return wrapper
