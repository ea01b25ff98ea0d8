"""docker-compose.yml cannot run here (no Docker engine); check what it tells the server."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from services.api.tls import plaintext_allowed, serving_credentials
from services.cli.main import build_parser, main
from services.adapters.config import application_env
from tests.certificates import issue, write

REPO = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_postgres_15_with_a_health_check():
    postgres = compose()["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_the_server_waits_for_a_healthy_database_and_points_at_it():
    server = compose()["services"]["omo"]
    assert server["depends_on"]["postgres"]["condition"] == "service_healthy"
    url = server["environment"]["OMO_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg2://") and "@postgres:5432/" in url
    assert application_env(url)["SQLALCHEMY_URL"] == url
    db = compose()["services"]["postgres"]["environment"]
    assert url.endswith(f"{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@postgres:5432/{db['POSTGRES_DB']}")


def test_the_command_is_one_omo_serve_accepts_and_matches_the_published_port():
    server = compose()["services"]["omo"]
    program, *arguments = server["command"]
    assert program == "omo"
    args = build_parser().parse_args(arguments)
    assert args.command == "serve" and args.host == "0.0.0.0"
    assert any(p.endswith(f":{args.port}") for p in server["ports"])


def certificates_in(directory: Path) -> None:
    """What an operator puts in the mounted directory: ca.crt, server.crt and server.key."""
    ca = issue("compose CA")
    write(directory, "ca", ca)
    write(directory, "server", issue("omo", ca))


def serves_tls_from(arguments: list[str], mounted: str, directory: Path) -> bool:
    """`omo serve` with these arguments, the files under `mounted` read from `directory`, serves
    TLS: beyond loopback, where it must, and with every file it names found there."""
    args = build_parser().parse_args(arguments)
    assert args.command == "serve" and not args.plaintext and not plaintext_allowed(args.host)
    files = [args.tls_cert, args.tls_key] + ([args.client_ca] if args.client_ca else [])
    assert all(f is not None and f.startswith(f"{mounted}/") for f in files)
    rebased = {f: str(directory / f.removeprefix(f"{mounted}/")) for f in files}
    return serving_credentials(
        args.host, rebased[args.tls_cert], rebased[args.tls_key], rebased.get(args.client_ca), args.plaintext,
    ) is not None


def test_the_server_serves_mutual_tls_from_the_certificates_the_certs_service_made(tmp_path):
    services = compose()["services"]
    server, certs = services["omo"], services["certs"]
    assert server["depends_on"]["certs"]["condition"] == "service_completed_successfully"
    assert "certs:/certs:ro" in server["volumes"] and "certs:/certs" in certs["volumes"]
    assert "certs" in compose()["volumes"]  # a named volume: nothing on the host must exist first
    args = build_parser().parse_args(certs["command"][1:])
    assert (args.command, args.kind, str(args.out)) == ("certs", "dev", "/certs")
    assert {"localhost", "omo"} <= set(args.name)
    assert build_parser().parse_args(server["command"][1:]).client_ca
    main(["certs", "dev", "--out", str(tmp_path), *[a for n in args.name for a in ("--name", n)]])
    assert serves_tls_from(server["command"][1:], "/certs", tmp_path)


def test_the_server_leaves_the_projections_to_the_projector_service():
    services = compose()["services"]
    assert build_parser().parse_args(services["omo"]["command"][1:]).no_projection
    projector = services["projector"]
    assert build_parser().parse_args(projector["command"][1:]).command == "project"
    assert projector["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert projector["environment"]["OMO_DATABASE_URL"] == services["omo"]["environment"]["OMO_DATABASE_URL"]


def test_long_running_services_restart_and_the_server_checks_its_health_with_omo_health():
    services = compose()["services"]
    assert all(services[name]["restart"] == "unless-stopped" for name in ("postgres", "omo", "projector"))
    program, *arguments = services["omo"]["healthcheck"]["test"][1:]
    args = build_parser().parse_args(arguments)
    assert program == "omo" and args.command == "health" and args.target.endswith(":50051")
    assert (args.ca, args.cert, args.key) == ("/certs/ca.crt", "/certs/client.crt", "/certs/client.key")


def test_the_image_runs_as_a_user_of_its_own():
    lines = (REPO / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")


def test_the_image_default_command_serves_tls_from_certs(tmp_path):
    command = next(line for line in (REPO / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    program, *arguments = json.loads(command.removeprefix("CMD "))
    assert program == "omo"
    certificates_in(tmp_path)
    assert serves_tls_from(arguments, "/certs", tmp_path)


def test_the_image_installs_every_package_the_server_imports():
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in ("domain", "aggregates", "projections", "protos", "routing", "services"):
        assert f"COPY {package} {package}" in dockerfile


def metrics_listen(service: dict) -> tuple[str, int]:
    """Where a compose service's omo command serves its metrics: (host, port)."""
    args = build_parser().parse_args(service["command"][1:])
    return args.metrics_host, args.metrics_port


def test_the_server_and_the_projector_serve_metrics_to_the_other_containers():
    services = compose()["services"]
    for name in ("omo", "projector"):
        host, port = metrics_listen(services[name])
        assert port and host == "0.0.0.0", f"{name}: metrics on {host}:{port}"  # beyond loopback, for another container
        assert str(port) in [str(p) for p in services[name]["expose"]]
    assert metrics_listen(services["omo"])[1] != metrics_listen(services["projector"])[1]  # both at once on one host too


def prometheus_targets() -> dict[str, list[str]]:
    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text())
    return {job["job_name"]: [t for c in job["static_configs"] for t in c["targets"]] for job in config["scrape_configs"]}


def test_the_prometheus_configuration_scrapes_the_server_and_the_projector_where_their_metrics_are():
    services = compose()["services"]
    scraped = set()
    for job, targets in prometheus_targets().items():
        for target in targets:
            name, port = target.rsplit(":", 1)
            assert name in services, f"{job}: {target} is no compose service"
            assert metrics_listen(services[name])[1] == int(port), f"{job}: {name} serves no metrics on {port}"
            scraped.add(name)
    assert scraped == {"omo", "projector"}


def test_a_prometheus_service_with_that_configuration_only_when_asked_for():
    prometheus = compose()["services"]["prometheus"]
    assert prometheus["image"].startswith("prom/prometheus:") and prometheus["profiles"] == ["monitoring"]
    mounted = {v.split(":")[1]: v.split(":")[0] for v in prometheus["volumes"]}
    assert (REPO / mounted["/etc/prometheus/prometheus.yml"]).resolve() == REPO / "deploy" / "prometheus.yml"
    assert all(p.startswith("127.0.0.1:") for p in prometheus["ports"])


def test_the_console_serves_tls_on_its_published_port_and_reads_the_server_s_metrics(tmp_path):
    services = compose()["services"]
    console = services["console"]
    program, *arguments = console["command"]
    assert program == "omo"
    args = build_parser().parse_args(arguments)
    assert args.command == "console" and args.host == "0.0.0.0" and not args.plaintext
    assert any(p == f"127.0.0.1:{args.port}:{args.port}" for p in console["ports"])
    assert console["environment"]["OMO_DATABASE_URL"] == services["omo"]["environment"]["OMO_DATABASE_URL"]
    assert "certs:/certs:ro" in console["volumes"] and args.tls_cert.startswith("/certs/") and args.tls_key.startswith("/certs/")
    certificates_in(tmp_path)
    rebased = [str(tmp_path / f.removeprefix("/certs/")) for f in (args.tls_cert, args.tls_key)]
    assert serving_credentials(args.host, *rebased, None, args.plaintext) is not None
    server = build_parser().parse_args(services["omo"]["command"][1:])
    assert args.api_metrics == [f"http://omo:{server.metrics_port}/metrics"]
    assert str(server.metrics_port) in services["omo"]["expose"]
