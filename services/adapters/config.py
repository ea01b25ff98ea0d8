"""Where the events live: one setting, OMO_DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from projections.runtime.database import libpq_url  # noqa: F401 - where the adapters and benchmarks take it from

DATABASE_URL_VARIABLE = "OMO_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("var") / "omo.db"
# the per-aggregate locks make cached aggregates safe to reuse in-process; the cache is not
# fast-forwarded with a query per read: the live index evicts whatever another process changed
# as it follows the log, and a stale copy only costs a conflict and a retry
AGGREGATE_CACHE = {"AGGREGATE_CACHE_MAXSIZE": "20000", "AGGREGATE_CACHE_FASTFORWARD": "n"}


def sqlite_url(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


class ConfigurationError(Exception):
    """A setting the user can fix: the message names it and says what to do, in one line."""


SUPPORTED = "sqlite:///path/to/omo.db or postgresql://user@host:5432/database"


def database_url() -> str:
    """OMO_DATABASE_URL, or the embedded default: a SQLite file under ./var; a URL that cannot
    be one of ours is a ConfigurationError."""
    configured = os.environ.get(DATABASE_URL_VARIABLE)
    return checked_database_url(configured, DATABASE_URL_VARIABLE) if configured else sqlite_url(DEFAULT_SQLITE_PATH)


def checked_database_url(url: str, setting: str = DATABASE_URL_VARIABLE) -> str:
    """`url` when it is a SQLite or PostgreSQL URL whose SQLite folder can be written."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"{setting}: {redact(url)!r} is not a database URL; give {SUPPORTED}") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "postgresql" and driver == "psycopg2":
        if not parsed.database:
            raise ConfigurationError(f"{setting}: {redact(url)!r} names no database; add /database to it")
        return url
    if backend != "sqlite" or driver != "pysqlite":
        raise ConfigurationError(f"{setting}: {parsed.drivername!r} is not supported; give {SUPPORTED}")
    if not parsed.database or parsed.database == ":memory:":
        raise ConfigurationError(f"{setting}: {url!r} names no SQLite file; give sqlite:///path/to/omo.db")
    folder = Path(parsed.database).resolve().parent
    if not folder.is_dir():
        raise ConfigurationError(f"{setting}: the folder {str(folder)!r} of the SQLite file does not exist; create it or choose another path")
    try:  # writing a file tells what permission bits do not (a read-only mount, for root too)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise ConfigurationError(
            f"{setting}: the folder {str(folder)!r} of the SQLite file cannot be written ({error.strerror}); choose another path"
        ) from None
    return url


def reachable(url: str, setting: str = DATABASE_URL_VARIABLE, timeout_s: int = 5) -> str:
    """`url` once its PostgreSQL server answered a connection (a SQLite file needs no server)."""
    if not url.startswith("postgresql"):
        return url
    import psycopg2

    try:
        psycopg2.connect(libpq_url(url), connect_timeout=timeout_s).close()
    except psycopg2.OperationalError as error:
        reason = " ".join(str(error).split())  # libpq's message spans lines
        raise ConfigurationError(
            f"{setting}: cannot connect to {redact(url)} ({reason}); check the host, port, database name and "
            "credentials, and that PostgreSQL is running"
        ) from None
    return url


def application_env(url: str) -> dict[str, str]:
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ValueError(f"{DATABASE_URL_VARIABLE} must be a sqlite:/// or postgresql+psycopg2:// URL, got {url!r}")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://") :]
    return {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url, **AGGREGATE_CACHE}


def redact(url: str) -> str:
    """The URL without its password, for logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
