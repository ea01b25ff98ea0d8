"""DealerService: regions, dealers, store ownership, attribution policies and statements."""

from __future__ import annotations

from domain.assortments import StockSharing
from domain.dealers import Dealer, Region
from domain.errors import InvalidInput
from protos.omo.v1 import dealers_pb2, dealers_pb2_grpc
from services.api.convert.settlements import settlement_message, settlement_terms
from services.api.gate.interceptor import acting
from services.use_cases.network import assortments, dealers, settlements
from services.api.convert.dealers import moment, policy_message, policy_terms, timestamp
from services.api.errors import rpc
from services.api.convert.dealers import statement_message
from services.use_cases.application import OmoApplication
from projections.dealer_ledger.reader import LedgerReader
from projections.reconciliation.reader import ReconciliationReader
from services.api.convert.reconciliation import reconciliation_message
from services.use_cases.network.reconciliation import get_reconciliation
from services.use_cases.network.statements import dealer_statement
from services.use_cases.network.provider_bills import import_provider_bill
from domain.provider_bills import RawRow


class DealerServicer(dealers_pb2_grpc.DealerServiceServicer):
    def __init__(self, app: OmoApplication, ledger: LedgerReader, bills: ReconciliationReader):
        self.app = app
        self.ledger = ledger
        self.bills = bills  # the reconciliation projection: provider bills matched against orders

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
        dealer = dealers.get_dealer(self.app, request.dealer_id)
        sharing = assortments.stock_sharing(self.app, request.dealer_id)
        return dealers_pb2.GetDealerResponse(dealer=_dealer_message(dealer), stock_sharing=_sharing_message(sharing))

    @rpc
    def SetStockSharing(self, request, context):
        if not request.HasField("sharing"):
            raise InvalidInput("sharing", "is required: both terms, share_stock and own_stores_first, as they are to be")
        wanted = StockSharing(request.sharing.share_stock, request.sharing.own_stores_first)
        sharing, changed = assortments.set_stock_sharing(self.app, request.dealer_id, wanted)
        return dealers_pb2.SetStockSharingResponse(dealer_id=request.dealer_id, sharing=_sharing_message(sharing), changed=changed)

    @rpc
    def RecordSettlement(self, request, context):
        recorded = settlements.record_settlement(self.app, settlement_terms(request), by=acting())
        return dealers_pb2.RecordSettlementResponse(settlement=settlement_message(recorded), replayed=recorded.replayed)

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
        terms = policy_terms(given)
        version, changed = dealers.set_policy(self.app, given.brand_id, terms, given.note)
        return dealers_pb2.SetAttributionPolicyResponse(
            policy=policy_message(given.brand_id, version, terms, given.fulfilment_fee_fixed.currency or "CNY", given.note), changed=changed,
        )

    @rpc
    def GetAttributionPolicy(self, request, context):
        version = request.version if request.HasField("version") else None
        chosen, terms = dealers.get_policy(self.app, request.brand_id, version)
        return dealers_pb2.GetAttributionPolicyResponse(policy=policy_message(request.brand_id, chosen, terms))

    @rpc
    def GetStatement(self, request, context):
        wait_ms = min(5000, int((context.time_remaining() or 5.0) * 1000))
        statement = dealer_statement(
            self.app, self.ledger, request.dealer_id, request.month, request.page_size, request.page_token,
            min_position=request.min_position, wait_timeout_ms=wait_ms,
        )
        return statement_message(request.month, statement)

    @rpc
    def GetReconciliation(self, request, context):
        wait_ms = min(5000, int((context.time_remaining() or 5.0) * 1000))
        report = get_reconciliation(
            self.app, self.bills, self.ledger, request.dealer_id, request.month,
            min_position=request.min_position, wait_timeout_ms=max(0, wait_ms),
        )
        return reconciliation_message(report)

    @rpc
    def ImportProviderBill(self, request, context):
        rows = [
            RawRow(i + 1, r.transaction_time, r.payment_id, r.merchant_order_id, r.kind, r.amount, r.fee)
            for i, r in enumerate(request.rows)
        ]
        bill = import_provider_bill(self.app, request.dealer_id, rows, what="row", by=acting())
        return dealers_pb2.ImportProviderBillResponse(bill_id=bill.bill_id, rows=bill.rows, imported=bill.imported)


def _dealer_message(dealer: Dealer) -> dealers_pb2.Dealer:
    return dealers_pb2.Dealer(dealer_id=dealer.dealer_id, name=dealer.name, region_id=dealer.region_id)


def _sharing_message(sharing: StockSharing) -> dealers_pb2.StockSharing:
    return dealers_pb2.StockSharing(share_stock=sharing.share_stock, own_stores_first=sharing.own_stores_first)
