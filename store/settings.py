"""Calendars and SLA policies: built-in defaults overridden by the rows admins edit (tables calendars, sla_policies)."""
from __future__ import annotations

from sqlalchemy import Connection, select

from metrics.calendar import CALENDAR_PRESETS, WorkCalendar
from metrics.sla import SlaPolicy
from store import clock
from store.models import CalendarRow, SlaPolicyRow
from store.production_calendar import official_days, with_official_days

# calendar names used in clients.calendar; the client's zone also decides naive timestamps (SPEC §3, §5)
DEFAULT_CALENDARS: dict[str, dict] = CALENDAR_PRESETS
DEFAULT_CALENDAR = "RU"

# seed 003/004 defaults; "premium" is a paid tier with half the resolution targets (demo clients use it)
DEFAULT_POLICIES: dict[str, dict] = {
    "default": SlaPolicy().to_dict(),
    "premium": SlaPolicy(simple_hours=4.0, complex_hours_per_subtask=4.0, bug_hours=2.0,
                         incident_targets={1: (0.5, 2.0), 2: (2.0, 8.0), 3: (4.0, 20.0)}).to_dict(),
}
DEFAULT_POLICY = "default"


def calendar_definitions(conn: Connection) -> dict[str, dict]:
    """Every calendar definition by name: defaults, then the stored (admin-edited) ones."""
    stored = dict(conn.execute(select(CalendarRow.name, CalendarRow.definition)).all())
    return {**DEFAULT_CALENDARS, **stored}


def policy_definitions(conn: Connection) -> dict[str, dict]:
    stored = dict(conn.execute(select(SlaPolicyRow.name, SlaPolicyRow.definition)).all())
    return {**DEFAULT_POLICIES, **stored}


def load_calendars(conn: Connection) -> dict[str, WorkCalendar]:
    """Every calendar by name, with the official production calendar of its country where loaded."""
    calendars = {name: WorkCalendar.from_dict(d) for name, d in calendar_definitions(conn).items()}
    return with_official_days(calendars, official_days(conn))


def load_policies(conn: Connection) -> dict[str, SlaPolicy]:
    return {name: SlaPolicy.from_dict(d) for name, d in policy_definitions(conn).items()}


def save_calendar(conn: Connection, name: str, definition: dict) -> None:
    """Validate by building the calendar, then store it (caller recomputes SLA values)."""
    WorkCalendar.from_dict(definition)
    _upsert(conn, CalendarRow, name, definition)


def save_policy(conn: Connection, name: str, definition: dict) -> None:
    SlaPolicy.from_dict(definition)
    _upsert(conn, SlaPolicyRow, name, definition)


def _upsert(conn: Connection, model, name: str, definition: dict) -> None:
    now = clock.now_datetime()
    exists = conn.execute(select(model.name).where(model.name == name)).first()
    if exists is None:
        conn.execute(model.__table__.insert().values(name=name, definition=definition, updated_at=now))
    else:
        conn.execute(model.__table__.update().where(model.name == name)
                     .values(definition=definition, updated_at=now))
