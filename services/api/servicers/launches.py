"""LaunchService: limited-edition launches and their purchase limits, and pre-sales of new
SKUs, set by HQ operations."""

from __future__ import annotations

from protos.omo.v1 import launches_pb2, launches_pb2_grpc
from services.use_cases.ordering import launches, presale_plan, presales
from services.api.convert.launches import launch_message, launch_terms
from services.api.convert.pre_sales import plan_message, pre_sale_message, pre_sale_terms, progress_message
from services.api.errors import rpc
from services.api.gate.interceptor import acting
from services.use_cases.application import OmoApplication


class LaunchServicer(launches_pb2_grpc.LaunchServiceServicer):
    def __init__(self, app: OmoApplication):
        self.app = app

    @rpc
    def SetLaunch(self, request, context):
        terms, created, changed = launches.set_launch(self.app, launch_terms(request))
        return launches_pb2.SetLaunchResponse(launch=launch_message(terms), created=created, changed=changed)

    @rpc
    def GetLaunch(self, request, context):
        return launches_pb2.GetLaunchResponse(launch=launch_message(launches.get_launch(self.app, request.launch_id)))

    @rpc
    def SetPreSale(self, request, context):
        terms, created, changed = presales.set_pre_sale(self.app, pre_sale_terms(request))
        return launches_pb2.SetPreSaleResponse(pre_sale=pre_sale_message(terms), created=created, changed=changed)

    @rpc
    def GetPreSale(self, request, context):
        return progress_message(presales.get_pre_sale(self.app, request.sku))

    @rpc
    def PlanPreSale(self, request, context):
        outcome = presale_plan.plan_pre_sale(self.app, request.sku, by=acting())
        # the progress after planning: what this call and every earlier one sent where
        return plan_message(outcome, presales.get_pre_sale(self.app, request.sku))
