"""The stores' queue: every shipment routed to a store, and what changed for each store, in log order."""
