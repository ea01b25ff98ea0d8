"""The console's sessions: kept in this process, named to the browser by a signed session id.

The cookie holds only the session id, signed (itsdangerous, with a secret drawn afresh by each
process: a restarted console ends every session). The bearer token stays on the server, in
the session, and is checked again on every request, so a revoked token ends its session on
the next one. Each session has its own CSRF token for the forms it is shown.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from itsdangerous import BadSignature, TimestampSigner

COOKIE = "omo_console"
MAX_AGE_SECONDS = 12 * 3600  # a signed-in session lasts a working day at most
MAX_SESSIONS = 10_000  # signed in or only shown the sign-in form; the oldest go first


@dataclass
class Session:
    session_id: str
    csrf: str
    token: str = ""  # the bearer token once signed in; "" while only the sign-in form was shown
    started: float = field(default_factory=time.monotonic)

    def csrf_matches(self, sent: object) -> bool:
        return isinstance(sent, str) and hmac.compare_digest(sent.encode(), self.csrf.encode())


class Sessions:
    def __init__(self, secret: bytes | None = None, max_age_seconds: int = MAX_AGE_SECONDS):
        self._signer = TimestampSigner(secret or secrets.token_bytes(32), salt="omo-console-session")
        self.max_age_seconds = max_age_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, token: str = "") -> tuple[Session, str]:
        """A new session (signed in when `token` is given) and its cookie's value."""
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), token)
        with self._lock:
            self._forget_expired()
            while len(self._sessions) >= MAX_SESSIONS:
                self._sessions.pop(next(iter(self._sessions)))
            self._sessions[session.session_id] = session
        return session, self._signer.sign(session.session_id).decode()

    def find(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            session_id = self._signer.unsign(cookie, max_age=self.max_age_seconds).decode()
        except BadSignature:  # also SignatureExpired
            return None
        with self._lock:
            return self._sessions.get(session_id)

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.session_id, None)

    def _forget_expired(self) -> None:
        oldest = time.monotonic() - self.max_age_seconds
        for session_id in [s.session_id for s in self._sessions.values() if s.started < oldest]:
            del self._sessions[session_id]
