"""The gRPC API: the server, its gate, one servicer per service, converters and the one table that maps domain errors to status codes."""
