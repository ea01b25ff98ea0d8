"""Reading the application's notification log for a projection: in id order, only the
topics it cares about, and up to a head that was fully committed when it was read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from sqlalchemy import text


def event_topics(*aggregate_classes: type[Aggregate]) -> tuple[str, ...]:
    """The topics of every event class declared on the aggregates (found, not listed, so an
    event kind added later is read too)."""
    topics = []
    for cls in aggregate_classes:
        for value in vars(cls).values():
            if isinstance(value, type) and issubclass(value, Aggregate.Event) and value.__qualname__.startswith(cls.__qualname__ + "."):
                topics.append(get_topic(value))
    return tuple(sorted(set(topics)))


@dataclass(frozen=True)
class Batch:
    events: Sequence[tuple[int, Any]]  # (notification id, domain event)
    end: int  # the position after this batch: every notification id <= end is covered


class EventLog:
    """The notification log of one application (its recorder and mapper)."""

    def __init__(self, application: Application, topics: Iterable[str] = ()):
        self.recorder = application.recorder
        self.mapper = application.mapper
        self.topics = tuple(topics)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def read(self, after: int, limit: int, head: int | None = None) -> Batch:
        """Events after `after`, at most `limit`. Notification ids commit in order (inserts
        lock the events table), so when fewer than `limit` come back everything up to the
        head read beforehand is covered, including the notifications of other topics."""
        # the event store's own recorder reads both in one snapshot; the library's, one by one
        if head is None and hasattr(self.recorder, "select_notifications_to_head"):
            head, notifications = self.recorder.select_notifications_to_head(after, limit, self.topics)
            if head <= after:
                return Batch((), after)
        else:
            head = self.head() if head is None else head
            if head <= after:
                return Batch((), after)
            notifications = self.recorder.select_notifications(
                start=after, limit=limit, stop=head, topics=self.topics, inclusive_of_start=False,
            )
        events = [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
        end = events[-1][0] if len(events) == limit else head
        return Batch(events, end)

    def count_after(self, position: int, head: int) -> int:
        """Notifications (of every topic) recorded after position, up to head: ids can have
        gaps, so they are counted rather than subtracted."""
        if head <= position:
            return 0
        table = self.recorder.events_table_name
        with self.recorder.datastore.engine.connect() as connection:
            return connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE id > :position AND id <= :head"),
                {"position": position, "head": head},
            ).scalar_one()

    def recorded_at(self, after: int) -> datetime | None:
        """When the first notification after `after` was recorded: how long it has waited."""
        notifications = self.recorder.select_notifications(start=after, limit=1, inclusive_of_start=False)
        if not notifications:
            return None
        moment = self.mapper.to_domain_event(notifications[0]).timestamp
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
