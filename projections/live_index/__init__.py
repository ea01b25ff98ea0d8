"""The server's in-memory index of the log: stores, stock available, orders, cloud shops and launches, for routing and the gate."""
