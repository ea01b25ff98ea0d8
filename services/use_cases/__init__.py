"""The application layer: one module per group of use cases, each a few lines of load, decide, save, and the ports they depend on. No gRPC, database driver or thread machinery here."""
