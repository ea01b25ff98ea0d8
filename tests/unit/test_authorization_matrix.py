"""The authorization matrix's specification (tests/authorization_world.py ALLOWED) covers
every RPC the server offers; the matrix itself, against the served world, is in
tests/e2e/test_authorization_matrix.py."""

from __future__ import annotations

from tests.authorization_world import ALLOWED
from tests.unit.test_access_rules import served_methods


def test_the_matrix_covers_every_rpc_the_server_offers():
    assert set(ALLOWED) == set(served_methods())
