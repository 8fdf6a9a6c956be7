"""`cli.py ingest PATH... [--kind KIND] [--naive-tz TZ] [--json]` (SPEC §10).

Exit 0: every row accepted; 3: some rows rejected (the rest loaded); 2: a file refused as a whole.
"""
from __future__ import annotations

import argparse
import json
import sys

from commands.common import Progress, configured_engine
from loaders.ingest import FileReport, check_zone, exit_code, ingest_files
from loaders.schemas import LOAD_ORDER

SHOWN_ERRORS = 10


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ingest", help="load input files (CSV/XLSX) or folders into the database")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a file or a folder of files")
    parser.add_argument("--kind", choices=LOAD_ORDER, help="kind of every file (default: from name or header)")
    parser.add_argument("--naive-tz", metavar="TZ", help="IANA zone of timestamps without offset")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.naive_tz:
        try:
            check_zone(args.naive_tz)
        except ValueError as exc:
            print(f"ingest: {exc}", file=sys.stderr)
            return 2
    progress = Progress("ingest", quiet=args.json)
    try:
        reports = ingest_files(configured_engine(), args.paths, kind=args.kind, naive_tz=args.naive_tz,
                               progress=progress.update)
    except Exception as exc:  # an internal failure, never bad input: say so without a traceback
        progress.done()
        print(f"ingest: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    progress.done()
    if args.json:
        json.dump({"files": [r.to_dict() for r in reports]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_reports(reports)
    return exit_code(reports)


def print_reports(reports: list[FileReport]) -> None:
    """A readable table per file and its first errors."""
    width = max([len(r.path) for r in reports] + [4])
    print(f"{'file':<{width}}  {'kind':<18} {'rows':>10} {'accepted':>10} {'rejected':>10}  status")
    for r in reports:
        print(f"{r.path:<{width}}  {r.kind or '?':<18} {r.rows:>10,} {r.accepted:>10,} {r.rejected:>10,}  {r.status}")
    for r in reports:
        if r.refused:
            print(f"\nREFUSED {r.errors[0]['reason']}")
            continue
        if r.ignored_columns:
            print(f"\n{r.path}: ignored unknown columns: {', '.join(r.ignored_columns)}")
        if r.errors:
            print(f"\n{r.path}: {r.rejected:,} rejected row(s); first errors:")
            for e in r.errors[:SHOWN_ERRORS]:
                value = "" if e["value"] is None else f" = {e['value']!r}"
                print(f"  row {e['row']}, {e['column']}{value}: {e['reason']}")
            if len(r.errors) > SHOWN_ERRORS:
                print(f"  ... {len(r.errors) - SHOWN_ERRORS:,} more (all in the quarantine table)")
