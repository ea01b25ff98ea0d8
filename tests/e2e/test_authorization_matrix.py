"""The authorization matrix: every RPC the server offers x every caller x own / other object.

Exactly the allowed cells succeed (each on a fresh copy of the world, so one call's effect
cannot help or hinder another); every other cell is refused with the documented code and
changes nothing: the event log, where every change is recorded, does not move. The RPCs come
from the service descriptors, so an RPC added without an entry here (and a rule) fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.server import start_server
from services.bootstrap import build_application
from services.adapters.config import sqlite_url
from tests.authorization_world import ALLOWED, CALLERS, UNKNOWN_TOKEN, World, build_world, requests

# where an id a scoped caller does not own is answered as if it did not exist
HIDDEN_FROM_OTHERS = {
    "omo.v1.TransferService/ShipTransfer", "omo.v1.TransferService/ReceiveTransfer", "omo.v1.TransferService/GetTransfer",
    "omo.v1.OrderService/GetOrderHistory",
}
HIDDEN_FROM_OTHER_DEALERS = {"omo.v1.OrderService/GetOrderHistory"}
STUBS = {
    "StoreService": "stores", "InventoryService": "inventory", "OrderService": "orders", "FulfilmentService": "fulfilment",
    "PosService": "pos", "TransferService": "transfers", "StockQueryService": "stock", "DealerService": "dealers",
    "CloudShopService": "cloud_shops", "LaunchService": "launches",
}
NOT_CALLERS = ("no token", "malformed", "unknown", "revoked")


def allowed_callers(method: str) -> set[str]:
    spec = ALLOWED[method].split()
    allowed = {name for name in ("ops", "checkout") if name in spec}
    allowed |= {"pos_own"} if "pos" in spec else set()
    allowed |= {"dealer_own"} if "dealer" in spec else set()
    allowed |= {"dealer_own", "dealer_other"} if "any-dealer" in spec else set()
    return allowed


def invoke(client: OmoClient, method: str, request) -> object:
    service, name = method.split(".")[-1].split("/")
    call = getattr(getattr(client, STUBS[service]), name)
    if name == "SyncStock":
        return list(call(iter([request]), timeout=20))
    if name in ("WatchStock", "WatchShipments"):  # server streams: their first message
        stream = call(request, timeout=20)
        first = next(stream)
        stream.cancel()
        return first
    return call(request, timeout=20)


def token_of(world: World, caller: str) -> str | None:
    not_tokens = {"no token": None, "malformed": "not-a-token", "unknown": UNKNOWN_TOKEN}
    return not_tokens[caller] if caller in not_tokens else world.tokens[caller]


@pytest.fixture(scope="module")
def world_file(tmp_path_factory) -> Iterator[tuple[Path, World]]:
    folder = tmp_path_factory.mktemp("authorization-world")
    app = build_application(sqlite_url(folder / "world.db"))
    server = start_server(app, port=0)
    cast = Cast(app, label="world")
    try:
        with OmoClient(f"127.0.0.1:{server.port}", tokens=cast) as client:
            world = build_world(client, cast)
    finally:
        server.stop(grace=1)
        app.close()
    yield folder / "world.db", world


class Copy:
    """A fresh copy of the world, served: its application, and a client per caller."""

    def __init__(self, world_db: Path, world: World, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{world_db}{suffix}").exists():
                shutil.copy(f"{world_db}{suffix}", folder / f"world.db{suffix}")
        self.world = world
        self.app = build_application(sqlite_url(folder / "world.db"))
        self.server = start_server(self.app, port=0)

    def call(self, caller: str, method: str, request) -> object:
        with OmoClient(f"127.0.0.1:{self.server.port}", token=token_of(self.world, caller)) as client:
            return invoke(client, method, request)

    def head(self) -> int:
        return self.app.recorder.max_notification_id()

    def close(self) -> None:
        self.server.stop(grace=0.5)
        self.app.close()


@pytest.mark.parametrize("method", sorted(ALLOWED))
def test_exactly_the_allowed_callers_succeed_and_refusals_change_nothing(world_file, tmp_path, method):
    world_db, world = world_file
    request = requests(world)[method]
    allowed = allowed_callers(method)

    served = Copy(world_db, world, tmp_path / "refused")
    try:
        head = served.head()
        for caller in [*CALLERS, *NOT_CALLERS]:
            if caller in allowed:
                continue
            with pytest.raises(grpc.RpcError) as refusal:
                served.call(caller, method, request)
            code = refusal.value.code()
            if caller in NOT_CALLERS:
                expected = grpc.StatusCode.UNAUTHENTICATED
            elif caller == "pos_other" and method in HIDDEN_FROM_OTHERS or caller == "dealer_other" and method in HIDDEN_FROM_OTHER_DEALERS:
                expected = grpc.StatusCode.NOT_FOUND
            else:
                expected = grpc.StatusCode.PERMISSION_DENIED
            assert code == expected, (caller, refusal.value.details())
            assert served.head() == head, f"the refused call by {caller} changed something"
    finally:
        served.close()

    for caller in sorted(allowed):
        served = Copy(world_db, world, tmp_path / caller)
        try:
            served.call(caller, method, request)
        except grpc.RpcError as error:
            pytest.fail(f"{caller} may call {method} but got {error.code().name}: {error.details()}")
        finally:
            served.close()


def test_refusals_never_echo_the_token(world_file, tmp_path):
    world_db, world = world_file
    served = Copy(world_db, world, tmp_path / "echo")
    try:
        for caller in ("malformed", "unknown", "revoked", "pos_other"):
            with pytest.raises(grpc.RpcError) as refusal:
                served.call(caller, "omo.v1.InventoryService/ReceiveStock", requests(world)["omo.v1.InventoryService/ReceiveStock"])
            secret = token_of(world, caller).split("_", 2)[-1]  # the secret may hold "_" itself
            assert secret not in (refusal.value.details() or "")
    finally:
        served.close()
