"""The layers hold: the import contracts in pyproject.toml are kept, and each of them breaks
when code crosses it (checked on a copy of the tree with one import added)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "aggregates", "routing", "projections", "services", "protos")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True, timeout=120)


def test_the_code_keeps_every_import_contract():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, added, broken", [
    ("services/use_cases/stock/returns.py", "import threading", "services.use_cases is not allowed to import threading"),
    ("services/use_cases/stock/returns.py", "import services.adapters.recorder", "services.use_cases is not allowed to import services.adapters"),
    ("domain/values.py", "import sqlalchemy", "domain is not allowed to import sqlalchemy"),
    ("routing/hours.py", "import grpc", "routing is not allowed to import grpc"),
    ("projections/runtime/event_log.py", "import projections.definitions", "No cycles are allowed in projections"),
])
def test_an_import_across_a_contract_fails_the_check(tmp_path, module, added, broken):
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / module, "a") as source:
        source.write(f"\n{added}\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert broken in result.stdout
