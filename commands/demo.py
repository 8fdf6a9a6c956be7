"""`cli.py demo`: generate deterministic demo data; write the CSV inputs (--out) or load them into the database."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine

from commands.common import Progress, configured_engine


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="generate demo data (write CSV files with --out, else load into the database)")
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="write DIR/<kind>.csv and load nothing")
    parser.add_argument("--json", action="store_true", help="print one JSON object, no progress")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from demo import generate, write_csv

    started = time.perf_counter()
    if args.out:
        frames = generate(args.scale, seed=args.seed)
        write_csv(frames, args.out)
        _report(args, {"out": str(args.out), "rows": {kind: len(f) for kind, f in frames.items()},
                       "seconds": round(time.perf_counter() - started, 1)})
        return 0
    reports = load_demo(configured_engine(), args.scale, seed=args.seed, quiet=args.json)
    rejected = sum(r.rejected for r in reports)
    _report(args, {"files": [r.to_dict() for r in reports], "rejected": rejected,
                   "seconds": round(time.perf_counter() - started, 1)})
    return 0 if rejected == 0 else 3


def load_demo(engine: Engine, scale: str = "small", seed: int = 42, quiet: bool = True) -> list:
    """Generate and load demo data through the real ingest path (CSV files → loaders → store)."""
    from demo import generate, write_csv
    from loaders.ingest import ingest_files

    progress = Progress("demo ingest", quiet=quiet)
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(generate(scale, seed=seed), Path(tmp))
        reports = ingest_files(engine, [Path(tmp)], progress=progress.update)
    progress.done()
    return reports


def _report(args: argparse.Namespace, payload: dict) -> None:
    if args.json:
        json.dump(payload, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    if "out" in payload:
        print(f"wrote {sum(payload['rows'].values()):,} rows to {payload['out']} in {payload['seconds']} s")
        for kind, rows in payload["rows"].items():
            print(f"  {kind:<20} {rows:>12,}")
        return
    print(f"loaded demo data in {payload['seconds']} s ({payload['rejected']} rows rejected)")
    for report in payload["files"]:
        print(f"  {report['kind']:<20} {report['accepted']:>12,} accepted {report['rejected']:>8,} rejected")
