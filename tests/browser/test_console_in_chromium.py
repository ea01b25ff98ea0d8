"""The web console (`omo console`) in a real browser: headless Chromium signs in by typing a token
into the form, opens every page, follows the national stock's drill-down by clicking, downloads a
statement by clicking its links and compares the files with `omo statements export`, and sees a
dealer refused another dealer's statement. What is asserted is what a person sees: titles,
headings, the text in tables. Every page visited is saved as a PNG (conftest.py says where).

The console serves the world of conftest.py: tests/ledger_builders.trade() in PERIOD.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from projections.dealer_ledger.reader import LedgerReader
from services.adapters.statement_export import money_text
from services.cli.main import main
from services.use_cases.network.statements import TOTALS, get_statement
from services.use_cases.reads.stock_queries import StockQueries
from tests.browser.conftest import PERIOD, WAIT_SECONDS, WINDOW, screenshot_folder


@dataclass(frozen=True)
class Page:
    name: str  # the screenshot's name, after the role's
    path: str  # "{order}": the id of trade()'s order "b"; "{month}": PERIOD
    title: str = ""  # the tab's title before " · OMO console" ("": any but an error page's)
    heading: str = ""  # text the page's <h1> holds
    tables: tuple[str, ...] = ()  # ids of tables that must show at least one row


# ===== THE PAGES, as HQ operations opens them ==========================================================
# Every page of the console belongs here.
PAGES = [
    Page("home", "/", "Home", "Signed in as ops"),
    Page("stock", "/stock?sku=SERUM", "National stock · SERUM", "National stock: SERUM", ("provinces", "cities")),
    Page("stock-city", "/stock?sku=SERUM&province=Shanghai&city=Shanghai", "National stock · SERUM", "National stock: SERUM", ("stores",)),
    Page("order-lookup", "/orders", "Orders", "An order"),
    Page("order", "/orders/{order}", "Order {order}", "Order {order}", ("shipments", "explanation", "history")),
    Page("system", "/system", "The system", "The system", ("health", "projections")),
    Page("statement", "/dealers/DA/statement?month={month}", "Statement DA {month}", "Statement of DEALER:DA for {month}", ("totals", "balances", "lines")),
    Page("board", "/board", "Stores' board", "Stores' board: every store"),
    Page("reconciliation", "/dealers/DA/reconciliation?month={month}", "Reconciliation DA {month}", "Reconciliation of dealer DA for {month}"),
    Page("store", "/stores/S2", "Store S2", "Store S2: Store S2", ("profile", "stock")),
    Page("low-stock", "/stock/low?threshold=2000", "Low stock", "Low stock: every store, 2000 available or fewer", ("low-stock",)),
]
# =======================================================================================================

SUFFIX = " · OMO console"
ERROR_TITLES = ("Not found", "Not open to this token", "Malformed request", "Behind", "Form refused", "Sign in")


# --- what a person does and sees --------------------------------------------------------------------


class Person:
    """A person at the browser, signed in as `role` (the screenshots' prefix)."""

    def __init__(self, driver, base_url: str, role: str, signed_in: dict[str, str]):
        self.driver, self.base_url, self.role, self.signed_in = driver, base_url, role, signed_in

    def by(self):
        from selenium.webdriver.common.by import By

        return By

    def wait(self, condition, what: str):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT_SECONDS).until(condition, f"waited {WAIT_SECONDS} s for {what}")

    def open(self, path: str, shot: str) -> None:
        self.driver.get(self.base_url + path)
        self.shoot(shot)

    def click(self, element, shot: str) -> None:
        """Clicks what leads to another page and waits until that page has replaced this one;
        saves a screenshot of it named `shot` ("": none)."""
        html = self.driver.find_element(self.by().TAG_NAME, "html")
        element.click()
        self.wait(lambda d: self._gone(html), "the next page")
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the page to load")
        if shot:
            self.shoot(shot)

    @staticmethod
    def _gone(element) -> bool:
        from selenium.common.exceptions import StaleElementReferenceException

        try:
            element.tag_name
            return False
        except StaleElementReferenceException:
            return True

    def shoot(self, name: str) -> Path:
        """The whole page, however long, as <role>-<name>.png."""
        page, inner = self.driver.execute_script("return [document.documentElement.scrollHeight, window.innerHeight]")
        frame = WINDOW[1] - int(inner)  # the window's own height beyond the page's, headless too
        self.driver.set_window_size(WINDOW[0], max(WINDOW[1], min(int(page) + frame, 6000)))
        path = screenshot_folder() / f"{self.role}-{name}.png"
        try:
            assert self.driver.save_screenshot(str(path)), f"no screenshot {path}"
        finally:
            self.driver.set_window_size(*WINDOW)
        return path

    @property
    def title(self) -> str:
        title = self.driver.title
        return title[: -len(SUFFIX)] if title.endswith(SUFFIX) else title

    @property
    def heading(self) -> str:
        return self.driver.find_element(self.by().TAG_NAME, "h1").text

    @property
    def text(self) -> str:
        return self.driver.find_element(self.by().TAG_NAME, "main").text

    def table(self, table_id: str) -> list[list[str]]:
        """The text of each cell of each body row of the table with that id."""
        By = self.by()
        rows = self.driver.find_elements(By.CSS_SELECTOR, f"table#{table_id} tbody tr")
        return [[cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "th, td")] for row in rows]

    def link(self, table_id: str, text: str):
        return self.driver.find_element(self.by().CSS_SELECTOR, f"table#{table_id}").find_element(self.by().LINK_TEXT, text)

    def nav(self) -> list[str]:
        return [a.text for a in self.driver.find_elements(self.by().CSS_SELECTOR, "header nav a")]

    def form_field(self, name: str, action: str | None = None):
        selector = f"form[action='{action}'] [name='{name}']" if action else f"[name='{name}']"
        return self.driver.find_element(self.by().CSS_SELECTOR, selector)

    def submit(self, action: str, shot: str, **fields: str) -> None:
        """Types into the fields of the form sent to `action` and clicks its button."""
        for name, value in fields.items():
            field = self.form_field(name, action)
            field.clear()
            field.send_keys(value)
        self.click(self.driver.find_element(self.by().CSS_SELECTOR, f"form[action='{action}'] button"), shot)

    def sign_in(self, token: str, shots: bool = True) -> None:
        self.driver.get(self.base_url + "/signin")
        if shots:
            self.shoot("signin")
        assert self.title == "Sign in" and self.heading == "Sign in"
        self.submit("/signin", "home" if shots else "", token=token)
        assert self.title == "Home", self.text
        assert self.heading.startswith(f"Signed in as {self.role.split('-')[0]}")

    def sign_out(self) -> None:
        self.signed_in.pop("role", None)
        self.click(self.driver.find_element(self.by().CSS_SELECTOR, "header form.signout button"), "signed-out")
        assert self.title == "Sign in" and self.nav() == []
        self.open("/", "after-sign-out")  # the session is over: the sign-in page again
        assert self.title == "Sign in"

    def severe_console_messages(self, refused_status: int | None = None) -> list[str]:
        """The browser console's errors since last asked (a style sheet or script not loaded, the
        content security policy refusing something, a script's error), but the page's own refusal."""
        messages = [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        expected = f"the server responded with a status of {refused_status}" if refused_status else None
        return [m for m in messages if "favicon.ico" not in m and not (expected and expected in m)]


@pytest.fixture(scope="module")
def signed_in() -> dict[str, str]:
    """Whom the module's browser is signed in as ("role": the role's screenshot prefix), and
    which roles signed in already ("shot:<role>": their sign-in pages are saved)."""
    return {}


@pytest.fixture
def person(driver, console_url, signed_in):
    """person(role, token): the browser signed in as `role` by typing `token` into the sign-in
    form, unless the test before left it signed in so (a sign-in a page costs a second a page);
    at the home page either way."""
    driver.get_log("browser")  # what earlier tests left in the console

    def signed_in_as(role: str, token: str) -> Person:
        who = Person(driver, console_url, role, signed_in)
        if signed_in.get("role") != role:
            who.sign_in(token, shots=f"shot:{role}" not in signed_in)
            signed_in.update({"role": role, f"shot:{role}": "yes"})
        else:
            driver.get(console_url + "/")
            assert who.title == "Home", who.text
        return who

    return signed_in_as


def filled(text: str, world) -> str:
    return text.format(order=world.orders["b"], month=PERIOD)


# --- every page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_ops_opens_the_page(page, person, world):
    ops = person("ops", world.ops_token)
    ops.open(filled(page.path, world), page.name)
    assert ops.driver.title.endswith(SUFFIX), f"{page.path}: not a console page: {ops.driver.title!r}"
    assert ops.title not in ERROR_TITLES, f"{page.path}: {ops.title}: {ops.text}"
    if page.title:
        assert ops.title == filled(page.title, world)
    assert filled(page.heading, world) in ops.heading
    for table_id in page.tables:
        assert ops.table(table_id), f"{page.path}: the table {table_id} shows no rows"
    for freshness in ops.driver.find_elements(ops.by().CSS_SELECTOR, ".freshness"):  # where a figure was read
        if "at position" in freshness.text:
            assert re.search(r"at position \d+ of the event log's \d+", freshness.text), f"{page.path}: {freshness.text}"
    assert {"Home", "National stock", "Low stock", "Stores' board", "Orders", "Statements", "System"} <= set(ops.nav())
    assert "ops" in ops.driver.find_element(ops.by().CSS_SELECTOR, "header .who").text
    assert ops.severe_console_messages() == []


# --- the national stock's drill-down -------------------------------------------------------------------


def figures(f) -> list[str]:
    return [str(f.on_hand), str(f.reserved), str(f.safety_stock), str(f.available), str(f.incoming)]


def test_ops_finds_a_sku_and_drills_down_from_province_to_city_to_its_stores(person, world):
    queries = StockQueries.for_application(world.app)
    try:
        found = queries.national_stock("SERUM", ["province", "city", "store"])
    finally:
        queries.close()
    ops = person("ops", world.ops_token)
    ops.submit("/stock", "drill-national", sku="SERUM")
    assert ops.title == "National stock · SERUM"
    assert ops.table("provinces") == [["Shanghai", *figures(found.breakdowns["province"][0].figures), ""]]
    assert "Choose a province or a city to see its stores." in ops.text

    ops.click(ops.link("provinces", "Shanghai"), "drill-province")
    assert "National › Shanghai" in ops.text
    assert ops.table("cities") == [["Shanghai", "Shanghai", *figures(found.breakdowns["city"][0].figures), ""]]
    assert [row[0] for row in ops.table("stores")] == [a.store_id for a in found.breakdowns["store"]]

    ops.click(ops.link("cities", "Shanghai"), "drill-city")
    assert "National › Shanghai › Shanghai" in ops.text
    assert "Stores in Shanghai" in ops.text
    stores = {row[0]: row for row in ops.table("stores")}
    assert set(stores) == {a.store_id for a in found.breakdowns["store"]} and "S2" in stores
    for area in found.breakdowns["store"]:
        assert stores[area.store_id][1:8] == ["Shanghai", area.dealer or "HQ", *figures(area.figures)]
    assert stores["S2"][2] == "DB"
    assert ops.severe_console_messages() == []

    # the store page (being added) is linked from here once it lands
    store_links = ops.driver.find_element(ops.by().CSS_SELECTOR, "table#stores").find_elements(ops.by().LINK_TEXT, "S2")
    if store_links:
        ops.click(store_links[0], "drill-store")
        assert ops.title not in ERROR_TITLES and "S2" in ops.title + ops.heading, ops.text


def test_ops_opens_an_order_from_the_home_page_and_sees_unknown_things_as_not_found(person, world):
    ops = person("ops", world.ops_token)
    order = world.orders["b"]
    ops.submit("/orders", "order-from-home", order_id=order)
    assert ops.title == f"Order {order}" and ops.heading == f"Order {order}"
    assert [row[0] for row in ops.table("shipments")] == ["S2"]
    assert all(row[4] for row in ops.table("history"))  # every step names who did it

    for path, shot in (
        (f"/orders/{uuid.uuid4()}", "not-found-order"), ("/dealers/NOPE/statement?month=" + PERIOD, "not-found-dealer"),
        ("/stock?sku=NO-SUCH-SKU", "not-found-sku"),
    ):
        ops.open(path, shot)
        assert ops.title == ops.heading == "Not found", (path, ops.text)
        assert ops.severe_console_messages(refused_status=404) == []
    ops.open("/dealers/DA/statement?month=2026-13", "malformed-month")
    assert ops.title == ops.heading == "Malformed request"
    ops.sign_out()


# --- a dealer: its statement, its downloads, and no other dealer's ------------------------------------------


def wait_for_download(folder: Path, name: str, timeout: float = 20) -> bytes:
    """The file's bytes once Chromium has finished writing it (no .crdownload left)."""
    path = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and not list(folder.glob("*.crdownload")):
            return path.read_bytes()
        time.sleep(0.05)
    raise AssertionError(f"no download {name} within {timeout} s; the folder holds {sorted(p.name for p in folder.iterdir())}")


def test_a_dealer_downloads_its_statement_as_omo_statements_export_writes_it(person, world, downloads, tmp_path, monkeypatch):
    reader = LedgerReader.for_application(world.app)
    try:
        expected = get_statement(reader, "DA", PERIOD, 1000)
    finally:
        reader.close()
    dealer = person("dealer-DA", world.dealer_tokens["DA"])
    assert {"Home", "Orders", "Statements", "System"} <= set(dealer.nav()) and "National stock" not in dealer.nav()
    assert "Signed in as dealer" in dealer.heading
    dealer.submit("/dealers", "statement", month=PERIOD)
    assert dealer.title == f"Statement DA {PERIOD}" and dealer.heading == f"Statement of DEALER:DA for {PERIOD}"
    totals = [money_text(getattr(expected.totals, name)) for name in (*TOTALS, "net_payable")]
    assert dealer.table("totals") == [[*totals, str(expected.totals.lines)]]
    assert [row[0] for row in dealer.table("balances")] == [b.counterparty for b in expected.balances]
    assert len(dealer.table("lines")) == expected.totals.lines

    monkeypatch.setenv("OMO_DATABASE_URL", world.database_url)
    for file_format in ("csv", "xlsx"):
        name = f"statement-DA-{PERIOD}.{file_format}"
        (downloads / name).unlink(missing_ok=True)
        dealer.driver.find_element(dealer.by().LINK_TEXT, file_format.upper()).click()
        downloaded = wait_for_download(downloads, name)
        exported = tmp_path / f"exported.{file_format}"
        assert main(["statements", "export", "--dealer", "DA", "--month", PERIOD, "--format", file_format, "--output", str(exported)]) == 0
        assert downloaded == exported.read_bytes()  # the XLSX too: a workbook records its period, not when it was written
        assert dealer.title == f"Statement DA {PERIOD}"  # a download leaves the page where it was
    assert dealer.severe_console_messages() == []
    dealer.sign_out()


def test_a_dealer_cannot_open_another_dealer_s_statement_whether_or_not_it_exists(person, world, downloads):
    dealer = person("dealer-DA", world.dealer_tokens["DA"])
    seen = {}
    for other in ("DB", "NOPE"):
        dealer.open(f"/dealers/{other}/statement?month={PERIOD}", f"refused-{other}-statement")
        assert dealer.title == dealer.heading == "Not open to this token"
        assert "This page is not open to your token" in dealer.text
        assert dealer.severe_console_messages(refused_status=403) == []
        seen[other] = dealer.text.replace(other, "X")
    assert seen["DB"] == seen["NOPE"]  # nothing tells the dealer whether DB exists

    before = set(downloads.iterdir())
    dealer.open(f"/dealers/DB/statement.csv?month={PERIOD}", "refused-DB-download")
    assert dealer.title == "Not open to this token"
    assert set(downloads.iterdir()) == before  # no file

    dealer.open("/stock?sku=SERUM", "refused-stock")  # national stock is HQ's
    assert dealer.title == "Not open to this token"
    dealer.sign_out()


# --- the board, live ---------------------------------------------------------------------------------


def test_the_board_updates_itself_while_it_is_open(person, world):
    """A new order is worked and the on-time projection catches up: the open board shows the
    new position without being reloaded (its script replaces the board from the event stream)."""
    from projections.definitions import ON_TIME
    from projections.runtime.runner import ProjectionRunner
    from tests.ledger_builders import sell

    ops = person("ops", world.ops_token)
    ops.open("/board", "board-live-before")
    status = ops.driver.find_element(ops.by().ID, "board-status")
    ops.wait(lambda d: "Updating live" in status.text, "the board's stream to open")
    page = ops.driver.find_element(ops.by().TAG_NAME, "html")
    sell(world.app, "live-board", {"SERUM": 1}, cloud_shop="CS-B")
    runner = ProjectionRunner(world.database_url, ON_TIME.event_log(world.app), ON_TIME, poll_interval=0.01)
    try:
        runner.catch_up()
        runner.release()
        head = runner.position
    finally:
        runner.close()
    ops.wait(lambda d: f"at position {head} of the event log's" in d.find_element(ops.by().ID, "board").text,
             f"the board to show position {head}")
    assert not Person._gone(page), "the page was reloaded, not updated in place"
    ops.shoot("board-live-after")
