"""Recompute the stored SLA of the tickets a policy or calendar change affects (SPEC §5).

`recompute_affected` applies the change and recomputes in ONE transaction: if anything fails,
the change and the previous SLA values stay as they were, and a `failed` row in `sla_recomputes`
says why. Callers: the admin settings page (synchronously; issue 13 moves it to a background
callback, hence `progress`), `cli.py calendar import`.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, insert, or_, select

from store import clock
from store.derived import materialize_sla
from store.models import Client, SlaRecompute, Ticket
from store.rollups import refresh_rollups
from store.settings import (
    DEFAULT_CALENDAR,
    DEFAULT_POLICY,
    calendar_definitions,
    load_calendars,
    policy_definitions,
)

Progress = Callable[[int, int], None]


class RecomputeError(RuntimeError):
    """A recompute that failed; nothing was changed (message in Russian)."""


@dataclass(frozen=True)
class RecomputeResult:
    tickets: int
    at: pd.Timestamp
    version: str


def definition_version(definition: dict | None, official: object = None) -> str:
    """A short digest of a policy/calendar definition (and its official days): the «version» shown."""
    text = json.dumps([definition, official], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def affected_ticket_ids(conn: Connection, calendars: Iterable[str] = (), policies: Iterable[str] = ()) -> list[str]:
    """Tickets of the clients that use one of the named calendars or policies (unset = the default)."""
    calendars, policies = set(calendars), set(policies)
    known_calendars, known_policies = set(calendar_definitions(conn)), set(policy_definitions(conn))
    conditions = []
    if calendars:
        conditions.append(Client.calendar.in_(calendars))
        if DEFAULT_CALENDAR in calendars:  # unset or unknown names fall back to the default
            conditions.append(or_(Client.calendar.is_(None), Client.calendar.not_in(known_calendars)))
    if policies:
        conditions.append(Client.sla_policy.in_(policies))
        if DEFAULT_POLICY in policies:
            conditions.append(or_(Client.sla_policy.is_(None), Client.sla_policy.not_in(known_policies)))
    if not conditions:
        return []
    stmt = (select(Ticket.ticket_id).join_from(Ticket, Client, Ticket.client_id == Client.client_id, isouter=True)
            .where(or_(*conditions)))
    if DEFAULT_CALENDAR in calendars or DEFAULT_POLICY in policies:  # tickets of unknown clients take defaults
        stmt = stmt.union(select(Ticket.ticket_id).where(Ticket.client_id.not_in(select(Client.client_id))))
    return [row[0] for row in conn.execute(stmt).all()]


def calendars_of_country(conn: Connection, country: str) -> list[str]:
    """Names of the calendars whose public holidays are those of ``country``."""
    return [name for name, cal in load_calendars(conn).items() if cal.country == country]


def recompute_affected(engine: Engine, *, trigger: str, version: str,
                       calendars: Iterable[str] = (), policies: Iterable[str] = (),
                       change: Callable[[Connection], None] | None = None,
                       progress: Progress | None = None) -> RecomputeResult:
    """Apply ``change`` (e.g. save a policy) and recompute the affected tickets, all in one transaction.

    Returns the tickets recomputed; raises ``RecomputeError`` (after logging the failure) when
    anything fails, in which case nothing of the change or the stored values was altered.
    """
    at = clock.now()
    try:
        with engine.begin() as conn:
            if change is not None:
                change(conn)
            ids = affected_ticket_ids(conn, calendars, policies)
            done = materialize_sla(conn, ticket_ids=ids, now=at, progress=progress,
                                                   full_refresh_share=1.0) if ids else 0
            if done:
                refresh_rollups(conn, {"tickets"}, now=at)
            finished = clock.now()
            conn.execute(insert(SlaRecompute).values(
                at=finished.to_pydatetime(), trigger=trigger[:200], version=version, tickets=done, outcome="done"))
        return RecomputeResult(done, finished, version)
    except Exception as exc:  # any failure: nothing changed, say why
        detail = f"{type(exc).__name__}: {exc}"[:2000]
        with engine.begin() as conn:
            conn.execute(insert(SlaRecompute).values(
                at=at.to_pydatetime(), trigger=trigger[:200], version=version, tickets=0, outcome="failed",
                detail=detail))
        raise RecomputeError(f"Пересчёт не выполнен, прежние значения сохранены: {detail}") from exc


def recompute_log(conn: Connection, limit: int = 10) -> pd.DataFrame:
    """The latest recomputes, newest first: at, trigger, version, tickets, outcome, detail."""
    rows = conn.execute(select(SlaRecompute.at, SlaRecompute.trigger, SlaRecompute.version, SlaRecompute.tickets,
                               SlaRecompute.outcome, SlaRecompute.detail)
                        .order_by(SlaRecompute.at.desc(), SlaRecompute.id.desc()).limit(limit)).all()
    return pd.DataFrame(rows, columns=["at", "trigger", "version", "tickets", "outcome", "detail"])
