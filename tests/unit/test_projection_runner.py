"""The `omo project` / `omo projections` commands have help (running the projection:
tests/integration/test_projection_runner.py)."""

from __future__ import annotations

import pytest

from services.cli.main import main


@pytest.mark.parametrize("command", [["project"], ["projections"], ["projections", "status"], ["projections", "rebuild"], ["projections", "verify"]])
def test_every_projection_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    assert "usage: omo" in capsys.readouterr().out
