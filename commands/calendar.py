"""`cli.py calendar import FILE --country CC`: load an official production calendar (SPEC §5, §10).

Exit 0: stored and the affected tickets recomputed; 2: the file (or country) refused, nothing changed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.common import configured_engine


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("calendar", help="official production calendars")
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="load an XML (xmlcalendar.ru) or CSV date,kind production calendar")
    load.add_argument("file")
    load.add_argument("--country", required=True, help="ISO code, e.g. RU")
    load.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    from loaders.production_calendar import (
        ProductionCalendarError,
        check_country,
        parse_production_calendar,
    )
    from store.production_calendar import import_production_calendar
    from store.recompute import (
        RecomputeError,
        calendars_of_country,
        definition_version,
        recompute_affected,
    )

    path = Path(args.file)
    try:
        country = check_country(args.country)
        if not path.is_file():
            raise ProductionCalendarError(f"Файл не найден: {path}")
        parsed = parse_production_calendar(path.read_bytes(), path.name)
    except ProductionCalendarError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    engine = configured_engine()
    with engine.connect() as conn:
        names = calendars_of_country(conn, country)
    version = definition_version(None, [country, parsed.days.astype(str).values.tolist()])
    try:
        result = recompute_affected(
            engine, trigger=f"calendar {country} {','.join(map(str, parsed.years))} ({path.name})",
            version=version, calendars=names,
            change=lambda conn: import_production_calendar(conn, country, parsed, path.name))
    except RecomputeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    years = ", ".join(map(str, parsed.years))
    print(f"{country} {years}: {len(parsed.days)} days loaded from {path.name}; "
          f"SLA of {result.tickets:,} tickets recomputed")
    return 0
