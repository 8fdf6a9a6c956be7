"""Materialized values derived from the inputs: per-ticket SLA (SPEC §5) and page rollups.

They are refreshed at ingest (`refresh_after_ingest`) and by `cli.py recompute` after a calendar or
policy change, so stored reports never silently go stale.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, String, TableClause, delete, func, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from metrics.sla import evaluate_tickets
from store.bulk import analyze, holds_more_than, insert_dataframe, upsert_dataframe
from store.comparison_rollup import refresh_comparison_rollup
from store.frames import read_frame, read_frame_bulk
from store.models import KIND_TABLES, Client, SlaRecompute, Ticket, TicketPause, TicketSla
from store.rollups import refresh_rollups
from store.settings import DEFAULT_CALENDAR, DEFAULT_POLICY, load_calendars, load_policies
from store import clock

TICKET_COLUMNS = [c.name for c in Ticket.__table__.columns]
STAGES = {  # seed 004 metrics 4-7: the working time of each stage of an enhancement
    "requirements_working_s": ("created_at", "requirements_at"),
    "spec_working_s": ("requirements_at", "spec_at"),
    "implementation_working_s": ("spec_at", "implemented_at"),
    "deployment_working_s": ("implemented_at", "deployed_at"),
}
SLA_COLUMNS = [c.name for c in TicketSla.__table__.columns]
CHUNK_ROWS = 200_000
ID_BATCH = 5_000
FULL_REFRESH_SHARE = 0.5
ANALYZE_SHARE = 0.1  # ticket_sla is ANALYZEd when this share of it was rewritten (ANALYZE of 2 M rows ≈ 1 s)
STAGED_IDS = "sla_refresh_ids"
COMPARISON_KINDS = frozenset({"surveys", "projects", "partners"})  # what the anonymized comparison reads


def refresh_after_ingest(conn: Connection, kinds: Iterable[str], ticket_ids: Iterable[str] | None = None) -> None:
    """Keep derived tables current after a file of `kinds` loaded in this transaction.

    Tickets and pauses refresh the SLA of the tickets they touch; a clients file can change a
    calendar or policy of any of its tickets, so it recomputes all of them.
    """
    kinds = set(kinds)
    _prepare_refresh(conn, [KIND_TABLES[kind][0].__tablename__ for kind in kinds if kind in KIND_TABLES])
    if "clients" in kinds or "calendars" in kinds:
        materialize_sla(conn)
    elif kinds & {"tickets", "ticket_pauses"}:
        materialize_sla(conn, ticket_ids=None if ticket_ids is None else list(dict.fromkeys(ticket_ids)))
    refresh_rollups(conn, kinds)
    if kinds & COMPARISON_KINDS:
        refresh_comparison_rollup(conn)  # reads the survey rollup just refreshed


def recompute(engine: Engine, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every stored SLA value and rollup (after a policy or calendar edit); returns tickets done."""
    with engine.begin() as conn:
        done = rebuild_all(conn, progress)
        conn.execute(SlaRecompute.__table__.insert().values(  # shown on the settings page
            at=clock.now_datetime(), trigger="full recompute", version=None, tickets=done, outcome="done"))
        return done


def rebuild_all(conn: Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """The full rebuild of every derived table in the caller's transaction (what incremental loads must equal)."""
    _prepare_refresh(conn, [])
    done = materialize_sla(conn, progress=progress)
    refresh_rollups(conn)
    refresh_comparison_rollup(conn)
    return done


def _prepare_refresh(conn: Connection, loaded_tables: list[str]) -> None:
    """PostgreSQL: fresh planner statistics of the tables just loaded in this transaction (autovacuum cannot
    see them yet; stale counts made the rollups' joins nested loops over millions of rows), and no JIT
    compilation for the refresh's one-off statements (it cost more than it saved)."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql("SET LOCAL jit = off")
    for name in loaded_tables:
        conn.exec_driver_sql(f'ANALYZE "{name}"')


def materialize_sla(conn: Connection, ticket_ids: list[str] | None = None,
                    now: pd.Timestamp | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    full_refresh_share: float = FULL_REFRESH_SHARE) -> int:
    """Evaluate the SLA of the given tickets (all when None) and store them in `ticket_sla`.

    At least `full_refresh_share` of the stored tickets recomputes all of them (one sequential pass);
    a recompute after a policy change passes 1.0, so only the affected tickets change.
    """
    now = now if now is not None else clock.now()
    calendars = load_calendars(conn)
    policies = load_policies(conn)
    tickets_table = Ticket.__table__
    if ticket_ids is not None and not holds_more_than(conn, tickets_table, len(ticket_ids) / full_refresh_share):
        ticket_ids = None  # one sequential pass is cheaper than looking most tickets up by id
    # the whole table is counted only for a full pass: a delta's checks read at most a few times its rows
    total = conn.execute(select(func.count()).select_from(Ticket)).scalar_one() if ticket_ids is None else len(ticket_ids)
    if ticket_ids is None:
        conn.execute(delete(TicketSla))
    wanted = _staged_ids(conn, ticket_ids) if ticket_ids is not None and conn.dialect.name == "postgresql" else None
    all_pauses = None
    if ticket_ids is None or wanted is not None:
        pauses_stmt = select(TicketPause)
        if wanted is not None:
            pauses_stmt = pauses_stmt.where(TicketPause.ticket_id.in_(select(wanted.c.ticket_id)))
        all_pauses = read_frame_bulk(conn, pauses_stmt)
    done = 0
    for tickets in _ticket_chunks(conn, ticket_ids, wanted):
        pauses = _pauses_for(conn, tickets["ticket_id"], all_pauses)
        sla = sla_frame(tickets, pauses, calendars, policies, now)
        if ticket_ids is None:  # ticket_sla was emptied above: every row is new
            insert_dataframe(conn, TicketSla.__table__, sla)
        else:
            upsert_dataframe(conn, TicketSla.__table__, sla, ("ticket_id",))
        done += len(tickets)
        if progress:
            progress(done, total)
    if done and (ticket_ids is None or not holds_more_than(conn, tickets_table, done / ANALYZE_SHARE)):
        analyze(conn, TicketSla.__table__)  # the rollups join it next (a delta's few rows leave the statistics right)
    return done


def sla_frame(tickets: pd.DataFrame, pauses: pd.DataFrame, calendars: dict, policies: dict,
              now: pd.Timestamp) -> pd.DataFrame:
    """The `ticket_sla` rows of `tickets` (with client `calendar`/`sla_policy` columns)."""
    tickets = tickets.reset_index(drop=True).copy()
    tickets["calendar"] = tickets["calendar"].where(tickets["calendar"].isin(list(calendars)), DEFAULT_CALENDAR)
    tickets["sla_policy"] = tickets["sla_policy"].where(tickets["sla_policy"].isin(list(policies)), DEFAULT_POLICY)
    evaluated = evaluate_tickets(tickets, pauses, calendars, policies, now)
    out = pd.DataFrame({"ticket_id": tickets["ticket_id"].to_numpy()})
    for column in evaluated.columns:
        if column in SLA_COLUMNS:
            out[column] = evaluated[column].to_numpy()
    for column, (start, end) in STAGES.items():
        out[column] = np.nan
        for name, idx in tickets.groupby("calendar").indices.items():
            cal = calendars[name]
            out.loc[idx, column] = cal.working_seconds(tickets[start].iloc[idx], tickets[end].iloc[idx])
    out["computed_at"] = now
    out["is_open"] = ~(pd.to_datetime(tickets["resolved_at"], utc=True) <= now).to_numpy()
    return out[[c for c in SLA_COLUMNS if c in out.columns]]


def _staged_ids(conn: Connection, ticket_ids: list[str]) -> TableClause:
    """PostgreSQL: the ids in a temporary table (COPY), so tickets and pauses are read in one pass each."""
    with conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{STAGED_IDS}" (ticket_id text PRIMARY KEY) ON COMMIT DROP')
        cursor.execute(f'TRUNCATE "{STAGED_IDS}"')
        with cursor.copy(f'COPY "{STAGED_IDS}" (ticket_id) FROM STDIN WITH (FORMAT csv)') as copy:
            copy.write(pd.Series(ticket_ids, dtype=object).to_csv(index=False, header=False))
        cursor.execute(f'ANALYZE "{STAGED_IDS}"')
    return sql_table(STAGED_IDS, sql_column("ticket_id", String))


def _ticket_chunks(conn: Connection, ticket_ids: list[str] | None, wanted: TableClause | None = None):
    base = (select(*[Ticket.__table__.c[c] for c in TICKET_COLUMNS], Client.calendar, Client.sla_policy)
            .join_from(Ticket, Client, Ticket.client_id == Client.client_id, isouter=True))
    if ticket_ids is None or wanted is not None:
        if wanted is not None:
            base = base.where(Ticket.ticket_id.in_(select(wanted.c.ticket_id)))
        # pages by ticket id (keyset): memory holds one chunk of tickets, not the whole table (issue 14)
        last = None
        while True:
            page = base.order_by(Ticket.ticket_id).limit(CHUNK_ROWS)
            tickets = read_frame_bulk(conn, page if last is None else page.where(Ticket.ticket_id > last))
            if len(tickets):
                yield tickets.reset_index(drop=True)
            if len(tickets) < CHUNK_ROWS:
                return
            last = tickets["ticket_id"].iloc[-1]
    for start in range(0, len(ticket_ids), ID_BATCH):
        batch = ticket_ids[start:start + ID_BATCH]
        frame = read_frame(conn, base.where(Ticket.ticket_id.in_(batch)))
        if len(frame):
            yield frame


def _pauses_for(conn: Connection, ticket_ids: pd.Series, all_pauses: pd.DataFrame | None) -> pd.DataFrame:
    """Pauses of the tickets, with `row` = position of the ticket in the chunk (metrics.sla contract)."""
    ids = ticket_ids.tolist()
    if all_pauses is not None:
        pauses = all_pauses[all_pauses["ticket_id"].isin(ids)].reset_index(drop=True)
    else:
        pauses = pd.concat([read_frame(conn, select(TicketPause).where(TicketPause.ticket_id.in_(ids[i:i + ID_BATCH])))
                            for i in range(0, len(ids), ID_BATCH)], ignore_index=True)
    position = pd.Series(np.arange(len(ids)), index=pd.Index(ids))
    pauses["row"] = position.reindex(pauses["ticket_id"]).to_numpy()
    return pauses
