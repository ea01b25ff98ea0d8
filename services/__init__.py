"""The application layer (use cases), the gRPC servicers and the CLI."""
