"""Who is asking, and may they: the console's session check and the gRPC gate's decision.

Every page is the console's picture of one gRPC call and is decided by that call's access rule:
the page asks `authorize()` about the equivalent request for the signed-in caller before it
reads anything. A rule that hides what a caller does not own (NOT_FOUND over gRPC) is a 403
here too, the same page whether the object exists or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from domain.callers import DEALER, OPS, POS, Caller, PermissionDenied, Unauthenticated
from domain.errors import DomainError, NotFound
from services.api.gate.authorization import authorize
from services.console.sessions import COOKIE, Session, Sessions
from services.use_cases.application import OmoApplication
from services.use_cases.network.tokens import authenticate

CONSOLE_ROLES = (OPS, DEALER, POS)  # the checkout is a backend, not a person: it is refused
# no inline script, scripts and styles only from the console itself, forms only to itself, never framed
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class SignInNeeded(Exception):
    """No session, or its token no longer signs in (revoked): the sign-in page, saying why."""


class Forbidden(Exception):
    """The access rules refuse the page to this caller (or hide whether its object exists)."""


class FormRefused(Exception):
    """A POST without this session's CSRF token."""


@dataclass(frozen=True)
class Visit:
    session: Session
    caller: Caller


class Access:
    def __init__(self, app: OmoApplication, sessions: Sessions):
        self.app = app
        self.sessions = sessions

    def visit(self, request: Request) -> Visit:
        """The signed-in caller, its token checked again now (blocking: call from a thread)."""
        session = self.sessions.find(request.cookies.get(COOKIE))
        if session is None or not session.token:
            raise SignInNeeded("")
        try:
            caller = authenticate(self.app, session.token)
        except Unauthenticated as error:
            self.sessions.end(session)
            raise SignInNeeded(f"Your session has ended: {error}") from None
        if caller.role not in CONSOLE_ROLES:  # not signed in so; kept for a rule that changes
            self.sessions.end(session)
            raise SignInNeeded(refused_role(caller.role))
        return Visit(session, caller)

    def visitor(self, request: Request) -> Visit | None:
        """The signed-in caller if there is one, for an error page's header; never raises."""
        session = self.sessions.find(request.cookies.get(COOKIE))
        if session is None or not session.token:
            return None
        try:
            return Visit(session, authenticate(self.app, session.token))
        except DomainError:
            return None

    def allowed(self, caller: Caller, method: str, request: Any) -> None:
        """The gRPC gate's own decision for the equivalent call. A rule's NOT_FOUND for what a
        scoped caller does not own is a refusal here: the same 403 whether it exists or not."""
        try:
            authorize(self.app, caller, method, request)
        except PermissionDenied as error:
            raise Forbidden(str(error)) from None
        except NotFound:
            raise Forbidden(f"{method.rsplit('/', 1)[-1]}: this token acts for {caller.scope} only") from None

    def may(self, caller: Caller, method: str, request: Any) -> bool:
        try:
            self.allowed(caller, method, request)
        except Forbidden:
            return False
        return True


def refused_role(role: str) -> str:
    return (f"A {role} token cannot sign in to the console: it is for a program, not a person. "
            "Sign in with an ops, dealer or pos token.")


def with_security_headers(asgi: Callable) -> Callable:
    async def with_headers(scope, receive, send):
        if scope["type"] != "http":
            return await asgi(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        return await asgi(scope, receive, send=sending)

    return with_headers
