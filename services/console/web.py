"""The web console's pages: Starlette, server-rendered Jinja2 templates, no script.

Every page is the console's picture of one gRPC call, and is decided by that call's access rule:
the page asks `authorize()` about the equivalent request for the signed-in caller before it
reads anything (the national stock page is StockQueryService/GetNationalStock for the SKU, an
order's page OrderService/GetOrderHistory for the order, a statement DealerService/GetStatement
for the dealer and month). A rule that hides what a caller does not own (NOT_FOUND over gRPC)
is a 403 here too, the same page whether the object exists or not. The system page shows what
the gRPC health service shows everyone.

Parameters are checked (a SKU's characters, an order id, a month) before any query sees them:
a malformed one is a 400 page.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from domain.callers import DEALER, OPS, POS, Caller, PermissionDenied, Unauthenticated
from domain.errors import DomainError, InvalidInput, NotFound
from domain.stock_query_errors import ProjectionBehind
from domain.values import identifier, text
from projections.dealer_ledger.reader import LedgerReader
from projections.definitions import PROJECTIONS
from projections.runtime.database import read_engine
from projections.runtime.runner import projection_status
from protos.omo.v1 import dealers_pb2, orders_pb2, stock_query_pb2
from services.adapters.statement_export import export_statement, money_text
from services.api.gate.authorization import authorize
from services.console.sessions import COOKIE, Session, Sessions
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import get_dealer
from services.use_cases.network.statements import HQ, SHANGHAI, TOTALS, dealer_statement, month
from services.use_cases.network.tokens import authenticate
from services.use_cases.ordering.order_history import order_history
from services.use_cases.ordering.orders import get_order, order_uuid
from services.use_cases.reads.stock_queries import StockQueries

PACKAGE = Path(__file__).parent
CONSOLE_ROLES = (OPS, DEALER, POS)  # the checkout is a backend, not a person: it is refused
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# no script at all, styles only from the console itself, forms only to itself, never framed
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                 b"frame-ancestors 'none'; base-uri 'none'"),
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


def _secure_headers(asgi: Callable) -> Callable:
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


class Console:
    """The console over one application; `asgi` is what a server serves. `secure`: the
    console is served over TLS, so its cookie is Secure."""

    def __init__(self, app: OmoApplication, *, secure: bool = False, sessions: Sessions | None = None):
        self.app = app
        self.secure = secure
        self.sessions = sessions or Sessions()
        self.stock = StockQueries.for_application(app)
        self.ledger = LedgerReader.for_application(app)
        self._engine = read_engine(app.database_url)
        self.templates = Jinja2Templates(directory=str(PACKAGE / "templates"))
        self.templates.env.filters["money"] = money_text
        self.templates.env.filters["shanghai"] = _shanghai
        handlers = {
            SignInNeeded: self._sign_in_needed, Forbidden: self._forbidden, PermissionDenied: self._forbidden,
            FormRefused: self._form_refused, InvalidInput: self._bad_request, NotFound: self._not_found,
            ProjectionBehind: self._unavailable,
        }
        self.starlette = Starlette(
            routes=[
                Route("/", self.home), Route("/signin", self.sign_in_form), Route("/signin", self.sign_in, methods=["POST"]),
                Route("/signout", self.sign_out, methods=["POST"]), Route("/stock", self.national_stock),
                Route("/orders", self.order_lookup), Route("/orders/{order_id}", self.order),
                Route("/system", self.system), Route("/dealers", self.dealers),
                Route("/dealers/{dealer_id}/statement", self.statement),
                Route("/dealers/{dealer_id}/statement.{file_format}", self.statement_download),
                Mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static"),
            ],
            exception_handlers=handlers,
        )
        self.asgi = _secure_headers(self.starlette)

    def close(self) -> None:
        self.stock.close()
        self.ledger.close()
        self._engine.dispose()

    # --- sessions ---------------------------------------------------------------------------

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
            raise SignInNeeded(_refused_role(caller.role))
        return Visit(session, caller)

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

    def render(self, request: Request, name: str, visit: Visit | None, status_code: int = 200, **context) -> Response:
        context.update(caller=visit.caller if visit else None, csrf=visit.session.csrf if visit else "")
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def _cookie(self, response: Response, value: str) -> Response:
        response.set_cookie(COOKIE, value, httponly=True, samesite="strict", secure=self.secure, path="/")
        return response

    def _sign_in_page(self, request: Request, message: str = "", status_code: int = 200) -> Response:
        session, cookie = self.sessions.start()  # its CSRF token guards the sign-in form itself
        response = self.templates.TemplateResponse(
            request, "signin.html", {"caller": None, "csrf": session.csrf, "message": message}, status_code=status_code,
        )
        return self._cookie(response, cookie)

    async def _form(self, request: Request) -> tuple[Session | None, Any]:
        form = await request.form()
        session = self.sessions.find(request.cookies.get(COOKIE))
        if session is None or not session.csrf_matches(form.get("csrf")):
            raise FormRefused()
        return session, form

    # --- sign-in and sign-out -------------------------------------------------------------------

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
            return self._sign_in_page(request, _refused_role(caller.role), 403)
        self.sessions.end(session)  # a new session id once signed in: none chosen before sign-in survives
        _, cookie = self.sessions.start(token)
        return self._cookie(RedirectResponse("/", status_code=303), cookie)

    async def sign_out(self, request: Request) -> Response:
        session, _ = await self._form(request)
        self.sessions.end(session)
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=self.secure)
        return response

    # --- pages ---------------------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        visit = self.visit(request)
        return self.render(request, "home.html", visit, month=_this_month())

    def national_stock(self, request: Request) -> Response:
        visit = self.visit(request)
        sku = request.query_params.get("sku", "").strip()
        province = _place("province", request.query_params.get("province", ""))
        city = _place("city", request.query_params.get("city", ""))
        if city and not province:
            raise InvalidInput("city", "needs its province (city names repeat across provinces)")
        if not sku:
            self.allowed(visit.caller, "omo.v1.StockQueryService/GetNationalStock", stock_query_pb2.GetNationalStockRequest())
            return self.render(request, "stock.html", visit, sku="", found=None)
        identifier("sku", sku)
        self.allowed(visit.caller, "omo.v1.StockQueryService/GetNationalStock", stock_query_pb2.GetNationalStockRequest(sku=sku))
        found = self.stock.national_stock(sku, ["province", "city", "store"])
        provinces = found.breakdowns["province"]
        cities = [a for a in found.breakdowns["city"] if not province or a.province == province]
        stores = [a for a in found.breakdowns["store"] if (not province or a.province == province) and (not city or a.city == city)]
        if province and not cities and not stores:
            raise _AreaNotFound(f"{sku} is held nowhere in province {province!r}" + (f", city {city!r}" if city else ""))
        return self.render(
            request, "stock.html", visit, sku=sku, found=found, province=province, city=city,
            provinces=_bars(provinces), cities=_bars(cities), stores=_bars(stores) if province else [],
        )

    def order_lookup(self, request: Request) -> Response:
        visit = self.visit(request)
        order_id = request.query_params.get("order_id", "").strip()
        if not order_id:
            return self.render(request, "order_lookup.html", visit)
        order_uuid(order_id)  # a 400 for what is no order id
        return RedirectResponse(f"/orders/{order_id}", status_code=303)

    def order(self, request: Request) -> Response:
        visit = self.visit(request)
        order_id = request.path_params["order_id"]
        order_uuid(order_id)
        self.allowed(visit.caller, "omo.v1.OrderService/GetOrderHistory", orders_pb2.GetOrderHistoryRequest(order_id=order_id))
        history = order_history(self.app, order_id)  # an unknown order: 404 (ops only get this far)
        order = get_order(self.app, order_id)
        details = self.may(visit.caller, "omo.v1.OrderService/GetOrder", orders_pb2.GetOrderRequest(order_id=order_id))
        explained = self.may(
            visit.caller, "omo.v1.OrderService/ExplainAllocation", orders_pb2.ExplainAllocationRequest(order_id=order_id),
        )
        return self.render(
            request, "order.html", visit, order_id=order_id, history=history, order=order if details else None,
            explanation=order.explanation if explained else None, version=order.version,
        )

    def system(self, request: Request) -> Response:
        visit = self.visit(request)  # what the gRPC health service tells anyone, to anyone signed in
        statuses, problems = [], {}
        for name, projection in PROJECTIONS.items():
            try:
                statuses.append(projection_status(self._engine, projection.event_log(self.app), name))
            except Exception as error:  # noqa: BLE001 - a projection whose tables are not made yet
                problems[name] = f"its status cannot be read ({type(error).__name__})"
        try:
            head, database = self.app.recorder.max_notification_id(), ""
        except Exception as error:  # noqa: BLE001 - whatever the driver says, the database is not answering
            head, database = None, f"the database does not answer ({type(error).__name__})"
        return self.render(request, "system.html", visit, statuses=statuses, problems=problems, head=head, database=database)

    def dealers(self, request: Request) -> Response:
        visit = self.visit(request)
        dealer_id = request.query_params.get("dealer_id", "").strip() or visit.caller.dealer_id
        chosen = request.query_params.get("month", "").strip() or _this_month()
        if not dealer_id:
            return self.render(request, "home.html", visit, month=chosen)
        _dealer_id(dealer_id)
        month(chosen)
        return RedirectResponse(f"/dealers/{dealer_id}/statement?month={chosen}", status_code=303)

    def statement(self, request: Request) -> Response:
        visit = self.visit(request)
        dealer_id, chosen = self._statement_request(request, visit)
        statement = dealer_statement(self.app, self.ledger, dealer_id, chosen, wait_timeout_ms=0)
        return self.render(request, "statement.html", visit, statement=statement, month=chosen, totals=TOTALS)

    def statement_download(self, request: Request) -> Response:
        visit = self.visit(request)
        file_format = request.path_params["file_format"]
        if file_format not in DOWNLOADS:
            raise InvalidInput("format", f"must be csv or xlsx, got {file_format!r}")
        dealer_id, chosen = self._statement_request(request, visit)
        if dealer_id != HQ:
            get_dealer(self.app, dealer_id)  # an unknown dealer is a 404, not an empty file
        with tempfile.TemporaryDirectory(prefix="omo-console-") as folder:
            path = Path(folder) / f"statement.{file_format}"
            export_statement(self.ledger, dealer_id, chosen, file_format, path)  # as `omo statements export` writes it
            body = path.read_bytes()
        name = f"statement-{dealer_id}-{chosen}.{file_format}"
        return Response(body, media_type=DOWNLOADS[file_format], headers={"content-disposition": f'attachment; filename="{name}"'})

    def _statement_request(self, request: Request, visit: Visit) -> tuple[str, str]:
        dealer_id = _dealer_id(request.path_params["dealer_id"])
        chosen = request.query_params.get("month", "").strip() or _this_month()
        month(chosen)  # a 400 for what is no month
        self.allowed(
            visit.caller, "omo.v1.DealerService/GetStatement", dealers_pb2.GetStatementRequest(dealer_id=dealer_id, month=chosen),
        )
        return dealer_id, chosen

    # --- refusals ---------------------------------------------------------------------------------

    def _visitor(self, request: Request) -> Visit | None:
        session = self.sessions.find(request.cookies.get(COOKIE))
        if session is None or not session.token:
            return None
        try:
            return Visit(session, authenticate(self.app, session.token))
        except DomainError:
            return None

    def _error(self, request: Request, status_code: int, title: str, message: str) -> Response:
        return self.render(request, "error.html", self._visitor(request), status_code, title=title, message=message)

    def _sign_in_needed(self, request: Request, error: SignInNeeded) -> Response:
        response = self._sign_in_page(request, str(error), 401)
        return response

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


class _AreaNotFound(NotFound):
    pass


def _refused_role(role: str) -> str:
    return (f"A {role} token cannot sign in to the console: it is for a program, not a person. "
            "Sign in with an ops, dealer or pos token.")


def _place(field: str, value: str) -> str:
    """A province or city name, only ever compared with the rows read (never put in a query)."""
    return text(field, value.strip(), max_length=100)


def _dealer_id(value: str) -> str:
    return value if value == HQ else identifier("dealer_id", value)


def _this_month() -> str:
    return datetime.now(SHANGHAI).strftime("%Y-%m")


def _shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _bars(rows: list, width: int = 320) -> list[dict]:
    """Each area's figures with the lengths of its bar's parts (available, reserved, the rest
    of on hand), scaled to the largest on hand."""
    largest = max((max(a.figures.on_hand, 0) for a in rows), default=0) or 1
    bars = []
    for a in rows:
        f = a.figures
        available = max(f.available, 0) * width // largest
        reserved = max(f.reserved, 0) * width // largest
        held = max(max(f.on_hand, 0) * width // largest - available - reserved, 0)
        bars.append({"area": a, "available": available, "reserved": reserved, "held": held})
    return bars
