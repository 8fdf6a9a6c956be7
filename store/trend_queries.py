"""Reads behind management's "Trends" page (SPEC §1, §4, §5, §7): aggregates computed in the database.

Every trend is one ``GROUP BY`` over a pre-aggregated or indexed source, never rows pulled into pandas:

* survey figures by quarter come from the `survey_rollup` answer counts (SPEC §9); by month from
  `surveys` ⋈ `projects` (the rollup has no month), attributed to the project version as the rollup is;
* SLA compliance from `sla_rollup` (met / breached tickets per UTC month of `created_at` and owning
  partner, refreshed at ingest from the materialized `ticket_sla` states, SPEC §5); the ticket's partner
  being its own `partner_id`, else its client's; quarters sum their months. The drill-down rows
  (`ticket_rows`) read `tickets` ⋈ `ticket_sla` of the one period asked;
* competence changes from `competence_history` (seed 000).

Periods are UTC calendar quarters ("2024Q2") or months ("2024-05"). A date range selects whole periods:
every period that contains a day of [start, end]. Geography (country, region, city) is the partner's.
Tickets carry no project, so SLA has no category or industry dimension (`TICKET_DIMENSIONS`).

Management sees identified data (SPEC §8); authorization is the caller's job.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)

from metrics.survey import QUESTIONS, RECOMMEND_QUESTIONS, Scheme
from store import clock
from store.frames import read_frame, rows_frame
from store.models import (
    Client,
    CompetenceHistoryRow,
    Partner,
    Project,
    SlaRollup,
    Survey,
    SurveyRollup,
    SurveyScoreRollup,
    Ticket,
    TicketSla,
)
from store.live_state import live_sla_state
from store.partner_queries import survey_quarters
from store.rollups import SCORE_METRICS, survey_version_expression, utc_quarter
from store.ticket_rollups import quarter_of_month, sla_state_counts, utc_month

DIMENSIONS: tuple[str, ...] = ("total", "country", "region", "city", "category", "industry", "partner")
TICKET_DIMENSIONS: tuple[str, ...] = ("total", "country", "region", "city", "partner")
PLACE_DIMENSIONS: tuple[str, ...] = ("country", "region", "city")  # read from the partners' table
GRAINS: tuple[str, ...] = ("quarter", "month")
SATISFACTION_QUESTIONS: tuple[str, ...] = tuple(q for q in QUESTIONS if q not in RECOMMEND_QUESTIONS)
# CSAT of the page pools the answers of the satisfaction questions (SPEC §4: top-2-box among answered)
SURVEY_METRICS: dict[str, tuple[str, ...]] = SCORE_METRICS
# `survey_score_rollup` sums over categories and industries: by those the trend reads `survey_rollup`
SCORELESS_DIMENSIONS = ("category", "industry")
SLA_COUNTED_STATES = ("met", "breached")  # SPEC §5: compliance = met / (met + breached)
COUNT_COLUMNS = ["period", "group", "n", "top", "promoters", "detractors"]
SLA_COUNT_COLUMNS = ["period", "group", "met", "breached"]


@dataclass(frozen=True)
class TrendFilter:
    """Which partners and periods a trend covers; empty tuples mean "all".

    `start` and `end` are days (inclusive); they select every period containing one of their days.
    """

    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None


# ---------------------------------------------------------------- periods

def period_label(day: dt.date | pd.Timestamp, grain: str) -> str:
    """The period containing `day`: "2024Q2" (quarter) or "2024-05" (month)."""
    day = pd.Timestamp(day)
    return f"{day.year}Q{(day.month + 2) // 3}" if grain == "quarter" else f"{day.year}-{day.month:02d}"


def period_bounds(label: str, grain: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """UTC [start, stop) of a period label; ValueError when the label is not one of `grain`."""
    if grain == "quarter":
        period = pd.Period(label, freq="Q")
        if label != str(period):
            raise ValueError(f"not a quarter: {label!r}")
    elif grain == "month":
        period = pd.Period(label, freq="M")
        if label != str(period):
            raise ValueError(f"not a month: {label!r}")
    else:
        raise ValueError(f"unknown grain {grain!r}")
    start = period.start_time.tz_localize("UTC")
    return start, (period + 1).start_time.tz_localize("UTC")


def _range_bounds(flt: TrendFilter, grain: str) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """[first period's start, last period's stop) of the filter's whole periods (None = open)."""
    first = period_bounds(period_label(flt.start, grain), grain)[0] if flt.start else None
    stop = period_bounds(period_label(flt.end, grain), grain)[1] if flt.end else None
    return first, stop


def _period_expression(conn: Connection, column: ColumnElement, grain: str) -> ColumnElement[str]:
    return utc_quarter(conn, column) if grain == "quarter" else utc_month(conn, column)


def _time_window(column: ColumnElement, flt: TrendFilter, grain: str) -> list[ColumnElement[bool]]:
    first, stop = _range_bounds(flt, grain)
    conditions = []
    if first is not None:
        conditions.append(column >= first.to_pydatetime())
    if stop is not None:
        conditions.append(column < stop.to_pydatetime())
    return conditions


def _needs_place(flt: TrendFilter) -> bool:
    """Whether the filter reads the partners' places (then the partners' table is joined)."""
    return bool(flt.countries or flt.regions)


def _place_conditions(flt: TrendFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if flt.countries:
        conditions.append(Partner.country.in_(list(flt.countries)))
    if flt.regions:
        conditions.append(Partner.region.in_(list(flt.regions)))
    return conditions


def _check(dimension: str, grain: str, dimensions: Sequence[str] = DIMENSIONS) -> None:
    if dimension not in dimensions:
        raise ValueError(f"unknown dimension {dimension!r}")
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}")


# ---------------------------------------------------------------- survey counts (SPEC §4)

def _survey_score_counts(conn: Connection, metric: str, dimension: str, flt: TrendFilter, scheme: Scheme
                         ) -> pd.DataFrame:
    """`survey_trend_counts` by quarter from `survey_score_rollup` (a few rows per partner and quarter, summed
    from `survey_rollup` with the same rules: `store.rollups.survey_score_rows`)."""
    scores = SurveyScoreRollup
    first, stop = _range_bounds(flt, "quarter")
    stmt = select(scores.partner_id, scores.quarter.label("period"), scores.answers, scores.top,
                  (scores.promoters_top1 if scheme == "top1" else scores.promoters_top2).label("promoters"),
                  (scores.detractors_top1 if scheme == "top1" else scores.detractors_top2).label("detractors")
                  ).where(scores.metric == metric)
    if first is not None:
        stmt = stmt.where(scores.quarter >= period_label(first, "quarter"))
    if stop is not None:
        stmt = stmt.where(scores.quarter < period_label(stop, "quarter"))
    source = stmt.subquery("scores")
    group = _group_expression(dimension, source).label("group")
    stmt = (select(source.c.period, group, func.sum(source.c.answers).label("n"), func.sum(source.c.top).label("top"),
                   func.sum(source.c.promoters).label("promoters"), func.sum(source.c.detractors).label("detractors"))
            .select_from(_with_places(source, dimension, flt))
            .where(*_place_conditions(flt))
            .group_by(source.c.period, group)
            .order_by(source.c.period, group))
    frame = rows_frame(conn.execute(stmt), COUNT_COLUMNS)
    return frame.astype({c: "int64" for c in COUNT_COLUMNS[2:]})


def _survey_answers(conn: Connection, questions: Sequence[str], grain: str, flt: TrendFilter) -> Select:
    """One row per answer count: `partner_id, period, category, industry, scale, answer, answers`."""
    if grain == "quarter":
        first, stop = _range_bounds(flt, "quarter")
        stmt = select(SurveyRollup.partner_id, SurveyRollup.quarter.label("period"), SurveyRollup.category,
                      SurveyRollup.industry, SurveyRollup.scale, SurveyRollup.answer, SurveyRollup.answers
                      ).where(SurveyRollup.question.in_(list(questions)))
        if first is not None:
            stmt = stmt.where(SurveyRollup.quarter >= period_label(first, "quarter"))
        if stop is not None:
            stmt = stmt.where(SurveyRollup.quarter < period_label(stop, "quarter"))
        return stmt
    attributed = (
        select(Project.partner_id, utc_month(conn, Survey.surveyed_at).label("period"),
               func.coalesce(Project.category, "").label("category"),
               func.coalesce(Project.industry, "").label("industry"), Survey.recommend_scale,
               *[Survey.__table__.c[q] for q in questions])
        .join_from(Survey, Project, and_(Project.project_id == Survey.project_id,
                                          Project.version == survey_version_expression()))
        .where(*_time_window(Survey.surveyed_at, flt, "month"))
        .cte("attributed")
    )
    return union_all(*[
        select(attributed.c.partner_id, attributed.c.period, attributed.c.category, attributed.c.industry,
               (attributed.c.recommend_scale if q in RECOMMEND_QUESTIONS else literal(5, Integer)).label("scale"),
               attributed.c[q].label("answer"), literal(1, Integer).label("answers"))
        .where(attributed.c[q].is_not(None))
        for q in questions
    ])


def _group_expression(dimension: str, source) -> ColumnElement[str]:
    """The dimension value of a row; a missing value is "" (its own group). Only the dimension's column is read:
    the whole programme's `source` may have no partner column."""
    if dimension == "total":
        column = literal("", String)
    elif dimension in PLACE_DIMENSIONS:
        column = Partner.__table__.c[dimension]
    else:
        column = source.c["partner_id" if dimension == "partner" else dimension]
    return func.coalesce(column, "")


def _with_places(source: FromClause, dimension: str, flt: TrendFilter) -> FromClause:
    """`source` ⟕ `partners` when the group or a place filter reads the partner's place, else `source` alone
    (the whole programme by quarter needs no join of a partner per row)."""
    if dimension in PLACE_DIMENSIONS or _needs_place(flt):
        return source.join(Partner, Partner.partner_id == source.c.partner_id, isouter=True)
    return source


def survey_trend_counts(conn: Connection, metric: str, dimension: str, grain: str,
                        flt: TrendFilter = TrendFilter(), scheme: Scheme = "top1") -> pd.DataFrame:
    """Answer counts of a survey metric per period and dimension value, summed in the database.

    Parameters
    ----------
    metric
        "csat" (pooled satisfaction questions), "nps_partner" or "nps_platform" (SURVEY_METRICS).
    dimension, grain
        One of DIMENSIONS; "quarter" (from `survey_rollup`) or "month" (from `surveys`).
    scheme
        NPS scheme of 5-point recommend answers (SPEC §4): top1 promoter 5 / detractor 1–3,
        top2 promoter 4–5 / detractor 1–2; 0–10 answers: 9–10 / 0–6.

    Returns
    -------
    DataFrame
        `period, group, n` (answers), `top` (answers 4–5, or 9–10 on the 0–10 scale), `promoters`,
        `detractors` (int64; 0 for "csat", which has no recommend question), sorted by period and group.
    """
    _check(dimension, grain)
    if metric not in SURVEY_METRICS:
        raise ValueError(f"unknown survey metric {metric!r}")
    if scheme not in ("top1", "top2"):
        raise ValueError(f"unknown NPS scheme {scheme!r}")
    if grain == "quarter" and dimension not in SCORELESS_DIMENSIONS:
        return _survey_score_counts(conn, metric, dimension, flt, scheme)
    return survey_answer_counts(conn, metric, dimension, grain, flt, scheme)


def survey_answer_counts(conn: Connection, metric: str, dimension: str, grain: str,
                         flt: TrendFilter = TrendFilter(), scheme: Scheme = "top1") -> pd.DataFrame:
    """`survey_trend_counts` summed from the answer counts (`survey_rollup` by quarter, `surveys` by month): every
    dimension, category and industry too."""
    source = _survey_answers(conn, SURVEY_METRICS[metric], grain, flt).subquery("answers")
    group = _group_expression(dimension, source).label("group")
    ten = source.c.scale == 10
    promoter_min, detractor_max = (5, 3) if scheme == "top1" else (4, 2)

    recommend = metric != "csat"  # promoters and detractors only of recommend questions (SPEC §4)

    def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, source.c.answers), else_=0)), 0)

    stmt = (
        select(source.c.period, group, func.sum(source.c.answers).label("n"),
               counted(or_(and_(ten, source.c.answer >= 9), and_(not_(ten), source.c.answer >= 4))).label("top"),
               counted(and_(literal(recommend), or_(and_(ten, source.c.answer >= 9),
                                                     and_(not_(ten), source.c.answer >= promoter_min)))
                       ).label("promoters"),
               counted(and_(literal(recommend), or_(and_(ten, source.c.answer <= 6),
                                                     and_(not_(ten), source.c.answer <= detractor_max)))
                       ).label("detractors"))
        .select_from(_with_places(source, dimension, flt))
        .where(*_place_conditions(flt))
        .group_by(source.c.period, group)
        .order_by(source.c.period, group)
    )
    frame = rows_frame(conn.execute(stmt), COUNT_COLUMNS)
    return frame.astype({c: "int64" for c in COUNT_COLUMNS[2:]})


# ---------------------------------------------------------------- SLA counts (SPEC §5)

def _ticket_owner() -> ColumnElement[str]:
    # a ticket without partner_id belongs to its client's partner (metrics.deposit contract)
    return func.coalesce(Ticket.partner_id, Client.partner_id)


def _ticket_source(stmt: Select) -> Select:
    return (stmt.join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id)
            .join(Client, Client.client_id == Ticket.client_id, isouter=True)
            .join(Partner, Partner.partner_id == _ticket_owner(), isouter=True))


def _ticket_group(dimension: str) -> ColumnElement[str]:
    columns = {"total": literal("", String), "country": Partner.country, "region": Partner.region,
               "city": Partner.city, "partner": _ticket_owner()}
    return func.coalesce(columns[dimension], "")


def sla_trend_counts(conn: Connection, dimension: str, grain: str, flt: TrendFilter = TrendFilter()) -> pd.DataFrame:
    """Met and breached tickets per period of `created_at` and dimension value (TICKET_DIMENSIONS).

    Sums of `sla_rollup` months (SPEC §9: no scan of `tickets`); the partner's geography is joined at
    read time, so an edited partner moves its tickets at once.

    Returns
    -------
    DataFrame
        `period, group, met, breached` (int64); compliance % = 100 · met / (met + breached).
    """
    _check(dimension, grain, TICKET_DIMENSIONS)
    first, stop = _range_bounds(flt, grain)  # whole periods are whole months
    # final states from the rollup + open tickets at their state now (SPEC §5 live state); for the whole
    # programme each part is summed per period before the two are added: the rollup's partner × month rows
    # (222 k at `large`) do not pass through a union and a join. By partner they pass as they are (summing them
    # per partner × quarter first spilled a hash aggregate to disk: 0.17 → 0.24 s)
    by_partner = dimension != "total" or _needs_place(flt)  # the partner's own rows, or its place
    live = sla_state_counts(conn, live_sla_state(clock.now()), TicketSla.is_open.is_(True)).subquery("live")
    parts = []
    for month, quarter, partner, met, breached in (
            (SlaRollup.month, SlaRollup.quarter, SlaRollup.partner_id, SlaRollup.met, SlaRollup.breached),
            (live.c.month, quarter_of_month(live.c.month), live.c.partner_id, live.c.met, live.c.breached)):
        period = (quarter if grain == "quarter" else month).label("period")
        window = ([month >= period_label(first, "month")] if first is not None else []) \
            + ([month < period_label(stop, "month")] if stop is not None else [])
        parts.append(select(period, partner.label("partner_id"), met.label("met"), breached.label("breached"))
                     .where(*window) if by_partner else
                     select(period, func.sum(met).label("met"), func.sum(breached).label("breached"))
                     .where(*window).group_by(period))
    counts = union_all(*parts).subquery("sla_counts")
    rollup = counts.c
    group = _group_expression(dimension, counts).label("group")
    stmt = (select(rollup.period, group, func.sum(rollup.met).label("met"), func.sum(rollup.breached).label("breached"))
            .select_from(_with_places(counts, dimension, flt))
            .where(*_place_conditions(flt))
            .group_by(rollup.period, group).order_by(rollup.period, group))
    frame = rows_frame(conn.execute(stmt), SLA_COUNT_COLUMNS)
    return frame.astype({"met": "int64", "breached": "int64"})


# ---------------------------------------------------------------- competence (seed 000)

def competence_changes(conn: Connection, flt: TrendFilter = TrendFilter()) -> pd.DataFrame:
    """Quality Program decisions per 1st of a month: `month` (datetime64), `assigned`, `revoked`, `held` (int64)."""
    status = CompetenceHistoryRow.status
    stmt = (select(CompetenceHistoryRow.month,
                   func.sum(case((status == "assigned", 1), else_=0)).label("assigned"),
                   func.sum(case((status == "revoked", 1), else_=0)).label("revoked"),
                   func.sum(case((CompetenceHistoryRow.held, 1), else_=0)).label("held"))
            .where(*_place_conditions(flt), *_month_window(flt))
            .group_by(CompetenceHistoryRow.month).order_by(CompetenceHistoryRow.month))
    if _needs_place(flt):  # the whole programme's months need no partner per row
        stmt = stmt.join_from(CompetenceHistoryRow, Partner, Partner.partner_id == CompetenceHistoryRow.partner_id,
                              isouter=True)
    frame = read_frame(conn, stmt)
    return frame.astype({"assigned": "int64", "revoked": "int64", "held": "int64"})


def _month_window(flt: TrendFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if flt.start:
        conditions.append(CompetenceHistoryRow.month >= flt.start.replace(day=1))
    if flt.end:
        conditions.append(CompetenceHistoryRow.month <= flt.end)
    return conditions


# ---------------------------------------------------------------- drill-down rows

@dataclass(frozen=True)
class Selection:
    """The rows behind one chart point: a period and either some dimension values or all but some."""

    grain: str
    period: str
    dimension: str = "total"
    groups: tuple[str, ...] = ()
    exclude: bool = False  # True: every value except `groups` (the "others" series)


def _selection_condition(group: ColumnElement[str], selection: Selection) -> list[ColumnElement[bool]]:
    if selection.dimension == "total":
        return []
    values = list(selection.groups)
    if selection.exclude:
        return [not_(group.in_(values))] if values else []
    return [group.in_(values)]


def survey_rows(conn: Connection, metric: str, selection: Selection, flt: TrendFilter = TrendFilter(),
                limit: int = 5000) -> tuple[pd.DataFrame, int]:
    """Surveys behind a survey-metric point, newest first, and how many there are in all.

    Returns
    -------
    (DataFrame, int)
        `survey_id, surveyed_at, partner_id, partner_name, city, region, country, project_id, version,
        category, industry`, the metric's questions, `recommend_scale`, `comment` (at most `limit` rows);
        the total number of surveys with at least one of the metric's questions answered.
    """
    _check(selection.dimension, selection.grain)
    questions = SURVEY_METRICS[metric]
    start, stop = period_bounds(selection.period, selection.grain)
    version = survey_version_expression()
    dims = {"total": literal("", String), "country": Partner.country, "region": Partner.region,
            "city": Partner.city, "partner": Project.partner_id,
            "category": Project.category, "industry": Project.industry}
    group = func.coalesce(dims[selection.dimension], "")
    conditions = [Survey.surveyed_at >= start.to_pydatetime(), Survey.surveyed_at < stop.to_pydatetime(),
                  or_(*[Survey.__table__.c[q].is_not(None) for q in questions]),
                  *_place_conditions(flt), *_selection_condition(group, selection)]

    def joined(stmt: Select) -> Select:
        return (stmt.join_from(Survey, Project, and_(Project.project_id == Survey.project_id,
                                                      Project.version == version))
                .join(Partner, Partner.partner_id == Project.partner_id, isouter=True).where(*conditions))

    total = int(conn.execute(joined(select(func.count()))).scalar_one())
    stmt = joined(select(
        Survey.survey_id, Survey.surveyed_at, Project.partner_id, Partner.name.label("partner_name"),
        Partner.city, Partner.region, Partner.country, Survey.project_id, Project.version, Project.category,
        Project.industry, *[Survey.__table__.c[q] for q in questions], Survey.recommend_scale, Survey.comment,
    )).order_by(Survey.surveyed_at.desc(), Survey.survey_id).limit(limit)
    return read_frame(conn, stmt), total


def ticket_rows(conn: Connection, selection: Selection, flt: TrendFilter = TrendFilter(),
                limit: int = 5000) -> tuple[pd.DataFrame, int]:
    """Met and breached tickets behind an SLA point (created in the period), newest first, and their number.

    Returns
    -------
    (DataFrame, int)
        `ticket_id, created_at, client_id, client_name, partner_id, partner_name, city, region, service,
        kind, type, priority, deadline, resolved_at, sla_state` (at most `limit` rows); the total count.
    """
    _check(selection.dimension, selection.grain, TICKET_DIMENSIONS)
    start, stop = period_bounds(selection.period, selection.grain)
    state = live_sla_state(clock.now())
    conditions = [state.in_(SLA_COUNTED_STATES), Ticket.created_at >= start.to_pydatetime(),
                  Ticket.created_at < stop.to_pydatetime(), *_place_conditions(flt),
                  *_selection_condition(_ticket_group(selection.dimension), selection)]
    total = int(conn.execute(_ticket_source(select(func.count())).where(*conditions)).scalar_one())
    stmt = _ticket_source(select(
        Ticket.ticket_id, Ticket.created_at, Ticket.client_id, Client.name.label("client_name"),
        _ticket_owner().label("partner_id"), Partner.name.label("partner_name"), Partner.city, Partner.region,
        Ticket.service, Ticket.kind, Ticket.type, Ticket.priority, TicketSla.deadline, Ticket.resolved_at,
        state.label("sla_state"), TicketSla.rule,
    )).where(*conditions).order_by(Ticket.created_at.desc(), Ticket.ticket_id).limit(limit)
    return read_frame(conn, stmt), total


def competence_change_rows(conn: Connection, month: dt.date, status: str,
                           flt: TrendFilter = TrendFilter()) -> pd.DataFrame:
    """Partners whose competence was `status` ("assigned"/"revoked") on `month`, with the numbers behind it.

    Returns
    -------
    DataFrame
        `partner_id, name, city, region, country, month, keys, covered, share, status, window_start,
        window_end`, by partner.
    """
    c = CompetenceHistoryRow
    stmt = (select(c.partner_id, Partner.name, Partner.city, Partner.region, Partner.country, c.month, c.keys,
                   c.covered, c.share, c.status, c.window_start, c.window_end)
            .join_from(c, Partner, Partner.partner_id == c.partner_id, isouter=True)
            .where(c.month == month, c.status == status, *_place_conditions(flt))
            .order_by(c.partner_id))
    return read_frame(conn, stmt)


# ---------------------------------------------------------------- pickers

def filter_options(conn: Connection) -> dict[str, list[str]]:
    """Picker values: `countries`, `regions` (of partners), `quarters` (of `survey_rollup`), oldest first."""
    countries = conn.execute(select(Partner.country).distinct().where(Partner.country.is_not(None))
                             .order_by(Partner.country)).scalars()
    regions = conn.execute(select(Partner.region).distinct().where(Partner.region.is_not(None))
                           .order_by(Partner.region)).scalars()
    return {"countries": list(countries), "regions": list(regions), "quarters": survey_quarters(conn)}


LABELS_IN_LIMIT = 500


def partner_labels(conn: Connection, partner_ids: Sequence[str]) -> pd.DataFrame:
    """`partner_id, name, city, region` of the given partners."""
    if not partner_ids:
        return pd.DataFrame(columns=["partner_id", "name", "city", "region"])
    stmt = select(Partner.partner_id, Partner.name, Partner.city, Partner.region)
    if len(partner_ids) <= LABELS_IN_LIMIT:
        return read_frame(conn, stmt.where(Partner.partner_id.in_(list(partner_ids))))
    # thousands of ids (the movers at `large`): one bound parameter each cost more to send than every partner's row
    every = read_frame(conn, stmt)
    return every[every["partner_id"].isin(list(partner_ids))].reset_index(drop=True)
