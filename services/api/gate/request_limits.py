"""Request limits, checked by the gate before any servicer: how many entries a repeated field
may hold, how long a string may be, how large a page may be asked for.

Generic: the request is walked through its descriptor, nested messages too, so a new RPC is
covered without a line here; the tables name only the fields whose limit differs from the
rule for their kind. A request over a limit is refused with InvalidInput (INVALID_ARGUMENT)
naming the field and the limit, and reaches no use case.

These are outer bounds against broken or hostile callers, checked before any work is done
for them. The use cases keep their own, often tighter, checks with their own messages (ids of
64 and texts of 200 characters, in the domain's values); where a use case limits a count or a page,
its constant is used here, so that the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from domain.errors import InvalidInput
from domain.launches import MAX_LAUNCH_SKUS
from domain.movements import MAX_BATCH_MOVEMENTS
from domain.provider_bills import MAX_RPC_BILL_ROWS
from services.api.convert.common import MAX_PAGE_SIZE
from domain.values import MAX_ORDER_LINES, MAX_RECEIPT_LINES
from services.use_cases.network.statements import MAX_PAGE_SIZE as MAX_STATEMENT_PAGE_SIZE

MAX_REPEATED = 1000  # entries in any repeated field not named below
MAX_ID_CHARS = 128  # ids, SKUs, keys, codes (the idempotency key is the longest: 128)
MAX_TEXT_CHARS = 1000  # any other string: names, reasons, notes
MAX_PAGE_TOKEN_CHARS = 512  # ours are under 300
MAX_BYTES = 64 * 1024  # any bytes field (none yet)

# a string field holds an identifier when its name ends so, or is one of these
ID_SUFFIXES = ("_id", "_ids", "_key", "_code")
ID_NAMES = frozenset({"sku", "currency", "month", "time_zone", "opens", "closes", "add_skus", "remove_skus", "skus"})

REPEATED_LIMITS: dict[str, int] = {
    "omo.v1.PlaceOrderRequest.lines": MAX_ORDER_LINES,
    "omo.v1.ReturnOrderRequest.lines": MAX_ORDER_LINES,  # lines of one order
    "omo.v1.CancelOrderLinesRequest.lines": MAX_ORDER_LINES,
    "omo.v1.ReceiveStockRequest.lines": MAX_RECEIPT_LINES,
    "omo.v1.RequestTransferRequest.lines": MAX_RECEIPT_LINES,
    "omo.v1.SyncStockRequest.movements": MAX_BATCH_MOVEMENTS,
    "omo.v1.UpsertStoreRequest.opening_hours": 7 * 4,  # up to four shifts a day
    "omo.v1.GetNationalStockRequest.breakdown": 4,  # there are four breakdowns
    "omo.v1.Launch.sku_limits": MAX_LAUNCH_SKUS,
    "omo.v1.ImportProviderBillRequest.rows": MAX_RPC_BILL_ROWS,  # a longer bill is sent in several calls
}
PAGE_SIZE_LIMITS: dict[str, int] = {
    "omo.v1.GetStatementRequest.page_size": MAX_STATEMENT_PAGE_SIZE,
}


@dataclass(frozen=True)
class FieldLimit:
    entries: int  # for a repeated field
    chars: int  # for a string (bytes for a bytes field)
    page_size: int  # for a field named page_size; 0 when not a page size
    is_map: bool = False


def field_limit(field: FieldDescriptor) -> FieldLimit:
    name = field.name
    if field.type == FieldDescriptor.TYPE_BYTES:
        chars = MAX_BYTES
    elif name == "page_token":
        chars = MAX_PAGE_TOKEN_CHARS
    elif name in ID_NAMES or name.endswith(ID_SUFFIXES):
        chars = MAX_ID_CHARS
    else:
        chars = MAX_TEXT_CHARS
    page_size = PAGE_SIZE_LIMITS.get(field.full_name, MAX_PAGE_SIZE) if name == "page_size" else 0
    is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
    return FieldLimit(REPEATED_LIMITS.get(field.full_name, MAX_REPEATED), chars, page_size, is_map)


@lru_cache(maxsize=None)
def limits_of(message_type: Descriptor) -> dict[str, FieldLimit]:
    """The limit of each field of a message type, worked out once."""
    return {field.name: field_limit(field) for field in message_type.fields}


@lru_cache(maxsize=None)
def safe_bytes(message_type: Descriptor) -> int:
    """A size in bytes up to which a message of the type cannot break a limit, -1 when no
    size is safe (a page size is a value, not a length). A string of n characters takes at
    least n bytes encoded and a repeated entry at least one, so a message no larger than its
    smallest length or count limit is within all of them: a POS batch's thousand movements
    are passed on their size alone, without a walk through their fields."""
    smallest, seen, todo = MAX_BYTES, set(), [message_type]
    while todo:
        current = todo.pop()
        if current.full_name in seen:
            continue
        seen.add(current.full_name)
        for field in current.fields:
            limit = limits_of(current)[field.name]
            if limit.page_size:
                return -1
            if field.is_repeated:
                smallest = min(smallest, limit.entries)
            if field.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
                smallest = min(smallest, limit.chars)
            if field.message_type is not None:
                todo.append(field.message_type)
    return smallest


def check_request(request: Message) -> None:
    """Raises InvalidInput for the first field over its limit."""
    try:
        _check_message(request)
    except _OverLimit as over:
        raise InvalidInput("".join(reversed(over.path)).lstrip("."), over.problem) from None


class _OverLimit(Exception):
    """Raised where a limit is broken; each level on the way out adds its part of the field's
    name (names are built only for a refusal, not for every field checked)."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.path: list[str] = []


def _check_message(message: Message) -> None:
    if message.ByteSize() <= safe_bytes(message.DESCRIPTOR):
        return
    limits = limits_of(message.DESCRIPTOR)
    for field, value in message.ListFields():  # only the fields set
        try:
            if field.is_repeated:
                _check_repeated(field, value, limits[field.name])
            else:
                _check_value(field, value, limits[field.name])
        except _OverLimit as over:
            over.path.append("." + field.name)
            raise


def _check_repeated(field: FieldDescriptor, values, limit: FieldLimit) -> None:
    if len(values) > limit.entries:
        raise _OverLimit(f"has {len(values)} entries; at most {limit.entries} allowed")
    if limit.is_map:
        key_field, value_field = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        for key in values:
            try:
                _check_value(key_field, key, limit)
                _check_value(value_field, values[key], limit)
            except _OverLimit as over:
                over.path.append(f"[{key!r}]")
                raise
        return
    if field.type not in _CHECKED_ENTRIES:
        return  # numbers, enums, bools: their count is all there is to bound
    for i, value in enumerate(values):
        try:
            _check_value(field, value, limit)
        except _OverLimit as over:
            over.path.append(f"[{i}]")
            raise


_CHECKED_ENTRIES = (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES)


def _check_value(field: FieldDescriptor, value, limit: FieldLimit) -> None:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        _check_message(value)
    elif field.type in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
        if len(value) > limit.chars:
            unit = "bytes" if field.type == FieldDescriptor.TYPE_BYTES else "characters"
            raise _OverLimit(f"is {len(value)} {unit} long; at most {limit.chars} allowed")
    elif limit.page_size and not 0 <= value <= limit.page_size:
        raise _OverLimit(f"must be between 0 (the default page) and {limit.page_size}, got {value}")
