"""The gRPC interface: translates protobuf messages to domain values and back."""
