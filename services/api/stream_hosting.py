"""Where held streams run: on threads of their own, never on the unary workers.

gRPC's sync server serves a call on one thread for its whole life, so a stream held open for an
hour holds a thread for an hour. Every call with a streaming side (server streams, client
streams, bidirectional: whatever its method's descriptor says, reflection's included) is served
from a pool of its own, sized for `max_streams` held at once; unary calls keep the server's
pool of workers, untouched. The server holds at most `max_streams` streams; one more is refused
with RESOURCE_EXHAUSTED before anything else is done for it, and its slot is free again the
moment a held stream's thread leaves it.

gRPC picks a handler's pool from the handler function's `experimental_thread_pool`, the hook
gRPC's own health service uses to keep its Watch streams off the workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc

from services.api.errors import abort_refused
from services.api.stream_limits import TooManyStreams

# threads beyond the held streams: they answer refusals while the server is full
SPARE_THREADS = 8


class StreamHosting(grpc.ServerInterceptor):
    def __init__(self, max_streams: int):
        if max_streams < 1:
            raise ValueError(f"max_streams must be >= 1, got {max_streams}")
        self.max_streams = max_streams
        # threads are started as streams arrive and stay for the next ones
        self.pool = futures.ThreadPoolExecutor(max_workers=max_streams + SPARE_THREADS, thread_name_prefix="omo-stream")
        self._lock = threading.Lock()
        self._held = 0

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or not (handler.request_streaming or handler.response_streaming):
            return handler
        if getattr(handler.unary_stream or handler.stream_stream, "experimental_non_blocking", False):
            return handler  # it answers through callbacks and holds no thread (the health Watch)
        return self._hosted(handler)

    @property
    def held(self) -> int:
        """Streams being served now."""
        return self._held

    def close(self) -> None:
        """Lets the stream threads end once their streams have (the server cancels them on stop)."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _hosted(self, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        codec = {"request_deserializer": handler.request_deserializer, "response_serializer": handler.response_serializer}
        if handler.unary_stream:
            behavior, build = self._holding_stream(handler.unary_stream), grpc.unary_stream_rpc_method_handler
        elif handler.stream_stream:
            behavior, build = self._holding_stream(handler.stream_stream), grpc.stream_stream_rpc_method_handler
        else:
            behavior, build = self._holding_call(handler.stream_unary), grpc.stream_unary_rpc_method_handler
        behavior.experimental_thread_pool = self.pool
        return build(behavior, **codec)

    def _holding_stream(self, inner: Callable[[Any, grpc.ServicerContext], Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def holding(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            self._take(context)
            try:
                yield from inner(request, context)
            finally:
                # also when gRPC drops the responses of a call that has ended (the generator
                # is closed): the thread is leaving the stream
                self._release()

        return holding

    def _holding_call(self, inner: Callable[[Any, grpc.ServicerContext], Any]) -> Callable[..., Any]:
        def holding(requests: Any, context: grpc.ServicerContext) -> Any:
            self._take(context)
            try:
                return inner(requests, context)
            finally:
                self._release()

        return holding

    def _take(self, context: grpc.ServicerContext) -> None:
        with self._lock:
            if self._held < self.max_streams:
                self._held += 1
                return
        abort_refused(context, TooManyStreams(self.max_streams))

    def _release(self) -> None:
        with self._lock:
            self._held -= 1
