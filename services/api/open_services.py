"""The standard services every server answers beside ours: health checks and reflection.
Open to any caller without a token (a load balancer, grpcurl), and neither logged, counted nor
traced: a load balancer's checks would drown the calls, and the health service's Watch holds
no thread, which a wrapping interceptor would undo."""

OPEN_SERVICES = frozenset({
    "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
    "grpc.reflection.v1.ServerReflection",
})


def is_open(method: str) -> bool:
    """`method`, "package.Service/Method" with or without its leading slash, is one of theirs."""
    return method.lstrip("/").rsplit("/", 1)[0] in OPEN_SERVICES
