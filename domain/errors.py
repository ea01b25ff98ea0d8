"""Domain exceptions, named for what went wrong in the business.

The gRPC layer maps each family to one status code, in one table.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal the domain can give. The message is for the caller."""

    def __reduce__(self):
        # rebuilt without calling __init__ (whose arguments differ per subclass): refusals
        # cross from the order writer's process to the gRPC server's as they are
        return _rebuilt, (type(self), self.args, self.__dict__)


def _rebuilt(error_type: type[DomainError], args: tuple, attributes: dict) -> DomainError:
    error = error_type.__new__(error_type)
    error.args = args
    error.__dict__.update(attributes)
    return error


class InvalidInput(DomainError):
    """The request itself is malformed. ``field`` names the offending field."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotFound(DomainError):
    """Something the request names does not exist."""


class StoreNotFound(NotFound):
    def __init__(self, store_id: str):
        super().__init__(f"store {store_id!r} does not exist")
        self.store_id = store_id


class SkuNotFound(NotFound):
    def __init__(self, sku: str):
        super().__init__(f"sku {sku!r} is not stocked in any store")
        self.sku = sku


class StockPositionNotFound(NotFound):
    def __init__(self, store_id: str, sku: str):
        super().__init__(f"store {store_id!r} has no stock position for sku {sku!r}")


class OrderNotFound(NotFound):
    def __init__(self, order_id: str):
        super().__init__(f"order {order_id!r} does not exist")


class ShipmentNotFound(NotFound):
    def __init__(self, order_id: str, store_id: str):
        super().__init__(f"order {order_id!r} has no shipment from store {store_id!r}")


class TransferNotFound(NotFound):
    def __init__(self, transfer_id: str):
        super().__init__(f"transfer {transfer_id!r} does not exist")


class RuleViolation(DomainError):
    """The request is well formed but the current state does not allow it."""


class IllegalTransition(RuleViolation):
    """A lifecycle step the current status does not allow; the message names the status."""


class OutOfStock(RuleViolation):
    """A store does not have enough available units of a SKU."""

    def __init__(self, store_id: str, sku: str, wanted: int, available: int):
        super().__init__(
            f"store {store_id!r} has {available} of sku {sku!r} available, {wanted} wanted"
        )
        self.store_id = store_id
        self.sku = sku


class IncomingShort(RuleViolation):
    """A backorder's claim on a store's incoming stock is more than the stock expected in
    time and not claimed already."""

    def __init__(self, store_id: str, sku: str, wanted: int, claimable: int):
        super().__init__(f"store {store_id!r} has {claimable} of sku {sku!r} incoming in time and unclaimed, {wanted} wanted")
        self.store_id = store_id
        self.sku = sku


class NoStoreCanFulfil(RuleViolation):
    """Routing found no store for the order; the message says what was missing."""


class NegativeStock(RuleViolation):
    def __init__(self, store_id: str, sku: str, on_hand: int, delta: int):
        super().__init__(
            f"adjusting sku {sku!r} at store {store_id!r} by {delta} would leave "
            f"{on_hand + delta} on hand; record a count instead"
        )


class OrderNotCancellable(IllegalTransition):
    pass


class OrderNotAllocatable(RuleViolation):
    pass


class IdempotencyKeyReused(DomainError):
    """The idempotency key was used before for a different request."""

    def __init__(self, key: str):
        super().__init__(
            f"idempotency_key {key!r} was already used for a different order request; "
            "use a new key for a new order"
        )


class CancellationKeyReused(IdempotencyKeyReused):
    def __init__(self, order_id: str, key: str):
        DomainError.__init__(
            self,
            f"idempotency_key {key!r} already cancelled other lines of order {order_id}; "
            "a retry must repeat the lines exactly, a new cancellation needs a new key",
        )


class MovementIdReused(IdempotencyKeyReused):
    def __init__(self, store_id: str, movement_id: str):
        DomainError.__init__(
            self,
            f"movement_id {movement_id!r} of store {store_id!r} was already used for a different movement; "
            "a resend must repeat the movement exactly, a new movement needs a new id",
        )


class RequestIdReused(IdempotencyKeyReused):
    """An id that makes a request safe to retry (a transfer, a return) came with a different request."""

    def __init__(self, field: str, value: str):
        DomainError.__init__(self, f"{field} {value!r} was already used for a different request; use a new id")


class Contention(DomainError):
    """Too many concurrent writers on the same stock: the caller may retry."""


class ExpectedReceiptNotFound(NotFound):
    def __init__(self, store_id: str, sku: str, reference: str):
        super().__init__(f"no receipt {reference!r} of sku {sku!r} is expected at store {store_id!r}")


class RegionNotFound(NotFound):
    def __init__(self, region_id: str):
        super().__init__(f"region {region_id!r} does not exist; RegisterRegion first")


class DealerNotFound(NotFound):
    def __init__(self, dealer_id: str):
        super().__init__(f"dealer {dealer_id!r} does not exist; RegisterDealer first (no dealer: the store belongs to HQ)")


class CloudShopNotFound(NotFound):
    def __init__(self, cloud_shop_id: str):
        super().__init__(f"cloud shop {cloud_shop_id!r} does not exist")


class ShareCodeNotFound(NotFound):
    def __init__(self, share_code: str):
        super().__init__(f"share code {share_code!r} belongs to no shop assistant; check it or use FindCloudShop")


class NoCloudShopNearby(NotFound):
    def __init__(self) -> None:
        super().__init__("no active store has an open cloud shop")
