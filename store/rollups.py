"""Pre-aggregated tables the pages read instead of scanning inputs (SPEC §9).

* `survey_rollup`: answer counts per partner × quarter × question × scale × answer value × category ×
  industry, rebuilt inside the database with one ``INSERT ... SELECT ... GROUP BY`` (SQLite and
  PostgreSQL). Means, CSAT, NPS, distributions and comparison groups are sums over these counts.
* `competence_history`: the monthly Quality Program decisions of `metrics.programs.competence_history`
  (seed 000), with the numbers behind each decision.
* ticket rollups (SLA compliance, dedicated support): `store.ticket_rollups`.

`refresh_rollups(conn, kinds)` is the single entry point for `store.derived.refresh_after_ingest` and
`cli.py recompute`: it refreshes only what the loaded kinds can change.
"""
from __future__ import annotations

from collections.abc import Iterable

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
    cast,
    delete,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from metrics.program_dates import month_starts, utc_timestamp
from metrics.programs import competence_history, submitted_versions
from metrics.survey import QUESTIONS, RECOMMEND_QUESTIONS
from store.bulk import analyze, insert_dataframe, replace_rows
from store.frames import read_frame_bulk
from store.models import (
    CompetenceHistoryRow,
    LicenseKey,
    MonitorTest,
    Project,
    Survey,
    SurveyQuestionRollup,
    SurveyRollup,
    SurveyScoreRollup,
)
from store.stored_counts import recount_stored_rows
from store.ticket_rollups import TICKET_ROLLUP_KINDS, refresh_ticket_rollups
from store import clock

SURVEY_ROLLUP_KINDS = frozenset({"surveys", "projects"})
COMPETENCE_KINDS = frozenset({"license_keys", "projects", "monitor_tests"})
ROLLUP_DIMENSIONS = ("partner_id", "quarter", "question", "scale", "answer", "category", "industry")
# the survey metrics of trends and homes (SPEC §4): CSAT pools the satisfaction questions, NPS one recommend question
SCORE_METRICS: dict[str, tuple[str, ...]] = {
    "csat": tuple(q for q in QUESTIONS if q not in RECOMMEND_QUESTIONS),
    "nps_partner": ("q_recommend_partner",),
    "nps_platform": ("q_recommend_platform",),
}
SCORE_SUMS = ("answers", "top", "promoters_top1", "detractors_top1", "promoters_top2", "detractors_top2")
SCORE_COLUMNS = ["partner_id", "quarter", "metric", *SCORE_SUMS]
QUESTION_SUMS = ("answers", "total", "top", "promoters_top1", "detractors_top1", "promoters_top2", "detractors_top2")
QUESTION_COLUMNS = ["partner_id", "quarter", "question", *QUESTION_SUMS]


def refresh_rollups(conn: Connection, kinds: Iterable[str] | None = None,
                    now: pd.Timestamp | None = None) -> None:
    """Refresh the rollups that files of `kinds` can change (all of them when `kinds` is None)."""
    kinds = None if kinds is None else set(kinds)
    if kinds is None or kinds & SURVEY_ROLLUP_KINDS:
        refresh_survey_rollup(conn)
    if kinds is None or kinds & COMPETENCE_KINDS:
        refresh_competence_history(conn, now=now)
    if kinds is None or kinds & TICKET_ROLLUP_KINDS:
        refresh_ticket_rollups(conn, kinds)
    if kinds is None:  # a load keeps them by what it inserted; the full rebuild counts (`store.stored_counts`)
        recount_stored_rows(conn)


def utc_quarter(conn: Connection, column: ColumnElement) -> ColumnElement[str]:
    """SQL expression of the UTC calendar quarter of a timestamp column, "2024Q2" (= metrics.survey.quarter_label)."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY"Q"Q')
    # SQLite keeps UTC text; strftime also normalizes a stored "+03:00" offset to UTC
    month = cast(func.strftime("%m", column), Integer)
    return func.strftime("%Y", column).concat("Q").concat(cast((month + 2) // 3, String))


def survey_version_expression() -> ColumnElement[int]:
    """The project version a survey is about: its own `version`, else the newest version submitted by then.

    A survey without a version belongs to the latest version of its project submitted at or before
    `surveyed_at` (a transferred project's later versions belong to the new partner); a survey older than
    every version falls back to the first version.
    """
    earlier = aliased(Project)
    first = aliased(Project)
    newest_by_then = (select(func.max(earlier.version))
                      .where(earlier.project_id == Survey.project_id, earlier.submitted_at <= Survey.surveyed_at)
                      .scalar_subquery())
    first_version = select(func.min(first.version)).where(first.project_id == Survey.project_id).scalar_subquery()
    return func.coalesce(Survey.version, newest_by_then, first_version)


def survey_rollup_query(conn: Connection, projects: Select | None = None) -> Select:
    """The grouped SELECT that `survey_rollup` holds: `ROLLUP_DIMENSIONS` + `answers` (count).

    Each answered (survey, question) counts once in its cell; empty answers are not counted
    (SPEC §4: excluded from that question's denominator). `projects`: only the contribution of the surveys of the projects it selects (the rollup is a
    count, and a survey's cell depends only on the survey and its project's versions).
    """
    attributed = (
        select(
            Project.partner_id,
            utc_quarter(conn, Survey.surveyed_at).label("quarter"),
            func.coalesce(Project.category, "").label("category"),
            func.coalesce(Project.industry, "").label("industry"),
            Survey.recommend_scale,
            *[Survey.__table__.c[q] for q in QUESTIONS],
        )
        .join_from(Survey, Project, and_(Project.project_id == Survey.project_id,
                                          Project.version == survey_version_expression()))
    )
    if projects is not None:
        attributed = attributed.where(Survey.project_id.in_(projects))
    attributed = attributed.cte("attributed")
    per_question = [
        select(
            attributed.c.partner_id, attributed.c.quarter, literal(q, String(32)).label("question"),
            (attributed.c.recommend_scale if q in RECOMMEND_QUESTIONS else literal(5, Integer)).label("scale"),
            attributed.c[q].label("answer"), attributed.c.category, attributed.c.industry,
        ).where(attributed.c[q].is_not(None))
        for q in QUESTIONS
    ]
    answers = union_all(*per_question).subquery("answers")
    dims = [answers.c[d] for d in ROLLUP_DIMENSIONS]
    return select(*dims, func.count().label("answers")).group_by(*dims)


def survey_rollup_rows(conn: Connection, project_ids: Select | None = None) -> Select:
    """The `survey_rollup` rows of the surveys of the projects `project_ids` selects: their contribution
    (a load takes the touched projects' old contribution off and adds the new one, `store.incremental`)."""
    return survey_rollup_query(conn, projects=project_ids)


def refresh_survey_rollup(conn: Connection) -> None:
    """Rebuild `survey_rollup` from `surveys` ⋈ `projects` with one grouped INSERT ... SELECT
    (`survey_rollup_query`), then `survey_score_rollup` and `survey_question_rollup` from it. Only new, changed and vanished cells are
    written (`replace_rows`); a load updates the cells it touched instead (`store.incremental`)."""
    replace_rows(conn, SurveyRollup.__table__, [*ROLLUP_DIMENSIONS, "answers"], survey_rollup_query(conn))
    refresh_survey_sums(conn)


def refresh_survey_sums(conn: Connection) -> None:
    """Rebuild the rollups summed from `survey_rollup`: `survey_score_rollup` and `survey_question_rollup`."""
    replace_rows(conn, SurveyScoreRollup.__table__, SCORE_COLUMNS, survey_score_rows(SurveyRollup.__table__))
    replace_rows(conn, SurveyQuestionRollup.__table__, QUESTION_COLUMNS, survey_question_rows(SurveyRollup.__table__))


def survey_score_rows(counts: FromClause) -> Select:
    """`survey_score_rollup` rows (`SCORE_COLUMNS`) summed from answer counts shaped like `survey_rollup`
    (`partner_id, quarter, question, scale, answer, answers`): the rollup itself, or a load's signed change of it.

    top: 4–5 of 5, 9–10 of 10; promoters and detractors of the recommend questions only: top1 5 / 1–3, top2
    4–5 / 1–2 of 5; 9–10 / 0–6 of 10 under both (SPEC §4, as `store.trend_queries.survey_trend_counts`)."""
    c = counts.c
    metric = case(*[(c.question.in_(questions), literal(name, String)) for name, questions in SCORE_METRICS.items()],
                  else_=None)
    return (select(c.partner_id, c.quarter, metric.label("metric"),
                   *_answer_sums(c, c.question.in_(RECOMMEND_QUESTIONS)))
            .where(metric.is_not(None))
            .group_by(c.partner_id, c.quarter, metric))


def survey_question_rows(counts: FromClause) -> Select:
    """`survey_question_rollup` rows (`QUESTION_COLUMNS`) summed from answer counts shaped like `survey_rollup`:
    the rollup itself, or a load's signed change of it. Every question's promoters and detractors are counted on
    its own scale (what `metrics.privacy.cells_from_counts` computes from the answer counts)."""
    c = counts.c
    total = func.coalesce(func.sum(c.answers * c.answer), 0).label("total")
    sums = _answer_sums(c, None)
    return (select(c.partner_id, c.quarter, c.question, sums[0], total, *sums[1:])
            .group_by(c.partner_id, c.quarter, c.question))


def _answer_sums(c, counted_for: ColumnElement[bool] | None) -> list[ColumnElement[int]]:
    """``answers, top, promoters_top1, detractors_top1, promoters_top2, detractors_top2`` summed over answer
    counts `c`; promoters and detractors only where `counted_for` holds (every row when None)."""
    ten = c.scale == 10

    def counted(condition: ColumnElement[bool], nps: bool = False) -> ColumnElement[int]:
        if nps and counted_for is not None:
            condition = and_(counted_for, condition)
        return func.coalesce(func.sum(case((condition, c.answers), else_=0)), 0)

    return [func.sum(c.answers).label("answers"),
            counted(or_(and_(ten, c.answer >= 9), and_(not_(ten), c.answer >= 4))).label("top"),
            counted(or_(and_(ten, c.answer >= 9), and_(not_(ten), c.answer >= 5)), True).label("promoters_top1"),
            counted(or_(and_(ten, c.answer <= 6), and_(not_(ten), c.answer <= 3)), True).label("detractors_top1"),
            counted(or_(and_(ten, c.answer >= 9), and_(not_(ten), c.answer >= 4)), True).label("promoters_top2"),
            counted(or_(and_(ten, c.answer <= 6), and_(not_(ten), c.answer <= 2)), True).label("detractors_top2")]


def refresh_competence_history(conn: Connection, now: pd.Timestamp | None = None,
                               partners: Select | None = None) -> int:
    """Rebuild `competence_history` for every 1st of a month up to `now` (default: today, UTC).

    seed 000: competence is assigned or revoked on the 1st of each month from the activated keys bought
    14 to 2 months earlier; the history starts on the first 1st at which any key can count
    (earliest purchase + 2 months). Returns the number of rows written.

    `partners`: rebuild only the rows of the partners it selects (a load touched their keys, project
    versions or monitor tests). A partner's decisions read only its own keys and its own submitted versions,
    so the other rows stay; but when the months of the history moved (an earlier first purchase, or a new
    1st of a month since the last rebuild) every partner's rows are rebuilt.
    """
    now = clock.now() if now is None else pd.Timestamp(now)
    if partners is not None and not _same_history_months(conn, now):
        partners = None
    keys_stmt, projects_stmt, tests_stmt = select(LicenseKey), select(Project), select(MonitorTest)
    if partners is None:
        conn.execute(delete(CompetenceHistoryRow))
    else:
        conn.execute(delete(CompetenceHistoryRow).where(CompetenceHistoryRow.partner_id.in_(partners)))
        keys_stmt = keys_stmt.where(LicenseKey.partner_id.in_(partners))
        projects_stmt = projects_stmt.where(Project.partner_id.in_(partners))
        tests_stmt = tests_stmt.where(MonitorTest.project_id.in_(projects_stmt.with_only_columns(Project.project_id)))
    keys = read_frame_bulk(conn, keys_stmt)
    if keys.empty:  # nothing to decide (before the first keys file): skip reading projects and tests
        return 0
    submitted = submitted_versions(read_frame_bulk(conn, projects_stmt), read_frame_bulk(conn, tests_stmt))
    history = competence_history(keys, submitted, _history_start(conn), now)
    if history.empty:
        return 0
    rows = pd.DataFrame({
        "partner_id": history["partner_id"],
        "month": history["month"].dt.date,
        "keys": history["keys"].astype(int),
        "covered": history["covered"].astype(int),
        "share": history["share"].astype(object).where(history["share"].notna(), None),
        "held": history["held"].astype(bool),
        "status": history["status"],
        "window_start": history["window_start"].dt.date,
        "window_end": history["window_end"].dt.date,
    })
    insert_dataframe(conn, CompetenceHistoryRow.__table__, rows)  # COPY on PostgreSQL
    if partners is None:
        analyze(conn, CompetenceHistoryRow.__table__)
    return len(rows)


def _history_start(conn: Connection) -> pd.Timestamp | None:
    """seed 000: the first 1st at which any key can count is after the earliest purchase + 2 months."""
    first = conn.execute(select(func.min(LicenseKey.purchased_at))).scalar_one()
    return None if first is None else utc_timestamp(first) + pd.DateOffset(months=2)


def _same_history_months(conn: Connection, now: pd.Timestamp) -> bool:
    """Whether the stored history covers exactly the months a full rebuild at `now` would decide."""
    start = _history_start(conn)
    months = month_starts(start, now) if start is not None else pd.DatetimeIndex([])
    first, last = conn.execute(select(func.min(CompetenceHistoryRow.month), func.max(CompetenceHistoryRow.month))).one()
    if months.empty or first is None:
        return months.empty and first is None
    return (first, last) == (months[0].date(), months[-1].date())
