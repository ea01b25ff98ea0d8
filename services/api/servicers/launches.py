"""LaunchService: limited-edition launches and their purchase limits, set by HQ operations."""

from __future__ import annotations

from protos.omo.v1 import launches_pb2, launches_pb2_grpc
from services.use_cases.ordering import launches
from services.api.convert.launches import launch_message, launch_terms
from services.api.errors import rpc
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
