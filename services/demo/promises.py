"""What the demo's customers were promised and how the stores kept it: the median promise per
mode, from the orders as placed, and the on-time figures StoreService reports for the days the
promises fall on, read per province (ops' regional scope) and summed."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from protos.omo.v1 import common_pb2, orders_pb2, stock_query_pb2, stores_pb2
from services.client.client import OmoClient

MODES = ("DELIVERY", "PICKUP", "EXPRESS")
WAIT_MS = 60_000  # how long a read may wait for the on-time projection to catch up


def order_mode(order: orders_pb2.Order) -> str:
    """What the customer got: an order a regional warehouse ships is EXPRESS, whatever was asked."""
    if order.fulfilment == orders_pb2.FULFILMENT_EXPRESS:
        return "EXPRESS"
    return common_pb2.FulfilmentMode.Name(order.fulfilment_mode)


def promise_minutes(order: orders_pb2.Order, placed: datetime) -> float | None:
    """From `placed` (on the clock the promise was worked out on) to the order's promise: its
    latest shipment's, when every part has arrived."""
    promises = [datetime.fromisoformat(s.promised_by) for s in order.shipments if s.promised_by]
    return (max(promises) - placed).total_seconds() / 60 if promises else None


def median_promises(orders: list[orders_pb2.Order], placed_at: dict[str, datetime]) -> dict[str, float]:
    """Mode -> the median of its orders' promises in minutes from placing; modes with none left
    out. `placed_at`: order id -> when it was placed."""
    by_mode: dict[str, list[float]] = {mode: [] for mode in MODES}
    for order in orders:
        minutes = promise_minutes(order, placed_at[order.order_id])
        if minutes is not None:
            by_mode.setdefault(order_mode(order), []).append(minutes)
    return {mode: statistics.median(values) for mode, values in by_mode.items() if values}


@dataclass
class OnTime:
    """StoreService's figures summed over the scopes asked (see GetStorePerformance)."""

    from_date: str
    to_date: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, figures: stores_pb2.PerformanceFigures) -> None:
        for name in ("due", "on_time", "late", "open", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(figures, name))

    @property
    def per_mille(self) -> int | None:
        """On time of those whose promise is settled (done, or missed already), per mille,
        rounded half up as the server rounds it; None while none is."""
        settled = self.on_time + self.late + self.overdue
        return (2000 * self.on_time + settled) // (2 * settled) if settled else None


def on_time_figures(client: OmoClient, provinces: set[str], from_date: str, to_date: str) -> OnTime:
    """The figures of every store in the provinces, for the store-local days from_date..to_date,
    once the on-time projection has applied everything recorded before each call."""
    figures = OnTime(from_date, to_date)
    consistency = stock_query_pb2.Consistency(up_to_date=True, wait_timeout_ms=WAIT_MS)
    for province in sorted(provinces):
        answer = client.stores.GetStorePerformance(stores_pb2.GetStorePerformanceRequest(
            region=stores_pb2.PerformanceRegion(province=province), from_date=from_date, to_date=to_date,
            page_size=1, consistency=consistency,
        ))
        figures.add(answer.total)  # over the whole province, on every page
    return figures
