"""Settlements between their messages and the domain's values."""

from __future__ import annotations

from domain.settlements import SettlementTerms
from protos.omo.v1 import common_pb2, dealers_pb2
from services.api.convert.common import money
from services.use_cases.network.settlements import Recorded


def settlement_terms(request: dealers_pb2.RecordSettlementRequest) -> SettlementTerms:
    return SettlementTerms.create(
        request.reference, request.from_party, request.to_party, money("amount", request.amount, request.HasField("amount")), request.month,
    )


def settlement_message(recorded: Recorded) -> dealers_pb2.Settlement:
    terms = recorded.terms
    return dealers_pb2.Settlement(
        reference=terms.reference, from_party=terms.from_party, to_party=terms.to_party,
        amount=common_pb2.Money(cents=terms.amount.cents, currency=terms.amount.currency), month=terms.month,
        recorded_at=recorded.recorded_at.isoformat(),
    )
