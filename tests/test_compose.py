"""docker-compose.yml cannot run here (no Docker engine); check what it tells the server."""

from __future__ import annotations

from pathlib import Path

import yaml

from services.cli import build_parser
from services.config import application_env

REPO = Path(__file__).resolve().parent.parent


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


def test_the_image_installs_every_package_the_server_imports():
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in ("domain", "aggregates", "projections", "protos", "routing", "services"):
        assert f"COPY {package} {package}" in dockerfile
