"""Read models fed by events."""
