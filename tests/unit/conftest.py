"""tests/unit holds tests that need no database and no server. A test here that asks for one of
the database or server fixtures of tests/conftest.py, itself or through another fixture, fails
at setup, before any of them is made, naming the fixture: such a test belongs in
tests/integration (a real database) or tests/e2e (the real gRPC server).

A fixture of the same name defined here instead (tests/unit/test_placing_decisions.py's `app`
is an in-memory application) is the test's own business, and allowed."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

DATABASE_OR_SERVER = ("database_url", "app", "postgres_database", "server", "client", "cast")
SHARED_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"


def from_shared_conftest(fixturedef) -> bool:
    try:
        return Path(inspect.getfile(fixturedef.func)).resolve() == SHARED_CONFTEST
    except TypeError:  # not a function we can place: count it as the shared one
        return True


def database_or_server_fixtures(item: pytest.Item) -> list[str]:
    """The database and server fixtures of tests/conftest.py the test would get."""
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    found = []
    for name in DATABASE_OR_SERVER:
        if name not in getattr(item, "fixturenames", ()):
            continue
        chosen = definitions.get(name)
        if not chosen or from_shared_conftest(chosen[-1]):  # the last definition is the one used
            found.append(name)
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    found = database_or_server_fixtures(item)
    if found:
        pytest.fail(
            f"{item.nodeid} is in tests/unit but uses {', '.join(found)} from tests/conftest.py: "
            "a test with a database belongs in tests/integration, one with the server in tests/e2e",
            pytrace=False,
        )
