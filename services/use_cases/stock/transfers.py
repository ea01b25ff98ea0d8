"""Use cases: moving goods between stores. Shipping is TRANSFER_OUT at the source and puts
the units in transit towards the destination; receiving is TRANSFER_IN there. A POS may
report either, line by line, through SyncStock with the transfer's id instead."""

from __future__ import annotations

from aggregates.transfer import Transfer
from domain.errors import InvalidInput, RequestIdReused, TransferNotFound
from domain.movements import Movement
from domain.values import checked_lines, scoped_transfer_id, transfer_reference
from services.use_cases.application import OmoApplication
from services.use_cases.network.stores import require_store
from services.use_cases.stock.pos_sync import apply_movements


def get_transfer(app: OmoApplication, transfer_id: str) -> Transfer:
    transfer_reference("transfer_id", transfer_id)
    app.catch_up()  # another server may have changed it
    transfer = app.find(Transfer.create_id(transfer_id))
    if not isinstance(transfer, Transfer):
        raise TransferNotFound(transfer_id)
    return transfer


def request_transfer(
    app: OmoApplication, name: str, from_store_id: str, to_store_id: str, lines: list[tuple[str, int]]
) -> tuple[Transfer, bool]:
    """Records the request under the destination's `name` for it (the transfer's id is
    `<to_store_id>/<name>`); the same request again returns it (created False)."""
    transfer_id = scoped_transfer_id(to_store_id, name)
    require_store(app, from_store_id)
    require_store(app, to_store_id)
    if from_store_id == to_store_id:
        raise InvalidInput("to_store_id", "must differ from from_store_id")
    units = dict(checked_lines(lines))
    aggregate_id = Transfer.create_id(transfer_id)

    def decide() -> tuple[list, tuple[Transfer, bool]]:
        existing = app.find(aggregate_id)
        if existing is not None:
            if (existing.from_store_id, existing.to_store_id, existing.lines) != (from_store_id, to_store_id, units):
                raise RequestIdReused("transfer_id", name)
            return [], (existing, False)
        transfer = Transfer(transfer_id=transfer_id, from_store_id=from_store_id, to_store_id=to_store_id, lines=units)
        return [transfer], (transfer, True)

    return app.decide([aggregate_id], decide)


def ship_transfer(app: OmoApplication, transfer_id: str) -> Transfer:
    """Ships every unit not yet shipped; a transfer shipped already is returned unchanged."""
    return _move_every_unit(app, transfer_id, "TRANSFER_OUT")


def receive_transfer(app: OmoApplication, transfer_id: str) -> Transfer:
    """Receives every unit in transit; nothing in transit returns the transfer unchanged."""
    return _move_every_unit(app, transfer_id, "TRANSFER_IN")


def _move_every_unit(app: OmoApplication, transfer_id: str, kind: str) -> Transfer:
    transfer = get_transfer(app, transfer_id)
    left = transfer.to_ship if kind == "TRANSFER_OUT" else transfer.in_transit
    store_id = transfer.from_store_id if kind == "TRANSFER_OUT" else transfer.to_store_id
    at = app.now_us()
    movements = [Movement("", kind, sku, left(sku), at, transfer_id) for sku in transfer.lines if left(sku) > 0]
    if movements:
        apply_movements(app, store_id, movements)
    return get_transfer(app, transfer_id)
