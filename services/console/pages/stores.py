"""A store: its profile (StoreService/GetStore), its stock SKU by SKU from the national stock
projection where ListLowStock is open to the caller for the store (HQ operations, its dealer),
and one SKU's position as the store's own system reads it (InventoryService/GetStockPosition,
open to the store's POS too)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.values import identifier, optional_identifier
from projections.national_stock.reads import Region
from protos.omo.v1 import inventory_pb2, stock_query_pb2, stores_pb2
from services.use_cases.network.stores import get_store
from services.use_cases.stock.inventory import get_stock_position

EVERY_UNIT = 2**62  # "at or under this many available": every SKU the store holds
STOCK_PAGE = 100


class StorePages:
    def __init__(self, console):
        self.console = console

    def routes(self) -> list[Route]:
        return [Route("/stores/{store_id}", self.store)]

    def store(self, request: Request) -> Response:
        console, access = self.console, self.console.access
        visit = access.visit(request)
        store_id = identifier("store_id", request.path_params["store_id"])
        sku = optional_identifier("sku", request.query_params.get("sku", "").strip())
        after = optional_identifier("after", request.query_params.get("after", "").strip())
        access.allowed(visit.caller, "omo.v1.StoreService/GetStore", stores_pb2.GetStoreRequest(store_id=store_id))
        profile = get_store(console.app, store_id)  # an unknown store: 404 (only ops get this far)
        position = None
        if sku:
            access.allowed(
                visit.caller, "omo.v1.InventoryService/GetStockPosition",
                inventory_pb2.GetStockPositionRequest(store_id=store_id, sku=sku),
            )
            position = get_stock_position(console.app, store_id, sku)  # never held here: 404
        stock, next_after, freshness = [], "", None
        listed = access.may(
            visit.caller, "omo.v1.StockQueryService/ListLowStock",
            stock_query_pb2.ListLowStockRequest(region=stock_query_pb2.StockRegion(store_id=store_id)),
        )
        if listed and not sku:
            stock, next_after, freshness = console.stock.low_stock(Region(store_id=store_id), EVERY_UNIT, after, STOCK_PAGE)
        return console.render(
            request, "store.html", visit, store=profile, sku=sku, position=position, listed=listed, stock=stock,
            after=after, next_after=next_after, freshness=freshness,
        )
