"""Stock movements a store's POS reports: what happened to the shelf, when, under an id
unique per store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.values import identifier, stock_units, text, transfer_reference

# kind -> sign of the change to on hand (COUNT sets on hand instead)
SIGN = {"SALE": -1, "RETURN": +1, "RECEIPT": +1, "TRANSFER_OUT": -1, "TRANSFER_IN": +1, "DAMAGE": -1}
COUNT = "COUNT"
KINDS = (*SIGN, COUNT)
TRANSFER_KINDS = ("TRANSFER_OUT", "TRANSFER_IN")
MAX_BATCH_MOVEMENTS = 1000


@dataclass(frozen=True)
class Movement:
    movement_id: str
    kind: str
    sku: str
    quantity: int  # units moved (> 0); for a COUNT the units counted (>= 0)
    occurred_at_us: int  # the POS's moment, microseconds since the epoch (UTC)
    transfer_id: str = ""
    reason: str = ""

    @property
    def change(self) -> int:
        return SIGN[self.kind] * self.quantity

    def fingerprint(self) -> str:
        """What makes a resend the same movement."""
        body = [self.kind, self.sku, self.quantity, self.occurred_at_us, self.transfer_id, self.reason]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()

    def record(self) -> dict:
        return {
            "sku": self.sku, "quantity": self.quantity, "occurred_at_us": self.occurred_at_us,
            "transfer_id": self.transfer_id, "reason": self.reason,
        }


def check_movement(field: str, m: Movement) -> None:
    """Raises InvalidInput naming `field` (e.g. movements[3]) and what is wrong with it."""
    identifier(f"{field}.movement_id", m.movement_id)
    if m.kind not in KINDS:
        raise InvalidInput(f"{field}.kind", f"must be one of {', '.join(KINDS)}, got {m.kind!r}")
    identifier(f"{field}.sku", m.sku)
    if m.kind == COUNT and m.quantity < 0:
        raise InvalidInput(f"{field}.quantity", f"a count must be >= 0, got {m.quantity}")
    stock_units(f"{field}.quantity", m.quantity, zero_allowed=m.kind == COUNT)
    if m.occurred_at_us <= 0:
        raise InvalidInput(f"{field}.occurred_at", "is required: the moment the POS recorded the movement")
    if m.kind in TRANSFER_KINDS:
        transfer_reference(f"{field}.transfer_id", m.transfer_id)
    else:
        if m.transfer_id:
            raise InvalidInput(f"{field}.transfer_id", f"only TRANSFER_OUT and TRANSFER_IN name a transfer, not {m.kind}")
    text(f"{field}.reason", m.reason)


def check_batch(movements: list[Movement]) -> None:
    if not movements:
        raise InvalidInput("movements", "a batch needs at least one movement")
    if len(movements) > MAX_BATCH_MOVEMENTS:
        raise InvalidInput("movements", f"has {len(movements)} movements; at most {MAX_BATCH_MOVEMENTS} per batch")
    for i, movement in enumerate(movements):
        check_movement(f"movements[{i}]", movement)
