"""No call holds the database for ever: on PostgreSQL the server's connections run each
statement for at most `statement_timeout` and wait for a lock for at most `lock_timeout`
(shorter, so that a wait for a lock is reported as one). A call that meets either is answered
UNAVAILABLE, to be retried (by the API's error table).

Set through libpq's `options` in the URL, merged with any options it has already; a URL that
sets either itself (`?options=-c statement_timeout=30000`) keeps its own value.
"""

from __future__ import annotations

from collections.abc import Iterator

STATEMENT_TIMEOUT_MS = 10_000
LOCK_TIMEOUT_MS = 5_000
SHUTDOWN_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})  # admin_shutdown, crash_shutdown, cannot_connect_now
TIMEOUT_SQLSTATES = frozenset({
    "57014",  # query_canceled: statement_timeout
    "55P03",  # lock_not_available: lock_timeout
})


def with_database_timeouts(url: str, statement_ms: int = STATEMENT_TIMEOUT_MS, lock_ms: int = LOCK_TIMEOUT_MS) -> str:
    """The URL, a PostgreSQL one with the timeouts on its connections; others as they are."""
    if not url.startswith("postgresql"):
        return url
    from sqlalchemy.engine import make_url  # here: `omo` starts without SQLAlchemy when it can

    parsed = make_url(url)
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):  # `options` given twice: libpq would take the last
        options = options[-1]
    for setting, ms in (("statement_timeout", statement_ms), ("lock_timeout", lock_ms)):
        if setting not in options:
            options = f"{options} -c {setting}={ms}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def database_timed_out(error: BaseException | None) -> bool:
    """Whether the error was PostgreSQL cancelling a statement for a timeout, however wrapped
    (eventsourcing's and SQLAlchemy's errors keep the driver's as a cause)."""
    return any(getattr(e, "pgcode", None) in TIMEOUT_SQLSTATES for e in _causes(error))


def database_connection_lost(error: BaseException | None) -> bool:
    """Whether the database dropped or refused the connection (a restart, a failover, an
    administrator ending sessions), however wrapped: the next call gets a fresh one."""
    for e in _causes(error):
        code = getattr(e, "pgcode", None)
        if code is not None and (code.startswith("08") or code in SHUTDOWN_SQLSTATES):
            return True
        if type(e).__name__ == "InterfaceError" and "closed" in str(e):
            return True  # the driver's: "connection already closed"
        if type(e).__name__ == "OperationalError" and code is None and "connection" in str(e):
            return True  # the driver's, with no SQLSTATE: "server closed the connection unexpectedly"
    return False


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
