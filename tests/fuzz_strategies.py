"""Hypothesis strategies for hostile requests, built from the protobuf descriptors, so that an
RPC added later is fuzzed without a line here.

Two kinds of request:
- `random_requests(descriptor, ids)`: every field present or absent, each value drawn from
  boundary and odd values of its type (and, for strings, ids that exist in the world, so that
  some calls get past "not found" into the use cases);
- `mutated_requests(valid, ids)`: a valid request with one field (sometimes two or three)
  replaced, cleared, or (repeated fields) emptied, doubled or grown huge. It reaches further
  than random messages, since every other field still names real objects.

There are no bytes fields in the API (`MAX_BYTES` in services/api/request_limits.py is for one
added later); `bytes_values` covers them, invalid UTF-8 included, should one appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import strategies as st

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)
HUGE_REPEATED = 10_000  # entries: ten times the request limits' largest bound
# Timestamp.seconds valid for google.protobuf.Timestamp is [0001-01-01, 9999-12-31]; a client
# may send any int64 all the same
TIMESTAMP_MIN_SECONDS, TIMESTAMP_MAX_SECONDS = -62_135_596_800, 253_402_300_799

# strings that break naive code: empty, blanks, control and format characters, right-to-left
# overrides, combining marks, astral planes, full-width look-alikes of ids, path and SQL and
# format-string fragments, lengths just over the domain's (64, 128, 200) and the gate's limits
ODD_STRINGS = (
    "", " ", "\t", "\n", "\x00", "S1\x00", "\x7f", "\x85", "\u200b", "\u202eS1", "\ufeff", "\uffff",
    "e\u0301", "\U0001f6d2", "\U0010ffff", "\uff33\uff11", "S1 ", " S1", "s1", "S1\n", "../S1", "S1/S2",
    "'; DROP TABLE events; --", "%s%n", "{0}", "null", "None", "-1", "0", "1e309", "NaN",
    "a" * 64, "a" * 65, "a" * 128, "a" * 129, "a" * 200, "a" * 201, "a" * 1000, "a" * 1001, "\U0001f6d2" * 300,
    "x" * 100_000,
)
# values of fields whose name says what they hold, beside the odd strings: valid ones (so the
# call goes on to the next check) and near misses
HINTS: dict[str, tuple[str, ...]] = {
    "currency": ("CNY", "USD", "cny", "CN", "CNYY", "XXX", "\uff23\uff2e\uff39"),
    "month": ("2024-01", "2024-13", "2024-00", "0000-01", "9999-12", "1969-12", "2024-1", "24-01", "2024-01-01", "2024/01"),
    "time_zone": ("Asia/Shanghai", "UTC", "Etc/GMT-14", "Mars/Olympus", "UTC+8", "../../etc/passwd", "America/New_York"),
    "opens": ("09:00", "00:00", "23:59", "24:00", "25:61", "9:00", "09:00:00", "-1:00"),
    "closes": ("21:00", "00:00", "24:00", "23:60", "9", "21:00:00"),
    "page_token": ("AAAA", "====", "eyJ9", "not base64!", "MTIz", "W10=", "WyJhIiwgMV0=", "bnVsbA=="),
}


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _today_month() -> str:
    return datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")


def strings(field: FieldDescriptor, ids: Sequence[str]) -> st.SearchStrategy[str]:
    """World ids, hints for the field, odd strings, and any unicode (hypothesis never makes a
    lone surrogate, which a proto3 string cannot carry anyway)."""
    hints = HINTS.get(field.name, ())
    if field.name == "month":
        hints = (*hints, _today_month())
    choices = [st.sampled_from(ODD_STRINGS), st.text(max_size=70)]
    if ids:
        choices.append(st.sampled_from(ids))
    if hints:  # what the field is for, weighted up: a near miss there goes deepest
        choices += [st.sampled_from(hints)] * 2
    return st.one_of(choices)


def bytes_values() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from((b"", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00" * 70_000)),
        st.binary(max_size=100),
    )


def integers(low: int, high: int) -> st.SearchStrategy[int]:
    boundaries = sorted(b for b in {low, high, low + 1, high - 1, 0, 1, -1, 2, *INT32, 2**32, 2**53 + 1} if low <= b <= high)
    # the boundaries as often as everything else: an overflow needs one of them in one field
    return st.one_of(st.sampled_from(boundaries), st.sampled_from(boundaries), st.integers(0, 12), st.integers(low, high))


def doubles() -> st.SearchStrategy[float]:
    """Latitudes, longitudes and radii: in range (near the world's stores), at and just past
    the bounds, and every float hypothesis can make, nan and infinities included."""
    return st.one_of(
        st.sampled_from((0.0, -0.0, 90.0, -90.0, 180.0, -180.0, 90.000001, -180.000001, 1e308, -1e308, 5e-324,
                         float("nan"), float("inf"), float("-inf"), 31.2304, 121.4737, 3.0, 1e-9, 2.0**53)),
        st.floats(-200, 200),
        st.floats(),
    )


def enums(field: FieldDescriptor) -> st.SearchStrategy[int]:
    """The enum's own numbers and unknown ones: proto3 enums are open, so a client may send
    any int32 and the server's message holds it."""
    known = [value.number for value in field.enum_type.values]
    return st.one_of(st.sampled_from(known), st.sampled_from((max(known) + 1, -1, *INT32)), st.integers(*INT32))


def timestamps() -> st.SearchStrategy[Timestamp]:
    now = int(datetime.now(timezone.utc).timestamp())
    seconds = st.one_of(
        st.sampled_from((0, -1, now, now - 60, now + 86_400 * 365, TIMESTAMP_MIN_SECONDS, TIMESTAMP_MAX_SECONDS,
                         TIMESTAMP_MIN_SECONDS - 1, TIMESTAMP_MAX_SECONDS + 1, *INT64)),
        st.integers(*INT64),
    )
    nanos = st.one_of(st.sampled_from((0, 999_999_999, 1_000_000_000, -1, *INT32)), st.integers(*INT32))
    return st.builds(lambda s, n: Timestamp(seconds=s, nanos=n), seconds, nanos)


def scalars(field: FieldDescriptor, ids: Sequence[str], depth: int) -> st.SearchStrategy[Any]:
    """One value of a field's type (one entry of a repeated field)."""
    kind = field.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.Timestamp":
            return timestamps()
        return random_requests(field.message_type, ids, depth + 1)
    if kind == FieldDescriptor.TYPE_ENUM:
        return enums(field)
    if kind == FieldDescriptor.TYPE_STRING:
        return strings(field, ids)
    if kind == FieldDescriptor.TYPE_BYTES:
        return bytes_values()
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return doubles() if kind == FieldDescriptor.TYPE_DOUBLE else st.floats(width=32)
    if kind in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        return integers(*INT32)
    if kind in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return integers(*INT64)
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return integers(*UINT32)
    if kind in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return integers(*UINT64)
    raise NotImplementedError(f"no strategy for {field.full_name} (type {kind})")


def repeated(entry: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """Empty, a few, or (one time in four) one entry repeated HUGE_REPEATED times (a bot's idea
    of a big order)."""
    few = st.lists(entry, max_size=4)
    return st.one_of(few, few, few, entry.map(lambda value: [value] * HUGE_REPEATED))


def field_values(field: FieldDescriptor, ids: Sequence[str], depth: int) -> st.SearchStrategy[Any]:
    if _is_map(field):
        key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        return st.dictionaries(scalars(key, ids, depth), scalars(value, ids, depth), max_size=4)
    if field.is_repeated:
        return repeated(scalars(field, ids, depth))
    return scalars(field, ids, depth)


def random_requests(descriptor: Descriptor, ids: Sequence[str], depth: int = 0) -> st.SearchStrategy[Message]:
    """A message of the type with any subset of its fields set (nested messages present or
    absent), each to a value of `field_values`."""
    message_class = message_factory.GetMessageClass(descriptor)
    if depth > 4:  # no request type nests this deep; guards against a recursive one
        return st.just(message_class())
    optional = {field.name: field_values(field, ids, depth) for field in descriptor.fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: build(message_class, values))


def build(message_class: type[Message], values: dict[str, Any]) -> Message:
    message = message_class()
    for name, value in values.items():
        assign(message, message.DESCRIPTOR.fields_by_name[name], value)
    return message


def assign(message: Message, field: FieldDescriptor, value: Any) -> None:
    """Sets a field to a value of `field_values` (None clears it)."""
    if value is None:
        message.ClearField(field.name)
    elif _is_map(field):
        target = getattr(message, field.name)
        target.clear()
        for key, entry in value.items():
            if field.message_type.fields_by_name["value"].message_type is not None:
                target[key].CopyFrom(entry)
            else:
                target[key] = entry
    elif field.is_repeated:
        target = getattr(message, field.name)
        del target[:]
        target.extend(value)
    elif field.message_type is not None:
        getattr(message, field.name).CopyFrom(value)
    else:
        setattr(message, field.name, value)


# --- mutations of a valid request ---------------------------------------------------------

Path = tuple[Any, ...]  # field names, and indexes into repeated fields


def field_paths(message: Message, prefix: Path = ()) -> Iterable[tuple[Path, FieldDescriptor]]:
    """Every field of the message, set or not, and the fields of the nested messages that are
    set (the first two entries of a repeated one): what a mutation may change."""
    for field in message.DESCRIPTOR.fields:
        yield (*prefix, field.name), field
        if field.message_type is None or _is_map(field):
            continue
        if field.message_type.full_name == "google.protobuf.Timestamp":
            continue  # replaced whole, by `timestamps`
        if field.is_repeated:
            for i, entry in enumerate(getattr(message, field.name)[:2]):
                yield from field_paths(entry, (*prefix, field.name, i))
        elif message.HasField(field.name):
            yield from field_paths(getattr(message, field.name), (*prefix, field.name))


def _parent(message: Message, path: Path) -> Message | None:
    """The message holding the path's last field; None when an earlier mutation removed an
    entry the path went through."""
    for step in path[:-1]:
        if isinstance(step, int):
            if step >= len(message):
                return None
            message = message[step]
        else:
            message = getattr(message, step)
    return message


def _replacements(field: FieldDescriptor, ids: Sequence[str]) -> st.SearchStrategy[Any]:
    """What a mutation puts in a field: a fuzzed value, or (one time in four) nothing."""
    value = field_values(field, ids, depth=1)
    return st.one_of(value, value, value, st.none())


@st.composite
def mutated_requests(draw, valid: Message, ids: Sequence[str]) -> Message:
    """A copy of `valid` with one field changed (sometimes two or three): set to a fuzzed value,
    cleared, or (a repeated field) its entries doubled or one of them repeated HUGE_REPEATED
    times. One at a time goes deepest: every other field still passes its checks."""
    request = type(valid)()
    request.CopyFrom(valid)
    for _ in range(draw(st.sampled_from((1, 1, 1, 2, 3)))):
        paths = list(field_paths(request))
        path, field = draw(st.sampled_from(paths))
        parent = _parent(request, path)
        if parent is None:
            continue
        entries = list(getattr(parent, field.name)) if field.is_repeated and not _is_map(field) else None
        how = draw(st.sampled_from(("replace", "double", "huge"))) if entries else "replace"
        if how == "double":
            assign(parent, field, entries + entries)
        elif how == "huge":
            assign(parent, field, [entries[0]] * HUGE_REPEATED)
        else:
            assign(parent, field, draw(_replacements(field, ids)))
    return request


def renamed(message: Message, new_ids: frozenset[str], suffix: str) -> Message:
    """The message with every string field that holds one of `new_ids` given `suffix`: a
    request that creates something (a movement id, an idempotency key, a transfer) creates
    something new each time, instead of being answered as a duplicate of an earlier example."""
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_MESSAGE and not _is_map(field):
            for entry in (value if field.is_repeated else [value]):
                renamed(entry, new_ids, suffix)
        elif field.type == FieldDescriptor.TYPE_STRING and not field.is_repeated and value in new_ids:
            setattr(message, field.name, value + suffix)
    return message
