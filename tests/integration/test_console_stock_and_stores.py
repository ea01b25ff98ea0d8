"""The console's low stock and store pages against the stock use cases, under the API's access
rules, and the system page's reading of the API servers' metrics endpoints."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from domain.callers import DEALER, OPS, POS
from projections.definitions import NATIONAL_STOCK
from projections.national_stock.reads import Region
from projections.runtime.runner import ProjectionRunner
from services.cli.main import main
from services.console.web import Console
from services.use_cases.reads.stock_queries import StockQueries
from services.use_cases.stock.inventory import get_stock_position, receive_stock
from tests.integration.test_console import signed_in, table
from tests.ledger_builders import trade


@pytest.fixture
def stocked(app) -> Iterator[StockQueries]:
    """trade(app) with a few units more at S1 (dealer DA) and S3 (HQ), the national stock
    caught up; the stock use cases to compare with."""
    trade(app)
    receive_stock(app, "S1", [("SERUM", 2), ("MASK", 7), ("LIPSTICK", 4)])
    receive_stock(app, "S3", [("SERUM", 3)])
    runner = ProjectionRunner(app.database_url, NATIONAL_STOCK.event_log(app), NATIONAL_STOCK, poll_interval=0.01)
    try:
        runner.catch_up()
    finally:
        runner.close()
    queries = StockQueries.for_application(app)
    yield queries
    queries.close()


@pytest.fixture
def console(app) -> Iterator[Console]:
    web = Console(app)
    yield web
    web.close()


def low(queries: StockQueries, region: Region, threshold: int) -> list[list[str]]:
    rows, _, _ = queries.low_stock(region, threshold, "", 1000)
    return [[r.sku, str(r.figures.on_hand), str(r.figures.reserved), str(r.figures.safety_stock), str(r.figures.available),
             str(r.figures.incoming)] for r in rows]


def shown(page) -> list[list[str]]:
    return [[row[0], *row[2:]] for row in table(page, "low-stock") if len(row) > 1]


def test_low_stock_lists_what_the_use_case_lists_for_ops_anywhere_and_for_a_dealer_its_own_stores(console, cast, stocked):
    ops = signed_in(console, cast.token(OPS))
    national = ops.get("/stock/low", params={"threshold": "2000"})
    assert national.status_code == 200
    assert shown(national) == low(stocked, Region(), 2000) != []
    in_store = ops.get("/stock/low", params={"threshold": "5", "store_id": "S1"})
    assert shown(in_store) == low(stocked, Region(store_id="S1"), 5) == [
        ["LIPSTICK", "4", "0", "0", "4", "0"], ["SERUM", "3", "0", "0", "3", "0"],  # 2 received, 1 given back
    ]
    _, _, freshness = stocked.low_stock(Region(store_id="S1"), 5, "", 1)
    assert f"Freshness: national stock at position {freshness.position} of the event log's {freshness.head}" in in_store.text

    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    own = dealer.get("/stock/low", params={"threshold": "5"})
    assert own.status_code == 200 and "dealer &#39;DA&#39;" in own.text
    assert shown(own) == low(stocked, Region(dealer="DA"), 5)
    assert shown(dealer.get("/stock/low", params={"threshold": "5", "store_id": "S1"})) == low(stocked, Region(store_id="S1"), 5)
    other, missing = (dealer.get("/stock/low", params={"dealer": d}) for d in ("DB", "NOPE"))
    assert other.status_code == missing.status_code == 403
    assert other.text.replace("DB", "X") == missing.text.replace("NOPE", "X")
    assert dealer.get("/stock/low", params={"province": "Shanghai"}).status_code == 403  # a region is HQ's
    assert dealer.get("/stock/low", params={"store_id": "S2"}).status_code == 403  # DB's store
    assert signed_in(console, cast.token(POS, store_id="S1")).get("/stock/low").status_code == 403


def test_low_stock_refuses_malformed_parameters_before_any_query(console, cast, stocked, monkeypatch):
    client = signed_in(console, cast.token(OPS))

    def no_query(*_):
        raise AssertionError("a malformed parameter reached a query")

    monkeypatch.setattr(console.stock, "low_stock", no_query)
    for params in ({"threshold": "-1"}, {"threshold": "five"}, {"threshold": "99999999999"}, {"threshold": "٣"},
                   {"city": "Shanghai"}, {"dealer": "DA", "store_id": "S1"}, {"store_id": "bad id!"}, {"after": "x y"}):
        answer = client.get("/stock/low", params=params)
        assert answer.status_code == 400 and "Malformed request" in answer.text, params


def test_low_stock_pages_through_every_row_once(console, cast, stocked, monkeypatch):
    monkeypatch.setattr("services.console.pages.stock.LOW_STOCK_PAGE", 1)
    client = signed_in(console, cast.token(OPS))
    seen, page = [], client.get("/stock/low", params={"threshold": "2000"})
    while True:
        seen += shown(page)
        following = re.search(r'id="next-page" href="([^"]+)"', page.text)
        if not following:
            break
        page = client.get(following.group(1).replace("&amp;", "&"))
    assert seen == low(stocked, Region(), 2000) and len(seen) == 3


def test_a_store_page_shows_its_profile_and_stock_to_ops_and_its_dealer(console, cast, stocked, app):
    for token in (cast.token(OPS), cast.token(DEALER, dealer_id="DA")):
        page = signed_in(console, token).get("/stores/S1")
        assert page.status_code == 200 and "Store S1: Store S1" in page.text
        profile = dict(table(page, "profile"))
        assert profile["Owner"] == "dealer DA" and profile["Where"].startswith("Shanghai · Shanghai")
        stock = [[row[0], *row[1:]] for row in table(page, "stock")]
        assert stock == low(stocked, Region(store_id="S1"), 2**62)
    assert "HQ" == dict(table(signed_in(console, cast.token(OPS)).get("/stores/S3"), "profile"))["Owner"]


def test_a_store_s_pos_sees_its_store_and_looks_up_a_sku_but_not_the_others(console, cast, stocked, app):
    pos = signed_in(console, cast.token(POS, store_id="S1"))
    page = pos.get("/stores/S1")
    assert page.status_code == 200 and 'id="stock"' not in page.text  # ListLowStock is not a POS call
    serum = pos.get("/stores/S1", params={"sku": "SERUM"})
    position = get_stock_position(app, "S1", "SERUM")
    assert table(serum, "position") == [["SERUM", str(position.on_hand), str(position.reserved), str(position.safety_stock),
                                         str(position.available), str(position.in_transit), str(position.expected)]]
    other, missing = pos.get("/stores/S2"), pos.get("/stores/NOPE")
    assert other.status_code == missing.status_code == 403
    assert other.text.replace("S2", "X") == missing.text.replace("NOPE", "X")
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    assert dealer.get("/stores/S2").status_code == 403


def test_unknown_stores_and_skus_are_404_and_malformed_ones_400(console, cast, stocked):
    ops = signed_in(console, cast.token(OPS))
    assert ops.get("/stores/NOPE").status_code == 404
    assert ops.get("/stores/S1", params={"sku": "NEVER-HELD"}).status_code == 404
    for path, params in (("/stores/bad id!", {}), ("/stores/S1", {"sku": "bad sku!"}), ("/stores/S1", {"after": "a b"})):
        assert ops.get(path, params=params).status_code == 400


def test_the_store_page_pages_through_its_stock(console, cast, stocked, monkeypatch):
    monkeypatch.setattr("services.console.pages.stores.STOCK_PAGE", 1)
    client = signed_in(console, cast.token(OPS))
    seen, page = [], client.get("/stores/S1")
    while True:
        seen += [row[0] for row in table(page, "stock")]
        following = re.search(r'id="next-page" href="([^"]+)"', page.text)
        if not following:
            break
        page = client.get(following.group(1).replace("&amp;", "&"))
    assert seen == ["LIPSTICK", "MASK", "SERUM"]


# --- the API servers' order writers, on the system page ------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_system_page_shows_each_api_server_s_order_writer_queue_or_why_it_cannot(app, cast):
    registry = CollectorRegistry()
    Gauge("omo_order_writer_queue_depth", "queue", registry=registry).set(7)
    batches = Histogram("omo_order_writer_batch_size", "batches", registry=registry)
    for size in (4, 2):
        batches.observe(size)
    Counter("omo_order_writer_conflicts", "conflicts", registry=registry).inc(3)
    Gauge("omo_streams_open", "streams", registry=registry).set(2)
    port = free_port()
    server, _ = start_http_server(port, addr="127.0.0.1", registry=registry)
    away = f"http://127.0.0.1:{free_port()}/metrics"
    web = Console(app, servers=(f"http://127.0.0.1:{port}/metrics", away))
    try:
        page = signed_in(web, cast.token(POS, store_id="S1")).get("/system")
        rows = {row[0]: row for row in table(page, "servers")}
        assert rows[f"http://127.0.0.1:{port}/metrics"][1:4] == ["7", "2", "3.0"]  # queue, batches, mean batch
        assert rows[f"http://127.0.0.1:{port}/metrics"][5] == "3" and rows[f"http://127.0.0.1:{port}/metrics"][8] == "2"
        assert rows[away][1].startswith("not answering")
    finally:
        web.close()
        server.shutdown()
    unwatched = Console(app)
    try:
        assert 'id="servers-unwatched"' in signed_in(unwatched, cast.token(OPS)).get("/system").text
    finally:
        unwatched.close()


def test_omo_console_refuses_a_metrics_address_that_is_not_http_in_one_line(capsys):
    assert main(["console", "--api-metrics", "ftp://example/metrics"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("omo console: error: --api-metrics:") and "\n" not in error
