"""Command line of Partner Quality Monitor (SPEC §10).

Each subcommand lives in `commands/<name>.py` with `add_parser(subparsers)` and `run(args) -> int`;
this file only wires them. `DATABASE_URL` selects the database for every command.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("demo", "ingest", "stats", "users", "recompute", "report", "evaluate", "bench", "jobs", "outbox",
            "calendar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="Partner Quality Monitor")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
