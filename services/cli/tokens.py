"""`omo tokens issue|list|revoke`: the callers' bearer tokens."""

from __future__ import annotations

import argparse
import sys

from domain.callers import ROLES
from domain.errors import DomainError
from services.adapters.config import DATABASE_URL_VARIABLE, database_url


def add_parsers(commands: argparse._SubParsersAction) -> None:
    tokens = commands.add_parser(
        "tokens", help="issue, list and revoke callers' bearer tokens",
        description=f"Bearer tokens for the callers of the gRPC API, in the event store named by {DATABASE_URL_VARIABLE}. "
        "Only a hash of each token's secret is stored: the token is printed once, when issued.",
    )
    actions = tokens.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = actions.add_parser(
        "issue", help="issue a token and print it (once)",
        description="Issue a new token for a role and print it on standard output; it cannot be shown again.",
    )
    issue.add_argument("--role", required=True, choices=ROLES, help="checkout, pos (one store), dealer (one dealer) or ops (HQ)")
    issue.add_argument("--store", default="", help="the store a pos token acts for")
    issue.add_argument("--dealer", default="", help="the dealer a dealer token acts for")
    issue.add_argument("--label", default="", help="a note for `omo tokens list`, e.g. the terminal or person")
    actions.add_parser("list", help="list the tokens (never their secrets)", description="Every token issued: id, role, scope, label, issued, revoked.")
    revoke = actions.add_parser(
        "revoke", help="revoke a token", description="Revoke a token: every call with it from then on is UNAUTHENTICATED.",
    )
    revoke.add_argument("token_id", help="the token's id (the 12 characters after 'omo_', as `omo tokens list` shows)")
    revoke.add_argument("--reason", default="", help="why, for the record")


def tokens(args: argparse.Namespace) -> int:
    from services.use_cases.network import tokens as use_cases
    from services.bootstrap import build_application

    app = build_application(database_url())
    try:
        if args.action == "issue":
            caller, token = use_cases.issue_token(app, args.role, args.store, args.dealer, args.label)
            print(f"issued token {caller.token_id}: {caller.role}, scope {caller.scope}", file=sys.stderr)
            print(token)
        elif args.action == "list":
            print(f"{'token':<14}{'role':<10}{'scope':<24}{'issued':<34}{'revoked':<9}label")
            for t in use_cases.list_tokens(app):
                print(f"{t.token_id:<14}{t.role:<10}{t.scope:<24}{t.issued_at:<34}{'yes' if t.revoked else 'no':<9}{t.label}")
        else:
            revoked = use_cases.revoke_token(app, args.token_id, args.reason)
            print(f"token {args.token_id} {'revoked' if revoked else 'was revoked already'}", file=sys.stderr)
    except DomainError as error:
        print(f"omo tokens {args.action}: {error}", file=sys.stderr)
        return 2
    finally:
        app.close()
    return 0
