"""An order: its shipments, promise, explanation and history with callers (the console's picture
of OrderService/GetOrderHistory; the details and the explanation where GetOrder and
ExplainAllocation are open to the caller)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from protos.omo.v1 import orders_pb2
from services.use_cases.ordering.order_history import order_history
from services.use_cases.ordering.orders import get_order, order_uuid


class OrderPages:
    def __init__(self, console):
        self.console = console

    def routes(self) -> list[Route]:
        return [Route("/orders", self.order_lookup), Route("/orders/{order_id}", self.order)]

    def order_lookup(self, request: Request) -> Response:
        visit = self.console.access.visit(request)
        order_id = request.query_params.get("order_id", "").strip()
        if not order_id:
            return self.console.render(request, "order_lookup.html", visit)
        order_uuid(order_id)  # a 400 for what is no order id
        return RedirectResponse(f"/orders/{order_id}", status_code=303)

    def order(self, request: Request) -> Response:
        console, access = self.console, self.console.access
        visit = access.visit(request)
        order_id = request.path_params["order_id"]
        order_uuid(order_id)
        access.allowed(visit.caller, "omo.v1.OrderService/GetOrderHistory", orders_pb2.GetOrderHistoryRequest(order_id=order_id))
        history = order_history(console.app, order_id)  # an unknown order: 404 (ops only get this far)
        order = get_order(console.app, order_id)
        details = access.may(visit.caller, "omo.v1.OrderService/GetOrder", orders_pb2.GetOrderRequest(order_id=order_id))
        explained = access.may(
            visit.caller, "omo.v1.OrderService/ExplainAllocation", orders_pb2.ExplainAllocationRequest(order_id=order_id),
        )
        return console.render(
            request, "order.html", visit, order_id=order_id, history=history, order=order if details else None,
            explanation=order.explanation if explained else None, version=order.version,
        )
