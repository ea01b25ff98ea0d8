"""Every caller at once, for the demo, the benchmarks and the tests: one client channel that
presents, for each call, the token of a caller the access rules let make it (HQ operations
where they may, else the checkout, else the POS of the store the request names), or, as
`store_side`, each store's own POS token wherever a POS may make the call. Tokens are issued on
first use into the same event store the server reads.
"""

from __future__ import annotations

import threading
from typing import Any

from domain.callers import CHECKOUT, OPS, POS
from services.api.gate.access import RULES
from services.use_cases.application import OmoApplication
from services.use_cases.network.tokens import issue_token


class Cast:
    def __init__(self, app: OmoApplication, label: str = "cast"):
        self.app = app
        self.label = label
        self._tokens: dict[tuple[str, str, str], str] = {}
        self._lock = threading.Lock()

    def token(self, role: str, store_id: str = "", dealer_id: str = "") -> str:
        """A token for the role and scope, issued once. A POS token may name a store not yet
        registered, so that a call about a missing store is answered by its use case."""
        key = (role, store_id, dealer_id)
        with self._lock:
            if key not in self._tokens:
                _, self._tokens[key] = issue_token(self.app, role, store_id, dealer_id, label=self.label, require_scope=False)
            return self._tokens[key]

    def __call__(self, method: str, request: Any) -> str:
        rule = RULES.get(method)
        if rule is None or OPS in rule.roles:
            return self.token(OPS)
        if CHECKOUT in rule.roles:
            return self.token(CHECKOUT)
        store_id = getattr(request, rule.store_field, "") if rule.store_field and request is not None else ""
        if POS in rule.roles and store_id:
            return self.token(POS, store_id=store_id)
        return self.token(OPS)

    def store_side(self, method: str, request: Any) -> str:
        """As the stores' own apps: the POS token of the store the request names for every call
        a POS may make about it (its queue, its steps), though ops might make it too; any
        other call as the cast chooses."""
        rule = RULES.get(method)
        if rule is not None and POS in rule.roles and rule.store_field and request is not None:
            store_id = getattr(request, rule.store_field, "")
            if store_id:
                return self.token(POS, store_id=store_id)
        return self(method, request)
