"""The manager's home computes the findings of all of a manager's clients together
(`reports.meeting.meeting_findings_by_client`); each client must get exactly what its own brief finds
(`meeting_findings`): the same records in the same order, whatever its calendar zone, also when it has no tickets.

On the small demo (SQLite, and PostgreSQL as a copy) for every client of three managers whose clients use the RU, KZ,
UA and 24x7 calendars, and on the hand-made meeting data of `test_meeting_brief` with a client on a stored calendar
of another zone (Kiritimati, UTC+14) whose tickets fall on the same local days as C1's in UTC.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, insert, select, update

from metrics.support import period_bounds
from reports.meeting import _timezone_of, default_period_end, meeting_findings, meeting_findings_by_client
from store.frames import read_frame
from store.models import CalendarRow, Client, Partner, Staff, Ticket, TicketSla, Worklog
from store.queries import client_records, client_ticket_activity, manager_client_ids, meeting_inputs, \
    meeting_inputs_by_client
from store.settings import calendar_definitions
from tests.integration.demo_backends import demo_engine
from tests.integration.test_meeting_brief import NOW, PERIOD_DAYS, PERIOD_END, insert_meeting_data

COPIED = (Partner, Client, Staff, Ticket, TicketSla, Worklog, CalendarRow)
DEMO_NOW = "2026-11-16T12:00:00+00:00"  # the day after the small demo's last ticket
# demo managers: "manager" (RU only), manager1 (RU, KZ, UA), manager6 (RU, KZ, UA and 24x7 in UTC)
DEMO_MANAGERS = ("manager", "manager1", "manager6")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory) -> Engine:
    """The small demo on each backend (the meeting reads no rollup)."""
    yield from demo_engine(request, tmp_path_factory, "meeting-batch", COPIED, lambda conn: None)


def _singles(conn, client_ids: list[str], period_end) -> dict[str, list[dict] | None]:
    return {c: meeting_findings(conn, c, period_end) for c in client_ids}


# the page's day for every client; for manager6 (four zones) the default day, the last day in each client's zone
@pytest.mark.parametrize(("manager", "on_page_day"), [("manager", True), ("manager1", True), ("manager6", False)])
def test_batch_findings_equal_each_clients_own_findings_on_the_demo(demo, monkeypatch, manager, on_page_day):
    monkeypatch.setenv("QUALITY_NOW", DEMO_NOW)
    with demo.connect() as conn:
        client_ids = manager_client_ids(conn, manager)
        period_end = default_period_end(conn).isoformat() if on_page_day else None
        assert meeting_findings_by_client(conn, client_ids, period_end) == _singles(conn, client_ids, period_end)


def test_the_demo_managers_cover_findings_several_zones_and_clients_without_tickets(demo, monkeypatch):
    """What the equality above is worth: some clients have findings, some none, some no ticket in the periods, and
    the calendars span four zones."""
    monkeypatch.setenv("QUALITY_NOW", DEMO_NOW)
    with demo.connect() as conn:
        client_ids = [c for m in DEMO_MANAGERS for c in manager_client_ids(conn, m)]
        found = meeting_findings_by_client(conn, client_ids, default_period_end(conn).isoformat())
        calendars = set(read_frame(conn, select(Client.calendar).where(Client.client_id.in_(client_ids)))["calendar"])
        end = pd.Timestamp(DEMO_NOW)
        activity = client_ticket_activity(conn, client_ids, end - pd.Timedelta(days=60), end)
    assert sum(bool(f) for f in found.values()) >= 5
    assert any(f == [] for f in found.values())
    quiet = activity.loc[activity["tickets"] == 0, "client_id"]
    assert len(quiet) and all(found[c] == [] for c in quiet)
    assert calendars == {"RU", "KZ", "UA", "24x7"}


def test_batch_inputs_are_each_clients_own_inputs_in_its_own_window(demo, monkeypatch):
    """The three queries read the union of the windows of clients in four zones (each ending on the last day in its
    zone); each client keeps its own rows."""
    monkeypatch.setenv("QUALITY_NOW", DEMO_NOW)
    with demo.connect() as conn:
        client_ids = manager_client_ids(conn, "manager6")
        definitions, records = calendar_definitions(conn), client_records(conn, client_ids)
        zones = [_timezone_of(definitions, records[c]["calendar"]) for c in client_ids]
        bounds = [period_bounds(default_period_end(conn, None, tz), 14, 3, tz) for tz in zones]  # own last days
        windows = pd.DataFrame({"client_id": client_ids, "start": [b["start"].min() for b in bounds],
                                "end": [b["end"].max() for b in bounds], "tz": zones})
        tickets, worklog, staff = meeting_inputs_by_client(conn, windows)
        _assert_each_clients_own_inputs(conn, windows, tickets, worklog, staff)
    assert len(set(zones)) == 4 and len(tickets) > len(client_ids)


def _assert_each_clients_own_inputs(conn, windows: pd.DataFrame, tickets: pd.DataFrame, worklog: pd.DataFrame,
                                    staff: pd.DataFrame) -> None:
    """The batch's rows of each client of `windows` are the client's own `meeting_inputs` in its own window."""
    for window in windows.itertuples():
        own = meeting_inputs(conn, window.client_id, window.start, window.end, window.tz)
        _assert_same_rows(tickets[tickets["client_id"] == window.client_id], own.tickets)
        _assert_same_rows(worklog[worklog["client_id"] == window.client_id].drop(columns="client_id"), own.worklog)
        _assert_same_rows(staff[staff["client_id"] == window.client_id].drop(columns="client_id"), own.staff)


def _assert_same_rows(mine: pd.DataFrame, alone: pd.DataFrame) -> None:
    """The same rows, columns, values and order. Not the dtypes: a column all NULL in one client's rows reads
    differently alone (text as object, instants in seconds) than among other clients' values."""
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone, check_dtype=False, check_index_type=False)


# ---------------------------------------------------------------- hand-made: a stored calendar of another zone

KIRITIMATI_SHIFT = dt.timedelta(hours=-14)  # 10:00 in Kiritimati (UTC+14) is 20:00 UTC the day before


@pytest.fixture()
def db(engine, monkeypatch):
    """`insert_meeting_data` (C1 on the 24x7 calendar in UTC, C2 another manager's) plus C3, served by anna on the
    stored calendar FAR (Pacific/Kiritimati): C1's tickets at the same local hours of Kiritimati, so 14 h earlier
    in UTC (a ticket of a period's first day at 10:00 is on the day before in UTC: in the period only in C3's zone),
    and C4, anna's client without any ticket."""
    monkeypatch.setenv("QUALITY_NOW", NOW)
    insert_meeting_data(engine)
    with engine.begin() as conn:
        conn.execute(insert(CalendarRow), [{"name": "FAR", "definition": {
            "timezone": "Pacific/Kiritimati", "country": None, "hours": ["00:00", "24:00"],
            "workdays": [0, 1, 2, 3, 4, 5, 6]}, "updated_at": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)}])
        conn.execute(insert(Client), [
            {"client_id": "C3", "name": "ООО Приморье", "users": 10, "service_manager": "anna", "calendar": "FAR"},
            {"client_id": "C4", "name": "ООО Тишина", "users": 3, "service_manager": "anna", "calendar": "RU"}])
        tickets = read_frame(conn, select(Ticket).where(Ticket.client_id == "C1"))
        sla = read_frame(conn, select(TicketSla).where(TicketSla.ticket_id.in_(tickets["ticket_id"].tolist())))
        worklog = read_frame(conn, select(Worklog).where(Worklog.ticket_id.in_(tickets["ticket_id"].tolist())))
        conn.execute(insert(Ticket), _far(tickets.assign(client_id="C3"), ["created_at", "resolved_at"]))
        conn.execute(insert(TicketSla), _far(sla, ["deadline", "at_risk_from"]))
        conn.execute(insert(Worklog), _far(worklog.assign(work_date=worklog["work_date"].dt.date), []))
    return engine


def _far(frame: pd.DataFrame, instants: list[str]) -> list[dict]:
    """C1's rows as C3's: ids prefixed with F, instants 14 h earlier, local dates kept."""
    moved = frame.assign(ticket_id="F" + frame["ticket_id"])
    for column in instants:
        moved[column] = moved[column] + KIRITIMATI_SHIFT
    moved = moved.drop(columns=[c for c in ("id",) if c in moved.columns]).astype(object)
    return moved.where(moved.notna(), None).to_dict("records")


@pytest.mark.parametrize("period_end", [PERIOD_END, None])
def test_batch_findings_follow_each_clients_zone_and_give_none_for_unknown_and_nothing_for_quiet(db, period_end):
    with db.connect() as conn:
        batch = meeting_findings_by_client(conn, ["C3", "C1", "C4", "NOPE", "C2"], period_end)
        singles = _singles(conn, ["C3", "C1", "C4", "C2"], period_end)
    assert list(batch) == ["C3", "C1", "C4", "NOPE", "C2"]
    assert batch.pop("NOPE") is None
    assert batch == singles
    assert batch["C4"] == [] and batch["C1"][0]["theme"] == "development_pressure"
    if period_end is not None:  # by default C3's last day is its own: the latest ticket is a day later in UTC+14
        assert batch["C3"] == batch["C1"]


def test_the_far_client_read_in_utc_would_find_otherwise(db):
    """The zone is what makes C3 equal to C1: on a UTC calendar its first-day tickets fall a period earlier."""
    with db.begin() as conn:
        conn.execute(update(Client).where(Client.client_id == "C3").values(calendar="24x7"))
    with db.connect() as conn:
        batch = meeting_findings_by_client(conn, ["C3", "C1"], PERIOD_END)
        assert batch == _singles(conn, ["C3", "C1"], PERIOD_END)
    assert batch["C3"] != batch["C1"]


def test_batch_inputs_keep_each_client_in_its_own_window(db):
    """C3's window opens 14 h before C1's: a C1 ticket of that evening, resolved before C1's window, is read with
    the union but is not C1's."""
    first = PERIOD_DAYS[3] - dt.timedelta(days=1)
    with db.begin() as conn:
        conn.execute(insert(Ticket), [{**{c.name: None for c in Ticket.__table__.columns}, "ticket_id": "EVE",
                                       "client_id": "C1", "kind": "incident", "priority": 2, "line": 2,
                                       "created_at": dt.datetime.combine(first, dt.time(22), dt.timezone.utc),
                                       "resolved_at": dt.datetime.combine(first, dt.time(23), dt.timezone.utc)}])
    windows = pd.DataFrame([(c, *_window(tz)) for c, tz in (("C1", "UTC"), ("C3", "Pacific/Kiritimati"))],
                           columns=["client_id", "start", "end", "tz"])
    with db.connect() as conn:
        tickets, worklog, staff = meeting_inputs_by_client(conn, windows)
        _assert_each_clients_own_inputs(conn, windows, tickets, worklog, staff)
    assert "EVE" not in set(tickets["ticket_id"])


def _window(tz: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    bounds = period_bounds(PERIOD_END, 14, 3, tz)
    return bounds["start"].min(), bounds["end"].max(), tz
