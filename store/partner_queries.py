"""Reads behind the partner's "My quality" page and `cli.py report partner` (SPEC §1, §8).

Every function takes the partner id the caller has already authorized (a partner's own id from the
session, never a browser value) and filters in the database. Survey figures come from the
`survey_rollup` counts and competence from `competence_history` (SPEC §9), not from scans of inputs.
The only function that returns other partners' rows is `comparison_counts`, whose output is an input
of `metrics.privacy` and must never be shown as is.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd
from sqlalchemy import Connection, String, func, or_, select

from store import clock
from store.frames import index_walk, read_frame, read_frame_bulk
from store.models import (
    Client,
    CompetenceHistoryRow,
    Deposit,
    MonitorTest,
    Partner,
    Project,
    Survey,
    SurveyQuestionRollup,
    SurveyRollup,
    Ticket,
    TicketPause,
    TicketSla,
    Worklog,
)
from store.live_state import live_sla_state
from store.rollups import QUESTION_COLUMNS, QUESTION_SUMS, survey_version_expression

COUNT_COLUMNS = ["quarter", "question", "scale", "answer", "answers"]


def partner_options(conn: Connection) -> list[dict]:
    """``[{"partner_id", "name", "city"}]`` of every partner, by name (management's partner picker)."""
    stmt = select(Partner.partner_id, Partner.name, Partner.city).order_by(Partner.name, Partner.partner_id)
    return [{"partner_id": pid, "name": name, "city": city} for pid, name, city in conn.execute(stmt).all()]


def partner_record(conn: Connection, partner_id: str) -> dict | None:
    """The ``partners`` row of `partner_id` as a dict, or None when there is no such partner."""
    row = conn.execute(select(Partner.__table__).where(Partner.partner_id == partner_id)).mappings().first()
    return None if row is None else dict(row)


def partner_survey_counts(conn: Connection, partner_id: str, quarters: Sequence[str] | None = None) -> pd.DataFrame:
    """Answer counts of one partner: `quarter, question, scale, answer, answers` (summed over category/industry)."""
    dims = [SurveyRollup.quarter, SurveyRollup.question, SurveyRollup.scale, SurveyRollup.answer]
    stmt = (select(*dims, func.sum(SurveyRollup.answers).label("answers"))
            .where(SurveyRollup.partner_id == partner_id).group_by(*dims))
    if quarters is not None:
        stmt = stmt.where(SurveyRollup.quarter.in_(list(quarters)))
    return _counts(read_frame(conn, stmt))


def comparison_counts(conn: Connection, quarters: Sequence[str], questions: Sequence[str],
                      countries: Collection[str]) -> pd.DataFrame:
    """Answer sums per partner, quarter and question of the partners of `countries`, for the anonymized comparison
    (`metrics.privacy.cells_from_counts` input), from `survey_question_rollup`.

    Returns
    -------
    DataFrame
        `partner_id, quarter, question` and `store.rollups.QUESTION_SUMS` over `quarters` (fixed windows, SPEC §8).
    """
    table = SurveyQuestionRollup.__table__
    stmt = (select(*(table.c[c] for c in QUESTION_COLUMNS))
            .join_from(table, Partner, Partner.partner_id == table.c.partner_id)
            .where(Partner.country.in_(list(countries)), table.c.quarter.in_(list(quarters)),
                   table.c.question.in_(list(questions))))
    # streamed (COPY on PostgreSQL): a country's cells are a few hundred thousand rows at `large`; its text
    # columns come back as object, `read_frame` gives them as str
    frame = read_frame_bulk(conn, stmt).reindex(columns=QUESTION_COLUMNS)
    return frame.astype({**{column: "str" for column in ("partner_id", "quarter", "question")},
                         **{column: "int64" for column in QUESTION_SUMS}})


def partner_places(conn: Connection, countries: Collection[str]) -> pd.DataFrame:
    """`partner_id, city, region, country` of every partner of `countries` (the comparison's widest level)."""
    stmt = (select(Partner.partner_id, Partner.city, Partner.region, Partner.country)
            .where(Partner.country.in_(list(countries))))
    return read_frame(conn, stmt)


def survey_quarters(conn: Connection) -> list[str]:
    """Every quarter present in `survey_rollup`, oldest first.

    Read as a walk over the quarter index (the next quarter after each one: a probe per quarter), not a
    DISTINCT over every row: a survey delta asks this several times and the rollup holds millions of rows.
    """
    return index_walk(conn, SurveyRollup.quarter, String)


def _counts(frame: pd.DataFrame, columns: Sequence[str] = COUNT_COLUMNS) -> pd.DataFrame:
    frame = frame.reindex(columns=list(columns))
    return frame.astype({"scale": "int64", "answer": "int64", "answers": "int64"})


def partner_projects(conn: Connection, partner_id: str) -> pd.DataFrame:
    """Every version of every project the partner ever submitted, *including other partners' versions*.

    The other versions are needed by `metrics.programs.points_ledger` (transfers, re-submissions);
    callers keep only the partner's own rows before showing anything.
    """
    own = select(Project.project_id).where(Project.partner_id == partner_id)
    return read_frame(conn, select(Project).where(Project.project_id.in_(own)))


def monitor_tests_of(conn: Connection, project_ids: Sequence[str]) -> pd.DataFrame:
    """`monitor_tests` rows of the given projects (all versions)."""
    return read_frame(conn, select(MonitorTest).where(MonitorTest.project_id.in_(list(project_ids))))


def partner_surveys(conn: Connection, partner_id: str) -> pd.DataFrame:
    """Surveys about the partner's own project versions: `survey_id, project_id, version, surveyed_at`,
    the ten answers, `recommend_scale`, `comment` (version resolved as in `survey_rollup`)."""
    version = survey_version_expression().label("version")
    columns = [c for c in Survey.__table__.columns if c.name != "version"]
    stmt = (select(*columns, version)
            .join_from(Survey, Project, (Project.project_id == Survey.project_id)
                       & (Project.version == survey_version_expression()))
            .where(Project.partner_id == partner_id))
    return read_frame(conn, stmt)


def partner_competence(conn: Connection, partner_id: str) -> pd.DataFrame:
    """The partner's monthly Quality Program decisions from `competence_history`, oldest first."""
    stmt = (select(CompetenceHistoryRow).where(CompetenceHistoryRow.partner_id == partner_id)
            .order_by(CompetenceHistoryRow.month))
    return read_frame(conn, stmt)


def _partner_ticket_filter(partner_id: str):
    # a ticket without partner_id belongs to its client's partner (metrics.deposit contract)
    return or_(Ticket.partner_id == partner_id, (Ticket.partner_id.is_(None)) & (Client.partner_id == partner_id))


def partner_tickets(conn: Connection, partner_id: str) -> pd.DataFrame:
    """The partner's tickets with client name, materialized SLA values and worked hours.

    Returns
    -------
    DataFrame
        `ticket_id, client_id, client_name, created_at, service, kind, type, priority, due_at,
        resolved_at, closed_at, deadline, sla_state (live, `store.live_state`), acceptance_state, rule,
        elapsed_working_s,
        resolution_target_s, paused_working_s, partner_id` (filled from the client when empty),
        `hours` (worklog sum).
    """
    # hours of each of the partner's tickets, looked up by ticket (uq_worklog_natural leads with ticket_id): a grouped
    # subquery summed the whole worklog before the join (151 ms at `medium` for a partner's 2,184 tickets)
    worked = (select(func.coalesce(func.sum(Worklog.hours), 0.0)).where(Worklog.ticket_id == Ticket.ticket_id)
              .correlate(Ticket).scalar_subquery())
    stmt = (
        select(Ticket.ticket_id, Ticket.client_id, Client.name.label("client_name"), Ticket.created_at,
               Ticket.service, Ticket.kind, Ticket.type, Ticket.priority, Ticket.due_at, Ticket.resolved_at,
               Ticket.closed_at, TicketSla.deadline, live_sla_state(clock.now()).label("sla_state"),
               TicketSla.acceptance_state, TicketSla.rule,
               TicketSla.elapsed_working_s, TicketSla.resolution_target_s, TicketSla.paused_working_s,
               func.coalesce(Ticket.partner_id, Client.partner_id).label("partner_id"),
               worked.label("hours"))
        .join_from(Ticket, Client, Client.client_id == Ticket.client_id, isouter=True)
        .join(TicketSla, TicketSla.ticket_id == Ticket.ticket_id, isouter=True)
        .where(_partner_ticket_filter(partner_id))
        .order_by(Ticket.created_at.desc())
    )
    return read_frame(conn, stmt)


def partner_pauses(conn: Connection, partner_id: str) -> pd.DataFrame:
    """Pauses of the partner's tickets: `ticket_id, paused_at, resumed_at, reason`."""
    ids = (select(Ticket.ticket_id).join_from(Ticket, Client, Client.client_id == Ticket.client_id, isouter=True)
           .where(_partner_ticket_filter(partner_id)))
    return read_frame(conn, select(TicketPause).where(TicketPause.ticket_id.in_(ids)))


def partner_deposits(conn: Connection, partner_id: str) -> pd.DataFrame:
    """The partner's deposit payments: `partner_id, paid_at, amount, currency`."""
    stmt = select(Deposit.partner_id, Deposit.paid_at, Deposit.amount, Deposit.currency) \
        .where(Deposit.partner_id == partner_id).order_by(Deposit.paid_at)
    return read_frame(conn, stmt)
