"""The `omo` command writing to a reader that goes away (`omo projections status | head`)."""

from __future__ import annotations

import os
import subprocess
import sys

CHILD = """
import os, sys
read, write = os.pipe()
os.close(read)  # the reader has gone before the command writes
os.dup2(write, sys.stdout.fileno())
from services.cli.main import main
sys.exit(main(["projections", "status"]))
"""


def test_output_to_a_reader_that_went_away_ends_quietly(tmp_path):
    environment = {**os.environ, "OMO_DATABASE_URL": f"sqlite:///{tmp_path / 'omo.db'}"}
    result = subprocess.run([sys.executable, "-c", CHILD], env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr
