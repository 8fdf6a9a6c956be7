"""Subcommands of cli.py: each module has add_parser(subparsers) and sets `run` via set_defaults."""
