"""Use cases: reading the national stock count, with its freshness, optionally after
waiting for the projection to reach a position (read-your-writes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aggregates.stock_position import StockPosition
from aggregates.store import Store
from domain.errors import InvalidInput, SkuNotFound
from domain.stock_query_errors import PositionNotRecorded, ProjectionBehind, RegionNotFound
from domain.values import identifier, optional_identifier, text
from projections.national_stock import reads as stock_reads
from projections.runtime.event_log import EventLog, event_topics
from projections.national_stock.projection import NAME
from projections.national_stock.reads import AreaFigures, Figures, Region
from projections.national_stock.tables import create_tables
from projections.runtime.reader import Freshness, ProjectionReader

DEFAULT_WAIT_MS = 5000
MAX_WAIT_MS = 60_000
BREAKDOWNS = ("province", "city", "dealer", "store")


@dataclass(frozen=True)
class Consistency:
    min_position: int = 0
    up_to_date: bool = False
    wait_timeout_ms: int = 0

    def __post_init__(self) -> None:
        if self.min_position < 0:
            raise InvalidInput("consistency.min_position", f"must be >= 0, got {self.min_position}")
        if not 0 <= self.wait_timeout_ms <= MAX_WAIT_MS:
            raise InvalidInput("consistency.wait_timeout_ms", f"must be between 0 and {MAX_WAIT_MS}, got {self.wait_timeout_ms}")


@dataclass(frozen=True)
class NationalStock:
    sku: str
    national: Figures
    breakdowns: dict[str, list[AreaFigures]]
    freshness: Freshness


def checked_region(region: Region) -> Region:
    for name in ("province", "city", "dealer"):
        text(f"region.{name}", getattr(region, name))
    optional_identifier("region.store_id", region.store_id)
    if region.city and not region.province:
        raise InvalidInput("region.province", "is required with region.city (city names repeat across provinces)")
    if region.dealer and (region.province or region.city or region.store_id):
        raise InvalidInput("region.dealer", "cannot be combined with province, city or store_id")
    if region.store_id and (region.province or region.city):
        raise InvalidInput("region.store_id", "cannot be combined with province or city")
    return region


def wait_for(
    reader: ProjectionReader, consistency: Consistency, call_seconds_left: float | None = None,
    behind: Callable[[int, int, int], ProjectionBehind] = ProjectionBehind,
) -> None:
    """Returns once the reader's projection has applied what the caller asked for; raises
    `behind(wanted, reached, waited_ms)` when the wait runs out first."""
    target = consistency.min_position
    if target or consistency.up_to_date:
        head = reader.event_log.head() if reader.event_log is not None else 0
        if target > head:
            raise PositionNotRecorded(target, head)
        if consistency.up_to_date:
            target = max(target, head)
    if not target:
        return
    wait_ms = consistency.wait_timeout_ms or DEFAULT_WAIT_MS
    if call_seconds_left is not None:
        wait_ms = min(wait_ms, max(0, int(call_seconds_left * 1000)))
    if (reached := reader.wait_until(target, wait_ms)) < target:
        raise behind(target, reached, wait_ms)


class StockQueries(ProjectionReader):
    """Reads the national stock tables beside the event log they are folded from."""

    def __init__(self, database_url: str, event_log: EventLog, projection: str = NAME):
        super().__init__(
            database_url, event_log, lambda engine: create_tables(engine, projection),
            lambda connection: stock_reads.position(connection, projection),
        )
        self.projection = projection

    @classmethod
    def for_application(cls, application) -> StockQueries:
        return cls(application.database_url, EventLog(application, event_topics(StockPosition, Store)))

    def wait(self, consistency: Consistency, call_seconds_left: float | None = None) -> None:
        """Returns once the projection has applied what the caller asked for; raises
        ProjectionBehind when the wait runs out first."""
        wait_for(self, consistency, call_seconds_left)

    # --- the queries --------------------------------------------------------------------

    def national_stock(self, sku: str, breakdowns: list[str]) -> NationalStock:
        identifier("sku", sku)
        with self.engine.connect() as connection:
            position = stock_reads.position(connection, self.projection)
            national = stock_reads.national(connection, sku)
            if national is None:
                raise SkuNotFound(sku)
            found = {by: stock_reads.breakdown(connection, by, sku) for by in dict.fromkeys(breakdowns)}
        return NationalStock(sku, national, found, self.freshness(position))

    def low_stock(self, region: Region, threshold: int, after_sku: str, page_size: int) -> tuple[list[AreaFigures], str, Freshness]:
        checked_region(region)
        if threshold < 0:
            raise InvalidInput("threshold", f"must be >= 0, got {threshold}")
        with self.engine.connect() as connection:
            position = stock_reads.position(connection, self.projection)
            if not region.is_national and not stock_reads.region_known(connection, region):
                raise RegionNotFound(region.describe())
            rows = stock_reads.low_stock(connection, region, threshold, after_sku, page_size + 1)
        more = len(rows) > page_size
        rows = rows[:page_size]
        return rows, (rows[-1].sku if more else ""), self.freshness(position)

    def changes(self, region: Region, sku: str, after_position: int) -> tuple[list[AreaFigures], int]:
        """Watched rows changed after a position (every watched row from 0), and the
        position they stand at."""
        with self.engine.connect() as connection:
            position = stock_reads.position(connection, self.projection)
            if position <= after_position:
                return [], position
            return stock_reads.changed_since(connection, region, sku, after_position), position

    def check_watch(self, region: Region, sku: str) -> None:
        checked_region(region)
        if not sku and region.is_national:
            return
        if sku:
            identifier("sku", sku)
        with self.engine.connect() as connection:
            if sku and stock_reads.national(connection, sku) is None:
                raise SkuNotFound(sku)
            if not region.is_national and not stock_reads.region_known(connection, region):
                raise RegionNotFound(region.describe())
