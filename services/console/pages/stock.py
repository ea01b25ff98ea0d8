"""National stock: a SKU's figures by province and city, drilling down to stores (the console's
picture of StockQueryService/GetNationalStock)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.errors import InvalidInput, NotFound
from domain.values import identifier
from protos.omo.v1 import stock_query_pb2
from services.console.params import place

NATIONAL_STOCK = "omo.v1.StockQueryService/GetNationalStock"


class AreaNotFound(NotFound):
    pass


class StockPages:
    def __init__(self, console):
        self.console = console

    def routes(self) -> list[Route]:
        return [Route("/stock", self.national_stock)]

    def national_stock(self, request: Request) -> Response:
        console = self.console
        visit = console.access.visit(request)
        sku = request.query_params.get("sku", "").strip()
        province = place("province", request.query_params.get("province", ""))
        city = place("city", request.query_params.get("city", ""))
        if city and not province:
            raise InvalidInput("city", "needs its province (city names repeat across provinces)")
        if not sku:
            console.access.allowed(visit.caller, NATIONAL_STOCK, stock_query_pb2.GetNationalStockRequest())
            return console.render(request, "stock.html", visit, sku="", found=None)
        identifier("sku", sku)
        console.access.allowed(visit.caller, NATIONAL_STOCK, stock_query_pb2.GetNationalStockRequest(sku=sku))
        found = console.stock.national_stock(sku, ["province", "city", "store"])
        provinces = found.breakdowns["province"]
        cities = [a for a in found.breakdowns["city"] if not province or a.province == province]
        stores = [a for a in found.breakdowns["store"] if (not province or a.province == province) and (not city or a.city == city)]
        if province and not cities and not stores:
            raise AreaNotFound(f"{sku} is held nowhere in province {province!r}" + (f", city {city!r}" if city else ""))
        return console.render(
            request, "stock.html", visit, sku=sku, found=found, province=province, city=city,
            provinces=bars(provinces), cities=bars(cities), stores=bars(stores) if province else [],
        )


def bars(rows: list, width: int = 320) -> list[dict]:
    """Each area's figures with the lengths of its bar's parts (available, reserved, the rest
    of on hand), scaled to the largest on hand."""
    largest = max((max(a.figures.on_hand, 0) for a in rows), default=0) or 1
    drawn = []
    for a in rows:
        f = a.figures
        available = max(f.available, 0) * width // largest
        reserved = max(f.reserved, 0) * width // largest
        held = max(max(f.on_hand, 0) * width // largest - available - reserved, 0)
        drawn.append({"area": a, "available": available, "reserved": reserved, "held": held})
    return drawn
