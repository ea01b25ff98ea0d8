"""The stores' board: today's shipments per store (the store-local day), the on-time share, the
stores with overdue shipments first and those shipments themselves, the most overdue first (the
console's picture of StoreService/GetStorePerformance for one day, decided by its access rule).

The page updates itself while it is open: /board/events is a stream of server-sent events, each
carrying the board's fragment rendered anew when the on-time projection's position moves, or
at least every `refresh_seconds` (overdue grows with the clock), and a heartbeat comment in
between. Every tick checks the session's token again and the access rule: a revoked token, an
ended session or a refusal ends the stream with an `end` event (the page then reloads into
the sign-in or refusal page).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from domain.callers import DEALER, POS, Caller
from domain.errors import DomainError, InvalidInput
from domain.values import identifier
from projections.on_time.reader import OnTimeReader
from projections.runtime.reader import Freshness
from protos.omo.v1 import stores_pb2
from services.console.access import Forbidden, SignInNeeded, Visit
from services.console.params import place
from services.use_cases.network.statements import SHANGHAI
from services.use_cases.reads.store_performance import Figures, Scope, StorePerformance, StorePerformanceQueries

STORE_PERFORMANCE = "omo.v1.StoreService/GetStorePerformance"
OVERDUE_SHOWN = 100  # the most overdue shipments listed; the figures count every one
RETRY_MS = 5000  # how long a browser waits before it reconnects a closed stream


@dataclass(frozen=True)
class Asked:
    """The board's scope, the equivalent request its access is decided on, and the query
    string that asks for it again (for the stream)."""

    scope: Scope
    request: stores_pb2.GetStorePerformanceRequest
    query: str


@dataclass(frozen=True)
class Board:
    day: str  # the store-local day, YYYY-MM-DD
    scope: Scope
    stores: list[dict]  # store_id, figures, share; the most overdue first, then the lowest share
    total: Figures
    total_share: str
    overdue: list[dict]  # shipment, overdue_for; the most overdue first
    as_of: datetime
    freshness: Freshness


class BoardPages:
    def __init__(self, console):
        self.console = console
        self.reader = OnTimeReader.for_application(console.app)
        self.queries = StorePerformanceQueries(self.reader)
        self.poll_seconds = 2.0  # how often the stream looks at the position and the session
        self.refresh_seconds = 30.0  # a fragment at least this often
        self.heartbeat_seconds = 15.0  # a comment when nothing was sent for this long
        self.max_events: int | None = None  # fragments sent before the stream closes (tests)
        self.max_seconds: float | None = 3600.0  # then the browser reconnects, checked afresh

    def close(self) -> None:
        self.reader.close()

    def routes(self) -> list[Route]:
        return [Route("/board", self.board), Route("/board/events", self.events)]

    def board(self, request: Request) -> Response:
        visit, asked = self._decide(request)
        found = self._read(asked)
        events = "/board/events" + (f"?{asked.query}" if asked.query else "")
        return self.console.render(request, "board.html", visit, board=found, events=events, asked=asked.scope)

    async def events(self, request: Request) -> Response:
        _, asked = await run_in_threadpool(self._decide, request)  # refusals are pages, before the stream
        first = await run_in_threadpool(self._read, asked)
        return StreamingResponse(
            self._stream(request, asked, first), media_type="text/event-stream", headers={"x-accel-buffering": "no"},
        )

    # --- the stream --------------------------------------------------------------------------------

    async def _stream(self, request: Request, asked: Asked, found: Board) -> AsyncIterator[str]:
        started = last_fragment = last_sent = time.monotonic()
        yield f"retry: {RETRY_MS}\n" + self._fragment_event(found)
        sent = 1
        while (self.max_events is None or sent < self.max_events) and (
            self.max_seconds is None or time.monotonic() - started < self.max_seconds
        ):
            await anyio.sleep(self.poll_seconds)
            try:
                await run_in_threadpool(self._still_allowed, request, asked)
                moved = await run_in_threadpool(self.reader.position) != found.freshness.position
                if moved or time.monotonic() - last_fragment >= self.refresh_seconds:
                    found = await run_in_threadpool(self._read, asked)
                    yield self._fragment_event(found)
                    sent += 1
                    last_fragment = last_sent = time.monotonic()
                elif time.monotonic() - last_sent >= self.heartbeat_seconds:
                    yield ": heartbeat\n\n"
                    last_sent = time.monotonic()
            except (SignInNeeded, Forbidden, DomainError) as error:
                yield event("end", str(error) or "signed out")
                return

    def _still_allowed(self, request: Request, asked: Asked) -> None:
        """The session's token checked again now, and the access rule asked again."""
        visit = self.console.access.visit(request)
        self.console.access.allowed(visit.caller, STORE_PERFORMANCE, asked.request)

    def _fragment_event(self, found: Board) -> str:
        html = self.console.templates.get_template("board_fragment.html").render(board=found).strip()
        return event("board", html, str(found.freshness.position))

    # --- the scope, its access and the reads -------------------------------------------------------

    def _decide(self, request: Request) -> tuple[Visit, Asked]:
        visit = self.console.access.visit(request)
        asked = asked_of(request, visit.caller)
        self.console.access.allowed(visit.caller, STORE_PERFORMANCE, asked.request)
        return visit, asked

    def _read(self, asked: Asked) -> Board:
        now_us = self.console.app.now_us()
        as_of = datetime.fromtimestamp(now_us / 1_000_000, timezone.utc)
        day = as_of.astimezone(SHANGHAI).date().isoformat()  # the stores' local day
        for _ in range(3):  # the figures and the list from the same position, unless it keeps moving
            performance = self.queries.performance(asked.scope, day, day, now_us)
            overdue = self.queries.overdue_shipments(asked.scope, day, day, now_us, OVERDUE_SHOWN)
            if overdue.freshness.position == performance.freshness.position:
                break
        return Board(
            day, asked.scope, [store_row(s) for s in sorted(performance.stores, key=worst_first)],
            performance.total, share_text(performance.total),
            [{"shipment": s, "overdue_for": duration(now_us - s.promised_us)} for s in overdue.shipments],
            as_of, performance.freshness,
        )


def asked_of(request: Request, caller: Caller) -> Asked:
    """Ops: every store, or a dealer's, or a province's (a city's); a dealer token: its own
    dealer's stores unless it names another; a POS token: its store. Checked before any query."""
    params = request.query_params
    dealer_id = params.get("dealer_id", "").strip()
    province = place("province", params.get("province", ""))
    city = place("city", params.get("city", ""))
    if dealer_id:
        identifier("dealer_id", dealer_id)
        if province:
            raise InvalidInput("province", "give a dealer_id or a province, not both")
        return Asked(Scope(dealer_id=dealer_id), stores_pb2.GetStorePerformanceRequest(dealer_id=dealer_id), urlencode({"dealer_id": dealer_id}))
    if city and not province:
        raise InvalidInput("city", "needs its province (city names repeat across provinces)")
    if province:
        region = stores_pb2.PerformanceRegion(province=province, city=city)
        query = urlencode({"province": province, **({"city": city} if city else {})})
        return Asked(Scope(province=province, city=city), stores_pb2.GetStorePerformanceRequest(region=region), query)
    if caller.role == DEALER:
        return Asked(Scope(dealer_id=caller.dealer_id), stores_pb2.GetStorePerformanceRequest(dealer_id=caller.dealer_id), "")
    if caller.role == POS:
        return Asked(Scope(store_id=caller.store_id), stores_pb2.GetStorePerformanceRequest(store_id=caller.store_id), "")
    return Asked(Scope(everywhere=True), stores_pb2.GetStorePerformanceRequest(), "")  # HQ's: every store


def worst_first(store: StorePerformance) -> tuple:
    """The most overdue first, then the lowest on-time share (none settled last), then by id."""
    share = store.total.on_time_per_mille
    return -store.total.overdue, 1001 if share is None else share, store.store_id


def store_row(store: StorePerformance) -> dict:
    return {"store_id": store.store_id, "figures": store.total, "share": share_text(store.total)}


def share_text(f: Figures) -> str:
    """Per mille as a percentage with one decimal; a dash while nothing is settled."""
    share = f.on_time_per_mille
    return "—" if share is None else f"{share // 10}.{share % 10}%"


def duration(microseconds: int) -> str:
    minutes = max(microseconds, 0) // 60_000_000
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} d {minutes // 60 % 24} h"


def event(name: str, data: str, event_id: str = "") -> str:
    """One server-sent event; each line of `data` a data line of its own."""
    lines = [f"event: {name}", *([f"id: {event_id}"] if event_id else []), *(f"data: {line}" for line in data.splitlines() or [""])]
    return "\n".join(lines) + "\n\n"

