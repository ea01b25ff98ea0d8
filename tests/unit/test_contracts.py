"""The .proto contracts and the generated modules (what the server advertises:
tests/e2e/test_contracts.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from protos import build
from protos.omo.v1 import inventory_pb2, orders_pb2, stores_pb2

REPO = Path(__file__).resolve().parents[2]


def test_generated_modules_match_the_proto_files():
    assert build.stale_files() == [], "run `python -m protos.build` and commit the result"


def test_every_proto_file_is_in_package_omo_v1_with_a_message_per_rpc():
    for module in (stores_pb2, inventory_pb2, orders_pb2):
        assert module.DESCRIPTOR.package == "omo.v1"
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                assert method.input_type.name == f"{method.name}Request"
                assert method.output_type.name == f"{method.name}Response"


def test_generated_modules_import_from_the_installed_package_outside_the_repo(tmp_path):
    """Not only from the repo root: a process started elsewhere finds them installed."""
    code = "import protos.omo.v1.orders_pb2 as m, protos; print(m.DESCRIPTOR.package, protos.__file__)"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    package, location = result.stdout.split()
    assert package == "omo.v1"
    assert Path(location).exists()
