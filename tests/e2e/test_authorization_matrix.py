"""The authorization matrix: every RPC the server offers x every caller x own / other object,
with, for every object with two parties (a transfer, a split order, an order brought back to
another store than the one that shipped it), a POS at each end and one at neither.

Exactly the allowed cells succeed (each on a fresh copy of the world, so one call's effect
cannot help or hinder another); every other cell is refused with the documented code and
changes nothing: the event log, where every change is recorded, does not move. A refusal names
no store, dealer, transfer or order the caller did not name or act for, and where the object is
hidden from the caller, it reads word for word as the refusal of an id never used. The RPCs
come from the service descriptors, so an RPC added without an entry here (and a rule) fails.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from protos.omo.v1 import orders_pb2, transfers_pb2
from services.client.cast import Cast
from services.client.client import OmoClient
from services.api.server import start_server
from services.bootstrap import build_application
from services.adapters.config import sqlite_url
from tests.authorization_world import (
    ALLOWED, CALLERS, DESTINATION, NAMED, PARTIES, SHIPPED_FROM, SHIPS, SOURCE, TRANSFERS, UNKNOWN_TOKEN, World,
    allowed_callers, build_world, refusal, requests,
)

STUBS = {
    "StoreService": "stores", "InventoryService": "inventory", "OrderService": "orders", "FulfilmentService": "fulfilment",
    "PosService": "pos", "TransferService": "transfers", "StockQueryService": "stock", "DealerService": "dealers",
    "CloudShopService": "cloud_shops", "LaunchService": "launches",
}
NOT_CALLERS = ("no token", "malformed", "unknown", "revoked")


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
            refused = refusal_of(served, caller, method, request)
            expected = grpc.StatusCode.UNAUTHENTICATED if caller in NOT_CALLERS else grpc.StatusCode[refusal(caller, method)]
            assert refused.code() == expected, (caller, refused.details())
            assert served.head() == head, f"the refused call by {caller} changed something"
            untold = names_of_the_world(world) - heard_of(caller, request)
            assert not names_in(refused.details()) & untold, f"{caller} was told: {refused.details()}"
            if expected == grpc.StatusCode.NOT_FOUND:
                never, real, unknown = never_used(request)
                unknown_refused = refusal_of(served, caller, method, unknown)
                assert unknown_refused.code() == expected
                assert refused.details() == unknown_refused.details().replace(never, real), caller
                assert served.head() == head
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


def refusal_of(served: Copy, caller: str, method: str, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as refused:
        served.call(caller, method, request)
    return refused.value


WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.:/-]*[A-Za-z0-9])?")


def names_in(text: str | None) -> set[str]:
    return set(WORD.findall(text or ""))


def names_of_the_world(world: World) -> set[str]:
    """The ids of the world's stores, dealers, cloud shop, transfers and orders."""
    transfer_ids = {f"{to_store}/{name}" for name, (_, to_store) in TRANSFERS.items()}
    return {"S1", "S2", "S3", "D1", "D2", "CS1", *transfer_ids, *(placed.order_id for placed in world.orders.values())}


def heard_of(caller: str, request) -> set[str]:
    """What a caller may be told of: what its request names, and the store or dealer it acts for."""
    _, store_id, dealer_id = CALLERS.get(caller, ("", "", ""))
    return names_in(str(request)) | {store_id, dealer_id} - {""}


def never_used(request) -> tuple[str, str, object]:
    """(an id never used, the request's own, the request naming the never used one instead)."""
    unknown = type(request)()
    unknown.CopyFrom(request)
    if "transfer_id" in request.DESCRIPTOR.fields_by_name:
        real = request.transfer_id
        unknown.transfer_id = never = f"{real.split('/')[0]}/T-NEVER-USED"
    else:
        real = request.order_id
        unknown.order_id = never = str(uuid.uuid4())
    return never, real, unknown


def test_every_two_party_request_has_s1_and_s3_where_the_specification_says_and_s2_at_neither_end(world_file, tmp_path):
    """The world as served is the world the specification and tests/unit assume."""
    world_db, world = world_file
    served = Copy(world_db, world, tmp_path / "parties")
    try:
        with OmoClient(f"127.0.0.1:{served.server.port}", token=world.tokens["ops"]) as ops:
            for method, parties in PARTIES.items():
                request = requests(world)[method]
                for store_id in ("S1", "S2", "S3"):
                    assert party_of(ops, request, store_id) == parties.get(store_id, set()), (method, store_id)
            for name, placed in world.orders.items():
                shipments = ops.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=placed.order_id)).order.shipments
                assert sorted(shipment.store_id for shipment in shipments) == sorted(SHIPPED_FROM[name]), name
    finally:
        served.close()


def party_of(ops: OmoClient, request, store_id: str) -> set[str]:
    """What the store is to the request's transfer or order, as the served world says."""
    if isinstance(request, transfers_pb2.RequestTransferRequest):
        source, destination = request.from_store_id, request.to_store_id
    elif "transfer_id" in request.DESCRIPTOR.fields_by_name:
        transfer = ops.transfers.GetTransfer(transfers_pb2.GetTransferRequest(transfer_id=request.transfer_id)).transfer
        source, destination = transfer.from_store_id, transfer.to_store_id
    else:
        shipments = ops.orders.GetOrder(orders_pb2.GetOrderRequest(order_id=request.order_id)).order.shipments
        ships = {SHIPS} if store_id in {shipment.store_id for shipment in shipments} else set()
        return ships | ({NAMED} if getattr(request, "store_id", "") == store_id else set())
    return {SOURCE} if store_id == source else {DESTINATION} if store_id == destination else set()


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
