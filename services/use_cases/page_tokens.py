"""Page tokens: what a list needs to resume after its last row, with what identifies the
query, as compact JSON in URL-safe base64. Only encoded, not signed: each list checks what it
reads back, as a caller may send anything."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

MALFORMED = (ValueError, TypeError, binascii.Error, UnicodeDecodeError)  # what decode raises


def encode(body: Any) -> str:
    text = json.dumps(body, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token: str) -> Any:
    """The body `encode` was given; one of MALFORMED for anything else (a character outside
    the alphabet included, rather than skipped)."""
    return json.loads(base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True))


def fits_64_bits(value: object) -> bool:
    """An integer a database column can be compared with (None too: an open bound)."""
    return value is None or isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
