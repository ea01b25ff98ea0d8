"""National stock: a SKU's figures by province and city, drilling down to stores (the console's
picture of StockQueryService/GetNationalStock); and low stock, the SKUs at or under a threshold
of available units in a region, a dealer's stores or one store (ListLowStock)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.errors import InvalidInput, NotFound
from domain.callers import DEALER
from domain.values import identifier, optional_identifier
from projections.national_stock.reads import Region
from protos.omo.v1 import stock_query_pb2
from services.console.params import place, whole_number
from services.use_cases.reads.stock_queries import checked_region

NATIONAL_STOCK = "omo.v1.StockQueryService/GetNationalStock"
LOW_STOCK = "omo.v1.StockQueryService/ListLowStock"
DEFAULT_THRESHOLD = 5
LOW_STOCK_PAGE = 100


class AreaNotFound(NotFound):
    pass


class StockPages:
    def __init__(self, console):
        self.console = console

    def routes(self) -> list[Route]:
        return [Route("/stock", self.national_stock), Route("/stock/low", self.low_stock)]

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


    def low_stock(self, request: Request) -> Response:
        console = self.console
        visit = console.access.visit(request)
        query = request.query_params
        threshold = whole_number("threshold", query.get("threshold", ""), DEFAULT_THRESHOLD)
        after = optional_identifier("after", query.get("after", "").strip())
        region = checked_region(Region(
            province=place("province", query.get("province", "")), city=place("city", query.get("city", "")),
            dealer=optional_identifier("dealer", query.get("dealer", "").strip()),
            store_id=optional_identifier("store_id", query.get("store_id", "").strip()),
        ))
        if region.is_national and visit.caller.role == DEALER:  # a dealer's own stores unless it names one of them
            region = Region(dealer=visit.caller.dealer_id)
        asked = stock_query_pb2.StockRegion(province=region.province, city=region.city, dealer=region.dealer, store_id=region.store_id)
        console.access.allowed(visit.caller, LOW_STOCK, stock_query_pb2.ListLowStockRequest(region=asked, threshold=threshold))
        rows, last, freshness = console.stock.low_stock(region, threshold, after, LOW_STOCK_PAGE)
        return console.render(
            request, "low_stock.html", visit, rows=rows, region=region, threshold=threshold, after=after,
            next_after=last, freshness=freshness, page_size=LOW_STOCK_PAGE,
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
