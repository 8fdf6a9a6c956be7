"""SQLAlchemy 2.0 typed models: one table per input kind of SPEC §3, plus quarantine, users, audit, settings.

Timestamps are stored in UTC (``DateTime(timezone=True)``); dates without time use ``Date``.
The schema is created only by Alembic (``store/migrations``); ``KIND_TABLES`` maps each input kind to
its table and natural key, which the loaders use for idempotent upserts.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    LargeBinary,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Ts = DateTime(timezone=True)


class Base(DeclarativeBase):
    pass


# ---------------------------------------------------------------- inputs (SPEC §3)
class Partner(Base):
    __tablename__ = "partners"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120), index=True)
    region: Mapped[str | None] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), default="RU")
    network_competence_center: Mapped[bool] = mapped_column(Boolean, default=False)
    kkv_level: Mapped[str] = mapped_column(String(16), default="none")
    kkv_valid_until: Mapped[dt.date | None] = mapped_column(Date)


class Client(Base):
    __tablename__ = "clients"
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    users: Mapped[int | None] = mapped_column(Integer)
    service_manager: Mapped[str | None] = mapped_column(String(64), index=True)
    calendar: Mapped[str | None] = mapped_column(String(64))
    sla_policy: Mapped[str | None] = mapped_column(String(64))


class Project(Base):
    __tablename__ = "projects"
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(Ts)
    client_id: Mapped[str | None] = mapped_column(String(64), index=True)
    site_url: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(32))
    industry: Mapped[str | None] = mapped_column(String(120))
    license_key: Mapped[str | None] = mapped_column(String(64))
    transferred_from: Mapped[str | None] = mapped_column(String(64))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(64))


class MonitorTest(Base):
    __tablename__ = "monitor_tests"
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    test: Mapped[str] = mapped_column(String(120), primary_key=True)
    result: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)


class LicenseKey(Base):
    __tablename__ = "license_keys"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    purchased_at: Mapped[dt.datetime] = mapped_column(Ts)
    activated_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    project_id: Mapped[str | None] = mapped_column(String(64))


class Survey(Base):
    __tablename__ = "surveys"
    survey_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    surveyed_at: Mapped[dt.datetime] = mapped_column(Ts, index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    q_business_goals: Mapped[int | None] = mapped_column(SmallInteger)
    q_design: Mapped[int | None] = mapped_column(SmallInteger)
    q_dev_quality: Mapped[int | None] = mapped_column(SmallInteger)
    q_managers: Mapped[int | None] = mapped_column(SmallInteger)
    q_budget: Mapped[int | None] = mapped_column(SmallInteger)
    q_speed: Mapped[int | None] = mapped_column(SmallInteger)
    q_recommend_partner: Mapped[int | None] = mapped_column(SmallInteger)
    q_platform_usability: Mapped[int | None] = mapped_column(SmallInteger)
    q_platform_features: Mapped[int | None] = mapped_column(SmallInteger)
    q_recommend_platform: Mapped[int | None] = mapped_column(SmallInteger)
    # file-level scale of the q_recommend_* columns: 5 (Likert) or 10 (0-10)
    recommend_scale: Mapped[int] = mapped_column(SmallInteger, default=5)
    comment: Mapped[str | None] = mapped_column(Text)


class Ticket(Base):
    __tablename__ = "tickets"
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Ts)
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    service: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    line: Mapped[int | None] = mapped_column(SmallInteger)
    assignee: Mapped[str | None] = mapped_column(String(64))
    subtasks: Mapped[int | None] = mapped_column(Integer)
    estimate_hours: Mapped[float | None] = mapped_column(Float)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    due_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    closed_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    requirements_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    spec_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    implemented_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    deployed_at: Mapped[dt.datetime | None] = mapped_column(Ts)

    __table_args__ = (Index("ix_tickets_client_created", "client_id", "created_at"),)


class TicketPause(Base):
    __tablename__ = "ticket_pauses"
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    paused_at: Mapped[dt.datetime] = mapped_column(Ts, primary_key=True)
    resumed_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    reason: Mapped[str | None] = mapped_column(String(32))


class Worklog(Base):
    """No key in the file; the natural key (ticket, staff, day, work type) makes re-loads idempotent."""

    __tablename__ = "worklog"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    staff: Mapped[str] = mapped_column(String(64))
    hours: Mapped[float] = mapped_column(Float)
    work_date: Mapped[dt.date] = mapped_column(Date)
    work_type: Mapped[str] = mapped_column(String(16), default="support")

    __table_args__ = (
        UniqueConstraint("ticket_id", "staff", "work_date", "work_type", name="uq_worklog_natural"),
        Index("ix_worklog_work_date", "work_date"),
    )


class Staff(Base):
    __tablename__ = "staff"
    staff: Mapped[str] = mapped_column(String(64), primary_key=True)
    line: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str | None] = mapped_column(String(200))


class Deposit(Base):
    __tablename__ = "deposits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[dt.datetime] = mapped_column(Ts)
    amount: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="UAH")

    __table_args__ = (UniqueConstraint("partner_id", "paid_at", name="uq_deposits_natural"),)


class KkvPoints(Base):
    __tablename__ = "kkv_points"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(64))
    earned_at: Mapped[dt.datetime] = mapped_column(Ts)
    source: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("partner_id", "earned_at", "source", name="uq_kkv_points_natural"),)


class EnterpriseReport(Base):
    __tablename__ = "enterprise_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(Ts)
    stage: Mapped[str | None] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("project_id", "reported_at", name="uq_enterprise_reports_natural"),)


class SaasContract(Base):
    __tablename__ = "saas_contracts"
    contract_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(Ts)
    client_id: Mapped[str | None] = mapped_column(String(64))
    its_level: Mapped[str | None] = mapped_column(String(32))
    promo: Mapped[str] = mapped_column(String(16), default="none")
    lead_id: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    churn_reason: Mapped[str | None] = mapped_column(Text)


class Lead(Base):
    __tablename__ = "leads"
    lead_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    registered_at: Mapped[dt.datetime] = mapped_column(Ts)
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    welcome_call_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    first_reply_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    converted_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    complaint: Mapped[bool] = mapped_column(Boolean, default=False)


# ---------------------------------------------------------------- derived (materialized at ingest)
class TicketSla(Base):
    """Per-ticket SLA values, materialized at ingest and by `cli.py recompute` (SPEC §5)."""

    __tablename__ = "ticket_sla"
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    acceptance_working_s: Mapped[float | None] = mapped_column(Float)
    resolution_working_s: Mapped[float | None] = mapped_column(Float)
    elapsed_working_s: Mapped[float | None] = mapped_column(Float)
    paused_working_s: Mapped[float | None] = mapped_column(Float)
    acceptance_target_s: Mapped[float | None] = mapped_column(Float)
    resolution_target_s: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[dt.datetime | None] = mapped_column(Ts)
    acceptance_state: Mapped[str | None] = mapped_column(String(16))
    sla_state: Mapped[str | None] = mapped_column(String(16), index=True)
    pause_count: Mapped[int | None] = mapped_column(Integer)
    requirements_working_s: Mapped[float | None] = mapped_column(Float)
    spec_working_s: Mapped[float | None] = mapped_column(Float)
    implementation_working_s: Mapped[float | None] = mapped_column(Float)
    deployment_working_s: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    # issue 12: the state of an open ticket is evaluated when read (store.live_state), from these
    rule: Mapped[str | None] = mapped_column(String(120))  # the rule that set the target
    at_risk_from: Mapped[dt.datetime | None] = mapped_column(Ts)  # less than at_risk_share left after it
    is_open: Mapped[bool | None] = mapped_column(Boolean, index=True)  # unresolved when computed
    clock_stopped: Mapped[bool | None] = mapped_column(Boolean)  # open and paused when computed: state kept


# ---------------------------------------------------------------- operations
class IngestRun(Base):
    __tablename__ = "ingest_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str | None] = mapped_column(String(32))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # ok | partial | refused
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(Ts)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    seconds: Mapped[float | None] = mapped_column(Float)
    login: Mapped[str | None] = mapped_column(String(64))


class QuarantineRow(Base):
    """A rejected input row: file, 1-based data row, column, value and a plain-language reason."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ingest_id: Mapped[int | None] = mapped_column(Integer, index=True)
    path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str | None] = mapped_column(String(32))
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(120))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Ts)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))  # partner | service_manager | management | admin
    partner_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Ts)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(Ts)
    email: Mapped[str | None] = mapped_column(String(254))  # SPEC §11: notifications (else the login if it is an address)
    lang: Mapped[str] = mapped_column(String(2), default="ru", server_default="ru")  # language of notifications


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(Ts, index=True)
    login: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))


class SlaPolicyRow(Base):
    """An SLA policy by name; `definition` is metrics.sla.SlaPolicy.to_dict()."""

    __tablename__ = "sla_policies"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime | None] = mapped_column(Ts)


class CalendarRow(Base):
    """A working calendar by name; `definition` is metrics.calendar.WorkCalendar.to_dict()."""

    __tablename__ = "calendars"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime | None] = mapped_column(Ts)


# ---------------------------------------------------------------- issue 12: official calendars, recomputes
class ProductionCalendarDay(Base):
    """A day of an official production calendar loaded by the admin (overrides `holidays`, SPEC §5)."""

    __tablename__ = "production_calendar_days"
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # holiday / workday / short


class ProductionCalendarYear(Base):
    """A year of an official production calendar: which file it came from and when."""

    __tablename__ = "production_calendar_years"
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    days: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(Ts)


class SlaRecompute(Base):
    """One recompute of stored SLA values after a policy or calendar change (SPEC §5)."""

    __tablename__ = "sla_recomputes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(Ts, index=True)
    trigger: Mapped[str] = mapped_column(String(200))  # e.g. "policy default", "calendar RU"
    version: Mapped[str | None] = mapped_column(String(64))  # digest of the definition used
    tickets: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # done / failed
    detail: Mapped[str | None] = mapped_column(Text)


# input kind -> (model, natural key columns used for upserts)
KIND_TABLES: dict[str, tuple[type[Base], tuple[str, ...]]] = {
    "partners": (Partner, ("partner_id",)),
    "clients": (Client, ("client_id",)),
    "projects": (Project, ("project_id", "version")),
    "monitor_tests": (MonitorTest, ("project_id", "version", "test")),
    "license_keys": (LicenseKey, ("key",)),
    "surveys": (Survey, ("survey_id",)),
    "tickets": (Ticket, ("ticket_id",)),
    "ticket_pauses": (TicketPause, ("ticket_id", "paused_at")),
    "worklog": (Worklog, ("ticket_id", "staff", "work_date", "work_type")),
    "staff": (Staff, ("staff",)),
    "deposits": (Deposit, ("partner_id", "paid_at")),
    "kkv_points": (KkvPoints, ("partner_id", "earned_at", "source")),
    "enterprise_reports": (EnterpriseReport, ("project_id", "reported_at")),
    "saas_contracts": (SaasContract, ("contract_id",)),
    "leads": (Lead, ("lead_id",)),
}
KINDS: tuple[str, ...] = tuple(KIND_TABLES)


class StoredCount(Base):
    """Rows stored per input kind, kept exact by the loads (issue 14): each file's upserts add the rows they
    inserted, in the file's transaction (`store.bulk.upsert_dataframe` returns them); a full rebuild recounts
    (`store.stored_counts.recount_stored_rows`), the nightly consistency job checks them against ``count(*)``. The
    admin's home reads these few rows instead of counting 9 M input rows (0.4–0.8 s at `large`). A kind without
    a row has no stored rows."""

    __tablename__ = "stored_counts"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- rollups (SPEC §9: pages read pre-aggregated counts)
class SurveyRollup(Base):
    """Answer counts per partner × quarter × question × answer value (+ category, industry).

    Rebuilt by `store.rollups.refresh_survey_rollup` with one INSERT ... SELECT ... GROUP BY, so that
    mean, CSAT, NPS, distributions and anonymized comparisons are computed from counts, never by
    scanning `surveys`. `scale` is 10 for recommend answers of a 0–10 file, else 5; `quarter` is the
    UTC calendar quarter of `surveyed_at` ("2024Q2"); empty category/industry are stored as "".
    """

    __tablename__ = "survey_rollup"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    scale: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    answer: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    industry: Mapped[str] = mapped_column(String(120), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_survey_rollup_quarter", "quarter"),)


class SurveyScoreRollup(Base):
    """Survey answers counted per partner × quarter × survey metric (CSAT, NPS of the partner, NPS of the platform):
    answers, top-2-box answers, and promoters and detractors under both NPS schemes (SPEC §4).

    The sums of `survey_rollup` over its questions, categories, industries and answer values: trends and the
    management home by quarter and place read a few rows per partner and quarter instead of every answer value
    (`store.trend_queries.survey_trend_counts`). Rebuilt with `survey_rollup` (`store.rollups`); a load adds the
    change of the cells it touched (`store.incremental`).
    """

    __tablename__ = "survey_score_rollup"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    top: Mapped[int] = mapped_column(Integer)
    promoters_top1: Mapped[int] = mapped_column(Integer)
    detractors_top1: Mapped[int] = mapped_column(Integer)
    promoters_top2: Mapped[int] = mapped_column(Integer)
    detractors_top2: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_survey_score_rollup_quarter", "quarter"),)


class SurveyQuestionRollup(Base):
    """Survey answers summed per partner × quarter × question: answers, their sum, top-box answers, and
    promoters and detractors under both NPS schemes (every question, classified on its own scale).

    The cells an anonymized comparison is computed from (`metrics.privacy.cells_from_counts`): a country's
    comparison reads one row per partner, quarter and question instead of grouping `survey_rollup`'s answer
    values, categories and industries (1.05 s of grouping for Russia at `large`, 715 k rows into 415 k).
    Rebuilt with `survey_rollup` (`store.rollups`); a load adds the change of the cells it touched
    (`store.incremental`).
    """

    __tablename__ = "survey_question_rollup"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    question: Mapped[str] = mapped_column(String(32), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    top: Mapped[int] = mapped_column(Integer)
    promoters_top1: Mapped[int] = mapped_column(Integer)
    detractors_top1: Mapped[int] = mapped_column(Integer)
    promoters_top2: Mapped[int] = mapped_column(Integer)
    detractors_top2: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_survey_question_rollup_quarter", "quarter"),)


class CompetenceHistoryRow(Base):
    """Quality Program competence decision per partner on each 1st of a month (seed 000), with its numbers.

    Materialized from `metrics.programs.competence_history` by `store.rollups.refresh_competence_history`.
    """

    __tablename__ = "competence_history"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    keys: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)
    share: Mapped[float | None] = mapped_column(Float)
    held: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))  # assigned | kept | revoked | none
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (Index("ix_competence_history_month", "month"),)


class ComparisonRollup(Base):
    """The anonymized comparison every partner may see, per page window × NPS scheme × metric (SPEC §8).

    Refreshed at ingest by `store.comparison_rollup.refresh_comparison_rollup` for the page windows of that
    day (`window_id`: "2026Q3" or "ttm:2026Q3"): `metrics.privacy.comparison_groups_all` evaluates every
    partner of a country in one pass, so the page reads one partner's rows instead of re-evaluating the
    whole country per visit. Only group aggregates are stored, never another partner's values, and the
    group's answer count only as the floor of its shown band (`answers_from`).
    """

    __tablename__ = "comparison_rollup"
    window_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(8), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    withheld: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[str | None] = mapped_column(String(16))
    group_name: Mapped[str | None] = mapped_column(String(200))
    group_name_en: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    n_partners: Mapped[int] = mapped_column(Integer)
    answers_from: Mapped[int] = mapped_column(Integer)  # 30, 50, 100 (`metrics.privacy.answer_band_floor`); 0 withheld
    reason_ru: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)
    # a hash of the row's values (`store.bulk.row_digest`): a refresh writes only the rows whose digest changed
    row_digest: Mapped[int | None] = mapped_column(BigInteger)


# ---------------------------------------------------------------- programme settings (admin-edited)
class LeadWeight(Base):
    """Admin weight of a partner's share of 1cfresh leads (seed 002: 1C may raise or lower it); default 1."""

    __tablename__ = "lead_weights"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    login: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime | None] = mapped_column(Ts)


# ---------------------------------------------------------------- ticket rollups (SPEC §9, store.ticket_rollups)
class SlaRollup(Base):
    """Met and breached tickets per UTC month of `created_at` × owning partner (Trends SLA compliance).

    The owner is the ticket's `partner_id`, else its client's ("" when neither); `quarter` is the month's
    UTC quarter ("2024Q2"), so quarterly trends sum months. Rebuilt by `store.ticket_rollups`.
    """

    __tablename__ = "sla_rollup"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), index=True)
    met: Mapped[int] = mapped_column(Integer)
    breached: Mapped[int] = mapped_column(Integer)


class SupportSpeedRollup(Base):
    """Exact median resolution working time per service (psm/classic) × type × priority (seed 003 claim).

    `type` and `priority` may be NULL (their own stratum, as in `metrics.deposit.psm_vs_classic`).
    """

    __tablename__ = "support_speed_rollup"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    tickets: Mapped[int] = mapped_column(Integer)
    median_working_s: Mapped[float] = mapped_column(Float)
    # the lower middle row of the stratum in `support_speed_values` order: where a delta load starts walking
    middle_seconds: Mapped[float | None] = mapped_column(Float)
    middle_ticket_id: Mapped[str | None] = mapped_column(String(64))


class SupportSpeedValue(Base):
    """The resolution working time of each resolved psm/classic ticket, ordered within its speed stratum.

    `support_speed_rollup` reads its exact medians from here: the index on (service, type, priority,
    seconds, ticket_id) orders each stratum strictly, so a load finds a touched stratum's new middle rows by
    walking from the stored middle row as many rows as it added or removed, without sorting or counting the
    stratum (issue 14). Kept by `store.ticket_rollups.refresh_support_speed_rollup`.
    """

    __tablename__ = "support_speed_values"
    __table_args__ = (Index("ix_support_speed_values_stratum", "service", "type", "priority", "seconds", "ticket_id"),)
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    seconds: Mapped[float] = mapped_column(Float)


class SupportChargeRollup(Base):
    """Resolved psm tickets per partner × UTC month of `resolved_at` × rework (seed 003 deposit charges)."""

    __tablename__ = "support_charge_rollup"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rework: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer)


class SupportWorkRollup(Base):
    """Specialist working time per psm ticket (seed 003: worked time visible to the partner), from `worklog`."""

    __tablename__ = "support_work_rollup"
    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hours: Mapped[float] = mapped_column(Float)
    support_hours: Mapped[float] = mapped_column(Float)
    development_hours: Mapped[float] = mapped_column(Float)
    staff: Mapped[int] = mapped_column(Integer)
    first_work_date: Mapped[dt.date] = mapped_column(Date)
    last_work_date: Mapped[dt.date] = mapped_column(Date, index=True)


# ---------------------------------------------------------------- jobs and notifications (SPEC §11, issue 13)
class JobRun(Base):
    """One run of a scheduled job for one due slot; the unique (job, slot) row is the cross-process lock.

    A scheduler claims a slot by inserting its row in a transaction: a second process inserting the same
    (job, slot) fails on the constraint and skips, on SQLite and PostgreSQL alike. Manual runs use a slot
    of their own (``manual:<instant>``). `outcome`: running | ok | failed.
    """

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(Ts)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Ts)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),
                      Index("ix_job_runs_job_started", "job", "started_at"))


class OutboxMessage(Base):
    """An e-mail kept until the SMTP server accepts it; (user, kind, event) is unique so nothing is sent twice.

    `status`: queued (waiting for `next_attempt_at`) | sending (claimed by one sender) | sent | failed
    (gave up after the last retry); `attempts` counts SMTP tries.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    items: Mapped[list | None] = mapped_column(JSON)  # keys of the findings this digest reports (each reported once)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(Ts)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Ts)
    sent_at: Mapped[dt.datetime | None] = mapped_column(Ts)

    __table_args__ = (UniqueConstraint("user_id", "kind", "event", name="uq_outbox_user_kind_event"),
                      Index("ix_outbox_status_next", "status", "next_attempt_at"))


class NotificationOptOut(Base):
    """A kind of notification the user switched off on the «Уведомления» page (absent row = on)."""

    __tablename__ = "notification_opt_outs"
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)


class KkvState(Base):
    """Each partner's KKV validity on the day of the last `kkv_daily` run (`metrics.kkv.kkv_status`, seed 001 §4.4)."""

    __tablename__ = "kkv_states"
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    kkv_level: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[dt.datetime | None] = mapped_column(Ts)
    days_left: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    renewal_overdue: Mapped[bool] = mapped_column(Boolean)


# psm tickets resolved in a partial month are counted from `tickets` directly (store.ticket_rollups)
Index("ix_tickets_resolved_at", Ticket.resolved_at)
# the day the data runs to (store.queries.latest_ticket_date): the latest created_at, read by every meeting brief
Index("ix_tickets_created_at", Ticket.created_at)
# whether the stored SLA values predate a policy or calendar save (store.admin_queries.sla_is_stale): the earliest
Index("ix_ticket_sla_computed_at", TicketSla.computed_at)


# ---------------------------------------------------------------- workflows (SPEC §12, store.workflows; migration 0009)
class MeetingAction(Base):
    """An action agreed at a client meeting for one finding (seed 004: «список мероприятий»).

    `finding` is the flag's key (``metric_id:key``) or ``general``; `finding_label` keeps the
    finding's wording at the time it was written. `version` grows on every change so that a form
    loaded before someone else's change is refused (stale form).
    """

    __tablename__ = "meeting_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    finding: Mapped[str] = mapped_column(String(120))
    finding_label: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # planned | in_progress | done | dropped
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Ts)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(Ts)
    version: Mapped[int] = mapped_column(Integer, default=1)


class MeetingSnapshot(Base):
    """What was flagged and agreed at one meeting: taken when a brief is exported or the meeting is fixed."""

    __tablename__ = "meeting_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(16))  # fixed | pdf | xlsx
    login: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Ts)
    flags: Mapped[list] = mapped_column(JSON)
    actions: Mapped[list] = mapped_column(JSON)


class Top10Exclusion(Base):
    """A partner excluded from the 1cfresh TOP-10 of one quarter with a seed 002 reason (shown to the partner)."""

    __tablename__ = "top10_exclusions"
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    login: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Ts)


class Top10Approval(Base):
    """A quarter's TOP-10 and lead quotas fixed («утверждён»): the list no longer changes after this."""

    __tablename__ = "top10_approvals"
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[dt.datetime] = mapped_column(Ts)
    ranking: Mapped[list] = mapped_column(JSON)


class KkvRenewal(Base):
    """A partner's request to renew its KKV level (seed 001 §4.4, §4.9) and the admin's decision."""

    __tablename__ = "kkv_renewals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(Ts)
    review_due: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(Ts)


class KkvLevelChange(Base):
    """A KKV level changed by a workflow (renewal approved, expiry downgrade), for the audit trail and exports."""

    __tablename__ = "kkv_level_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(Ts)
    old_level: Mapped[str] = mapped_column(String(16))
    new_level: Mapped[str] = mapped_column(String(16))
    old_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    new_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(String(32))  # renewal_approved | expired
    login: Mapped[str | None] = mapped_column(String(64))


class ChurnReason(Base):
    """The partner's own reason for a churned 1cfresh contract (seed 002: «вносить причины ухода»)."""

    __tablename__ = "churn_reasons"
    contract_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    login: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(Ts)
# ---------------------------------------------------------------- issue 18: sessions, frozen comparison levels
class UserSession(Base):
    """One log-in session kept on the server (embedded default; Redis in production): the cookie
    holds a random token, this row its SHA-256 (`sid`), so deleting the row ends the session."""

    __tablename__ = "sessions"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Ts)
    expires_at: Mapped[dt.datetime] = mapped_column(Ts, index=True)


class ComparisonDecision(Base):
    """The level a partner's comparison of one window was first shown at (audited when stored): later
    loads show that window at this level or withhold it, never at a finer one (metrics.privacy)."""

    __tablename__ = "comparison_decisions"
    window_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(8), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[dt.datetime] = mapped_column(Ts)
