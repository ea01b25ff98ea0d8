"""The `omo` command without a server: help for every command, the demo's parser and its
world (serving and the demo run: tests/e2e/test_cli.py)."""

from __future__ import annotations

import subprocess

import pytest

from services.cli.main import build_parser


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"]])
def test_every_command_has_help(command):
    result = subprocess.run(["omo", *command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage: omo" in result.stdout


def test_the_demo_parser_defaults_match_the_issue():
    args = build_parser().parse_args(["demo"])
    assert (args.stores, args.skus, args.orders) == (1000, 200, 1000)


def test_an_always_open_world_seeds_the_same_stores_with_no_opening_hours():
    import random

    from services.demo import seeding

    usual = seeding.build_world(random.Random(5), 50, 20)
    always = seeding.build_world(random.Random(5), 50, 20, always_open=True)
    assert [s.store_id for s in always.stores] == [s.store_id for s in usual.stores]
    assert [s.location for s in always.stores] == [s.location for s in usual.stores]
    assert any(s.opening_hours for s in usual.stores)
    assert not any(s.opening_hours for s in always.stores)
