"""Who calls the backbone: a role and the scope it acts in, proved by a bearer token.

Roles: `checkout` (the mini-program backend), `pos` (one store's POS), `dealer` (one
dealer's people), `ops` (HQ operations). A token is `omo_<token id>_<secret>`: the id finds
the token, the secret proves it. Only the SHA-256 of the secret is kept; the secret is 256
random bits, so a fast hash is enough (no password to stretch).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from domain.errors import DomainError, InvalidInput
from domain.values import identifier

CHECKOUT, POS, DEALER, OPS = "checkout", "pos", "dealer", "ops"
ROLES = (CHECKOUT, POS, DEALER, OPS)
TOKEN = re.compile(r"^omo_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


class Unauthenticated(DomainError):
    """No valid token: missing, malformed, unknown or revoked. The message never repeats it."""


class PermissionDenied(DomainError):
    """A known caller asked for something outside its role or scope."""


class RateLimited(DomainError):
    """A caller has spent its budget of calls for now; `retry_after_ms` says when the next one
    would be admitted (the gate also sends it as `retry-after-ms` trailing metadata)."""

    def __init__(self, retry_after_ms: int):
        super().__init__(f"too many calls from this caller: retry after {retry_after_ms / 1000:g} s")
        self.retry_after_ms = retry_after_ms


@dataclass(frozen=True)
class Caller:
    token_id: str
    role: str
    store_id: str = ""  # pos: the one store it acts for
    dealer_id: str = ""  # dealer: the one dealer it acts for

    @classmethod
    def create(cls, token_id: str, role: str, store_id: str = "", dealer_id: str = "") -> Caller:
        if role not in ROLES:
            raise InvalidInput("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
        if role == POS:
            identifier("store", store_id)
        elif store_id:
            raise InvalidInput("store", f"only a pos token is for one store; a {role} token is not")
        if role == DEALER:
            identifier("dealer", dealer_id)
        elif dealer_id:
            raise InvalidInput("dealer", f"only a dealer token is for one dealer; a {role} token is not")
        return cls(token_id, role, store_id, dealer_id)

    @property
    def scope(self) -> str:
        return f"store {self.store_id}" if self.store_id else f"dealer {self.dealer_id}" if self.dealer_id else "all"

    @property
    def recorded(self) -> str:
        """Who acted, as the events it causes record it: its role and token id, never a secret."""
        return f"{self.role}:{self.token_id}"


UNKNOWN = "unknown"  # who caused an event recorded before events named their callers


def recorded_caller(by: str) -> tuple[str, str]:
    """(role, token id) of a caller as events record it (`Caller.recorded`); UNKNOWN for both
    when the event names none."""
    role, _, token_id = by.partition(":")
    return (role, token_id) if role and token_id else (UNKNOWN, UNKNOWN)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(token: str) -> tuple[str, str]:
    """(token id, secret) of a well-formed token; Unauthenticated otherwise."""
    match = TOKEN.fullmatch(token or "")
    if not match:
        raise Unauthenticated("the bearer token is malformed; expected 'Bearer omo_<id>_<secret>' as issued by `omo tokens issue`")
    return match.group(1), match.group(2)


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)
