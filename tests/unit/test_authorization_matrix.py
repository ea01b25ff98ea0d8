"""The authorization matrix's specification (tests/authorization_world.py ALLOWED) covers
every RPC the server offers, and every RPC's access rule agrees with it cell by cell: each
caller of the world (the POS of S1, of S3 at the other end of S1's transfers and split orders,
and of S2, a party to nothing; the dealers; HQ; the checkout) on the world's request for that
RPC, authorized against the world's objects in memory. The same cells against the served
world, through the gate and the use cases, are in tests/e2e/test_authorization_matrix.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.callers import Caller, PermissionDenied
from domain.errors import NotFound
from services.api.gate.authorization import authorize
from services.bootstrap import in_memory_application
from tests.authorization_world import ALLOWED, CALLERS, World, allowed_callers, refusal, requests, world_in_memory
from tests.unit.test_access_rules import served_methods


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[object, World]]:
    app = in_memory_application()
    try:
        yield app, world_in_memory(app)
    finally:
        app.close()


def test_the_matrix_covers_every_rpc_the_server_offers():
    assert set(ALLOWED) == set(served_methods())


def decision(app, caller_name: str, method: str, request) -> str:
    role, store_id, dealer_id = CALLERS[caller_name]
    try:
        authorize(app, Caller(f"token-{caller_name}", role, store_id, dealer_id), method, request)
    except PermissionDenied:
        return "PERMISSION_DENIED"
    except NotFound:
        return "NOT_FOUND"
    return "allowed"


@pytest.mark.parametrize("method", sorted(ALLOWED))
def test_the_rule_allows_exactly_the_specified_callers_and_refuses_the_others_as_specified(world, method):
    app, objects = world
    request = requests(objects)[method]
    allowed = allowed_callers(method)
    wrong = {}
    for caller in CALLERS:
        decided = decision(app, caller, method, request)
        specified = "allowed" if caller in allowed else refusal(caller, method)
        if decided != specified:
            wrong[caller] = f"{decided}, specified {specified}"
    assert not wrong
