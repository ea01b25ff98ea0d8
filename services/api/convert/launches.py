"""Launch terms between their messages and the domain's values."""

from __future__ import annotations

from domain.errors import InvalidInput
from domain.launches import LaunchTerms
from domain.values import epoch_us
from protos.omo.v1 import launches_pb2
from services.api.convert.dealers import moment, timestamp


def launch_terms(request: launches_pb2.SetLaunchRequest) -> LaunchTerms:
    if not request.HasField("launch"):
        raise InvalidInput("launch", "is required")
    given = request.launch
    if not given.HasField("starts_at"):
        raise InvalidInput("launch.starts_at", "is required: the limits apply to orders placed from then on")
    try:
        return LaunchTerms.create(
            launch_id=given.launch_id,
            sku_limits=[(limit.sku, limit.max_units_per_buyer) for limit in given.sku_limits],
            per_buyer_total=given.max_units_per_buyer,
            starts_at=moment("starts_at", given.starts_at, True, None),
            ends_at=moment("ends_at", given.ends_at, True, None) if given.HasField("ends_at") else None,
        )
    except InvalidInput as error:  # named as in the request, inside `launch`
        raise InvalidInput(f"launch.{error.field}", str(error).split(": ", 1)[1]) from None


def launch_message(terms: LaunchTerms) -> launches_pb2.Launch:
    message = launches_pb2.Launch(
        launch_id=terms.launch_id,
        sku_limits=[launches_pb2.SkuLimit(sku=sku, max_units_per_buyer=limit) for sku, limit in terms.sku_limits],
        max_units_per_buyer=terms.per_buyer_total,
        starts_at=timestamp(epoch_us(terms.starts_at)),
    )
    if terms.ends_at is not None:
        message.ends_at.CopyFrom(timestamp(epoch_us(terms.ends_at)))
    return message
