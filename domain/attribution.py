"""Revenue attribution: who earns what of every order line, to the cent.

The customer pays the line total to the seller: the owner of the cloud shop the order was
placed in (a dealer, or HQ). Out of it the seller pays
- HQ its share: `hq_share_bp` basis points of the line total;
- the fulfiller a fulfilment fee, when the store that shipped the line belongs to another
  party than the seller: `fulfilment_fee_bp` of the line total plus, once per shipment,
  `fulfilment_fee_fixed_cents` spread over the shipment's lines in proportion to what the
  percentages leave of each (and capped at that);
- the shop assistant who shared the shop, if any, a commission: `assistant_commission_bp`.
The seller keeps the rest.

Rounding: every split is by the largest remainder method. Each party's exact share (a
fraction of a cent) is rounded down; the cents left over go one each to the parties with
the largest fractional remainders, ties to the party listed first (seller, fulfiller, HQ,
assistant; lines in order). So the parts always sum exactly to the amount split.

A return reverses the returned units' share of the line's original parts, whatever the
policy or the owners are by then: the parts not yet reversed, times the units returned
over the units not yet returned, again by largest remainder. Returning the rest of a line
reverses exactly what is left, so a line returned in full is reversed to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from domain.errors import InvalidInput

BASIS_POINTS = 10_000
HQ = "HQ"
CUSTOMER = "CUSTOMER"  # where the money comes from: the ledger's other side of a sale

SALE = "SALE"
HQ_SHARE = "HQ_SHARE"
FULFILMENT_FEE = "FULFILMENT_FEE"
COMMISSION = "COMMISSION"
ENTRY_KINDS = (SALE, HQ_SHARE, FULFILMENT_FEE, COMMISSION)

# a line's parts, in tie-break order
SELLER_PART, FULFILLER_PART, HQ_PART, ASSISTANT_PART = "seller", "fulfiller", "hq", "assistant"
PART_ORDER = (SELLER_PART, FULFILLER_PART, HQ_PART, ASSISTANT_PART)
KIND_OF_PART = {FULFILLER_PART: FULFILMENT_FEE, HQ_PART: HQ_SHARE, ASSISTANT_PART: COMMISSION}


def dealer_party(dealer_id: str) -> str:
    """The ledger party of a store's or cloud shop's owner ("" is HQ)."""
    return f"DEALER:{dealer_id}" if dealer_id else HQ


def dealer_of(party: str) -> str:
    """The dealer id of a dealer's party; "" for HQ."""
    return party.removeprefix("DEALER:") if party.startswith("DEALER:") else ""


def assistant_party(assistant_id: str) -> str:
    return f"ASSISTANT:{assistant_id}"


@dataclass(frozen=True)
class PolicyTerms:
    hq_share_bp: int
    fulfilment_fee_bp: int
    fulfilment_fee_fixed_cents: int
    assistant_commission_bp: int

    @classmethod
    def create(cls, *, hq_share_bp: int, fulfilment_fee_bp: int, fulfilment_fee_fixed_cents: int, assistant_commission_bp: int) -> PolicyTerms:
        for field, value in (
            ("hq_share_bp", hq_share_bp), ("fulfilment_fee_bp", fulfilment_fee_bp),
            ("assistant_commission_bp", assistant_commission_bp),
        ):
            if not isinstance(value, int) or not 0 <= value <= BASIS_POINTS:
                raise InvalidInput(field, f"must be basis points within [0, {BASIS_POINTS}] (100 = 1%), got {value!r}")
        if hq_share_bp + fulfilment_fee_bp + assistant_commission_bp > BASIS_POINTS:
            raise InvalidInput(
                "hq_share_bp", "HQ share, fulfilment fee and commission together must not exceed 10000 basis points (100%)"
            )
        if not isinstance(fulfilment_fee_fixed_cents, int) or not 0 <= fulfilment_fee_fixed_cents <= 100_000_000:
            raise InvalidInput("fulfilment_fee_fixed", f"must be within [0, 1000000.00], got {fulfilment_fee_fixed_cents!r} cents")
        return cls(hq_share_bp, fulfilment_fee_bp, fulfilment_fee_fixed_cents, assistant_commission_bp)

    def to_record(self) -> dict[str, int]:
        return {
            "hq_share_bp": self.hq_share_bp, "fulfilment_fee_bp": self.fulfilment_fee_bp,
            "fulfilment_fee_fixed_cents": self.fulfilment_fee_fixed_cents,
            "assistant_commission_bp": self.assistant_commission_bp,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PolicyTerms:
        return cls(**{k: int(record[k]) for k in ("hq_share_bp", "fulfilment_fee_bp", "fulfilment_fee_fixed_cents", "assistant_commission_bp")})


# in force for a brand that never set a policy: its version is 0
DEFAULT_TERMS = PolicyTerms(hq_share_bp=500, fulfilment_fee_bp=800, fulfilment_fee_fixed_cents=0, assistant_commission_bp=300)


def largest_remainder(total: int, shares: list[Fraction]) -> list[int]:
    """Whole cents for exact shares summing to `total`: floors, then the cents left over one
    each to the largest remainders, ties to the earlier share."""
    floors = [share.numerator // share.denominator for share in shares]
    left = total - sum(floors)
    if not 0 <= left <= len(shares):
        raise ValueError(f"shares {shares} do not sum to {total}")
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class ShipmentParties:
    seller: str  # a party: dealer_party(...) or HQ
    fulfiller: str
    assistant: str = ""  # assistant_party(...) or "" when no assistant shared the shop


def shipment_parts(terms: PolicyTerms, parties: ShipmentParties, line_totals: dict[str, int]) -> dict[str, dict[str, int]]:
    """sku -> {part: cents} for one shipment's lines (`line_totals`: sku -> cents shipped).
    Each line's parts sum exactly to its total."""
    skus = list(line_totals)
    fee_due = parties.fulfiller != parties.seller
    fee_bp = terms.fulfilment_fee_bp if fee_due else 0
    assistant_bp = terms.assistant_commission_bp if parties.assistant else 0
    # the fixed fee is spread in proportion to what the percentages leave of each line, so
    # no line's seller part can go below zero
    keeps = BASIS_POINTS - terms.hq_share_bp - fee_bp - assistant_bp
    left = {sku: line_totals[sku] * keeps // BASIS_POINTS for sku in skus}
    room = sum(left.values())
    fixed = min(terms.fulfilment_fee_fixed_cents, room) if fee_due else 0
    fixed_by_line = largest_remainder(fixed, [Fraction(fixed * left[s], room) if room else Fraction(0) for s in skus])
    parts = {}
    for sku, fixed_share in zip(skus, fixed_by_line):
        line_total = line_totals[sku]
        hq = Fraction(line_total * terms.hq_share_bp, BASIS_POINTS)
        fee = Fraction(line_total * fee_bp, BASIS_POINTS) + fixed_share
        commission = Fraction(line_total * assistant_bp, BASIS_POINTS)
        shares = {SELLER_PART: line_total - hq - fee - commission, FULFILLER_PART: fee, HQ_PART: hq, ASSISTANT_PART: commission}
        parts[sku] = dict(zip(PART_ORDER, largest_remainder(line_total, [shares[p] for p in PART_ORDER])))
    return parts


def reversed_parts(parts_left: dict[str, int], units_left: int, units: int) -> dict[str, int]:
    """The parts a return of `units` reverses, out of a line with `units_left` units and
    `parts_left` not yet returned."""
    if not 0 < units <= units_left:
        raise ValueError(f"cannot reverse {units} of {units_left} units")
    amount = sum(parts_left.values()) * units // units_left
    keys = [p for p in PART_ORDER if p in parts_left]
    return dict(zip(keys, largest_remainder(amount, [Fraction(parts_left[p] * units, units_left) for p in keys])))


def entries_for(sku: str, parts: dict[str, int], parties: ShipmentParties, reversal: bool = False) -> list[dict[str, Any]]:
    """Double-entry ledger entries of one line's parts: the customer pays the seller the
    line total, the seller pays each other party its part. A reversal runs each the other
    way. An entry where no money moves (HQ paying HQ, a zero part) is left out."""
    payee = {FULFILLER_PART: parties.fulfiller, HQ_PART: HQ, ASSISTANT_PART: parties.assistant}
    flows = [(SALE, CUSTOMER, parties.seller, sum(parts.values()))]
    flows += [(KIND_OF_PART[p], parties.seller, payee[p], parts.get(p, 0)) for p in PART_ORDER[1:]]
    entries = []
    for kind, debit, credit, amount in flows:
        if amount == 0 or debit == credit:
            continue
        if reversal:
            debit, credit = credit, debit
        entries.append({"line": sku, "kind": kind, "debit": debit, "credit": credit, "amount_cents": amount, "reversal": reversal})
    return entries
