"""Use cases reading the projections: the national stock, the order list, the stores' queues and
their on-time figures."""
