"""The web console (`omo console`), driven through Starlette's TestClient: sign-in with the API's
tokens, its session cookie and CSRF tokens, each page's figures against the use cases', and the
API's access rules applied to every page."""

from __future__ import annotations

import html
import itertools
import re
import uuid
from datetime import datetime, timedelta, timezone
from collections.abc import Iterator

import eventsourcing.domain
import pytest
from starlette.testclient import TestClient

from domain.callers import CHECKOUT, DEALER, OPS, POS, parse_token
from projections.dealer_ledger.reader import LedgerReader
from projections.definitions import DEALER_LEDGER, NATIONAL_STOCK, PROJECTIONS
from projections.runtime.database import read_engine
from projections.runtime.runner import ProjectionRunner, projection_status
from services.adapters.statement_export import money_text
from services.cli.main import main
from services.console.web import Console
from services.use_cases.network.statements import TOTALS, get_statement
from services.use_cases.network.tokens import revoke_token
from services.use_cases.reads.stock_queries import StockQueries
from tests.ledger_builders import trade

TRADED_FROM = datetime(2026, 11, 15, 4, 0, tzinfo=timezone.utc)
PERIOD = "2026-11"


@pytest.fixture
def orders(app, monkeypatch) -> dict[str, str]:
    """trade(app), its events stamped in PERIOD, with the national stock and the dealer
    ledger brought up to date (and their leases let go, for `omo statements export`)."""
    ticks = itertools.count()
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: TRADED_FROM + timedelta(microseconds=next(ticks)))
    traded = trade(app)
    for projection in (NATIONAL_STOCK, DEALER_LEDGER):
        runner = ProjectionRunner(app.database_url, projection.event_log(app), projection, poll_interval=0.01)
        try:
            runner.catch_up()
            runner.release()
        finally:
            runner.close()
    return traded


@pytest.fixture
def console(app) -> Iterator[Console]:
    web = Console(app)
    yield web
    web.close()


def browser(console: Console) -> TestClient:
    return TestClient(console.asgi, base_url="http://testserver", follow_redirects=False)


def csrf_of(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def signed_in(console: Console, token: str) -> TestClient:
    client = browser(console)
    answer = client.post("/signin", data={"csrf": csrf_of(client.get("/signin")), "token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return client


def table(page, table_id: str) -> list[list[str]]:
    """The rows of the page's table with that id, each a list of its cells' text."""
    found = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', page.text, re.S)
    assert found, f"no table {table_id} on the page"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>|\s+", lambda m: " " if m.group(0).strip() == "" else "", c)).strip() for c in cells])
    return rows[1:]  # without the header


def figures(f) -> list[str]:
    return [str(f.on_hand), str(f.reserved), str(f.safety_stock), str(f.available), str(f.incoming)]


# --- sign-in, the session, CSRF --------------------------------------------------------------


def test_a_token_signs_in_once_for_an_http_only_same_site_cookie(console, cast):
    client = browser(console)
    assert client.get("/").status_code == 401  # the sign-in page, before signing in
    form = client.get("/signin")
    assert "default-src 'none'" in form.headers["content-security-policy"]  # no script, no CDN
    answer = client.post("/signin", data={"csrf": csrf_of(form), "token": cast.token(OPS)})
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain HTTP here
    assert cast.token(OPS) not in answer.headers["set-cookie"]  # the cookie holds a signed session id only
    home = client.get("/")
    assert home.status_code == 200 and "Signed in as ops" in home.text
    assert client.get("/static/console.css").status_code == 200


def test_under_tls_the_cookie_is_secure(app, cast):
    web = Console(app, secure=True)
    try:
        client = TestClient(web.asgi, base_url="https://testserver", follow_redirects=False)
        answer = client.post("/signin", data={"csrf": csrf_of(client.get("/signin")), "token": cast.token(OPS)})
        assert "secure" in answer.headers["set-cookie"].lower()
    finally:
        web.close()


def test_a_bad_token_a_checkout_token_and_a_form_without_its_csrf_token_are_refused(console, cast):
    client = browser(console)
    page = client.get("/signin")
    assert client.post("/signin", data={"csrf": csrf_of(page), "token": "omo_nonsense"}).status_code == 401
    refused = client.post("/signin", data={"csrf": csrf_of(client.get("/signin")), "token": cast.token(CHECKOUT)})
    assert refused.status_code == 403 and "A checkout token cannot sign in to the console" in refused.text
    assert client.post("/signin", data={"token": cast.token(OPS)}).status_code == 403  # no CSRF token
    assert client.get("/").status_code == 401

    ops = signed_in(console, cast.token(OPS))
    assert ops.post("/signout", data={}).status_code == 403  # a sign-out form not from this session
    assert ops.post("/signout", data={"csrf": "forged"}).status_code == 403
    home = ops.get("/")
    assert home.status_code == 200
    assert ops.post("/signout", data={"csrf": csrf_of(home)}).status_code == 303
    assert ops.get("/").status_code == 401


def test_a_revoked_token_ends_its_session_on_the_next_request(console, cast, app):
    token = cast.token(DEALER, dealer_id="DA")
    client = signed_in(console, token)
    assert client.get("/").status_code == 200
    revoke_token(app, parse_token(token)[0], "left the company")
    ended = client.get("/")
    assert ended.status_code == 401 and "was revoked" in ended.text
    assert client.get("/system").status_code == 401  # the session is gone, not only refused once


# --- the pages -----------------------------------------------------------------------------------


def test_national_stock_shows_the_sku_s_figures_by_province_and_city_and_drills_down_to_stores(console, cast, orders, app):
    client = signed_in(console, cast.token(OPS))
    expected = StockQueries.for_application(app)
    try:
        found = expected.national_stock("SERUM", ["province", "city", "store"])
    finally:
        expected.close()
    page = client.get("/stock", params={"sku": "SERUM"})
    assert page.status_code == 200
    assert table(page, "provinces") == [["Shanghai", *figures(found.breakdowns["province"][0].figures), ""]]
    assert table(page, "cities") == [["Shanghai", "Shanghai", *figures(found.breakdowns["city"][0].figures), ""]]
    assert f"at position {found.freshness.position} of the event log" in page.text
    assert "<svg class=\"bar\"" in page.text and "<script" not in page.text
    assert "/stock?sku=SERUM&amp;province=Shanghai&amp;city=Shanghai" in page.text

    city = client.get("/stock", params={"sku": "SERUM", "province": "Shanghai", "city": "Shanghai"})
    stores = {row[0]: row for row in table(city, "stores")}
    assert {a.store_id for a in found.breakdowns["store"]} == set(stores)
    for area in found.breakdowns["store"]:
        assert stores[area.store_id][3:8] == figures(area.figures)
    assert stores["S2"][2] == "DB"


def test_an_order_shows_its_shipments_explanation_and_history_with_callers(console, cast, orders):
    page = signed_in(console, cast.token(OPS)).get(f"/orders/{orders['b']}")
    assert page.status_code == 200
    assert [row[0] for row in table(page, "shipments")] == ["S2"]
    assert table(page, "explanation")  # the stores passed over, or that none were
    history = table(page, "history")
    assert [row[2] for row in history][:1] and all(row[4] for row in history)  # every step names who did it
    assert any(row[4].startswith("system") or row[4].startswith("unknown") or ":" in row[4] for row in history)

    # dealer DB owns S2, which fulfilled it: its history, not the HQ-only details
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DB")).get(f"/orders/{orders['b']}")
    assert dealer.status_code == 200 and table(dealer, "history") == history
    assert 'id="shipments"' not in dealer.text


def test_an_order_not_the_dealer_s_is_refused_the_same_whether_or_not_it_exists(console, cast, orders):
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    others, missing = dealer.get(f"/orders/{orders['b']}"), dealer.get(f"/orders/{uuid.uuid4()}")
    assert others.status_code == missing.status_code == 403
    assert others.text == missing.text
    ops = signed_in(console, cast.token(OPS))
    unknown = ops.get(f"/orders/{uuid.uuid4()}")
    assert unknown.status_code == 404 and "Not found" in unknown.text


def test_the_system_page_shows_each_projection_s_lag(console, cast, orders, app):
    page = signed_in(console, cast.token(POS, store_id="S1")).get("/system")
    assert page.status_code == 200
    rows = {row[0]: row for row in table(page, "projections")}
    assert set(PROJECTIONS) == set(rows)
    engine = read_engine(app.database_url)
    try:
        for name in ("national_stock", "dealer_ledger"):
            status = projection_status(engine, PROJECTIONS[name].event_log(app), name)
            assert rows[name][1:4] == [str(status.position), str(status.head), str(status.lag_events)]
    finally:
        engine.dispose()
    assert "cannot be read" in rows["on_time"][1]  # no runner has made its tables
    assert "answering" in table(page, "health")[0][1]


def test_a_dealer_s_statement_shows_its_totals_balances_and_settlements(console, cast, orders, app):
    reader = LedgerReader.for_application(app)
    try:
        expected = get_statement(reader, "DA", PERIOD, 1000)
    finally:
        reader.close()
    for token in (cast.token(OPS), cast.token(DEALER, dealer_id="DA")):
        page = signed_in(console, token).get("/dealers/DA/statement", params={"month": PERIOD})
        assert page.status_code == 200
        totals = [money_text(getattr(expected.totals, name)) for name in (*TOTALS, "net_payable")]
        assert table(page, "totals") == [[*totals, str(expected.totals.lines)]]
        assert [row[0] for row in table(page, "balances")] == [b.counterparty for b in expected.balances]
        assert len(table(page, "lines")) == expected.totals.lines
        assert f"at position {expected.freshness.position}" in page.text
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    assert dealer.get("/dealers").headers["location"].startswith("/dealers/DA/statement?month=")


def test_a_dealer_cannot_open_another_dealer_s_statement_whether_or_not_it_exists(console, cast, orders):
    dealer = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    other, missing = (dealer.get(f"/dealers/{d}/statement", params={"month": PERIOD}) for d in ("DB", "NOPE"))
    assert other.status_code == missing.status_code == 403
    assert other.text.replace("DB", "X") == missing.text.replace("NOPE", "X")
    assert dealer.get("/dealers/DB/statement.csv", params={"month": PERIOD}).status_code == 403
    assert signed_in(console, cast.token(OPS)).get("/dealers/NOPE/statement", params={"month": PERIOD}).status_code == 404


def test_the_statement_download_is_what_omo_statements_export_writes(console, cast, orders, app, tmp_path, monkeypatch):
    monkeypatch.setenv("OMO_DATABASE_URL", app.database_url)
    exported = tmp_path / "da.csv"
    assert main(["statements", "export", "--dealer", "DA", "--month", PERIOD, "--output", str(exported)]) == 0
    client = signed_in(console, cast.token(DEALER, dealer_id="DA"))
    download = client.get("/dealers/DA/statement.csv", params={"month": PERIOD})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert f'filename="statement-DA-{PERIOD}.csv"' in download.headers["content-disposition"]
    assert download.content == exported.read_bytes()
    assert main(["statements", "export", "--dealer", "DA", "--month", PERIOD, "--format", "xlsx", "--output", str(tmp_path / "da.xlsx")]) == 0
    xlsx = client.get("/dealers/DA/statement.xlsx", params={"month": PERIOD})
    assert xlsx.status_code == 200 and xlsx.content == (tmp_path / "da.xlsx").read_bytes()


def test_a_pos_token_sees_its_store_s_pages_only(console, cast, orders):
    pos = signed_in(console, cast.token(POS, store_id="S2"))
    assert pos.get(f"/orders/{orders['b']}").status_code == 200  # S2 fulfilled it
    assert pos.get("/stock", params={"sku": "SERUM"}).status_code == 403  # national stock is HQ's
    assert pos.get("/dealers/DB/statement", params={"month": PERIOD}).status_code == 403
    s1 = signed_in(console, cast.token(POS, store_id="S3"))
    assert s1.get(f"/orders/{orders['b']}").status_code == 403


# --- bad input ---------------------------------------------------------------------------------


def test_unknown_things_are_404_and_malformed_parameters_400_before_any_query(console, cast, orders, monkeypatch):
    client = signed_in(console, cast.token(OPS))
    unknown = client.get("/stock", params={"sku": "NO-SUCH-SKU"})
    assert unknown.status_code == 404 and "NO-SUCH-SKU" in unknown.text

    def no_query(*_):
        raise AssertionError("a malformed parameter reached a query")

    monkeypatch.setattr(console.stock, "national_stock", no_query)
    monkeypatch.setattr("services.console.pages.statements.dealer_statement", no_query)
    monkeypatch.setattr("services.console.pages.statements.export_statement", no_query)
    for path, params in (
        ("/stock", {"sku": "bad sku!"}), ("/stock", {"sku": "SERUM", "city": "Shanghai"}),
        ("/dealers/DA/statement", {"month": "2026-13"}), ("/dealers/DA/statement", {"month": "next month"}),
        ("/dealers/DA/statement.csv", {"month": "26-11"}), ("/dealers/bad dealer!/statement", {"month": PERIOD}),
        ("/orders/not-an-order-id", {}), ("/orders", {"order_id": "nope"}), ("/dealers/DA/statement.pdf", {"month": PERIOD}),
    ):
        answer = client.get(path, params=params)
        assert answer.status_code == 400, (path, params, answer.status_code)
        assert "Malformed request" in answer.text
