"""`omo certs dev`: certificates for development, and `omo health`: a container's health check."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.adapters.config import ConfigurationError

DEFAULT_NAMES = ["localhost", "127.0.0.1", "omo"]


def add_parsers(commands: argparse._SubParsersAction) -> None:
    certs = commands.add_parser(
        "certs", help="make certificates for development",
        description="Certificates for trying mutual TLS on one machine or with docker compose; never for production.",
    )
    kinds = certs.add_subparsers(dest="kind", required=True, metavar="KIND")
    dev = kinds.add_parser(
        "dev", help="a CA, a server certificate and a client certificate (PEM files)",
        description="Writes ca.crt, ca.key, server.crt, server.key, client.crt and client.key into --out: a CA of "
        "its own signs a server certificate for the --name(s) clients dial and a client certificate. "
        "Serve with: omo serve --tls-cert OUT/server.crt --tls-key OUT/server.key --client-ca OUT/ca.crt",
    )
    dev.add_argument("--out", required=True, type=Path, metavar="DIR", help="the folder to write them into (made if missing)")
    dev.add_argument(
        "--name", action="append", metavar="NAME",
        help=f"a host name or IP address clients dial, again for more (default: {', '.join(DEFAULT_NAMES)})",
    )
    dev.add_argument("--force", action="store_true", help="replace certificates already there (else they are kept)")

    health = commands.add_parser(
        "health", help="ask a server whether it is serving (exit 0) or not (exit 1)",
        description="The gRPC health check of a running omo serve, for container health checks: exit status 0 when "
        "the service answers SERVING, 1 otherwise (not serving, not answering, or refused), with one line saying so.",
    )
    health.add_argument("--target", default="127.0.0.1:50051", metavar="HOST:PORT", help="the server (default 127.0.0.1:50051)")
    health.add_argument("--service", default="", help="a service name to ask about (default: the server as a whole)")
    health.add_argument("--timeout", type=float, default=3.0, metavar="SECONDS", help="how long to wait for the answer (default 3)")
    health.add_argument("--ca", metavar="FILE", help="over TLS: the CA that signed the server's certificate (PEM)")
    health.add_argument("--cert", metavar="FILE", help="with --ca, for mutual TLS: this client's certificate (PEM)")
    health.add_argument("--key", metavar="FILE", help="with --cert: its private key (PEM)")


def certs(args: argparse.Namespace) -> int:
    from services.adapters.dev_certificates import FILES, make_dev_certificates

    there = [name for name in FILES if (args.out / name).exists()]
    if there and not args.force:
        print(f"kept the certificates already in {args.out} ({', '.join(there)}); --force makes new ones")
        return 0
    try:
        written = make_dev_certificates(args.out, args.name or DEFAULT_NAMES)
    except OSError as error:
        raise ConfigurationError(f"--out {args.out}: cannot write the certificates there ({error.strerror or error})") from None
    print(f"wrote {', '.join(p.name for p in written)} to {args.out}")
    return 0


def health(args: argparse.Namespace) -> int:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    credentials = None
    if args.ca or args.cert or args.key:
        if not args.ca or bool(args.cert) != bool(args.key):
            raise ConfigurationError("--ca is needed for TLS, and --cert and --key go together")
        try:
            read = [Path(f).read_bytes() if f else None for f in (args.ca, args.key, args.cert)]
        except OSError as error:
            raise ConfigurationError(f"cannot read {error.filename!r} ({error.strerror})") from None
        credentials = grpc.ssl_channel_credentials(*read)
    channel = grpc.secure_channel(args.target, credentials) if credentials else grpc.insecure_channel(args.target)
    what = f"{args.target}" + (f" service {args.service!r}" if args.service else "")
    try:
        with channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=args.service), timeout=args.timeout)
    except grpc.RpcError as error:
        print(f"{what}: no answer ({error.code().name}: {error.details()})", file=sys.stderr)
        return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)
    print(f"{what}: {status}", file=sys.stdout if answer.status == health_pb2.HealthCheckResponse.SERVING else sys.stderr)
    return 0 if answer.status == health_pb2.HealthCheckResponse.SERVING else 1
