"""The web console: Starlette, server-rendered Jinja2 templates, its own style sheet and script.

This module wires the pages (the `pages` package, one module per subject) to sign-in, the
session and the refusal pages. Each page asks the gRPC access rules about its equivalent call
(`access`) and checks its parameters (`params`) before any query sees them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from domain.callers import PermissionDenied, Unauthenticated
from domain.errors import InvalidInput, NotFound
from domain.stock_query_errors import ProjectionBehind
from projections.runtime.database import read_engine
from services.adapters.statement_export import money_text
from services.console.access import CONSOLE_ROLES, Access, Forbidden, FormRefused, SignInNeeded, Visit, refused_role, with_security_headers
from services.console.pages.board import BoardPages
from services.console.pages.orders import OrderPages
from services.console.pages.statements import StatementPages
from services.console.pages.stock import StockPages
from services.console.pages.stores import StorePages
from services.console.pages.system import SystemPages
from services.console.params import local_moment, shanghai, this_month
from services.console.sessions import COOKIE, Session, Sessions
from services.use_cases.application import OmoApplication
from services.use_cases.network.tokens import authenticate
from services.use_cases.reads.stock_queries import StockQueries

PACKAGE = Path(__file__).parent


class Console:
    """The console over one application; `asgi` is what a server serves. `secure`: the
    console is served over TLS, so its cookie is Secure. `servers`: the API servers' metrics
    addresses, whose order writer queues the system page shows."""

    def __init__(
        self, app: OmoApplication, *, secure: bool = False, sessions: Sessions | None = None, servers: tuple[str, ...] = (),
    ):
        self.app = app
        self.secure = secure
        self.servers = servers  # the metrics endpoints of the `omo serve` processes, for the system page
        self.sessions = sessions or Sessions()
        self.access = Access(app, self.sessions)
        self.stock = StockQueries.for_application(app)
        self.engine = read_engine(app.database_url)
        self.templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
        self.templates.env.filters["money"] = money_text
        self.templates.env.filters["shanghai"] = shanghai
        self.templates.env.filters["local_moment"] = local_moment
        self.pages = [StockPages(self), StorePages(self), OrderPages(self), SystemPages(self), StatementPages(self), BoardPages(self)]
        handlers = {
            SignInNeeded: self._sign_in_needed, Forbidden: self._forbidden, PermissionDenied: self._forbidden,
            FormRefused: self._form_refused, InvalidInput: self._bad_request, NotFound: self._not_found,
            ProjectionBehind: self._unavailable,
        }
        self.starlette = Starlette(
            routes=[
                Route("/", self.home), Route("/signin", self.sign_in_form), Route("/signin", self.sign_in, methods=["POST"]),
                Route("/signout", self.sign_out, methods=["POST"]),
                *(route for page in self.pages for route in page.routes()),
                Mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static"),
            ],
            exception_handlers=handlers,
        )
        self.asgi = with_security_headers(self.starlette)

    def close(self) -> None:
        for page in self.pages:
            if hasattr(page, "close"):
                page.close()
        self.stock.close()
        self.engine.dispose()

    def render(self, request: Request, name: str, visit: Visit | None, status_code: int = 200, **context) -> Response:
        context.update(caller=visit.caller if visit else None, csrf=visit.session.csrf if visit else "")
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    # --- sign-in and sign-out -------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        visit = self.access.visit(request)
        return self.render(request, "home.html", visit, month=this_month())

    def sign_in_form(self, request: Request) -> Response:
        return self._sign_in_page(request)

    async def sign_in(self, request: Request) -> Response:
        session, form = await self._form(request)
        token = str(form.get("token", "")).strip()
        try:
            caller = await run_in_threadpool(authenticate, self.app, token)
        except Unauthenticated as error:
            return self._sign_in_page(request, str(error), 401)
        if caller.role not in CONSOLE_ROLES:
            return self._sign_in_page(request, refused_role(caller.role), 403)
        self.sessions.end(session)  # a new session id once signed in: none chosen before sign-in survives
        _, cookie = self.sessions.start(token)
        return self._cookie(RedirectResponse("/", status_code=303), cookie)

    async def sign_out(self, request: Request) -> Response:
        session, _ = await self._form(request)
        self.sessions.end(session)
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=self.secure)
        return response

    def _cookie(self, response: Response, value: str) -> Response:
        response.set_cookie(COOKIE, value, httponly=True, samesite="strict", secure=self.secure, path="/")
        return response

    def _sign_in_page(self, request: Request, message: str = "", status_code: int = 200) -> Response:
        session, cookie = self.sessions.start()  # its CSRF token guards the sign-in form itself
        response = self.templates.TemplateResponse(
            request, "signin.html", {"caller": None, "csrf": session.csrf, "message": message}, status_code=status_code,
        )
        return self._cookie(response, cookie)

    async def _form(self, request: Request) -> tuple[Session, Any]:
        form = await request.form()
        session = self.sessions.find(request.cookies.get(COOKIE))
        if session is None or not session.csrf_matches(form.get("csrf")):
            raise FormRefused()
        return session, form

    # --- refusals ---------------------------------------------------------------------------------

    def _error(self, request: Request, status_code: int, title: str, message: str) -> Response:
        return self.render(request, "error.html", self.access.visitor(request), status_code, title=title, message=message)

    def _sign_in_needed(self, request: Request, error: SignInNeeded) -> Response:
        return self._sign_in_page(request, str(error), 401)

    def _forbidden(self, request: Request, error: Exception) -> Response:
        return self._error(
            request, 403, "Not open to this token",
            f"{error}. This page is not open to your token: it may be another dealer's or store's, or not exist.",
        )

    def _form_refused(self, request: Request, error: FormRefused) -> Response:
        return self._error(request, 403, "Form refused", "The form did not carry this session's security token; reload the page and send it again.")

    def _bad_request(self, request: Request, error: InvalidInput) -> Response:
        return self._error(request, 400, "Malformed request", str(error))

    def _not_found(self, request: Request, error: NotFound) -> Response:
        return self._error(request, 404, "Not found", str(error))

    def _unavailable(self, request: Request, error: ProjectionBehind) -> Response:
        return self._error(request, 503, "Behind", f"{error}; try again shortly")
