"""The Python client of the gRPC API, and the cast of callers (tokens) the demo, benchmarks and tests play."""
