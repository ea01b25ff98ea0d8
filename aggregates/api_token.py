"""An API token: issued to a caller with a role and scope, revoked when it must stop working.
Only the hash of its secret is recorded."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.callers import Caller


class ApiToken(Aggregate):
    @staticmethod
    def create_id(token_id: str) -> UUID:
        return uuid5(NAMESPACE, f"api-token:{token_id}")

    @classmethod
    def issue(cls, caller: Caller, secret_hash: str, label: str) -> ApiToken:
        return cls(
            token_id=caller.token_id, role=caller.role, store_id=caller.store_id, dealer_id=caller.dealer_id,
            secret_hash=secret_hash, label=label,
        )

    @event("TokenIssued")
    def __init__(self, token_id: str, role: str, store_id: str, dealer_id: str, secret_hash: str, label: str):
        self.token_id = token_id
        self.role = role
        self.store_id = store_id
        self.dealer_id = dealer_id
        self.secret_hash = secret_hash
        self.label = label
        self.revoked = False
        self.revoke_reason = ""

    @property
    def caller(self) -> Caller:
        return Caller(self.token_id, self.role, self.store_id, self.dealer_id)

    def revoke(self, reason: str) -> bool:
        """False when it was revoked already."""
        if self.revoked:
            return False
        self._revoked(reason=reason)
        return True

    @event("TokenRevoked")
    def _revoked(self, reason: str) -> None:
        self.revoked = True
        self.revoke_reason = reason
