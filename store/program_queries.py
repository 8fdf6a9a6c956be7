"""Reads behind the partner-programme pages, the public directory and `cli.py evaluate` (SPEC §7).

Public reads (`directory_partners`, `directory_options`) select only public columns — name, place,
badges — and never touch surveys or any quality figure (seed 000: "Никакие данные о качестве
проектов не будут опубликованы публично"). The other reads return programme inputs for management;
authorization is the caller's job (SPEC §8).

Decisions SPEC §3 leaves open:

* Enterprise projects (seed 001) are the projects with at least one `enterprise_reports` row: the
  inputs carry no other enterprise flag.
* The directory's category/industry filters match one and the same project of the partner (its
  enterprise projects when a KKV level is asked for, else any of its projects).
* The Quality Program badge is the decision of the latest evaluated 1st of a month not after today.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import ColumnElement, Connection, Select, and_, case, delete, exists, false, func, insert, literal, or_, select, true

from metrics.program_dates import DateLike, quarter_bounds, utc_timestamp
from store.frames import index_walk, read_frame, read_frame_bulk, read_sql
from store.models import (
    CompetenceHistoryRow,
    Deposit,
    EnterpriseReport,
    KkvPoints,
    Lead,
    LeadWeight,
    MonitorTest,
    Partner,
    Project,
    SaasContract,
    SupportChargeRollup,
    SupportSpeedRollup,
    SupportWorkRollup,
    Ticket,
    TicketSla,
    Worklog,
)
from store.ticket_rollups import SUPPORT_SERVICES, support_service
from store import clock

KKV_LEVEL_FILTERS = ("basic", "extended", "any")
PUBLIC_COLUMNS = ["partner_id", "name", "city", "region", "country"]


# ---------------------------------------------------------------- public directory (seeds 000, 001)


def badge_month(conn: Connection, today: DateLike) -> dt.date | None:
    """The latest evaluated 1st of a month not after `today` (None before the first evaluation)."""
    day = utc_timestamp(today).date()
    return conn.scalar(select(func.max(CompetenceHistoryRow.month)).where(CompetenceHistoryRow.month <= day))


def _enterprise_project_ids() -> Select:
    return select(EnterpriseReport.project_id).distinct()


def _valid_kkv(level: str, today: dt.date):
    """SQL condition: a KKV `level` (basic/extended/any) valid on `today` (seed 001 §4.4: 1-year validity)."""
    levels = ("basic", "extended") if level == "any" else (level,)
    # a level without a validity date is not shown (metrics.kkv: status "unknown")
    return and_(func.lower(Partner.kkv_level).in_(levels), Partner.kkv_valid_until >= today)


def directory_partners(
    conn: Connection,
    today: DateLike,
    *,
    city: str | None = None,
    region: str | None = None,
    quality_only: bool = False,
    kkv: str | None = None,
    category: str | None = None,
    industry: str | None = None,
) -> pd.DataFrame:
    """Partners of the public directory with their badges, filtered in the database.

    Parameters
    ----------
    today : date-like
        Day the badges are judged on (Quality Program: latest evaluated month; KKV: validity).
    city, region : str, optional
        Exact city / region.
    quality_only : bool
        Only holders of the Quality Program competence (seed 000: "выбор только по этой компетенции").
    kkv : {"basic", "extended", "any"}, optional
        Only holders of a valid KKV level.
    category, industry : str, optional
        Only partners with at least one project of that category and industry (see module docstring).

    Returns
    -------
    DataFrame
        `partner_id, name, city, region, country, quality_program` (bool), `kkv_level`
        (``basic``/``extended`` while valid, else ``none``), `kkv_points` (accumulated, seed 001
        §6.2 sorting key); sorted by name. No quality figure of any kind.
    """
    day = utc_timestamp(today).date()
    month = badge_month(conn, day)
    held = (select(CompetenceHistoryRow.partner_id)
            .where(CompetenceHistoryRow.month == month, CompetenceHistoryRow.held.is_(True)))
    points = (select(KkvPoints.partner_id, func.sum(KkvPoints.points).label("kkv_points"))
              .group_by(KkvPoints.partner_id).subquery())
    stmt = (
        select(
            Partner.partner_id, Partner.name, Partner.city, Partner.region, Partner.country,
            Partner.partner_id.in_(held).label("quality_program"),
            _valid_kkv("any", day).label("kkv_valid"),
            func.lower(Partner.kkv_level).label("kkv_level"),
            func.coalesce(points.c.kkv_points, 0).label("kkv_points"),
        )
        .outerjoin(points, points.c.partner_id == Partner.partner_id)
        .order_by(Partner.name, Partner.partner_id)
    )
    if city:
        stmt = stmt.where(Partner.city == city)
    if region:
        stmt = stmt.where(Partner.region == region)
    if quality_only:
        stmt = stmt.where(Partner.partner_id.in_(held) if month is not None else literal(False))
    if kkv:
        if kkv not in KKV_LEVEL_FILTERS:
            raise ValueError(f"kkv must be one of {KKV_LEVEL_FILTERS}, not {kkv!r}")
        stmt = stmt.where(_valid_kkv(kkv, day))
    if category or industry:
        conditions = [Project.partner_id == Partner.partner_id]
        if category:
            conditions.append(func.lower(Project.category) == category.lower())
        if industry:
            conditions.append(func.lower(Project.industry) == industry.lower())
        if kkv:
            conditions.append(Project.project_id.in_(_enterprise_project_ids()))
        stmt = stmt.where(exists(select(Project.project_id).where(*conditions)))
    frame = read_sql(conn, stmt)
    # NULL comparisons (no stored decision, no validity date) are "no"
    frame["quality_program"] = frame["quality_program"].astype("boolean").fillna(False).astype(bool)
    valid = frame.pop("kkv_valid").astype("boolean").fillna(False).astype(bool)
    frame["kkv_level"] = frame["kkv_level"].where(valid, "none").fillna("none")
    frame["kkv_points"] = pd.to_numeric(frame["kkv_points"]).fillna(0.0)
    return frame


def directory_options(conn: Connection) -> dict[str, list[str]]:
    """Distinct cities, regions, categories and industries for the directory's filters."""

    def distinct(column) -> list[str]:
        rows = conn.execute(select(column).where(column.is_not(None), column != "").distinct()).scalars()
        return sorted(rows)

    return {
        "city": distinct(Partner.city),
        "region": distinct(Partner.region),
        "category": distinct(Project.category),
        "industry": distinct(Project.industry),
    }


# ---------------------------------------------------------------- Quality Program (seed 000)


def competence_status_counts(conn: Connection) -> pd.DataFrame:
    """`month, status, held, n`: the `competence_history` rows counted per month, status and held (the monthly
    summary without reading every partner's row)."""
    stmt = (select(CompetenceHistoryRow.month, CompetenceHistoryRow.status, CompetenceHistoryRow.held,
                   func.count().label("n"))
            .group_by(CompetenceHistoryRow.month, CompetenceHistoryRow.status, CompetenceHistoryRow.held))
    frame = read_frame(conn, stmt)
    frame["month"] = pd.to_datetime(frame["month"]).dt.tz_localize("UTC")
    frame["held"] = frame["held"].astype(bool)
    return frame


def competence_months(conn: Connection) -> list[dt.date]:
    """Evaluated 1sts of a month, newest first: a walk over the month index (the next month after each one, a
    probe per month), not a DISTINCT over every partner's row (0.11 s at `large`, 220 k rows)."""
    return sorted((pd.Timestamp(m).date() for m in index_walk(conn, CompetenceHistoryRow.month)), reverse=True)


def competence_rows(conn: Connection, month: DateLike | None = None, changes_since: DateLike | None = None
                    ) -> pd.DataFrame:
    """Materialized `competence_history` rows (one month, or all) with partner names.

    With `month` and `changes_since`: the month's rows and, of the months from `changes_since` (inclusive) to
    `month` (exclusive), the assignments and revocations only (what the Quality Program page lists)."""
    stmt = (select(CompetenceHistoryRow.__table__, Partner.name, Partner.city)
            .outerjoin(Partner, Partner.partner_id == CompetenceHistoryRow.partner_id)
            .order_by(CompetenceHistoryRow.month, CompetenceHistoryRow.partner_id))
    if month is not None:
        chosen = CompetenceHistoryRow.month == utc_timestamp(month).date()
        if changes_since is not None:
            chosen = or_(chosen, and_(CompetenceHistoryRow.month >= utc_timestamp(changes_since).date(),
                                      CompetenceHistoryRow.month < utc_timestamp(month).date(),
                                      CompetenceHistoryRow.status.in_(("assigned", "revoked"))))
        stmt = stmt.where(chosen)
    frame = read_frame(conn, stmt)
    for column in ("month", "window_start", "window_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC")
    frame["held"] = frame["held"].astype(bool)
    return frame


def partner_quality_inputs(conn: Connection, partner_id: str) -> dict[str, pd.DataFrame]:
    """`projects` and `monitor_tests` of every project the partner ever held (its own and transferred ones)."""
    held = select(Project.project_id).where(Project.partner_id == partner_id)
    return {
        "projects": read_frame(conn, select(Project.project_id, Project.version, Project.partner_id,
                                            Project.submitted_at, Project.license_key, Project.transferred_from)
                               .where(Project.project_id.in_(held))),
        "monitor_tests": read_frame(conn, select(MonitorTest).where(MonitorTest.project_id.in_(held))),
    }


def partner_names(conn: Connection) -> pd.DataFrame:
    """`partner_id, name, city, region, network_competence_center` of every partner."""
    return read_frame(conn, select(Partner.partner_id, Partner.name, Partner.city, Partner.region,
                                   Partner.network_competence_center))


# ---------------------------------------------------------------- KKV (seed 001)


def kkv_inputs(conn: Connection) -> dict[str, pd.DataFrame]:
    """`partners` (KKV columns), enterprise `projects`, `enterprise_reports`, `kkv_points` frames."""
    enterprise = Project.project_id.in_(_enterprise_project_ids())
    return {
        "partners": read_frame(conn, select(Partner.partner_id, Partner.name, Partner.city, Partner.kkv_level,
                                            Partner.kkv_valid_until)),
        "projects": read_frame(conn, select(Project.project_id, Project.version, Project.partner_id,
                                            Project.submitted_at, Project.category, Project.industry)
                               .where(enterprise)),
        "enterprise_reports": read_frame(conn, select(EnterpriseReport.project_id, EnterpriseReport.reported_at,
                                                      EnterpriseReport.stage)),
        "kkv_points": read_frame(conn, select(KkvPoints.partner_id, KkvPoints.earned_at, KkvPoints.source,
                                              KkvPoints.points)),
    }


# ---------------------------------------------------------------- 1cfresh leads (seed 002)


def saas_inputs(conn: Connection) -> dict[str, pd.DataFrame]:
    """`partners`, `saas_contracts`, `leads` frames of the lead-distribution rules."""
    return {
        "partners": partner_names(conn),
        "saas_contracts": read_frame(conn, select(SaasContract)),
        "leads": read_frame(conn, select(Lead)),
    }


def saas_quarter_inputs(conn: Connection, quarter: str) -> dict[str, pd.DataFrame]:
    """`saas_inputs` of what the view of `quarter` reads (`reports.programs.saas_overview`): the contracts started
    or ended in it, the leads registered in it and the leads its new contracts came from. Every figure of the
    quarter is computed from those rows alone, so it equals the figure from every row (the whole tables took
    1.1 s at `large`)."""
    start, end = (stamp.to_pydatetime() for stamp in quarter_bounds(quarter))

    def within(column) -> ColumnElement[bool]:
        return and_(column >= start, column < end)

    started = select(SaasContract.lead_id).where(within(SaasContract.started_at), SaasContract.lead_id.is_not(None))
    return {
        "partners": partner_names(conn),
        "saas_contracts": read_frame(conn, select(SaasContract).where(
            or_(within(SaasContract.started_at), within(SaasContract.ended_at)))),
        "leads": read_frame(conn, select(Lead).where(or_(within(Lead.registered_at), Lead.lead_id.in_(started)))),
    }


def saas_quarters(conn: Connection) -> list[str]:
    """Quarters ("2026Q3") from the first to the last contract start, newest first (the first and last start read
    in the database, not every contract's: 0.5 s at `large`)."""
    first, last = conn.execute(select(func.min(SaasContract.started_at), func.max(SaasContract.started_at))).one()
    if first is None:
        return []
    first, last = (utc_timestamp(pd.Timestamp(value)).tz_localize(None) for value in (first, last))
    return [str(p) for p in reversed(pd.period_range(first, last, freq="Q"))]


def lead_weights(conn: Connection) -> dict[str, float]:
    """Admin lead-share weights per partner (seed 002: 1C may raise or lower a partner's share)."""
    return {pid: float(w) for pid, w in conn.execute(select(LeadWeight.partner_id, LeadWeight.weight)).all()}


def save_lead_weight(conn: Connection, partner_id: str, weight: float, login: str | None) -> None:
    """Store `weight` (≥ 0) for `partner_id`; weight 1 is the default and removes the row."""
    if not weight >= 0:
        raise ValueError("weight must be a non-negative number")
    conn.execute(delete(LeadWeight).where(LeadWeight.partner_id == partner_id))
    if weight != 1:
        conn.execute(insert(LeadWeight).values(partner_id=partner_id, weight=float(weight), login=login,
                                               updated_at=clock.now_datetime()))


# ---------------------------------------------------------------- dedicated support (seed 003)


def support_inputs(conn: Connection) -> dict[str, pd.DataFrame]:
    """`deposits`, psm/classic `tickets` with `resolution_working_s`, and the psm tickets' `worklog`."""
    tickets = read_frame(
        conn,
        select(Ticket.ticket_id, Ticket.partner_id, Ticket.client_id, Ticket.service, Ticket.type,
               Ticket.priority, Ticket.created_at, Ticket.resolved_at, TicketSla.resolution_working_s)
        .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.ticket_id)
        .where(func.lower(Ticket.service).in_(("psm", "classic"))),
    )
    psm_ids = select(Ticket.ticket_id).where(func.lower(Ticket.service) == "psm")
    worklog = read_frame(conn, select(Worklog.ticket_id, Worklog.staff, Worklog.hours, Worklog.work_date,
                                      Worklog.work_type).where(Worklog.ticket_id.in_(psm_ids)))
    # streamed (COPY on PostgreSQL): 27 k payments at `large` took 0.18 s as row objects, 0.04 s so; typed as
    # `read_frame` gives them (a whole amount comes back from CSV as an integer)
    deposits = read_frame_bulk(conn, select(Deposit)).astype({"partner_id": "str", "currency": "str",
                                                               "amount": "float64"})
    return {"deposits": deposits, "tickets": tickets, "worklog": worklog}


def support_tickets_exist(conn: Connection) -> bool:
    """Whether any psm or classic ticket is stored (the page shows an empty state otherwise)."""
    stmt = select(Ticket.ticket_id).where(func.lower(Ticket.service).in_(SUPPORT_SERVICES)).limit(1)
    return conn.execute(stmt).first() is not None


def support_charge_counts(conn: Connection, today: DateLike, spend_window_months: int = 3) -> pd.DataFrame:
    """Resolved psm tickets with a partner, resolved by `today`, per partner (seed 003 deposit charges).

    Whole UTC months before `today`'s month come from `support_charge_rollup`; the month of the window
    start (today − `spend_window_months`) and `today`'s own month are counted from `tickets` by the
    index on `resolved_at`, so the split at both instants is exact.

    Returns
    -------
    DataFrame
        `partner_id`, `before_window` and `in_window` (non-rework tickets resolved at or before / after
        the window start), `rework` (rework tickets, billed apart); int64.
    """
    moment = utc_timestamp(today)
    window_start = moment - pd.DateOffset(months=spend_window_months)
    today_month, window_month = (f"{t.year}-{t.month:02d}" for t in (moment, window_start))
    window_month_start = window_start.normalize().replace(day=1)
    today_month_start = moment.normalize().replace(day=1)
    rollup = SupportChargeRollup
    whole_months = read_frame(conn, select(
        rollup.partner_id, rollup.rework, (rollup.month > window_month).label("in_window"),
        func.sum(rollup.tickets).label("tickets"),
    ).where(rollup.month < today_month, rollup.month != window_month)
        .group_by(rollup.partner_id, rollup.rework, "in_window"))
    resolved = Ticket.resolved_at
    partial_months = read_frame(conn, select(
        Ticket.partner_id, case((func.lower(Ticket.type) == "rework", true()), else_=false()).label("rework"),
        (resolved > window_start.to_pydatetime()).label("in_window"), func.count().label("tickets"),
    ).where(support_service() == "psm", Ticket.partner_id.is_not(None),
            resolved >= window_month_start.to_pydatetime(), resolved <= moment.to_pydatetime(),
            or_(resolved < (window_month_start + pd.DateOffset(months=1)).to_pydatetime(),
                resolved >= today_month_start.to_pydatetime()))
        .group_by(Ticket.partner_id, "rework", "in_window"))
    parts = pd.concat([whole_months, partial_months], ignore_index=True)
    rework, in_window = parts["rework"].astype(bool), parts["in_window"].astype(bool)
    parts = parts.assign(before_window=parts["tickets"].where(~rework & ~in_window, 0),
                         in_window=parts["tickets"].where(~rework & in_window, 0),
                         rework=parts["tickets"].where(rework, 0))
    columns = ["before_window", "in_window", "rework"]
    return parts.groupby("partner_id", as_index=False)[columns].sum().astype({c: "int64" for c in columns})


def support_speed_strata(conn: Connection) -> pd.DataFrame:
    """`service, type, priority, tickets, median_working_s` of `support_speed_rollup` (exact medians)."""
    r = SupportSpeedRollup
    return read_frame(conn, select(r.service, r.type, r.priority, r.tickets, r.median_working_s))


def support_worked_newest(conn: Connection, limit: int) -> pd.DataFrame:
    """Worked time of the `limit` psm tickets worked on last (`support_work_rollup`), with ticket columns.

    Returns
    -------
    DataFrame
        `ticket_id, hours, support_hours, development_hours, staff, first_work_date, last_work_date,
        partner_id, type, priority, resolution_working_s`; newest `last_work_date` first, then ticket id.
    """
    w = SupportWorkRollup
    stmt = (select(w.ticket_id, w.hours, w.support_hours, w.development_hours, w.staff, w.first_work_date,
                   w.last_work_date, Ticket.partner_id, Ticket.type, Ticket.priority, TicketSla.resolution_working_s)
            .outerjoin(Ticket, Ticket.ticket_id == w.ticket_id)
            .outerjoin(TicketSla, TicketSla.ticket_id == w.ticket_id)
            .order_by(w.last_work_date.desc(), w.ticket_id).limit(limit))
    return read_frame(conn, stmt)


def support_rollup_inputs(conn: Connection, today: DateLike, worked_rows: int = 1_000,
                          spend_window_months: int = 3) -> dict[str, pd.DataFrame]:
    """What the dedicated-support page needs, read from the ticket rollups (no scan of `tickets`/`worklog`).

    Returns
    -------
    dict of DataFrame
        ``deposits`` (the table), ``charges`` (`support_charge_counts`), ``speed``
        (`support_speed_strata`), ``worked`` (`support_worked_newest` of `worked_rows` tickets).
    """
    # streamed (COPY on PostgreSQL): 27 k payments at `large` took 0.18 s as row objects, 0.04 s so; typed as
    # `read_frame` gives them (a whole amount comes back from CSV as an integer)
    deposits = read_frame_bulk(conn, select(Deposit)).astype({"partner_id": "str", "currency": "str",
                                                               "amount": "float64"})
    return {"deposits": deposits,
            "charges": support_charge_counts(conn, today, spend_window_months),
            "speed": support_speed_strata(conn),
            "worked": support_worked_newest(conn, worked_rows)}


def enterprise_categories(conn: Connection) -> pd.Series:
    """Distinct categories of each partner's enterprise projects, joined by ", " (public KKV card)."""
    stmt = (select(Project.partner_id, Project.category).distinct()
            .where(Project.project_id.in_(_enterprise_project_ids()), Project.category.is_not(None)))
    frame = read_sql(conn, stmt)
    return frame.sort_values("category").groupby("partner_id")["category"].agg(", ".join)
