"""Launches by SKU, folded from the Launch events (part of the live index): placing an order
finds the launches limiting its SKUs without a query.

Readers on other threads take `by_sku` without the index's lock, so every change replaces the
maps instead of changing them in place: a reader sees the old maps or the new, never half."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from aggregates.launch import Launch
from domain.launches import LaunchTerms


class LaunchIndex:
    def __init__(self) -> None:
        self.launches: dict[str, LaunchTerms] = {}
        self.by_sku: dict[str, tuple[LaunchTerms, ...]] = {}
        self._ids: dict[UUID, str] = {}

    def apply(self, e: Any) -> None:
        if isinstance(e, Launch.LaunchScheduled):
            self._ids[e.originator_id] = e.launch_id
            launch_id = e.launch_id
        elif isinstance(e, Launch.LaunchChanged):
            launch_id = self._ids[e.originator_id]
        else:
            return
        launches = {**self.launches, launch_id: LaunchTerms.from_record(launch_id, e.terms)}
        by_sku: dict[str, list[LaunchTerms]] = {}
        for terms in launches.values():  # few launches: rebuilt whole
            for sku in terms.skus:
                by_sku.setdefault(sku, []).append(terms)
        self.launches = launches
        self.by_sku = {sku: tuple(found) for sku, found in by_sku.items()}

    def active(self, skus: Iterable[str], moment: datetime) -> list[LaunchTerms]:
        """The launches limiting orders placed at `moment` that cover any of the SKUs, by id."""
        by_sku = self.by_sku
        found = {t.launch_id: t for sku in skus for t in by_sku.get(sku, ()) if t.applies_at(moment)}
        return [found[launch_id] for launch_id in sorted(found)]
