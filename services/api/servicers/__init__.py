"""One servicer per .proto service: each converts the request, calls one use case and converts the answer back."""
