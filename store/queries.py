"""Scoped read functions: every page, report and command reads the store through here.

Filters (client, partner, dates) run in the database, never in pandas after a full scan.
Authorization is the caller's job: these functions return what they are asked for, and callers
pass only ids they have already checked against the logged-in user's scope (SPEC §8).

Sections: scope · service manager's meeting (SPEC §6).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Float, Integer, Select, and_, case, func, or_, select

from store import clock
from store.frames import read_frame, rows_frame
from store.live_state import live_sla_state
from store.models import Client, Staff, Ticket, TicketSla, Worklog

# ---------------------------------------------------------------- scope (SPEC §8)


def manager_client_ids(conn: Connection, login: str) -> list[str]:
    """Ids of the clients whose ``service_manager`` is ``login`` (SPEC §8: a service manager sees only those)."""
    rows = conn.execute(select(Client.client_id).where(Client.service_manager == login)
                        .order_by(Client.client_id)).scalars()
    return list(rows)


def client_options(conn: Connection, client_ids: list[str] | None) -> list[dict]:
    """``[{"client_id", "name"}]`` of the given clients (every client when None), sorted by name."""
    stmt = select(Client.client_id, Client.name).order_by(Client.name, Client.client_id)
    if client_ids is not None:
        if not client_ids:
            return []
        stmt = stmt.where(Client.client_id.in_(client_ids))
    return [{"client_id": cid, "name": name} for cid, name in conn.execute(stmt).all()]


def search_clients(conn: Connection, text: str | None, client_ids: list[str] | None,
                   limit: int = 50) -> list[dict]:
    """Up to ``limit`` clients whose id or name contains ``text`` (case-insensitive), among
    ``client_ids`` (every client when None), as ``[{"client_id", "name"}]`` sorted by name."""
    stmt = select(Client.client_id, Client.name).order_by(Client.name, Client.client_id).limit(limit)
    if client_ids is not None:
        if not client_ids:
            return []
        stmt = stmt.where(Client.client_id.in_(client_ids))
    if text:
        pattern = f"%{text.strip()}%"
        stmt = stmt.where(or_(Client.client_id.ilike(pattern), Client.name.ilike(pattern)))
    return [{"client_id": cid, "name": name} for cid, name in conn.execute(stmt).all()]


def client_records(conn: Connection, client_ids: list[str]) -> dict[str, dict]:
    """The ``clients`` rows of the given ids as dicts by id (ids without a row are absent): one query."""
    rows = conn.execute(select(Client.__table__).where(Client.client_id.in_(list(client_ids)))).mappings()
    return {row["client_id"]: dict(row) for row in rows}


def client_record(conn: Connection, client_id: str) -> dict | None:
    """The ``clients`` row of ``client_id`` as a dict, or None when there is no such client."""
    row = conn.execute(select(Client.__table__).where(Client.client_id == client_id)).mappings().first()
    return None if row is None else dict(row)


# ---------------------------------------------------------------- service manager's meeting (SPEC §6, seed 004)

TICKET_COLUMNS = [c.name for c in Ticket.__table__.columns]
SLA_COLUMNS = [c.name for c in TicketSla.__table__.columns
               if c.name not in ("ticket_id", "computed_at", "is_open", "clock_stopped")]


@dataclass(frozen=True)
class MeetingInputs:
    """What the biweekly meeting of one client is computed from.

    Attributes
    ----------
    client : dict
        The ``clients`` row (``users`` = number of the client's users, seed 004 metric 8).
    tickets : DataFrame
        Columns of ``tickets`` (SPEC §3) plus the materialized ``ticket_sla`` values; one row per ticket
        of the client that was created before the window end and is not finished before its start.
    worklog : DataFrame
        ``ticket_id, staff, hours, work_date, work_type`` of the client's tickets with ``work_date`` in
        the window, plus the ticket's ``priority``, ``kind`` and the staff member's ``line``.
    staff : DataFrame
        ``staff, line, name`` of the staff who logged work on the client in the window.
    """

    client: dict
    tickets: pd.DataFrame
    worklog: pd.DataFrame
    staff: pd.DataFrame


def meeting_inputs(conn: Connection, client_id: str, period_start: pd.Timestamp,
                   period_end: pd.Timestamp, tz: str = "UTC", client: dict | None = None) -> MeetingInputs:
    """Tickets (with SLA values), worklog and staff of one client in ``[period_start, period_end)``.

    ``period_start`` is the start of the earliest compared period, ``period_end`` the (exclusive)
    end of the current one; naive values are UTC. A ticket belongs to the window when it was
    created before ``period_end`` and was not resolved before ``period_start`` (created in the
    window, or resolved in it, or still open), so open and at-risk tickets older than the window
    are included. Worklog rows carry a local date (``tz``, the client's calendar zone): a day
    belongs to the window when it overlaps it. ``client``: the caller's `client_record` of the client
    (read here when None). :func:`meeting_inputs_by_client` of one client.
    """
    if client is None:
        client = client_record(conn, client_id) or {"client_id": client_id, "users": None}
    windows = pd.DataFrame({"client_id": [client_id], "start": [_utc(period_start)], "end": [_utc(period_end)],
                            "tz": [tz]})
    tickets, worklog, staff = meeting_inputs_by_client(conn, windows)
    return MeetingInputs(client=client, tickets=tickets, worklog=worklog.drop(columns="client_id"),
                         staff=staff.drop(columns="client_id"))


def meeting_inputs_by_client(conn: Connection, windows: pd.DataFrame
                             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(tickets, worklog, staff) of several clients' meetings, each in its own window: three queries in all.

    ``windows`` has ``client_id, start, end, tz`` per client (its window and calendar zone, as the arguments of
    :func:`meeting_inputs`). The queries read the union of the windows for every client at once; each row is then
    kept when it belongs to its client's window, by the rules of :func:`meeting_inputs` (when the windows differ;
    clients in one calendar zone share one window, the union). Tickets carry their ``client_id`` already, worklog
    and staff get one (staff: per client, who logged work on it in its window); each client's rows equal, in the
    same order, what :func:`meeting_inputs` reads for it.
    """
    start, end = windows["start"].map(_utc), windows["end"].map(_utc)
    first_day = pd.Series([s.tz_convert(tz).date() for s, tz in zip(start, windows["tz"])], index=windows.index)
    stop_day = pd.Series([(e - pd.Timedelta(1, "ns")).tz_convert(tz).date() + dt.timedelta(days=1)
                          for e, tz in zip(end, windows["tz"])], index=windows.index)  # a manager's clients: tens
    client_ids = windows["client_id"].tolist()
    lo, hi = start.min().to_pydatetime(), end.max().to_pydatetime()
    ticket_cols = [Ticket.__table__.c[c] for c in TICKET_COLUMNS]
    sla_cols = [live_sla_state(clock.now()).label(c) if c == "sla_state" else TicketSla.__table__.c[c]
                for c in SLA_COLUMNS]
    tickets_stmt = (
        select(*ticket_cols, *sla_cols)
        .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id, isouter=True)
        .where(Ticket.client_id.in_(client_ids), Ticket.created_at < hi,
               or_(Ticket.created_at >= lo, Ticket.resolved_at.is_(None), Ticket.resolved_at >= lo))
        .order_by(Ticket.created_at, Ticket.ticket_id)
    )
    worklog_stmt = (
        select(Worklog.ticket_id, Worklog.staff, Worklog.hours, Worklog.work_date, Worklog.work_type,
               Ticket.priority, Ticket.kind, Staff.line, Ticket.client_id)
        .join_from(Worklog, Ticket, Worklog.ticket_id == Ticket.ticket_id)
        .join(Staff, Staff.staff == Worklog.staff, isouter=True)
        .where(and_(Ticket.client_id.in_(client_ids),
                    Worklog.work_date >= first_day.min(), Worklog.work_date < stop_day.max()))
        .order_by(Worklog.work_date, Worklog.ticket_id, Worklog.staff, Worklog.work_type)  # the natural key: one order
    )
    tickets, worklog = _read_typed(conn, tickets_stmt), _read_typed(conn, worklog_stmt)
    bounds = pd.DataFrame({"start": start.to_numpy(), "end": end.to_numpy(), "first": pd.to_datetime(first_day),
                           "stop": pd.to_datetime(stop_day)}).set_axis(client_ids)
    if len(bounds.drop_duplicates()) > 1:  # clients in several zones: the union is wider than some windows
        ticket_start, ticket_end = (tickets["client_id"].map(bounds[column]) for column in ("start", "end"))
        tickets = tickets[(tickets["created_at"] < ticket_end)
                          & ((tickets["created_at"] >= ticket_start) | tickets["resolved_at"].isna()
                             | (tickets["resolved_at"] >= ticket_start))].reset_index(drop=True)
        work_date = pd.to_datetime(worklog["work_date"])
        worklog = worklog[(work_date >= worklog["client_id"].map(bounds["first"]))
                          & (work_date < worklog["client_id"].map(bounds["stop"]))].reset_index(drop=True)
    worked = worklog[["client_id", "staff"]].drop_duplicates()
    staff_stmt = select(Staff.staff, Staff.line, Staff.name).where(Staff.staff.in_(worked["staff"].unique().tolist()))
    staff = (worked.merge(_read_typed(conn, staff_stmt), on="staff")
             .sort_values(["client_id", "staff"], kind="stable").reset_index(drop=True))
    return tickets, worklog, staff


def ticket_hours(conn: Connection, ticket_ids: list[str]) -> pd.Series:
    """Hours logged on each ticket over its whole life (index ``ticket_id``; tickets without work absent)."""
    if not ticket_ids:
        return pd.Series(dtype=float, name="hours").rename_axis("ticket_id")
    rows = conn.execute(select(Worklog.ticket_id, func.sum(Worklog.hours))
                        .where(Worklog.ticket_id.in_(ticket_ids)).group_by(Worklog.ticket_id)).all()
    return pd.Series({tid: float(h) for tid, h in rows}, dtype=float, name="hours").rename_axis("ticket_id")


def latest_ticket_date(conn: Connection, client_id: str | None = None) -> pd.Timestamp | None:
    """The latest ``created_at`` (UTC) among the client's tickets, or among all tickets when
    ``client_id`` is None (the day the loaded data runs to); None when there are none."""
    stmt = select(func.max(Ticket.created_at))
    if client_id is not None:
        stmt = stmt.where(Ticket.client_id == client_id)
    value = conn.execute(stmt).scalar()
    if value is None:
        return None
    return _utc(pd.Timestamp(value))


def _read_typed(conn: Connection, stmt: Select) -> pd.DataFrame:
    """`read_frame` plus numeric dtypes that survive all-NULL columns (float64, nullable Int64)."""
    frame = read_frame(conn, stmt)
    for column in stmt.selected_columns:
        if isinstance(column.type, Float):
            frame[column.name] = frame[column.name].astype("float64")
        elif isinstance(column.type, Integer):
            frame[column.name] = frame[column.name].astype("Int64")
    return frame


def _utc(value: pd.Timestamp) -> pd.Timestamp:
    value = pd.Timestamp(value)
    return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")



def client_ticket_activity(conn: Connection, client_ids: list[str], start: pd.Timestamp,
                           end: pd.Timestamp) -> pd.DataFrame:
    """Per client: tickets created in ``[start, end)`` and tickets breached or at risk now (live state, SPEC §5) among
    those created before ``end`` and not resolved before ``start`` (one grouped query).

    ``live_states`` fingerprints what the clock has done to the client's tickets around the window (a day wider
    on each side, so it covers the window in any calendar zone): ``"<done>:<progress>"``, the tickets resolved by
    now and the sum of their live-state ranks (open 0, at risk 1, breached 2). Within one data version a ticket
    only moves forward (open → at risk → breached, or to resolved when its resolution instant passes), so any
    change of state changes the fingerprint: a view keyed by it (`components.cache.scoped_memoize(live=False)`)
    is recomputed when a state changes, not every minute.

    Returns ``client_id, tickets, breached, at_risk, live_states`` for every given client (zeros when quiet).
    """
    frame = pd.DataFrame({"client_id": list(client_ids)}, dtype=object)
    if not client_ids:
        return frame.assign(tickets=0, breached=0, at_risk=0, live_states="0:0")
    lo, hi = _utc(start).to_pydatetime(), _utc(end).to_pydatetime()
    wide_lo, wide_hi = lo - dt.timedelta(days=1), hi + dt.timedelta(days=1)
    now = clock.now()
    created = and_(Ticket.created_at >= lo, Ticket.created_at < hi)
    in_window = and_(Ticket.created_at < hi, or_(Ticket.created_at >= lo, Ticket.resolved_at.is_(None),
                                                 Ticket.resolved_at >= lo))
    state = live_sla_state(now)  # not the stored state: an open ticket turns at risk, then breached
    rank = case((state == "breached", 2), (state == "at_risk", 1), else_=0)
    done = case((and_(Ticket.resolved_at.is_not(None), Ticket.resolved_at <= now.to_pydatetime()), 1), else_=0)
    stmt = (
        select(Ticket.client_id,
               func.sum(case((created, 1), else_=0)).label("tickets"),
               func.sum(case((and_(in_window, state == "breached"), 1), else_=0)).label("breached"),
               func.sum(case((and_(in_window, state == "at_risk"), 1), else_=0)).label("at_risk"),
               func.sum(done).label("done"), func.sum(rank).label("progress"))
        .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id, isouter=True)
        .where(Ticket.client_id.in_(list(client_ids)), Ticket.created_at < wide_hi,
               or_(Ticket.created_at >= wide_lo, Ticket.resolved_at.is_(None), Ticket.resolved_at >= wide_lo))
        .group_by(Ticket.client_id)
    )
    counts = rows_frame(conn.execute(stmt), ["client_id", "tickets", "breached", "at_risk", "done", "progress"])
    merged = frame.merge(counts, on="client_id", how="left")
    for column in ("tickets", "breached", "at_risk", "done", "progress"):
        merged[column] = merged[column].fillna(0).astype(int)
    merged["live_states"] = merged["done"].astype(str) + ":" + merged["progress"].astype(str)
    return merged.drop(columns=["done", "progress"])
