"""Reads and writes behind the admin pages (SPEC §8 role admin): ingest runs, quarantine, users,
audit log, and validated SLA policy / calendar definitions.

Authorization is the caller's job (the admin pages check the logged-in user's role first).
Problems an admin can fix raise `AdminInputError` with a `code` (the page translates it) and the
values to show; its `str()` is a plain English sentence for logs and the CLI.

Sections: ingest and quarantine · users and audit · SLA policies and calendars.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import string
import zoneinfo
from collections.abc import Mapping, Sequence
from functools import lru_cache

import holidays
import pandas as pd
from sqlalchemy import Connection, Engine, desc, func, select, update

from auth.users import ROLES, normalize_login
from metrics.calendar import WorkCalendar
from metrics.sla import SlaPolicy
from store.frames import read_frame
from store.models import (AuditLog, CalendarRow, Client, IngestRun, Partner, QuarantineRow, SlaPolicyRow, SlaRecompute,
                          TicketSla, User)


class AdminInputError(ValueError):
    """An admin input refused for a reason the admin can fix.

    Parameters
    ----------
    code : short identifier of the problem (``"last_admin"``, ``"hours_range"``, ...), translated by the page.
    values : the values the message names (field, value, limits).
    """

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        self.values = values
        detail = ", ".join(f"{k}={v!r}" for k, v in values.items())
        super().__init__(f"{code}: {detail}" if detail else code)


# ---------------------------------------------------------------- ingest and quarantine (SPEC §3)
RUN_COLUMNS = ["id", "started_at", "path", "kind", "status", "rows", "accepted", "rejected", "seconds", "login",
               "message"]
QUARANTINE_COLUMNS = ["ingest_id", "path", "kind", "row", "column", "value", "reason", "created_at"]
RUN_HISTORY_LIMIT = 500
QUARANTINE_GRID_LIMIT = 5_000


def ingest_history(conn: Connection, limit: int = RUN_HISTORY_LIMIT) -> pd.DataFrame:
    """The latest `limit` ingest runs (one per loaded or refused file), newest first, columns `RUN_COLUMNS`."""
    columns = [IngestRun.__table__.c[c] for c in RUN_COLUMNS]
    return read_frame(conn, select(*columns).order_by(desc(IngestRun.id)).limit(limit))


def quarantine_runs(conn: Connection, limit: int = RUN_HISTORY_LIMIT) -> pd.DataFrame:
    """Runs that left rows in quarantine, newest first: `id, path, started_at, quarantined` (rows stored)."""
    counts = (select(QuarantineRow.ingest_id, func.count().label("quarantined"))
              .group_by(QuarantineRow.ingest_id).subquery())
    stmt = (select(IngestRun.id, IngestRun.path, IngestRun.started_at, counts.c.quarantined)
            .join(counts, counts.c.ingest_id == IngestRun.id)
            .order_by(desc(IngestRun.id)).limit(limit))
    return read_frame(conn, stmt)


def quarantine_rows(conn: Connection, ingest_id: int | None = None,
                    limit: int | None = QUARANTINE_GRID_LIMIT) -> pd.DataFrame:
    """Quarantined rows (of one run, else of all), in file order, columns `QUARANTINE_COLUMNS`.

    `row` is the 1-based data row of the file (SPEC §10); `limit=None` returns every row.
    """
    columns = [QuarantineRow.__table__.c[c] for c in QUARANTINE_COLUMNS]
    stmt = select(*columns)
    if ingest_id is not None:
        stmt = stmt.where(QuarantineRow.ingest_id == ingest_id)
    stmt = stmt.order_by(desc(QuarantineRow.ingest_id), QuarantineRow.row, QuarantineRow.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return read_frame(conn, stmt)


def quarantine_csv(conn: Connection, ingest_id: int | None) -> str:
    """Every quarantined row of the run (all runs when None) as CSV text (`;`-separated, for Excel)."""
    frame = quarantine_rows(conn, ingest_id, limit=None)
    frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    frame["row"] = frame["row"].astype("Int64")
    return frame.to_csv(index=False, sep=";")


# ---------------------------------------------------------------- users and audit (SPEC §8)
USER_COLUMNS = ["login", "name", "role", "partner_id", "active", "failed_logins", "locked_until", "created_at"]
AUDIT_LIMIT = 500
GENERATED_PASSWORD_LENGTH = 14
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def user_table(conn: Connection) -> pd.DataFrame:
    """Every user ordered by login, columns `USER_COLUMNS` (no password hashes)."""
    columns = [User.__table__.c[c] for c in USER_COLUMNS]
    return read_frame(conn, select(*columns).order_by(User.login))


def audit_table(conn: Connection, limit: int = AUDIT_LIMIT) -> pd.DataFrame:
    """The latest `limit` audit rows, newest first: `at, login, action, detail, ip`."""
    columns = [AuditLog.at, AuditLog.login, AuditLog.action, AuditLog.detail, AuditLog.ip]
    return read_frame(conn, select(*columns).order_by(desc(AuditLog.at), desc(AuditLog.id)).limit(limit))


def partner_choices(conn: Connection) -> list[dict[str, str]]:
    """``[{"label": "name (id)", "value": id}]`` of every partner, by name (the partner dropdown)."""
    rows = conn.execute(select(Partner.partner_id, Partner.name).order_by(Partner.name, Partner.partner_id)).all()
    return [{"label": f"{name} ({pid})", "value": pid} for pid, name in rows]


def generate_password(length: int = GENERATED_PASSWORD_LENGTH) -> str:
    """A random one-time password from letters and digits without look-alikes (0/O, 1/l/I)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def _active_admins(conn: Connection) -> set[str]:
    return set(conn.scalars(select(User.login).where(User.role == "admin", User.active.is_(True))))


def _user_row(conn: Connection, login: str):
    row = conn.execute(select(User.login, User.role, User.active).where(User.login == normalize_login(login))).first()
    if row is None:
        raise AdminInputError("unknown_user", login=login)
    return row


def check_role_partner(conn: Connection, role: str | None, partner_id: str | None) -> None:
    """A partner login needs an existing partner; other roles have none (SPEC §8: a partner sees its own only)."""
    if role not in ROLES:
        raise AdminInputError("unknown_role", role=role)
    if role == "partner":
        if not partner_id:
            raise AdminInputError("partner_required")
        if conn.scalar(select(func.count()).select_from(Partner).where(Partner.partner_id == partner_id)) == 0:
            raise AdminInputError("unknown_partner", partner=partner_id)
    elif partner_id:
        raise AdminInputError("partner_only_for_partner_role")


def set_role(engine: Engine, login: str, role: str, partner_id: str | None) -> None:
    """Change a user's role and partner; the last active admin keeps the admin role.

    The change takes effect at the user's next request (the session reloads the user each time).
    """
    partner_id = partner_id or None
    with engine.begin() as conn:
        row = _user_row(conn, login)
        check_role_partner(conn, role, partner_id)
        if row.role == "admin" and role != "admin" and _active_admins(conn) == {row.login}:
            raise AdminInputError("last_admin", login=row.login)
        conn.execute(update(User).where(User.login == row.login).values(role=role, partner_id=partner_id))


def set_user_active(engine: Engine, login: str, active: bool, acting_login: str) -> None:
    """Enable or disable a login; an admin cannot disable themself nor the last active admin."""
    with engine.begin() as conn:
        row = _user_row(conn, login)
        if not active:
            if row.login == normalize_login(acting_login):
                raise AdminInputError("disable_self")
            if row.role == "admin" and _active_admins(conn) == {row.login}:
                raise AdminInputError("last_admin", login=row.login)
        conn.execute(update(User).where(User.login == row.login).values(active=active))


# ---------------------------------------------------------------- SLA policies and calendars (SPEC §5)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_TARGET_HOURS = 10_000.0  # a target above ~5 working years is a typing error
PRIORITIES = (1, 2, 3)
_TIME_RE = re.compile(r"^\d{1,2}:\d{2}$")


def check_name(name: str | None) -> str:
    """A policy/calendar name as stored in ``clients.calendar`` / ``clients.sla_policy``."""
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise AdminInputError("bad_name", name=name)
    return name


def _hours(field: str, value: object) -> float:
    try:
        hours = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AdminInputError("not_a_number", field=field, value=value) from None
    if not 0 < hours <= MAX_TARGET_HOURS:
        raise AdminInputError("hours_range", field=field, value=value, max=MAX_TARGET_HOURS)
    return hours


def policy_definition(values: Mapping[str, object], base: Mapping[str, object] | None = None) -> dict:
    """A validated `SlaPolicy.to_dict()` from admin-entered targets (working hours).

    Parameters
    ----------
    values : ``acceptance_hours, simple_hours, complex_hours_per_subtask, bug_hours`` (h, > 0),
        ``reaction_<p>`` and ``resolution_<p>`` for incident priority p = 1..3 (h, reaction ≤ resolution),
        ``at_risk_percent`` (share of the target left below which an open ticket is at risk, 0 ≤ x < 100).
    base : the policy being edited; its other parameters (pause reasons, default type) are kept.
    """
    definition = dict(base or SlaPolicy().to_dict())
    for field in ("acceptance_hours", "simple_hours", "complex_hours_per_subtask", "bug_hours"):
        definition[field] = _hours(field, values.get(field))
    targets = {}
    for p in PRIORITIES:
        reaction = _hours(f"reaction_{p}", values.get(f"reaction_{p}"))
        resolution = _hours(f"resolution_{p}", values.get(f"resolution_{p}"))
        if reaction > resolution:  # seed 004: reaction comes before resolution
            raise AdminInputError("reaction_after_resolution", priority=p)
        targets[str(p)] = [reaction, resolution]
    definition["incident_targets"] = targets
    try:
        percent = float(values.get("at_risk_percent"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AdminInputError("not_a_number", field="at_risk_percent", value=values.get("at_risk_percent")) from None
    if not 0 <= percent < 100:
        raise AdminInputError("percent_range", value=percent)
    definition["at_risk_share"] = percent / 100
    try:
        return SlaPolicy.from_dict(definition).to_dict()
    except (TypeError, ValueError) as exc:
        raise AdminInputError("policy_invalid", detail=str(exc)) from None


@lru_cache(maxsize=1)
def supported_countries() -> tuple[str, ...]:
    """ISO2 codes the `holidays` package knows (the public holidays of a calendar)."""
    return tuple(sorted(holidays.list_supported_countries()))


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """IANA zone names available on this server."""
    return tuple(sorted(zoneinfo.available_timezones()))


def parse_dates(field: str, text: str | None) -> list[str]:
    """Dates typed one per line or separated by commas/semicolons, ``27.04.2024`` or ``2024-04-27`` → ISO."""
    dates = []
    for part in re.split(r"[\s,;]+", (text or "").strip()):
        if not part:
            continue
        fmt = "%d.%m.%Y" if "." in part else "%Y-%m-%d"
        try:
            dates.append(dt.datetime.strptime(part, fmt).date().isoformat())
        except ValueError:
            raise AdminInputError("bad_date", field=field, value=part) from None
    return sorted(set(dates))


def calendar_definition(timezone: str | None, country: str | None, opens: str | None, closes: str | None,
                        workdays: Sequence[int] | None, extra_holidays: str | None, extra_workdays: str | None,
                        short_preholiday: bool) -> dict:
    """A validated `WorkCalendar.to_dict()` from the calendar form.

    `country` empty = no public holidays; `workdays` Monday = 0; `opens`/`closes` ``HH:MM`` wall time of
    `timezone` (``24:00`` = midnight at the end of the day); extra dates as in `parse_dates`.
    """
    if timezone not in time_zones():
        raise AdminInputError("unknown_timezone", value=timezone)
    country = (country or "").strip().upper() or None
    if country is not None and country not in supported_countries():
        raise AdminInputError("unknown_country", value=country)
    for field, value in (("opens", opens), ("closes", closes)):
        if not _TIME_RE.match((value or "").strip()):
            raise AdminInputError("bad_time", field=field, value=value)
    if _minutes(closes) <= _minutes(opens):
        raise AdminInputError("closes_before_opens", opens=opens, closes=closes)
    days = sorted({int(d) for d in workdays or ()})
    if not days:
        raise AdminInputError("no_workdays")
    definition = {
        "timezone": timezone, "country": country, "hours": [opens.strip(), closes.strip()], "workdays": days,
        "extra_holidays": parse_dates("extra_holidays", extra_holidays),
        "extra_workdays": parse_dates("extra_workdays", extra_workdays),
        "short_preholiday": bool(short_preholiday),
    }
    try:
        return WorkCalendar.from_dict(definition).to_dict()
    except (TypeError, ValueError) as exc:
        raise AdminInputError("calendar_invalid", detail=str(exc)) from None


def _minutes(text: str) -> int:
    hours, minutes = (int(part) for part in text.strip().split(":"))
    return hours * 60 + minutes


def settings_usage(conn: Connection) -> dict[str, dict[str, int]]:
    """Clients per calendar name and per SLA policy name (``{"calendar": {...}, "sla_policy": {...}}``)."""
    usage: dict[str, dict[str, int]] = {}
    for column in (Client.calendar, Client.sla_policy):
        rows = conn.execute(select(column, func.count()).where(column.is_not(None)).group_by(column)).all()
        usage[column.key] = {name: int(n) for name, n in rows}
    return usage


def sla_is_stale(conn: Connection) -> bool:
    """True when a policy or calendar was saved after the stored SLA values were last computed (SPEC §5)."""
    edited = max((conn.scalar(select(func.max(m.updated_at))) for m in (SlaPolicyRow, CalendarRow)),
                 key=lambda v: _utc(v) or dt.datetime.min.replace(tzinfo=dt.timezone.utc))
    computed = conn.scalar(select(func.min(TicketSla.computed_at)))
    recomputed = conn.scalar(select(func.max(SlaRecompute.at)).where(SlaRecompute.outcome == "done"))
    if edited is None or computed is None:
        return False
    # a save recomputes the tickets it affects (store.recompute): the others did not need it
    latest = max(_utc(computed), _utc(recomputed) or _utc(computed))
    return _utc(edited) > latest


def _utc(value: dt.datetime | str | None) -> dt.datetime | None:
    """A stored timestamp as aware UTC (SQLite returns naive text or datetimes)."""
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()
