"""Matching a dealer's provider bills against its orders, one order at a time.

Everything about one merchant order id is decided from that order's facts (its seller, its
confirmed payment, its refunds) and the dealer's bill rows naming it, whatever month is asked:
so an order's rows are paired the same way in every report, and each difference belongs to
exactly one month (see `Item.month_us`).

- A payment row pairs with the order's confirmed payment by payment id; a second payment row
  with the same payment id is DUPLICATED_IN_BILL (the row with the order's amount pairs first).
- Refund rows carry no refund id of ours, so they pair with the order's refunds (returns, line
  cancellations, the cancellation of a paid order) by amount first, then the rest in time order
  (AMOUNT_DIFFERS); refund rows alike (the same content) beyond the order's refunds of that
  amount are DUPLICATED_IN_BILL (two refunds of one amount in one second are two rows alike).
- Rows for an order another party sold are WRONG_MERCHANT_ACCOUNT: the customer paid this
  dealer's account for someone else's sale.
- What is left: bill rows MISSING_FROM_ORDERS, the dealer's payments and refunds MISSING_FROM_BILL.
"""

from __future__ import annotations

from collections import Counter

from collections.abc import Sequence
from dataclasses import dataclass

from domain.provider_bills import PAYMENT, REFUND, BillRow, yuan

MATCHED = "MATCHED"
MISSING_FROM_BILL = "MISSING_FROM_BILL"
MISSING_FROM_ORDERS = "MISSING_FROM_ORDERS"
AMOUNT_DIFFERS = "AMOUNT_DIFFERS"
WRONG_MERCHANT_ACCOUNT = "WRONG_MERCHANT_ACCOUNT"
DUPLICATED_IN_BILL = "DUPLICATED_IN_BILL"
OUTCOMES = (MATCHED, MISSING_FROM_BILL, MISSING_FROM_ORDERS, AMOUNT_DIFFERS, WRONG_MERCHANT_ACCOUNT, DUPLICATED_IN_BILL)


@dataclass(frozen=True)
class BilledRow:
    """A bill row as imported: which bill, and its place there (0-based, in file order)."""

    bill_id: str
    index: int
    row: BillRow


@dataclass(frozen=True)
class Recorded:
    """A payment or refund the orders recorded. `reference`: the payment id, or the refund's
    own ("return:<id>", "cancellation:<key>", "order_cancelled")."""

    kind: str  # PAYMENT or REFUND
    reference: str
    amount_cents: int
    at_us: int


@dataclass(frozen=True)
class OrderFacts:
    order_id: str
    seller: str  # the ledger party who sold it: whose merchant account the customer pays
    payment: Recorded | None
    refunds: tuple[Recorded, ...]  # in time order


@dataclass(frozen=True)
class Item:
    outcome: str
    kind: str  # PAYMENT or REFUND
    order_id: str  # the merchant order id
    billed: BilledRow | None
    recorded: Recorded | None
    seller: str  # "" when the order is unknown
    advice: str  # what to do about it; "" when MATCHED

    @property
    def difference_cents(self) -> int:
        """What the bill says less what the orders say."""
        return (self.billed.row.amount_cents if self.billed else 0) - (self.recorded.amount_cents if self.recorded else 0)

    def month_us(self, dealer_party: str) -> int:
        """The moment that places it in a month: the dealer's own payment or refund when it has
        one (the month its statement counts the sale in), else the bill row's."""
        if self.recorded is not None and self.seller == dealer_party:
            return self.recorded.at_us
        assert self.billed is not None
        return self.billed.row.at_us


def match_order(dealer_party: str, order_id: str, facts: OrderFacts | None, billed: Sequence[BilledRow]) -> list[Item]:
    """The outcome of every bill row naming `order_id` in the dealer's bills (in import
    order) and of each payment and refund of the order when the dealer sold it."""
    items: list[Item] = []
    seller = facts.seller if facts else ""
    ours = facts is not None and facts.seller == dealer_party
    payments = [b for b in billed if b.row.kind == PAYMENT]
    refunds = [b for b in billed if b.row.kind == REFUND]

    def item(outcome: str, kind: str, bill: BilledRow | None, recorded: Recorded | None) -> Item:
        return Item(outcome, kind, order_id, bill, recorded, seller, advice(outcome, kind, order_id, bill, recorded, seller, facts))

    # payments: one per payment id; the others with that id are duplicates
    by_payment: dict[str, list[BilledRow]] = {}
    for bill in payments:
        by_payment.setdefault(bill.row.payment_id, []).append(bill)
    paid = facts.payment if facts else None
    for payment_id, rows in by_payment.items():
        # another party's sale is not this dealer's to count: only the bill row is
        recorded = paid if ours and paid is not None and paid.reference == payment_id else None
        first = next((b for b in rows if recorded and b.row.amount_cents == recorded.amount_cents), rows[0])
        items.append(item(_paired(first, recorded, facts, ours), PAYMENT, first, recorded))
        items += [item(DUPLICATED_IN_BILL, PAYMENT, b, None) for b in rows if b is not first]
    if ours and paid is not None and paid.reference not in by_payment:
        items.append(item(MISSING_FROM_BILL, PAYMENT, None, paid))

    # refunds: the same content more often than the orders refunded that amount is a
    # duplicate (two refunds of one amount in one second are two rows alike); then by
    # amount, then in time order
    refunded = Counter(r.amount_cents for r in facts.refunds) if ours and facts else Counter()
    seen: Counter = Counter()
    distinct = []
    for bill in refunds:
        seen[bill.row.content()] += 1
        if seen[bill.row.content()] > max(1, refunded[bill.row.amount_cents]):
            items.append(item(DUPLICATED_IN_BILL, REFUND, bill, None))
        else:
            distinct.append(bill)
    distinct.sort(key=lambda b: (b.row.at_us, b.bill_id, b.index))
    recorded_refunds = list(facts.refunds) if ours and facts else []
    unpaired_bills = []
    for bill in distinct:
        same = next((r for r in recorded_refunds if r.amount_cents == bill.row.amount_cents), None)
        if same is not None:
            recorded_refunds.remove(same)
            items.append(item(MATCHED, REFUND, bill, same))
        else:
            unpaired_bills.append(bill)
    for bill in unpaired_bills:
        if recorded_refunds:
            items.append(item(AMOUNT_DIFFERS, REFUND, bill, recorded_refunds.pop(0)))
        else:
            items.append(item(WRONG_MERCHANT_ACCOUNT if facts and not ours else MISSING_FROM_ORDERS, REFUND, bill, None))
    items += [item(MISSING_FROM_BILL, REFUND, None, r) for r in recorded_refunds]
    return items


def _paired(bill: BilledRow, recorded: Recorded | None, facts: OrderFacts | None, ours: bool) -> str:
    if facts is not None and not ours:
        return WRONG_MERCHANT_ACCOUNT
    if recorded is None:
        return MISSING_FROM_ORDERS
    return MATCHED if bill.row.amount_cents == recorded.amount_cents else AMOUNT_DIFFERS


def advice(outcome: str, kind: str, order_id: str, bill: BilledRow | None, recorded: Recorded | None, seller: str, facts: OrderFacts | None) -> str:
    """One line: what to do about the difference."""
    where = f"bill {bill.bill_id} line {bill.row.line}" if bill else ""
    if outcome == MATCHED:
        return ""
    if outcome == DUPLICATED_IN_BILL:
        return f"{where} repeats a {kind} already on the bill: ask the provider whether it was charged twice; it is not matched again"
    if outcome == WRONG_MERCHANT_ACCOUNT:
        assert bill is not None
        return (
            f"order {order_id} was sold by {seller}, but its {kind} of {yuan(bill.row.amount_cents)} went through this account "
            f"({where}): settle it with {seller} (a settlement) and check the checkout's merchant account for that shop"
        )
    if outcome == AMOUNT_DIFFERS:
        assert bill is not None and recorded is not None
        return (
            f"the bill says {yuan(bill.row.amount_cents)} for this {kind} ({where}), the order {yuan(recorded.amount_cents)} "
            f"({yuan(bill.row.amount_cents - recorded.amount_cents)}): check the row with the provider and the order's "
            f"{'total' if kind == PAYMENT else 'refund'}, then correct the side that is wrong"
        )
    if outcome == MISSING_FROM_BILL:
        assert recorded is not None
        if kind == PAYMENT:
            return (
                f"payment {recorded.reference} of {yuan(recorded.amount_cents)} for order {order_id} is on no bill of this account: "
                "import the bill of the day it was paid, or ask the provider which account took it"
            )
        return (
            f"refund {recorded.reference} of {yuan(recorded.amount_cents)} on order {order_id} is on no bill of this account: "
            "check that the checkout sent it to the provider, or import the bill of the day it was refunded"
        )
    assert bill is not None
    if kind == REFUND:
        return (
            f"the provider refunded {yuan(bill.row.amount_cents)} on order {order_id} ({where}) and no return or cancellation "
            "records it: record the return, or ask the checkout why it refunded"
        )
    if facts is None:
        return (
            f"payment {bill.row.payment_id} ({where}) names order {order_id}, which does not exist: ask the checkout which order "
            "it paid, or refund the customer"
        )
    if facts.payment is None:
        return f"order {order_id} was paid ({where}) but the payment was never confirmed: confirm payment {bill.row.payment_id} on it"
    return (
        f"order {order_id} was paid with {facts.payment.reference}, and payment {bill.row.payment_id} ({where}) too: "
        "the customer paid twice; refund one of them"
    )
