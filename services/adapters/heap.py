"""Garbage collection for the long-running processes (server, order writer, projector).

A full collection walks every object the collector tracks, and a server's heap is mostly
long-lived: the live index, the aggregate cache, decoded events. Under load a full collection
pauses every thread for as long as the walk takes, a stall for every call in flight. Objects
that survive a full collection are frozen (gc.freeze), so the next full collection walks only
what is newer, a fraction of the heap.

What this gives up: a frozen object that later becomes part of an unreachable reference
cycle is never freed. Freezing does not stop reference counting, so frozen objects without
cycles (cached aggregates, events, index entries) are freed as usual when dropped; on the
checkout load, full collections in the server found no cyclic garbage at all.
"""

from __future__ import annotations

import gc
from typing import Any

_registered = False


def freeze_survivors_of_full_collections() -> None:
    """From now on, each full collection freezes what it leaves alive. Idempotent."""
    global _registered
    if not _registered:
        gc.callbacks.append(_freeze_after_full_collection)
        _registered = True


def _freeze_after_full_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()
