"""The demo: a national store network seeded and worked through the real gRPC server."""
