"""`cli.py users`: add, list, disable/enable, passwd (SPEC §10); admin changes are audited."""
from __future__ import annotations

import argparse
import getpass
import json
import sys

from auth.audit import audit
from auth.users import ROLES, UserError, create_user, list_users, set_active, set_password
from commands.common import configured_engine

CLI_LOGIN = "cli"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("users", help="manage log-ins: add, list, disable, enable, passwd")
    actions = parser.add_subparsers(dest="users_action", required=True)
    add = actions.add_parser("add", help="create a user (password from stdin, else prompted twice)")
    add.add_argument("login")
    add.add_argument("--role", required=True, help=f"one of {', '.join(ROLES)}")
    add.add_argument("--partner", help="partner_id (required for role partner; the partner must exist)")
    add.add_argument("--name", help="display name")
    listing = actions.add_parser("list", help="list users")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    for name, text in (("disable", "disable a login (ends its sessions)"), ("enable", "enable a disabled login"),
                       ("passwd", "set a new password (stdin, else prompted twice)")):
        action = actions.add_parser(name, help=text)
        action.add_argument("login")
    parser.set_defaults(run=run)


def read_password(stream=None) -> str:
    """The new password: first line of stdin when it is not a terminal, else a hidden prompt twice."""
    stream = stream or sys.stdin
    if not stream.isatty():
        password = stream.readline().rstrip("\r\n")
        if not password:
            raise UserError("no password on standard input")
        return password
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise UserError("the two passwords differ")
    return first


def _user_row(user) -> dict:
    return {
        "login": user.login, "role": user.role, "partner_id": user.partner_id, "name": user.name,
        "active": user.active,
        "created_at": user.created_at.isoformat() if user.created_at else None,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
    }


def _print_table(rows: list[dict]) -> None:
    columns = ("login", "role", "partner_id", "name", "active")
    widths = {c: max([len(c)] + [len(str(r[c] if r[c] is not None else "")) for r in rows]) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r[c] if r[c] is not None else "").ljust(widths[c]) for c in columns))


def run(args: argparse.Namespace) -> int:
    engine = configured_engine()
    try:
        if args.users_action == "list":
            rows = [_user_row(u) for u in list_users(engine)]
            if args.json:
                json.dump(rows, sys.stdout, ensure_ascii=False)
                sys.stdout.write("\n")
            else:
                _print_table(rows)
            return 0
        if args.users_action == "add":
            if args.role not in ROLES:
                raise UserError(f"unknown role {args.role!r}: one of {', '.join(ROLES)}")
            user = create_user(engine, args.login, read_password(), args.role, partner_id=args.partner, name=args.name)
            audit("user_add", f"{user.login} role={user.role} partner={user.partner_id}", login=CLI_LOGIN, engine=engine)
            print(f"user {user.login} created (role {user.role})")
        elif args.users_action in ("disable", "enable"):
            set_active(engine, args.login, args.users_action == "enable")
            audit(f"user_{args.users_action}", args.login.lower(), login=CLI_LOGIN, engine=engine)
            print(f"user {args.login.lower()} {args.users_action}d")
        elif args.users_action == "passwd":
            set_password(engine, args.login, read_password())
            audit("user_passwd", args.login.lower(), login=CLI_LOGIN, engine=engine)
            print(f"password of {args.login.lower()} changed")
    except UserError as error:
        print(f"users {args.users_action}: {error}", file=sys.stderr)
        return 2
    return 0
