"""Where the events live: one setting, OMO_DATABASE_URL."""

from __future__ import annotations

import os
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


def database_url() -> str:
    """OMO_DATABASE_URL, or the embedded default: a SQLite file under ./var."""
    return os.environ.get(DATABASE_URL_VARIABLE) or sqlite_url(DEFAULT_SQLITE_PATH)


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
