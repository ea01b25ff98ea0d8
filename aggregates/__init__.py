"""Event-sourced aggregates. Each @event method is a past-tense fact: checks run before it,
the state changes inside it, so replaying the events rebuilds exactly the same state."""

from uuid import UUID

# Aggregate ids are derived from business keys, so the same store, position or
# idempotency key always maps to the same stream and a second creation conflicts.
NAMESPACE = UUID("6f1c2a4e-5b7d-4e0a-9c3f-0a1b2c3d4e5f")
