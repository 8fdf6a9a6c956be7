"""`cli.py outbox [--json] [--limit N]`: queued, sent and failed e-mail (SPEC §10, §11), newest first."""
from __future__ import annotations

import argparse
import json
import sys

from commands.common import configured_engine
from store.outbox import outbox_frame


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("outbox", help="notification e-mail: recipient, kind, subject, status, attempts")
    parser.add_argument("--json", action="store_true", help="print one JSON array")
    parser.add_argument("--limit", type=int, default=None, help="newest N messages only")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with configured_engine().connect() as conn:
        frame = outbox_frame(conn, args.limit)
    status = frame["status"].replace({"sending": "queued"})
    rows = [{"id": int(i), "recipient": r, "kind": k, "subject": s, "status": st, "attempts": int(a)}
            for i, r, k, s, st, a in zip(frame["id"], frame["recipient"], frame["kind"], frame["subject"], status,
                                         frame["attempts"])]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for row in rows:
            print(f"{row['status']:<7} {row['attempts']:>2} {row['kind']:<12} {row['recipient']:<30} {row['subject']}")
    return 0
