"""`cli.py stats [--json]`: stored rows per input kind and in quarantine (SPEC §10)."""
from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import Engine, func, select

from commands.common import configured_engine
from loaders.schemas import LOAD_ORDER
from store.models import KIND_TABLES, QuarantineRow


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("stats", help="stored rows per kind and in quarantine")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=run)


def stored_rows(engine: Engine) -> dict[str, int]:
    """{kind: stored rows} for every kind of SPEC §3 (load order), plus "quarantine"."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for kind in LOAD_ORDER:
            counts[kind] = conn.execute(select(func.count()).select_from(KIND_TABLES[kind][0])).scalar_one()
        counts["quarantine"] = conn.execute(select(func.count()).select_from(QuarantineRow)).scalar_one()
    return counts


def calendar_warnings(engine: Engine) -> list[str]:
    """One line per client calendar without official data within the next 60 days (SPEC §5)."""
    from store.production_calendar import WARNING_HORIZON_DAYS, stale_client_calendars
    from store.settings import DEFAULT_CALENDAR, load_calendars

    with engine.connect() as conn:
        stale = stale_client_calendars(conn, load_calendars(conn), DEFAULT_CALENDAR)
    return [f"warning: calendar {name} (clients: {clients:,}) has no official data for {year} "
            f"within the next {WARNING_HORIZON_DAYS} days; load it with `cli.py calendar import`"
            for name, year, clients in stale]


def run(args: argparse.Namespace) -> int:
    engine = configured_engine()
    counts = stored_rows(engine)
    if args.json:
        json.dump(counts, sys.stdout)
        sys.stdout.write("\n")
    else:
        for kind, rows in counts.items():
            print(f"{kind:<20} {rows:>12,}")
    for line in calendar_warnings(engine):
        print(line, file=sys.stderr if args.json else sys.stdout)
    return 0
