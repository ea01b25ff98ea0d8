"""StoreService: registering stores, reading them, and how they keep their promises."""

from __future__ import annotations

from bisect import bisect_right

from domain.assortments import AssortmentChange
from protos.omo.v1 import stores_pb2, stores_pb2_grpc
from services.use_cases.network import assortments, stores
from services.api.convert import common as convert
from services.api.convert.stock_query import consistency_of
from services.api.convert.store_performance import performance_message, scope_of
from services.api.errors import rpc
from services.use_cases.application import OmoApplication
from services.use_cases.reads.store_performance import StorePerformanceQueries, checked_range, checked_scope


class StoreServicer(stores_pb2_grpc.StoreServiceServicer):
    def __init__(self, app: OmoApplication, performance: StorePerformanceQueries):
        self.app = app
        self.performance = performance

    @rpc
    def UpsertStore(self, request, context):
        profile, created = stores.upsert_store(self.app, convert.store_profile(request))
        return stores_pb2.UpsertStoreResponse(store=convert.store_message(profile), created=created)

    @rpc
    def GetStore(self, request, context):
        return stores_pb2.GetStoreResponse(store=convert.store_message(stores.get_store(self.app, request.store_id)))

    @rpc
    def ListStores(self, request, context):
        size = convert.page_size(request.page_size)
        page, last = stores.list_stores(self.app, convert.decode_page_token(request.page_token), size)
        return stores_pb2.ListStoresResponse(
            stores=[convert.store_message(p) for p in page], next_page_token=convert.encode_page_token(last)
        )

    @rpc
    def GetStorePerformance(self, request, context):
        size = convert.page_size(request.page_size)
        scope = checked_scope(scope_of(request))
        checked_range(request.from_date, request.to_date)  # refused before any wait
        self.performance.wait(consistency_of(request.consistency), context.time_remaining())
        found = self.performance.performance(scope, request.from_date, request.to_date, self.app.now_us(), size, request.page_token)
        return performance_message(found)

    @rpc
    def SetAssortment(self, request, context):
        change = AssortmentChange(tuple(request.add_skus), tuple(request.remove_skus), request.list_everything)
        view, changed = assortments.set_assortment(self.app, request.store_id, change)
        return stores_pb2.SetAssortmentResponse(assortment=_assortment_message(view), changed=changed)

    @rpc
    def GetAssortment(self, request, context):
        size = convert.page_size(request.page_size)
        after = convert.decode_page_token(request.page_token)
        view = assortments.get_assortment(self.app, request.store_id)
        listed = view.listed or ()
        start = bisect_right(listed, after) if after else 0
        page = listed[start:start + size]
        last = page[-1] if page and start + size < len(listed) else ""
        return stores_pb2.GetAssortmentResponse(
            assortment=_assortment_message(view), skus=page, next_page_token=convert.encode_page_token(last),
        )


def _assortment_message(view: assortments.AssortmentView) -> stores_pb2.Assortment:
    return stores_pb2.Assortment(store_id=view.store_id, lists_everything=view.lists_everything, listed_count=len(view.listed or ()))
