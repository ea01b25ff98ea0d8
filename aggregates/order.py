"""An online order from the mini-program checkout, and its way through the stores.

Each location shipping part of an order (a shipment) goes through its own steps:
ALLOCATED -> ACCEPTED -> PICKED -> HANDED_OVER -> DELIVERED (a PICKUP order handed to the
customer is DELIVERED at once). A backordered shipment starts BACKORDERED, waiting for
incoming stock it has claimed; one whose units other stores send by transfer starts
AWAITING_TRANSFER; each is ALLOCATED once all of it is reserved at its store. The order's
status is its least advanced shipment's.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from aggregates import NAMESPACE
from domain.errors import (
    CancellationKeyReused,
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidInput,
    OrderNotAllocatable,
    OrderNotCancellable,
    ShipmentNotFound,
)
from domain.attribution import (
    DEFAULT_TERMS, HQ, PolicyTerms, ShipmentParties, assistant_party, entries_for, reversed_parts, shipment_parts,
)
from domain.dealers import DEFAULT_BRAND
from domain.values import FulfilmentMode, GeoPoint, Money, OrderLine

PLACED = "PLACED"
# a pre-order: it holds units of a pre-sale, and goes to a location once the pre-sale is planned
PRE_ORDERED = "PRE_ORDERED"
BACKORDERED = "BACKORDERED"
AWAITING_TRANSFER = "AWAITING_TRANSFER"
ALLOCATED = "ALLOCATED"
ACCEPTED = "ACCEPTED"
PICKED = "PICKED"
HANDED_OVER = "HANDED_OVER"
DELIVERED = "DELIVERED"
CANCELLED = "CANCELLED"
# a shipment that lost its stock and found no other location: customer service decides
UNFULFILLABLE = "UNFULFILLABLE"
NEEDS_ATTENTION = "NEEDS_ATTENTION"

SHIPMENT_STEPS = (BACKORDERED, AWAITING_TRANSFER, ALLOCATED, ACCEPTED, PICKED, HANDED_OVER, DELIVERED)
# a shipment waiting for units to arrive at its store before the store can start on it
WAITING = (BACKORDERED, AWAITING_TRANSFER)
# a shipment holding units (reserved, claimed of incoming stock, or coming by transfer)
HOLDING = (*WAITING, ALLOCATED, ACCEPTED)
# a shipment whose units may still be cancelled line by line: not yet picked
LINES_CANCELLABLE = (BACKORDERED, ALLOCATED, ACCEPTED, UNFULFILLABLE)
TO_COURIER, TO_CUSTOMER = "COURIER", "CUSTOMER"


def order_status(cancelled: bool, shipment_statuses: list[str], pre_ordered: bool = False) -> str:
    """The order's status from its shipments': its least advanced shipment's, NEEDS_ATTENTION
    while one found no location, PLACED (PRE_ORDERED for a pre-order) before any, CANCELLED
    once cancelled."""
    if cancelled:
        return CANCELLED
    if not shipment_statuses:
        return PRE_ORDERED if pre_ordered else PLACED
    if UNFULFILLABLE in shipment_statuses:
        return NEEDS_ATTENTION
    return min(shipment_statuses, key=SHIPMENT_STEPS.index)


def lines_to_record(lines: tuple[OrderLine, ...]) -> list[dict[str, Any]]:
    return [
        {"sku": l.sku, "quantity": l.quantity, "unit_price_cents": l.unit_price.cents, "currency": l.unit_price.currency}
        for l in lines
    ]


def shipment_record(
    store_id: str, distance_m: int, store_day: str, lines: dict[str, int], scheduled_for: str = "",
    promised_by: str = "", slot: str = "", awaiting: dict[str, int] | None = None, not_after: str = "",
    transfers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One location's part of an order, as event data. `store_day`: the store-local date (ISO)
    whose pick capacity it takes; `scheduled_for`: RFC 3339 when it starts at a later opening.
    `promised_by`: RFC 3339 in the store's local offset, when the customer was promised it
    (delivered for DELIVERY and EXPRESS, ready at the counter for PICKUP); `slot`: RFC 3339,
    the start of the store's hourly slot it takes. Both "" for orders placed before promises.
    `awaiting`: sku -> units claimed of the store's incoming stock, not yet arrived (a
    backorder, BACKORDERED until none is awaited); `not_after`: RFC 3339, the latest moment
    the customer accepted for them. `transfers`: [{"transfer_id", "from_store_id", "lines"}]
    bringing the awaited units from other stores (AWAITING_TRANSFER until they arrive)."""
    record = {
        "store_id": store_id, "distance_m": distance_m, "store_day": store_day,
        "scheduled_for": scheduled_for, "lines": dict(lines), "status": ALLOCATED,
        "promised_by": promised_by, "slot": slot,
    }
    if transfers:
        record.update(status=AWAITING_TRANSFER, awaiting=dict(awaiting or {}), transfers=[dict(t) for t in transfers])
    elif awaiting:
        record.update(status=BACKORDERED, awaiting=dict(awaiting), not_after=not_after)
    return record


def sale_record(
    cloud_shop_id: str = "", assistant_id: str = "", seller: str = HQ, brand_id: str = DEFAULT_BRAND,
    policy_version: int = 0, terms: PolicyTerms = DEFAULT_TERMS,
) -> dict[str, Any]:
    """Where the order was sold and on what terms, fixed when it is placed: the cloud shop,
    the shop assistant who shared it, the seller (the shop's owner then, as a ledger party)
    and the attribution policy of the shop's brand in force then."""
    return {
        "cloud_shop_id": cloud_shop_id, "assistant_id": assistant_id, "seller": seller,
        "brand_id": brand_id, "policy_version": policy_version, "terms": terms.to_record(),
    }


class Order(Aggregate):
    @staticmethod
    def create_id(idempotency_key: str) -> UUID:
        return uuid5(NAMESPACE, f"order:{idempotency_key}")

    @classmethod
    def place(
        cls,
        *,
        idempotency_key: str,
        request_fingerprint: str,
        customer_id: str,
        customer_location: GeoPoint,
        lines: tuple[OrderLine, ...],
        fulfilment_mode: FulfilmentMode,
        pickup_store_id: str,
        total: Money,
        placed_at_us: int = 0,
        pickup_code: str = "",
        sale: dict[str, Any] | None = None,
        by: str = "",
        pre_sale: dict[str, Any] | None = None,
    ) -> Order:
        """`sale`: where it was sold, see `sale_record`. `by`: the caller who placed it (see
        `domain.callers.Caller.recorded`); every event records who caused it, "" unknown.
        `pre_sale`: for a pre-order, {"sku", "ships_from"} of the pre-sale it holds units of."""
        return cls(
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            customer_id=customer_id,
            customer_location=[customer_location.latitude, customer_location.longitude],
            lines=lines_to_record(lines),
            fulfilment_mode=fulfilment_mode.value,
            pickup_store_id=pickup_store_id,
            total_cents=total.cents,
            currency=total.currency,
            placed_at_us=placed_at_us,
            pickup_code=pickup_code,
            sale=sale or {},
            by=by,
            **({"pre_sale": dict(pre_sale)} if pre_sale else {}),
        )

    @event("OrderPlaced")
    def __init__(
        self,
        idempotency_key: str,
        request_fingerprint: str,
        customer_id: str,
        customer_location: list[float],
        lines: list[dict[str, Any]],
        fulfilment_mode: str,
        pickup_store_id: str,
        total_cents: int,
        currency: str,
        placed_at_us: int = 0,
        pickup_code: str = "",
        sale: dict[str, Any] | None = None,
        by: str = "",
        pre_sale: dict[str, Any] | None = None,
    ):
        self.idempotency_key = idempotency_key
        self.request_fingerprint = request_fingerprint
        self.customer_id = customer_id
        self.customer_location = customer_location
        self.lines = lines
        self.fulfilment_mode = fulfilment_mode
        self.pickup_store_id = pickup_store_id
        self.total_cents = total_cents
        self.currency = currency
        self.placed_at_us = placed_at_us
        self.pickup_code = pickup_code
        # orders placed before cloud shops existed were sold by HQ on the default terms
        self.sale = sale or sale_record()
        self.pre_sale = pre_sale or {}  # a pre-order's {"sku", "ships_from"}; {} for any other order
        # each {"store_id", "distance_m", "store_day", "scheduled_for", "lines": {sku: units}, "status",
        # "promised_by", "slot"} (the last two absent in orders placed before promises)
        self.shipments: list[dict[str, Any]] = []
        self.fulfilment = ""  # ONE_STORE, SPLIT or EXPRESS once allocated
        self.explanation: dict[str, Any] = {}
        self.cancelled = False
        self.cancel_reason = ""
        self.payment_id = ""
        # each {"store_id", "cause", "reason", "to": [store ids]}: why shipments moved
        self.reroutes: list[dict[str, Any]] = []
        # return id -> {"store_id", "lines": [{"sku", "quantity", "refund_cents"}]}
        self.returns: dict[str, dict[str, Any]] = {}
        # store id -> its shipment's attribution, recorded when handed over (see attribute)
        self.attributions: dict[str, dict[str, Any]] = {}
        # idempotency key -> {"lines": [{"sku", "quantity", "value_cents"}], "refund_cents", "reason"}
        self.line_cancellations: dict[str, dict[str, Any]] = {}

    # --- reading ------------------------------------------------------------------------

    @property
    def order_id(self) -> str:
        return str(self.id)

    @property
    def status(self) -> str:
        return order_status(self.cancelled, [s.get("status", ALLOCATED) for s in self.shipments], bool(self.pre_sale))

    @property
    def paid(self) -> bool:
        return bool(self.payment_id)

    def quantities(self) -> dict[str, int]:
        return {line["sku"]: line["quantity"] for line in self.lines}

    @property
    def store_ids(self) -> list[str]:
        return [s["store_id"] for s in self.shipments]

    @property
    def store_id(self) -> str:
        """The location, when one fulfils the whole order; "" before allocation or for a split."""
        return self.shipments[0]["store_id"] if len(self.shipments) == 1 else ""

    @property
    def distance_m(self) -> int:
        return self.shipments[0]["distance_m"] if len(self.shipments) == 1 else 0

    @property
    def scheduled_for(self) -> str:
        return self.shipments[0]["scheduled_for"] if len(self.shipments) == 1 else ""

    def shipment_from(self, store_id: str) -> dict[str, Any]:
        for shipment in self.shipments:
            if shipment["store_id"] == store_id:
                return shipment
        raise ShipmentNotFound(self.order_id, store_id)

    def holding_reservations(self) -> list[dict[str, Any]]:
        """Shipments whose stock is still reserved (not yet picked, not lost)."""
        if self.cancelled:
            return []
        return [s for s in self.shipments if s.get("status", ALLOCATED) in HOLDING]

    def returned_units(self) -> dict[str, int]:
        units: dict[str, int] = {}
        for record in self.returns.values():
            for line in record["lines"]:
                units[line["sku"]] = units.get(line["sku"], 0) + line["quantity"]
        return units

    # --- allocation ---------------------------------------------------------------------

    def allocate(
        self, shipments: list[dict[str, Any]], fulfilment: str = "ONE_STORE", explanation: dict[str, Any] | None = None, by: str = "",
    ) -> None:
        """`shipments`: see `shipment_record`; `explanation`: the stores routing passed over and
        why, kept with the decision."""
        if self.status not in (PLACED, PRE_ORDERED):
            raise OrderNotAllocatable(f"order {self.order_id} is {self.status} and cannot be allocated")
        shipped: dict[str, int] = {}
        for shipment in shipments:
            for sku, units in shipment["lines"].items():
                shipped[sku] = shipped.get(sku, 0) + units
        if not shipments or shipped != self.quantities():
            raise OrderNotAllocatable(f"order {self.order_id}: the shipments ({shipped}) are not the order ({self.quantities()})")
        self._allocated(shipments=shipments, fulfilment=fulfilment, explanation=explanation or {}, by=by)

    @event("OrderAllocated")
    def _allocated(self, shipments: list[dict[str, Any]], fulfilment: str, explanation: dict[str, Any], by: str = "") -> None:
        self.shipments = shipments
        self.fulfilment = fulfilment
        self.explanation = explanation

    def reroute(
        self, from_store_id: str, cause: str, reason: str, shipments: list[dict[str, Any]], fulfilment: str, explanation: dict[str, Any],
        by: str = "",
    ) -> None:
        """The shipment from `from_store_id` moves to `shipments` (which ship the same units)."""
        moving = self.movable_shipment(from_store_id, "rerouted")
        shipped: dict[str, int] = {}
        for shipment in shipments:
            if shipment["store_id"] in self.store_ids:
                raise OrderNotAllocatable(f"order {self.order_id} already has a shipment from {shipment['store_id']!r}")
            for sku, units in shipment["lines"].items():
                shipped[sku] = shipped.get(sku, 0) + units
        if not shipments or shipped != moving["lines"]:
            raise OrderNotAllocatable(f"order {self.order_id}: the new shipments ({shipped}) are not the moving one ({moving['lines']})")
        if len(self.shipments) > 1:
            fulfilment = "SPLIT"
        self._rerouted(
            from_store_id=from_store_id, cause=cause, reason=reason, shipments=shipments,
            fulfilment=fulfilment, explanation=explanation, by=by,
        )

    @event("OrderRerouted")
    def _rerouted(
        self, from_store_id: str, cause: str, reason: str, shipments: list[dict[str, Any]], fulfilment: str, explanation: dict[str, Any],
        by: str = "",
    ) -> None:
        index = self.store_ids.index(from_store_id)
        self.shipments = self.shipments[:index] + shipments + self.shipments[index + 1 :]
        self.fulfilment = fulfilment
        self.explanation = explanation
        self.reroutes.append({"store_id": from_store_id, "cause": cause, "reason": reason, "to": [s["store_id"] for s in shipments]})

    def flag_unfulfillable(self, store_id: str, cause: str, reason: str, by: str = "") -> None:
        """The shipment lost its stock and no other location can take it: customer service
        has to decide (the order stays open until it is cancelled)."""
        self.movable_shipment(store_id, "flagged")
        self._shipment_unfulfillable(store_id=store_id, cause=cause, reason=reason, by=by)

    @event("ShipmentUnfulfillable")
    def _shipment_unfulfillable(self, store_id: str, cause: str, reason: str, by: str = "") -> None:
        self._set_status(store_id, UNFULFILLABLE)
        self.reroutes.append({"store_id": store_id, "cause": cause, "reason": reason, "to": []})

    def movable_shipment(self, store_id: str, what: str) -> dict[str, Any]:
        """The shipment from `store_id` while it still holds its units (BACKORDERED, ALLOCATED
        or ACCEPTED); otherwise IllegalTransition saying it cannot be `what`."""
        shipment = self.shipment_from(store_id)
        if self.cancelled or shipment["status"] not in HOLDING:
            current = CANCELLED if self.cancelled else shipment["status"]
            raise IllegalTransition(f"the shipment of order {self.order_id} from {store_id!r} is {current} and cannot be {what}")
        return shipment

    def backorder_served(self, store_id: str, reserved: dict[str, int], by: str = "") -> bool:
        """The store's incoming stock arrived for the backordered shipment from `store_id`:
        `reserved` (sku -> units) is what its positions now hold reserved for the order. The
        shipment awaits the rest, and is ALLOCATED when nothing is awaited. False when there
        is nothing new to record (not backordered any more, or already recorded)."""
        shipment = self.shipment_from(store_id)
        if self.cancelled or shipment["status"] not in WAITING:
            return False
        awaiting = {sku: units - reserved.get(sku, 0) for sku, units in shipment["lines"].items()}
        awaiting = {sku: units for sku, units in awaiting.items() if units > 0}
        if awaiting == shipment["awaiting"]:
            return False
        self._backorder_served(store_id=store_id, awaiting=awaiting, by=by)
        return True

    @event("BackorderServed")
    def _backorder_served(self, store_id: str, awaiting: dict[str, int], by: str = "") -> None:
        """`awaiting`: what the shipment still waits for; empty: it is ALLOCATED."""
        self.shipments = [
            dict(s, awaiting=awaiting, status=ALLOCATED if not awaiting else s["status"]) if s["store_id"] == store_id else s
            for s in self.shipments
        ]

    # --- payment ------------------------------------------------------------------------

    def confirm_payment(self, payment_id: str, amount_cents: int, by: str = "") -> None:
        """Confirming the same payment again changes nothing."""
        if self.payment_id == payment_id:
            return
        if self.payment_id:
            raise IllegalTransition(f"order {self.order_id} is already paid by payment {self.payment_id!r}")
        if self.cancelled:
            raise IllegalTransition(f"order {self.order_id} is CANCELLED ({self.cancel_reason}); refund the payment")
        if amount_cents != self.total_cents:
            raise InvalidInput("amount", f"is {amount_cents} cents; the order's total is {self.total_cents} {self.currency} cents")
        self._payment_confirmed(payment_id=payment_id, amount_cents=amount_cents, by=by)

    @event("PaymentConfirmed")
    def _payment_confirmed(self, payment_id: str, amount_cents: int, by: str = "") -> None:
        self.payment_id = payment_id

    # --- the store's steps --------------------------------------------------------------

    def _step(self, store_id: str, to: str, allowed_from: str) -> bool:
        """Checks the step; False when the shipment is already there (a retried step)."""
        shipment = self.shipment_from(store_id)
        current = CANCELLED if self.cancelled else shipment["status"]
        if current == to:
            return False
        if current != allowed_from:
            raise IllegalTransition(
                f"the shipment of order {self.order_id} from {store_id!r} is {current}; it must be {allowed_from} to become {to}"
            )
        return True

    def accept(self, store_id: str, by: str = "") -> None:
        if not self.paid and self.shipment_from(store_id)["status"] == ALLOCATED and not self.cancelled:
            raise IllegalTransition(f"order {self.order_id} is ALLOCATED and awaiting payment; it can be accepted once paid")
        if self._step(store_id, ACCEPTED, ALLOCATED):
            self._shipment_accepted(store_id=store_id, by=by)

    @event("ShipmentAccepted")
    def _shipment_accepted(self, store_id: str, by: str = "") -> None:
        self._set_status(store_id, ACCEPTED)

    def mark_picked(self, store_id: str, by: str = "") -> None:
        if self._step(store_id, PICKED, ACCEPTED):
            self._shipment_picked(store_id=store_id, by=by)

    @event("ShipmentPicked")
    def _shipment_picked(self, store_id: str, by: str = "") -> None:
        self._set_status(store_id, PICKED)

    def hand_over(self, store_id: str, to: str, pickup_code: str = "", by: str = "") -> None:
        """To the courier (DELIVERY, EXPRESS), or to the customer at the counter (PICKUP,
        with the order's pickup code): the customer has it, so it is DELIVERED."""
        if to == TO_CUSTOMER:
            if self.fulfilment_mode != FulfilmentMode.PICKUP.value:
                raise IllegalTransition(f"order {self.order_id} is {self.fulfilment_mode}: hand it over to the courier")
            target = DELIVERED
        elif to == TO_COURIER:
            if self.fulfilment_mode == FulfilmentMode.PICKUP.value:
                raise IllegalTransition(f"order {self.order_id} is PICKUP: hand it over to the customer with the pickup code")
            target = HANDED_OVER
        else:
            raise InvalidInput("to", f"must be COURIER or CUSTOMER, got {to!r}")
        if not self._step(store_id, target, PICKED):
            return
        if to == TO_CUSTOMER and pickup_code != self.pickup_code:
            raise InvalidInput("pickup_code", "does not match the order's pickup code; ask the customer for the code they received")
        self._shipment_handed_over(store_id=store_id, to=to, status=target, by=by)

    @event("ShipmentHandedOver")
    def _shipment_handed_over(self, store_id: str, to: str, status: str, by: str = "") -> None:
        self._set_status(store_id, status)

    def mark_delivered(self, store_id: str, by: str = "") -> None:
        if self._step(store_id, DELIVERED, HANDED_OVER):
            self._shipment_delivered(store_id=store_id, by=by)

    @event("ShipmentDelivered")
    def _shipment_delivered(self, store_id: str, by: str = "") -> None:
        self._set_status(store_id, DELIVERED)

    def _set_status(self, store_id: str, status: str) -> None:
        self.shipments = [dict(s, status=status) if s["store_id"] == store_id else s for s in self.shipments]

    # --- cancelling ---------------------------------------------------------------------

    def cancel(self, reason: str, by: str = "") -> None:
        if self.cancelled:
            raise OrderNotCancellable(f"order {self.order_id} is already cancelled")
        gone = [s["store_id"] for s in self.shipments if s.get("status") in (PICKED, HANDED_OVER, DELIVERED)]
        if gone:
            raise OrderNotCancellable(
                f"order {self.order_id} is {self.status}: store {gone[0]!r} has already picked it; "
                "it can no longer be cancelled (return it once delivered)"
            )
        self._cancelled(reason=reason, by=by)

    @event("OrderCancelled")
    def _cancelled(self, reason: str, by: str = "") -> None:
        self.cancelled = True
        self.cancel_reason = reason

    # --- cancelling lines ---------------------------------------------------------------

    def units_to_cancel(self, units: dict[str, int]) -> list[dict[str, Any]]:
        """Where `units` (sku -> units) would come from: [{"store_id", "lines": {sku: units},
        "emptied"}], off the shipments holding each SKU that are not yet picked, the last
        first (the farthest, in a split). Refuses what cannot be cancelled, saying why."""
        quantities = self.quantities()
        if self.cancelled:
            raise OrderNotCancellable(f"order {self.order_id} is already cancelled")
        if not units:
            raise InvalidInput("lines", "name at least one line to cancel")
        for sku, quantity in units.items():
            if sku not in quantities:
                raise InvalidInput("lines", f"sku {sku!r} is not in order {self.order_id}")
            if quantity <= 0:
                raise InvalidInput("lines", f"the quantity of sku {sku!r} must be positive, got {quantity}")
            if quantity > quantities[sku]:
                raise InvalidInput("lines", f"order {self.order_id} has {quantities[sku]} of sku {sku!r}, {quantity} asked")
        if units == quantities:
            raise OrderNotCancellable(f"these are all the units of order {self.order_id}: cancel the order instead (CancelOrder)")
        if self.pre_sale:
            raise OrderNotCancellable(f"order {self.order_id} is a pre-order: its units are cancelled with the order (CancelOrder)")
        taken: dict[str, dict[str, int]] = {}
        for sku, quantity in units.items():
            holding = [s for s in reversed(self.shipments) if s["lines"].get(sku)]
            if coming := next((s for s in holding if s.get("status") == AWAITING_TRANSFER), None):
                raise IllegalTransition(
                    f"the shipment of order {self.order_id} from {coming['store_id']!r} is AWAITING_TRANSFER: its units of sku "
                    f"{sku!r} are on their way from another store; cancel them once they have arrived, or cancel the order"
                )
            for shipment in holding:
                if quantity and shipment.get("status", ALLOCATED) in LINES_CANCELLABLE:
                    units_here = min(shipment["lines"][sku], quantity)
                    taken.setdefault(shipment["store_id"], {})[sku] = units_here
                    quantity -= units_here
            if quantity:  # the rest is in shipments already picked
                picked = next(s for s in holding if s.get("status", ALLOCATED) not in LINES_CANCELLABLE)
                raise IllegalTransition(
                    f"the shipment of order {self.order_id} from {picked['store_id']!r} is {picked['status']}; "
                    f"its units of sku {sku!r} can no longer be cancelled (return them once delivered)"
                )
        return [
            {"store_id": store_id, "lines": lines, "emptied": lines == self.shipment_from(store_id)["lines"]}
            for store_id, lines in taken.items()
        ]

    def cancel_lines(self, cancellation_id: str, units: dict[str, int], reason: str, by: str = "") -> bool:
        """Cancels `units` of the order before the shipments holding them are picked: they
        leave their shipments (a shipment left with none is gone from its store), the lines
        and the total shrink by their price, and a paid order records the refund it owes.
        False when this cancellation was recorded already (a retry with the same key)."""
        if (recorded := self.line_cancellations.get(cancellation_id)) is not None:
            if {line["sku"]: line["quantity"] for line in recorded["lines"]} != units:
                raise CancellationKeyReused(self.order_id, cancellation_id)
            return False
        shipments = self.units_to_cancel(units)
        prices = {line["sku"]: line["unit_price_cents"] for line in self.lines}
        lines = [{"sku": sku, "quantity": quantity, "value_cents": quantity * prices[sku]} for sku, quantity in units.items()]
        value = sum(line["value_cents"] for line in lines)
        self._lines_cancelled(
            cancellation_id=cancellation_id, lines=lines, shipments=shipments, total_cents=self.total_cents - value,
            refund_cents=value if self.paid else 0, reason=reason, by=by,
        )
        for shipment in self.shipments:  # a backorder left waiting for nothing goes ahead
            if shipment["status"] == BACKORDERED and not shipment["awaiting"]:
                self._backorder_served(store_id=shipment["store_id"], awaiting={}, by=by)
        return True

    @event("OrderLinesCancelled")
    def _lines_cancelled(
        self, cancellation_id: str, lines: list[dict[str, Any]], shipments: list[dict[str, Any]], total_cents: int,
        refund_cents: int, reason: str, by: str = "",
    ) -> None:
        cancelled = {line["sku"]: line["quantity"] for line in lines}
        self.lines = [
            dict(line, quantity=line["quantity"] - cancelled.get(line["sku"], 0))
            for line in self.lines if line["quantity"] > cancelled.get(line["sku"], 0)
        ]
        taken = {record["store_id"]: record["lines"] for record in shipments}
        kept = []
        for shipment in self.shipments:
            left = {sku: units - taken.get(shipment["store_id"], {}).get(sku, 0) for sku, units in shipment["lines"].items()}
            left = {sku: units for sku, units in left.items() if units > 0}
            if left and "awaiting" in shipment:
                # units claimed of incoming stock are given back before reserved ones
                cut = taken.get(shipment["store_id"], {})
                awaiting = {sku: units - cut.get(sku, 0) for sku, units in shipment["awaiting"].items()}
                kept.append(dict(shipment, lines=left, awaiting={sku: units for sku, units in awaiting.items() if units > 0}))
            elif left:
                kept.append(dict(shipment, lines=left))
        self.shipments = kept
        self.total_cents = total_cents
        self.line_cancellations[cancellation_id] = {"lines": lines, "refund_cents": refund_cents, "reason": reason}

    # --- returns ------------------------------------------------------------------------

    def record_return(self, return_id: str, store_id: str, units: dict[str, int], by: str = "") -> bool:
        """Returns part or all of a delivered order at `store_id`; refunds each line at the
        price paid. False when this return was recorded already (a retry)."""
        if (recorded := self.returns.get(return_id)) is not None:
            same = recorded["store_id"] == store_id and {l["sku"]: l["quantity"] for l in recorded["lines"]} == units
            if not same:
                raise IdempotencyKeyReused(return_id)
            return False
        if self.status != DELIVERED:
            raise IllegalTransition(f"order {self.order_id} is {self.status}; only a DELIVERED order can be returned")
        prices = {line["sku"]: line["unit_price_cents"] for line in self.lines}
        already = self.returned_units()
        lines = []
        for sku, quantity in units.items():
            if sku not in prices:
                raise InvalidInput("lines", f"sku {sku!r} is not in order {self.order_id}")
            left = self.quantities()[sku] - already.get(sku, 0)
            if quantity > left:
                raise IllegalTransition(f"order {self.order_id} has {left} of sku {sku!r} left to return, {quantity} asked")
            lines.append({"sku": sku, "quantity": quantity, "refund_cents": quantity * prices[sku]})
        self._lines_returned(return_id=return_id, store_id=store_id, lines=lines, by=by)
        return True

    @event("OrderLinesReturned")
    def _lines_returned(self, return_id: str, store_id: str, lines: list[dict[str, Any]], by: str = "") -> None:
        self.returns[return_id] = {"store_id": store_id, "lines": lines}

    # --- attribution --------------------------------------------------------------------

    def attribute(self, store_id: str, fulfiller: str, by: str = "") -> None:
        """Records who earns what of the shipment from `store_id`, now that it has left the
        store: by the terms the order was sold on, with `fulfiller` (the ledger party owning
        the store now) earning the fulfilment fee. Once per shipment."""
        shipment = self.shipment_from(store_id)
        if store_id in self.attributions:
            return
        if shipment["status"] not in (HANDED_OVER, DELIVERED):
            raise IllegalTransition(f"the shipment of order {self.order_id} from {store_id!r} is {shipment['status']}; it is attributed once handed over")
        parties = self._parties(fulfiller)
        prices = {line["sku"]: line["unit_price_cents"] for line in self.lines}
        totals = {sku: units * prices[sku] for sku, units in shipment["lines"].items()}
        parts = shipment_parts(PolicyTerms.from_record(self.sale["terms"]), parties, totals)
        self._shipment_attributed(
            store_id=store_id,
            attribution={
                "brand_id": self.sale["brand_id"], "policy_version": self.sale["policy_version"],
                "seller": parties.seller, "fulfiller": parties.fulfiller, "assistant": parties.assistant,
                "lines": {sku: {"units": shipment["lines"][sku], "total_cents": totals[sku], "parts": parts[sku]} for sku in totals},
                "entries": [entry for sku in totals for entry in entries_for(sku, parts[sku], parties)],
            },
            by=by,
        )

    def _parties(self, fulfiller: str) -> ShipmentParties:
        assistant = self.sale["assistant_id"]
        return ShipmentParties(self.sale["seller"], fulfiller, assistant_party(assistant) if assistant else "")

    @event("ShipmentAttributed")
    def _shipment_attributed(self, store_id: str, attribution: dict[str, Any], by: str = "") -> None:
        self.attributions[store_id] = dict(attribution, reversed={})

    def reverse_attribution(self, return_id: str, by: str = "") -> None:
        """Reverses what the return `return_id` gives back of the original attribution,
        shipment by shipment in their order, whatever the policy or owners are now."""
        to_reverse = {line["sku"]: line["quantity"] for line in self.returns[return_id]["lines"]}
        lines, entries = [], []
        for store_id, attribution in self.attributions.items():
            for sku, line in attribution["lines"].items():
                done = attribution["reversed"].get(sku, {"units": 0, "parts": {}})
                units = min(to_reverse.get(sku, 0), line["units"] - done["units"])
                if units <= 0:
                    continue
                to_reverse[sku] -= units
                parts_left = {p: cents - done["parts"].get(p, 0) for p, cents in line["parts"].items()}
                parts = reversed_parts(parts_left, line["units"] - done["units"], units)
                lines.append({"store_id": store_id, "sku": sku, "units": units, "parts": parts})
                parties = ShipmentParties(attribution["seller"], attribution["fulfiller"], attribution["assistant"])
                entries += [dict(e, store_id=store_id) for e in entries_for(sku, parts, parties, reversal=True)]
        if lines:
            self._attribution_reversed(return_id=return_id, lines=lines, entries=entries, by=by)

    @event("AttributionReversed")
    def _attribution_reversed(self, return_id: str, lines: list[dict[str, Any]], entries: list[dict[str, Any]], by: str = "") -> None:
        for line in lines:
            reversed_lines = self.attributions[line["store_id"]]["reversed"]
            done = reversed_lines.setdefault(line["sku"], {"units": 0, "parts": {}})
            done["units"] += line["units"]
            for part, cents in line["parts"].items():
                done["parts"][part] = done["parts"].get(part, 0) + cents
