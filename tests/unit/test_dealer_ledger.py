"""The dealer ledger's commands without a database: the --projection option has help (the
ledger itself: tests/integration/test_dealer_ledger.py)."""

from __future__ import annotations

import pytest

from services.cli.main import main


@pytest.mark.parametrize("command", [["project", "--projection", "dealer_ledger"], ["projections", "verify", "--projection", "all"]])
def test_the_projection_option_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    usage = " ".join(capsys.readouterr().out.split())  # however argparse wraps it
    assert "--projection {national_stock,dealer_ledger,on_time,order_list,store_work,reconciliation,all}" in usage
