"""CloudShopService: dealers' cloud shops and their shop assistants, and the shop a customer enters."""

from __future__ import annotations

from domain.dealers import CloudShopProfile
from domain.errors import InvalidInput
from protos.omo.v1 import dealers_pb2, dealers_pb2_grpc
from services.use_cases.network import cloud_shops
from services.api.convert import common as convert
from services.api.convert.dealers import assistant_messages, cloud_shop_message
from services.api.errors import rpc
from services.use_cases.application import OmoApplication


class CloudShopServicer(dealers_pb2_grpc.CloudShopServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    def _message(self, shop) -> dealers_pb2.CloudShop:
        return cloud_shop_message(shop, self.app.index.profiles.get(shop.store_id))

    @rpc
    def OpenCloudShop(self, request, context):
        profile = CloudShopProfile.create(request.cloud_shop_id, request.store_id, request.name, request.brand_id)
        shop, created = cloud_shops.open_cloud_shop(self.app, profile)
        return dealers_pb2.OpenCloudShopResponse(shop=self._message(shop), created=created)

    @rpc
    def CloseCloudShop(self, request, context):
        shop = cloud_shops.set_cloud_shop_active(self.app, request.cloud_shop_id, False)
        return dealers_pb2.CloseCloudShopResponse(shop=self._message(shop))

    @rpc
    def GetCloudShop(self, request, context):
        shop = cloud_shops.get_cloud_shop(self.app, request.cloud_shop_id)
        return dealers_pb2.GetCloudShopResponse(shop=self._message(shop), assistants=assistant_messages(shop))

    @rpc
    def AddShopAssistant(self, request, context):
        shop, code = cloud_shops.add_shop_assistant(self.app, request.cloud_shop_id, request.assistant_id, request.name)
        name = shop.assistants[request.assistant_id]["name"]
        return dealers_pb2.AddShopAssistantResponse(
            assistant=dealers_pb2.ShopAssistant(assistant_id=request.assistant_id, name=name, share_code=code)
        )

    @rpc
    def FindCloudShop(self, request, context):
        entry_kind = request.WhichOneof("entry")
        if entry_kind == "location":
            entry = cloud_shops.find_cloud_shop(self.app, convert.location("location", request.location, True))
        elif entry_kind == "share_code":
            entry = cloud_shops.resolve_share_code(self.app, request.share_code)
        elif entry_kind == "cloud_shop_id":
            entry = cloud_shops.Entry(cloud_shops.get_cloud_shop(self.app, request.cloud_shop_id))
        else:
            raise InvalidInput("entry", "give a location, a share_code or a cloud_shop_id")
        return dealers_pb2.FindCloudShopResponse(
            shop=self._message(entry.shop), distance_m=round(entry.distance_m), assistant_id=entry.assistant_id
        )
