"""StoreService: registering stores and reading them."""

from __future__ import annotations

from protos.omo.v1 import stores_pb2, stores_pb2_grpc
from services.use_cases import stores
from services.api.convert import common as convert
from services.api.errors import rpc
from services.use_cases.application import OmoApplication


class StoreServicer(stores_pb2_grpc.StoreServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

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
