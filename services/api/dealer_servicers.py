"""gRPC servicers for dealers, store ownership, attribution policies, statements and cloud shops."""

from __future__ import annotations

from domain.attribution import HQ
from domain.dealers import CloudShopProfile, Dealer, Region
from domain.errors import InvalidInput
from protos.omo.v1 import dealers_pb2, dealers_pb2_grpc
from services import dealers
from services.api import convert
from services.api.convert_dealers import assistant_messages, cloud_shop_message, moment, policy_message, policy_terms, timestamp
from services.api.errors import rpc
from services.api.convert_dealers import statement_message
from services.application import OmoApplication
from services.statements import LedgerReader, get_statement


class DealerServicer(dealers_pb2_grpc.DealerServiceServicer):
    def __init__(self, app: OmoApplication, ledger: LedgerReader):
        self.app = app
        self.ledger = ledger

    @rpc
    def RegisterRegion(self, request, context):
        region, created = dealers.register_region(self.app, Region.create(request.region.region_id, request.region.name))
        return dealers_pb2.RegisterRegionResponse(region=dealers_pb2.Region(region_id=region.region_id, name=region.name), created=created)

    @rpc
    def RegisterDealer(self, request, context):
        given = request.dealer
        dealer, created = dealers.register_dealer(self.app, Dealer.create(given.dealer_id, given.name, given.region_id))
        return dealers_pb2.RegisterDealerResponse(dealer=_dealer_message(dealer), created=created)

    @rpc
    def GetDealer(self, request, context):
        return dealers_pb2.GetDealerResponse(dealer=_dealer_message(dealers.get_dealer(self.app, request.dealer_id)))

    @rpc
    def ChangeStoreOwner(self, request, context):
        effective_from = moment("effective_from", request.effective_from, request.HasField("effective_from"), self.app.clock())
        store = dealers.change_store_owner(self.app, request.store_id, request.dealer_id, effective_from)
        return dealers_pb2.ChangeStoreOwnerResponse(
            owners=[dealers_pb2.StoreOwnership(dealer_id=dealer_id, effective_from=timestamp(at)) for at, dealer_id in store.owners]
        )

    @rpc
    def SetAttributionPolicy(self, request, context):
        if not request.HasField("policy"):
            raise InvalidInput("policy", "is required")
        given = request.policy
        version, changed = dealers.set_policy(self.app, given.brand_id, policy_terms(given), given.note)
        _, terms = dealers.policy_terms(self.app, given.brand_id, version)
        return dealers_pb2.SetAttributionPolicyResponse(
            policy=policy_message(given.brand_id, version, terms, given.fulfilment_fee_fixed.currency or "CNY", given.note), changed=changed,
        )

    @rpc
    def GetAttributionPolicy(self, request, context):
        version = request.version if request.HasField("version") else None
        self.app.catch_up()  # a policy another server set a moment ago
        chosen, terms = dealers.policy_terms(self.app, request.brand_id, version)
        return dealers_pb2.GetAttributionPolicyResponse(policy=policy_message(request.brand_id, chosen, terms))

    @rpc
    def GetStatement(self, request, context):
        if request.dealer_id != HQ:
            dealers.get_dealer(self.app, request.dealer_id)  # an unknown dealer is NOT_FOUND, not an empty statement
        if not request.month:
            raise InvalidInput("month", "is required: a calendar month 'YYYY-MM' (China Standard Time)")
        wait_ms = min(5000, int((context.time_remaining() or 5.0) * 1000))
        statement = get_statement(
            self.ledger, request.dealer_id, request.month, request.page_size, request.page_token,
            min_position=request.min_position, wait_timeout_ms=wait_ms,
        )
        return statement_message(request.month, statement)


def _dealer_message(dealer: Dealer) -> dealers_pb2.Dealer:
    return dealers_pb2.Dealer(dealer_id=dealer.dealer_id, name=dealer.name, region_id=dealer.region_id)


class CloudShopServicer(dealers_pb2_grpc.CloudShopServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    def _message(self, shop) -> dealers_pb2.CloudShop:
        return cloud_shop_message(shop, self.app.index.profiles.get(shop.store_id))

    @rpc
    def OpenCloudShop(self, request, context):
        profile = CloudShopProfile.create(request.cloud_shop_id, request.store_id, request.name, request.brand_id)
        shop, created = dealers.open_cloud_shop(self.app, profile)
        return dealers_pb2.OpenCloudShopResponse(shop=self._message(shop), created=created)

    @rpc
    def CloseCloudShop(self, request, context):
        shop = dealers.set_cloud_shop_active(self.app, request.cloud_shop_id, False)
        return dealers_pb2.CloseCloudShopResponse(shop=self._message(shop))

    @rpc
    def GetCloudShop(self, request, context):
        shop = dealers.get_cloud_shop(self.app, request.cloud_shop_id)
        return dealers_pb2.GetCloudShopResponse(shop=self._message(shop), assistants=assistant_messages(shop))

    @rpc
    def AddShopAssistant(self, request, context):
        shop, code = dealers.add_shop_assistant(self.app, request.cloud_shop_id, request.assistant_id, request.name)
        name = shop.assistants[request.assistant_id]["name"]
        return dealers_pb2.AddShopAssistantResponse(
            assistant=dealers_pb2.ShopAssistant(assistant_id=request.assistant_id, name=name, share_code=code)
        )

    @rpc
    def FindCloudShop(self, request, context):
        entry_kind = request.WhichOneof("entry")
        if entry_kind == "location":
            entry = dealers.find_cloud_shop(self.app, convert.location("location", request.location, True))
        elif entry_kind == "share_code":
            entry = dealers.resolve_share_code(self.app, request.share_code)
        elif entry_kind == "cloud_shop_id":
            entry = dealers.Entry(dealers.get_cloud_shop(self.app, request.cloud_shop_id))
        else:
            raise InvalidInput("entry", "give a location, a share_code or a cloud_shop_id")
        return dealers_pb2.FindCloudShopResponse(
            shop=self._message(entry.shop), distance_m=round(entry.distance_m), assistant_id=entry.assistant_id
        )
