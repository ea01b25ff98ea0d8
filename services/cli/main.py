"""The `omo` command: its parser and the command groups it dispatches to."""

from __future__ import annotations

import argparse
import logging
import sys

from services.cli import demo, projections, serve, statements, tokens


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omo", description="OMO order and inventory backbone.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_parser(commands)
    demo.add_parser(commands)
    projections.add_parsers(commands)
    statements.add_parsers(commands)
    tokens.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    run = {
        "serve": serve.serve, "demo": demo.demo, "project": projections.project,
        "projections": projections.projections, "statements": statements.statements, "tokens": tokens.tokens,
    }
    return run[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
