"""Refusals of the national stock queries."""

from __future__ import annotations

from domain.errors import NotFound, RuleViolation


class RegionNotFound(NotFound):
    def __init__(self, region: str):
        super().__init__(f"no stock has been recorded in {region}")


class ProjectionBehind(RuleViolation):
    """A read-your-writes wait ran out before the projection reached the position
    (DEADLINE_EXCEEDED)."""

    def __init__(self, wanted: int, reached: int, waited_ms: int):
        super().__init__(
            f"the stock projection reached position {reached}, not {wanted}, within {waited_ms} ms; "
            "retry, or read without waiting and check the freshness"
        )
        self.wanted = wanted
        self.reached = reached


class PositionNotRecorded(RuleViolation):
    def __init__(self, wanted: int, head: int):
        super().__init__(
            f"consistency.min_position: {wanted} is beyond the last recorded event ({head}); "
            "no write has reached it"
        )
