"""Settings a user can fix are refused in one line that names the setting or flag and says what
to do, with exit status 2 and no traceback, before anything starts: a malformed or unsupported
OMO_DATABASE_URL, a database that cannot be reached, a SQLite folder that is missing or cannot
be written, a port in use, a certificate that cannot be read."""

from __future__ import annotations

import socket

import pytest

from services.cli.main import main


def refused(capsys, *argv: str) -> str:
    """The one line `omo argv` is refused with (status 2)."""
    assert main(list(argv)) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    return lines[0]


@pytest.mark.parametrize("url, says", [
    ("not a url", "is not a database URL; give sqlite:///"),
    ("mysql://root@127.0.0.1/omo", "'mysql' is not supported"),
    ("postgresql://postgres@127.0.0.1:5432", "names no database"),
    ("postgresql://postgres@127.0.0.1:1/omo", "cannot connect to postgresql://postgres@127.0.0.1:1/omo"),
    ("postgresql://postgres@127.0.0.1:5432/omo_no_such_database", 'database "omo_no_such_database" does not exist'),
    ("sqlite:////no/such/folder/omo.db", "the folder '/no/such/folder' of the SQLite file does not exist"),
    ("sqlite:////proc/omo.db", "the folder '/proc' of the SQLite file cannot be written"),
])
@pytest.mark.parametrize("command", [("projections", "status"), ("tokens", "list"), ("serve", "--port", "0")])
def test_a_bad_database_url_is_one_line_naming_the_setting(capsys, monkeypatch, url, says, command):
    monkeypatch.setenv("OMO_DATABASE_URL", url)
    line = refused(capsys, *command)
    assert line.startswith(f"omo {command[0]}: error: OMO_DATABASE_URL: ") and says in line


def test_a_password_in_the_url_is_never_repeated(capsys, monkeypatch):
    monkeypatch.setenv("OMO_DATABASE_URL", "postgresql://omo:s3cret@127.0.0.1:1/omo")
    line = refused(capsys, "projections", "status")
    assert "s3cret" not in line and "omo:***@127.0.0.1:1" in line


def test_the_report_names_its_own_flag(capsys):
    line = refused(capsys, "report", "on-time", "--from", "2026-12-01", "--to", "2026-12-01", "--database", "mysql://x/y")
    assert "--database: 'mysql' is not supported" in line


def test_a_port_in_use_is_refused_before_anything_starts(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("OMO_DATABASE_URL", f"sqlite:///{tmp_path / 'omo.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused(capsys, "serve", "--port", str(port))
    assert line == (
        f"omo serve: error: --port {port}: cannot listen on 127.0.0.1:{port} (the port is in use, or --host is not an "
        "address of this machine); choose another --port or --host"
    )
    assert not (tmp_path / "omo.db").exists()  # refused before the database was opened


def test_an_unreadable_certificate_names_its_flag(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("OMO_DATABASE_URL", f"sqlite:///{tmp_path / 'omo.db'}")
    line = refused(capsys, "serve", "--port", "0", "--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(tmp_path / "key.pem"))
    assert "--tls-cert" in line and "missing.pem" in line
