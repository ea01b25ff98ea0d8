"""The `omo` command: its parser and the command groups it dispatches to."""

from __future__ import annotations

import argparse
import os
import sys

from projections.runtime.database import OutdatedTables
from services.adapters.config import ConfigurationError, database_url, reachable
from services.cli.log_setup import configure_logging
from services.cli import assortment, certs, console, demo, periods, presale, projections, reconcile, report, serve, settlements, statements, tokens

# the commands that open the configured event store: its URL is checked, and its server
# reached, before any of them starts
ON_THE_EVENT_STORE = (
    "serve", "console", "project", "projections", "statements", "tokens", "assortment", "presale", "settlements", "periods", "reconcile",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omo", description="OMO order and inventory backbone.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_parser(commands)
    console.add_parser(commands)
    demo.add_parser(commands)
    projections.add_parsers(commands)
    statements.add_parsers(commands)
    report.add_parsers(commands)
    tokens.add_parsers(commands)
    assortment.add_parsers(commands)
    presale.add_parsers(commands)
    periods.add_parsers(commands)
    settlements.add_parsers(commands)
    reconcile.add_parsers(commands)
    certs.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    run = {
        "serve": serve.serve, "console": console.console, "demo": demo.demo, "project": projections.project,
        "projections": projections.projections, "statements": statements.statements, "tokens": tokens.tokens,
        "report": report.report, "certs": certs.certs, "health": certs.health,
        "assortment": assortment.assortment, "presale": presale.presale, "periods": periods.periods,
        "settlements": settlements.settlements, "reconcile": reconcile.reconcile,
    }
    try:
        try:
            args = build_parser().parse_args(argv)
            args.argv = list(sys.argv[1:] if argv is None else argv)  # for a command that starts itself again
            if hasattr(args, "log_format"):
                configure_logging(args.log_format, args.log_level)
            if args.command in ON_THE_EVENT_STORE:
                reachable(database_url())
            return run[args.command](args)
        except (ConfigurationError, OutdatedTables) as error:  # the tables too: the operator rebuilds them
            print(f"omo {args.command}: error: {error}", file=sys.stderr)
            return 2
        finally:
            sys.stdout.flush()  # here, where a reader that went away can still be answered
    except BrokenPipeError:
        # the reader went away (`omo projections status | head`): nothing more to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
