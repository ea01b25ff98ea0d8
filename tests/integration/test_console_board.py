"""The console's stores' board (/board and its event stream /board/events), on SQLite and
PostgreSQL: today's figures per store as StorePerformanceQueries gives them, the stores with
overdue shipments first and those shipments the most overdue first, each caller's scope under
GetStorePerformance's access rule, and the live updates over server-sent events, which a
revoked token or an ended session ends.

The clock is stopped at noon in Shanghai (the events' moments and the application's clock
both), so that every promise below falls on the same store-local day whenever the tests run."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import eventsourcing.domain
import pytest

from domain.callers import DEALER, OPS, POS, parse_token
from projections.on_time.reader import OnTimeReader
from services.console.pages.board import BoardPages
from services.console.web import Console
from services.use_cases.network.tokens import revoke_token
from services.use_cases.reads.store_performance import Scope, StorePerformanceQueries
from tests.integration.test_console import browser, csrf_of, signed_in, table
from tests.on_time_builders import DELIVERED_STEPS, open_stores, place, project, promise, steps

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
DAY = "2026-12-01"
STORES = {
    "S1": ("Shanghai", "Shanghai", "DA"), "S2": ("Shanghai", "Shanghai", "DA"),
    "S3": ("Zhejiang", "Hangzhou", "DB"), "S4": ("Zhejiang", "Ningbo", ""),
}
# key: (store, promise in hours from NOW, delivered); S4's fall on the days before and after
SHIPMENTS = {
    "s1-on-time": ("S1", 3, True), "s1-late": ("S1", -3, True), "s1-overdue": ("S1", -1, False),
    "s2-overdue-4h": ("S2", -4, False), "s2-overdue-2h": ("S2", -2, False), "s2-open": ("S2", 2, False),
    "s3-on-time": ("S3", 1, True), "s3-on-time-2": ("S3", 2, True), "s3-open": ("S3", 1, False),
    "s4-yesterday": ("S4", -20, False), "s4-tomorrow": ("S4", 24, False),
}


@pytest.fixture
def world(app, monkeypatch) -> dict[str, str]:
    """The stores and SHIPMENTS, the on-time projection at the head: order id by key."""
    ticks = itertools.count()

    def now() -> datetime:
        return NOW + timedelta(microseconds=next(ticks))

    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", now)
    monkeypatch.setattr(app, "clock", now)
    open_stores(app, STORES, dealers=("DA", "DB"))
    orders = {}
    for key, (store_id, hours, delivered) in SHIPMENTS.items():
        orders[key] = place(app, key, store_id, promise(NOW + timedelta(hours=hours)))
        if delivered:
            steps(app, orders[key], store_id, *DELIVERED_STEPS)
    project(app)
    return orders


@pytest.fixture
def console(app) -> Iterator[Console]:
    web = Console(app)
    board = board_of(web)
    board.poll_seconds, board.max_seconds = 0.02, 20.0  # a stream never outlives a test
    yield web
    web.close()


def board_of(console: Console) -> BoardPages:
    return next(page for page in console.pages if isinstance(page, BoardPages))


def expected(app, scope: Scope):
    reader = OnTimeReader.for_application(app)
    try:
        return StorePerformanceQueries(reader).performance(scope, DAY, DAY, app.now_us())
    finally:
        reader.close()


def cells(f) -> list[str]:
    share = f.on_time_per_mille
    return [str(f.due), str(f.on_time), str(f.late), str(f.open), str(f.overdue), "—" if share is None else f"{share / 10:.1f}%"]


def stores_of(page) -> list[str]:
    return [row[0] for row in table(page, "board-stores")][:-1]  # without the total


def sse(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) per event, ("comment", text) per comment line."""
    name, data = "", []
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event: "):
            name = line[len("event: "):]
        elif line.startswith("data: "):
            data.append(line[len("data: "):])
        elif not line and (name or data):
            yield name or "message", "\n".join(data)
            name, data = "", []


def fragment(data: str) -> SimpleNamespace:
    return SimpleNamespace(text=data)  # what the table helper reads


# --- the page -------------------------------------------------------------------------------------


def test_the_board_shows_today_s_figures_per_store_the_most_overdue_first(console, cast, world, app):
    page = signed_in(console, cast.token(OPS)).get("/board")
    assert page.status_code == 200
    found = expected(app, Scope(everywhere=True))
    by_store = {s.store_id: s.total for s in found.stores}
    rows = table(page, "board-stores")
    assert [row[0] for row in rows] == ["S2", "S1", "S3", "S4", "All 4 stores"]  # overdue, then the lower share
    assert rows[:-1] == [[store_id, *cells(by_store[store_id])] for store_id in ("S2", "S1", "S3", "S4")]
    assert rows[-1] == ["All 4 stores", *cells(found.total)]
    assert rows[0][1:] == ["3", "0", "0", "3", "2", "0.0%"] and rows[1][1:] == ["3", "1", "1", "1", "1", "33.3%"]
    assert rows[3][1:] == ["0", "0", "0", "0", "0", "—"]  # S4: yesterday's and tomorrow's are not today's

    overdue = table(page, "board-overdue")
    assert [(row[0], row[1], row[4]) for row in overdue] == [
        ("S2", world["s2-overdue-4h"], "4 h 00 min"), ("S2", world["s2-overdue-2h"], "2 h 00 min"), ("S1", world["s1-overdue"], "1 h 00 min"),
    ]
    assert overdue[0][2:4] == ["DELIVERY", promise(NOW - timedelta(hours=4))]
    assert f"at position {found.freshness.position} of the event log" in page.text
    assert 'href="/stores/S2"' in page.text and f'href="/orders/{world["s1-overdue"]}"' in page.text
    assert "Stores&#39; board" in page.text or "Stores' board" in page.text


def test_ops_narrows_the_board_to_a_dealer_a_province_or_a_city(console, cast, world, app):
    ops = signed_in(console, cast.token(OPS))
    for params, stores in (
        ({"dealer_id": "DA"}, ["S2", "S1"]), ({"province": "Zhejiang"}, ["S3", "S4"]),
        ({"province": "Zhejiang", "city": "Hangzhou"}, ["S3"]),
    ):
        page = ops.get("/board", params=params)
        assert page.status_code == 200 and stores_of(page) == stores, params
    dealer = ops.get("/board", params={"dealer_id": "DA"})
    found = expected(app, Scope(dealer_id="DA"))
    assert table(dealer, "board-stores")[-1] == ["All 2 stores", *cells(found.total)]
    assert [row[0] for row in table(dealer, "board-overdue")] == ["S2", "S2", "S1"]
    assert 'data-events="/board/events?dealer_id=DA"' in dealer.text
    assert ops.get("/board", params={"dealer_id": "NOPE"}).status_code == 404
    assert ops.get("/board", params={"province": "Atlantis"}).status_code == 404


def test_a_dealer_sees_its_own_stores_and_a_pos_token_its_store(console, cast, world, app):
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    page = dealer.get("/board")
    assert page.status_code == 200 and stores_of(page) == ["S2", "S1"]
    assert {row[0] for row in table(page, "board-overdue")} == {"S1", "S2"}
    assert table(page, "board-stores")[-1] == ["All 2 stores", *cells(expected(app, Scope(dealer_id="DA")).total)]
    assert stores_of(dealer.get("/board", params={"dealer_id": "DA"})) == ["S2", "S1"]

    pos = signed_in(console, cast.token(POS, store_id="S3")).get("/board")
    assert pos.status_code == 200 and stores_of(pos) == ["S3"]
    assert table(pos, "board-stores")[0][1:] == cells(expected(app, Scope(store_id="S3")).total)
    assert 'id="board-overdue"' not in pos.text and "No shipment due today is overdue" in pos.text
    assert 'action="/board"' not in pos.text  # the narrowing form is HQ's


def test_another_dealer_s_board_is_refused_the_same_whether_or_not_it_exists(console, cast, world):
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    other, missing = (dealer.get("/board", params={"dealer_id": d}) for d in ("DB", "NOPE"))
    assert other.status_code == missing.status_code == 403
    assert other.text.replace("DB", "X") == missing.text.replace("NOPE", "X")
    assert dealer.get("/board", params={"province": "Zhejiang"}).status_code == 403  # a region is HQ's
    assert dealer.get("/board/events", params={"dealer_id": "DB"}).status_code == 403
    pos = signed_in(console, cast.token(POS, store_id="S1"))
    assert pos.get("/board", params={"dealer_id": "DA"}).status_code == 403
    assert pos.get("/board", params={"province": "Shanghai"}).status_code == 403


def test_malformed_parameters_are_400_before_any_query(console, cast, world, monkeypatch):
    def no_query(*_, **__):
        raise AssertionError("a malformed parameter reached a query")

    board = board_of(console)
    monkeypatch.setattr(board.queries, "performance", no_query)
    monkeypatch.setattr(board.queries, "overdue_shipments", no_query)
    for token in (cast.token(OPS), cast.token(DEALER, dealer_id="DA")):
        client = signed_in(console, token)
        for path in ("/board", "/board/events"):
            for params in (
                {"dealer_id": "bad dealer!"}, {"dealer_id": "D" * 200}, {"province": "Zhe\x01jiang"}, {"province": "P" * 101},
                {"city": "Hangzhou"}, {"dealer_id": "DA", "province": "Shanghai"},
            ):
                answer = client.get(path, params=params)
                assert answer.status_code == 400, (path, params, answer.status_code)
                assert "Malformed request" in answer.text
    assert browser(console).get("/board").status_code == 401


def test_the_page_loads_its_script_from_the_console_and_has_no_inline_script(console, cast, world):
    client = signed_in(console, cast.token(OPS))
    page = client.get("/board")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.text.count("<script") == 1 and '<script src="/static/board.js" defer></script>' in page.text
    assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in page.text
    assert 'id="board" data-events="/board/events"' in page.text
    script = client.get("/static/board.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "EventSource" in script.text and "http" not in script.text.replace("https", "")  # nothing from elsewhere
    assert 'href="/board"' in client.get("/").text


# --- the live updates ----------------------------------------------------------------------------


def test_the_stream_sends_the_board_and_again_when_the_projection_moves(console, cast, world, app):
    board_of(console).max_events = 2
    client = signed_in(console, cast.token(OPS))
    with client.stream("GET", "/board/events") as stream:
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        events = sse(stream.iter_lines())
        name, data = next(e for e in events if e[0] != "comment")
        assert name == "board"
        assert table(fragment(data), "board-stores") == table(client.get("/board"), "board-stores")
        assert [row[1] for row in table(fragment(data), "board-overdue")][-1] == world["s1-overdue"]

        steps(app, world["s1-overdue"], "S1", *DELIVERED_STEPS)  # late now, no longer overdue
        project(app)
        name, data = next(e for e in events if e[0] != "comment")
        assert name == "board"
        rows = table(fragment(data), "board-stores")
        assert rows[1] == ["S1", *cells(expected(app, Scope(store_id="S1")).total)]
        assert rows[1][1:] == ["3", "1", "2", "0", "0", "33.3%"]
        assert [row[1] for row in table(fragment(data), "board-overdue")] == [world["s2-overdue-4h"], world["s2-overdue-2h"]]
        assert list(events) == []  # two events sent: the stream ends


def test_a_revoked_token_or_a_signed_out_session_ends_the_stream(console, cast, world, app):
    board_of(console).heartbeat_seconds = 0.0  # a heartbeat every tick
    token = cast.token(DEALER, dealer_id="DA")
    client = signed_in(console, token)
    with client.stream("GET", "/board/events") as stream:
        events = sse(stream.iter_lines())
        assert next(events)[0] == "board"
        assert next(events) == ("comment", "heartbeat")
        revoke_token(app, parse_token(token)[0], "left the company")
        ended = [e for e in events if e[0] != "comment"]
    assert len(ended) == 1 and ended[0][0] == "end" and "revoked" in ended[0][1]
    assert client.get("/board").status_code == 401

    ops = signed_in(console, cast.token(OPS))
    csrf = csrf_of(ops.get("/"))
    with ops.stream("GET", "/board/events", params={"province": "Shanghai"}) as stream:
        events = sse(stream.iter_lines())
        assert next(events)[0] == "board"
        assert ops.post("/signout", data={"csrf": csrf}).status_code == 303
        ended = [e for e in events if e[0] != "comment"]
    assert [name for name, _ in ended] == ["end"]
