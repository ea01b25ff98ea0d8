"""Dealers' statements without a database: money text is integer arithmetic on cents, and
every `omo statements` command has help (the statements from the ledger:
tests/integration/test_statements.py)."""

from __future__ import annotations

import pytest

from services.cli.main import main
from services.adapters.statement_export import money_text


def test_money_text_is_integer_arithmetic_on_cents():
    assert [money_text(c) for c in (0, 1, -1, 99, -100, 123456, -987654321)] == ["0.00", "0.01", "-0.01", "0.99", "-1.00", "1234.56", "-9876543.21"]


# --- the command ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["statements"], ["statements", "export"], ["statements", "show"]])
def test_every_statements_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    assert "usage: omo statements" in capsys.readouterr().out
