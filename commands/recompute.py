"""`cli.py recompute`: recompute stored SLA values and rollups after a policy or calendar change."""
from __future__ import annotations

import argparse
import json
import time

from commands.common import Progress, configured_engine


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("recompute", help="recompute SLA values and rollups")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from store.derived import recompute

    engine = configured_engine()
    progress = Progress("recompute", quiet=args.json)
    started = time.perf_counter()
    tickets = recompute(engine, progress=lambda done, total: progress.update(done, total))
    progress.done()
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"tickets": tickets, "seconds": round(seconds, 2)}))
    else:
        print(f"recomputed SLA of {tickets:,} tickets in {seconds:.1f} s")
    return 0
