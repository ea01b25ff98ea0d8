"""Every RPC the server offers has exactly one access rule, naming real request fields: a new
RPC added without a rule fails here."""

from __future__ import annotations

from google.protobuf import descriptor_pool

from domain.callers import ROLES
from services.api.gate.access import RULES
from services.api.server import SERVICE_NAMES


def served_methods() -> dict[str, object]:
    pool = descriptor_pool.Default()
    return {
        f"{service}/{method.name}": method
        for service in SERVICE_NAMES
        for method in pool.FindServiceByName(service).methods
    }


def test_every_rpc_has_a_rule_and_every_rule_an_rpc():
    assert set(RULES) == set(served_methods())


def test_rules_name_known_roles_and_fields_of_their_request():
    methods = served_methods()
    for name, rule in RULES.items():
        assert rule.roles and rule.roles <= set(ROLES), name
        fields = {f.name for f in methods[name].input_type.fields}
        for field in (rule.store_field, rule.dealer_field, rule.customer_field):
            assert not field or field in fields, (name, field)


def test_a_scoped_role_always_has_a_way_to_find_its_object():
    """A rule open to pos or dealer callers says how their object is found, so no scoped
    caller is let through unchecked."""
    for name, rule in RULES.items():
        if rule.roles & {"pos", "dealer"}:
            assert rule.store_field or rule.dealer_field or rule.through or rule.shared, name
