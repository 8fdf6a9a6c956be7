"""`cli.py jobs list [--json]` and `cli.py jobs run NAME` (SPEC §10, §11).

`list`: each job's name, last run (start, outcome, duration) and next run; `run NAME`: run one now (its own
slot; jobs are idempotent), exit 1 when it failed, 2 for an unknown job. `jobs due` runs whatever is due
(catching up missed slots), the work of one scheduler tick — for cron on machines without the scheduler.
"""
from __future__ import annotations

import argparse
import json
import sys

from commands.common import configured_engine
from config import Config


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("jobs", help="scheduled jobs: list, run one now, run what is due")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="each job: last run, outcome, next run")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    run_one = actions.add_parser("run", help="run one job now")
    run_one.add_argument("name")
    actions.add_parser("due", help="run every due slot (catch-up), as the scheduler does")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from jobs.registry import jobs
    from jobs.runner import job_table, run_due, run_now

    config = Config.from_env()
    engine = configured_engine(config)
    if args.action == "list":
        table = job_table(engine)
        if args.json:
            json.dump([{k: row[k] for k in ("name", "last_run", "outcome", "next_run", "duration_s")} for row in table],
                      sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            for row in table:
                print(f"{row['name']:<26} last {row['last_run'] or '—':<34} {row['outcome'] or '—':<8} next {row['next_run']}")
        return 0
    if args.action == "run":
        if args.name not in jobs():
            print(f"unknown job {args.name!r}; jobs: {', '.join(jobs())}", file=sys.stderr)
            return 2
        result = run_now(engine, config, args.name)
        print(f"{result.job} {result.outcome} in {result.seconds:.1f} s: {result.detail.splitlines()[0] if result.detail else ''}")
        return 1 if result.outcome == "failed" else 0
    results = run_due(engine, config)
    for result in results:
        print(f"{result.job} {result.slot} {result.outcome}")
    return 1 if any(r.outcome == "failed" for r in results) else 0
