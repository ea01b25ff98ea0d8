"""The system: each projection's lag, the database's health and, from the API servers' metrics
endpoints, each server's order writer queue; what the gRPC health service and the metrics tell
anyone, to anyone signed in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.definitions import PROJECTIONS
from projections.runtime.runner import projection_status
from services.adapters.server_metrics import read_server


class SystemPages:
    def __init__(self, console):
        self.console = console

    def routes(self) -> list[Route]:
        return [Route("/system", self.system)]

    def system(self, request: Request) -> Response:
        console = self.console
        visit = console.access.visit(request)
        statuses, problems = [], {}
        for name, projection in PROJECTIONS.items():
            try:
                statuses.append(projection_status(console.engine, projection.event_log(console.app), name))
            except Exception as error:  # noqa: BLE001 - a projection whose tables are not made yet
                problems[name] = f"its status cannot be read ({type(error).__name__})"
        try:
            head, database = console.app.recorder.max_notification_id(), ""
        except Exception as error:  # noqa: BLE001 - whatever the driver says, the database is not answering
            head, database = None, f"the database does not answer ({type(error).__name__})"
        servers = [read_server(url) for url in console.servers]
        return console.render(
            request, "system.html", visit, statuses=statuses, problems=problems, head=head, database=database, servers=servers,
        )
