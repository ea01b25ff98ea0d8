"""Use cases: issuing, listing and revoking API tokens, and telling who a token belongs to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from aggregates.api_token import ApiToken
from domain.callers import Caller, Unauthenticated, parse_token, secret_hash, secret_matches
from domain.errors import NotFound
from domain.values import text
from services.use_cases.application import OmoApplication
from services.use_cases.network.dealers import require_dealer
from services.use_cases.network.stores import require_store


class TokenNotFound(NotFound):
    def __init__(self, token_id: str):
        super().__init__(f"token {token_id!r} does not exist; `omo tokens list` shows the issued ones")


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    role: str
    scope: str
    label: str
    revoked: bool
    issued_at: str  # RFC 3339, UTC


def issue_token(
    app: OmoApplication, role: str, store_id: str = "", dealer_id: str = "", label: str = "", require_scope: bool = True,
) -> tuple[Caller, str]:
    """A new token for the role and scope; returns (caller, the token). The token is shown
    only here: the event store keeps the hash of its secret. `require_scope`: the store or
    dealer must exist (tests and the demo may issue one first)."""
    text("label", label)
    caller = Caller.create(secrets.token_hex(6), role, store_id, dealer_id)
    if require_scope and caller.store_id:
        require_store(app, caller.store_id)
    if require_scope:
        require_dealer(app, caller.dealer_id)
    secret = secrets.token_urlsafe(32)
    app.save(ApiToken.issue(caller, secret_hash(secret), label))
    return caller, f"omo_{caller.token_id}_{secret}"


def _token(app: OmoApplication, token_id: str) -> ApiToken:
    token = app.find(ApiToken.create_id(token_id))
    if not isinstance(token, ApiToken):
        raise TokenNotFound(token_id)
    return token


def revoke_token(app: OmoApplication, token_id: str, reason: str = "") -> bool:
    """Revokes the token for every later call; False when it was revoked already."""
    text("reason", reason)
    aggregate_id = ApiToken.create_id(token_id)

    def decide() -> tuple[ApiToken, bool]:
        token = _token(app, token_id)
        return token, token.revoke(reason)

    return app.change_one(aggregate_id, decide)


def list_tokens(app: OmoApplication) -> list[TokenInfo]:
    app.catch_up()
    infos = []
    for token_id in app.index.token_ids():
        token = _token(app, token_id)
        infos.append(TokenInfo(token.token_id, token.role, token.caller.scope, token.label, token.revoked, token.created_on.isoformat()))
    return infos


def authenticate(app: OmoApplication, token: str) -> Caller:
    """The caller a bearer token belongs to, as the event store has it now: the log is read
    to its head first (one read shared by the calls arriving together), which evicts a token
    another process has revoked from the cache. Unauthenticated otherwise."""
    token_id, secret = parse_token(token)
    app.catch_up()
    found = app.find(ApiToken.create_id(token_id), shared=True)  # read, on every call: no copy
    if not isinstance(found, ApiToken) or not secret_matches(secret, found.secret_hash):
        raise Unauthenticated("the bearer token is not known; ask HQ operations for one (`omo tokens issue`)")
    if found.revoked:
        raise Unauthenticated(f"token {token_id} was revoked; ask HQ operations for a new one")
    return found.caller
