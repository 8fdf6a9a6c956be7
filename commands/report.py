"""`cli.py report`: the meeting brief of a client (PDF, XLSX or JSON) and the partner report (JSON).

    python cli.py report meeting --client ID [--period-end DATE] --format pdf|xlsx|json [--out FILE]
    python cli.py report partner --partner ID --json

The command line is an operator's tool with direct database access (DATABASE_URL), so it sees every
client; each export is written to the audit log (SPEC §8). Bad input (unknown client or partner,
bad date) prints one clear message and exits 2, never a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import importlib
import json
import os
import sys
from pathlib import Path

from commands.common import configured_engine

EXIT_BAD_INPUT = 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="meeting brief of a client, or the partner report")
    kinds = parser.add_subparsers(dest="report", required=True)
    meeting = kinds.add_parser("meeting", help="biweekly client meeting brief (SPEC §6)")
    meeting.add_argument("--client", required=True, help="client_id")
    meeting.add_argument("--period-end", type=_date, help="last day of the current period (YYYY-MM-DD or "
                         "DD.MM.YYYY); default: the day of the client's latest ticket")
    meeting.add_argument("--length-days", type=int, default=14, help="period length in days (default 14)")
    meeting.add_argument("--format", choices=("pdf", "xlsx", "json"), default="json")
    meeting.add_argument("--lang", choices=("ru", "en"), default="ru")
    meeting.add_argument("--out", type=Path, help="output file (json goes to stdout without it)")
    meeting.set_defaults(run=run_meeting)
    partner = kinds.add_parser("partner", help="the partner's quality report (JSON)")
    partner.add_argument("--partner", required=True, help="partner_id")
    partner.add_argument("--json", action="store_true", help="print JSON (the only format)")
    partner.set_defaults(run=run_partner)


def _date(value: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD or DD.MM.YYYY)")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run_meeting(args: argparse.Namespace) -> int:
    from reports.export import FontNotFound, brief_pdf, brief_xlsx
    from reports.meeting import UnknownClient, meeting_brief, with_actions

    if args.length_days < 1:
        return _fail("--length-days must be at least 1")
    if args.format != "json" and args.out is None:
        return _fail(f"--format {args.format} needs --out FILE")
    engine = configured_engine()
    try:
        with engine.connect() as conn:
            brief = with_actions(conn, meeting_brief(conn, args.client, args.period_end,
                                                     length_days=args.length_days))
    except UnknownClient:
        return _fail(f"no client {args.client!r} (see the clients file: column client_id)")
    try:
        if args.format == "pdf":
            payload = brief_pdf(brief, args.lang)
        elif args.format == "xlsx":
            payload = brief_xlsx(brief, args.lang)
        else:
            payload = (json.dumps(brief, ensure_ascii=False, indent=2) + "\n").encode()
    except FontNotFound as exc:
        return _fail(str(exc))
    if args.out is None:
        _stdout(payload.decode())
    else:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(payload)
        except OSError as exc:
            return _fail(f"cannot write {args.out}: {exc.strerror}")
        print(f"wrote {args.out} ({len(payload):,} bytes, {brief['period']['label']}, "
              f"{len(brief['flags'])} flags)", file=sys.stderr)
    _audit(engine, "export.meeting",
           f"client={args.client} period_end={brief['period']['last_day']} format={args.format} via=cli")
    return 0


def run_partner(args: argparse.Namespace) -> int:
    try:
        partner = importlib.import_module("reports.partner")
    except ModuleNotFoundError as exc:
        if exc.name != "reports.partner":
            raise
        return _fail("the partner report is not available in this build (module reports.partner is missing)")
    engine = configured_engine()
    try:
        with engine.connect() as conn:
            report = partner.partner_report(conn, args.partner)
    except LookupError:
        return _fail(f"no partner {args.partner!r} (see the partners file: column partner_id)")
    _stdout(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
    _audit(engine, "export.partner", f"partner={args.partner} format=json via=cli")
    return 0


def _stdout(text: str) -> None:
    """Write to stdout; a reader that closed the pipe early (`| head`) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _audit(engine, action: str, detail: str) -> None:
    from auth.audit import audit

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    audit(action, detail, login=f"cli:{user}", engine=engine)
