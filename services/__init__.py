"""Around the domain: the use cases, the adapters that reach the outside world, the entry
points (gRPC API, CLI, demo, Python client) and the bootstrap that wires them."""
