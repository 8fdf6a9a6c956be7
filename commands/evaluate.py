"""`cli.py evaluate [--month YYYY-MM-01] [--json]`: the monthly Quality Program evaluation (seed 000).

seed 000: "Присвоение/снятие компетенции производится автоматически 1го числа каждого месяца" — run
it from cron on the 1st. Materializes `competence_history` and prints the month's decisions with the
numbers behind each (keys, covered, share, window). Exit 2 for a malformed month.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from commands.common import configured_engine
from store import clock


def _month(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM-01, not {text!r}") from None
    if day.day != 1:
        raise argparse.ArgumentTypeError(f"the evaluation runs on the 1st of a month: {text!r} is not a 1st")
    return day


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("evaluate", help="Quality Program competence on the 1st of a month (default: this month)")
    parser.add_argument("--month", type=_month, help="YYYY-MM-01 (default: the 1st of the current month, UTC)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from auth.audit import audit
    from reports.programs import evaluate_month, month_start

    engine = configured_engine()
    month = args.month or month_start(clock.now_datetime()).date()
    with engine.begin() as conn:
        result = evaluate_month(conn, month)
    audit("evaluate", f"quality program {result['month']}: held {result['held']}, "
                      f"assigned {result['assigned']}, revoked {result['revoked']}", login="cli", engine=engine)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(f"Quality Program on {result['month']}: keys bought in [{result['window_start']}, {result['window_end']})")
    print(f"  partners {result['partners']:,}  held {result['held']:,}  assigned {result['assigned']:,}  "
          f"kept {result['kept']:,}  revoked {result['revoked']:,}")
    for d in result["decisions"]:
        if d["status"] in ("assigned", "revoked"):
            share = "—" if d["share"] is None else f"{100 * d['share']:.1f} %"
            print(f"  {d['status']:<8} {d['partner_id']:<10} {d['covered']}/{d['keys']} keys covered ({share})")
    return 0
