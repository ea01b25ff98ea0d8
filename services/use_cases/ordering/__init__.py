"""Use cases of the orders: placing, quoting, routing again, the stores' steps, history,
and the launch limits placing applies."""
