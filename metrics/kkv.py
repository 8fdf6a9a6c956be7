"""Enterprise implementations competence, KKV (seed 001): validity, progress reports, points, public list.

Decisions the seed leaves open:

* `kkv_valid_until` is the last valid instant: a competence is expired only when ``today`` is past it.
* "expiring" starts `expiring_within` days before expiry (default 30) so the partner is warned
  before the 14-day renewal-request deadline; `renewal_overdue` marks a missed deadline.
* SPEC §3 has no enterprise flag on projects: the caller passes the enterprise projects; a
  boolean `enterprise` column, when present, restricts them further.
* Category and industry filters of the public list must be met by one and the same project
  ("CRM in finance" means the partner has done a CRM project in finance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics.program_dates import DateLike, utc_series, utc_timestamp

KKV_LEVELS = ("basic", "extended")
RENEWAL_NOTICE = pd.Timedelta(days=14)  # seed 001 §4.4: renewal request ≥ 14 calendar days before expiry
KKV_SOURCES = ("sales", "projects", "marketing")  # seed 001 §6.1


def kkv_status(partners: pd.DataFrame, today: DateLike, expiring_within: int = 30) -> pd.DataFrame:
    """Validity of each partner's KKV competence on `today`.

    seed 001 §4.4: the competence is granted for 1 year; the renewal request is due no later than
    14 calendar days before expiry: ``renewal_request_due = kkv_valid_until − 14 days``.

    Returns
    -------
    DataFrame
        `partner_id, kkv_level, kkv_valid_until, renewal_request_due, days_left` (whole days until
        expiry, negative once expired), `status` (``valid``, ``expiring`` when expiry is within
        `expiring_within` days, ``expired``, ``unknown`` without a date, ``none`` without a level)
        and `renewal_overdue` (the request deadline has passed, competence not yet expired).
    """
    moment = utc_timestamp(today)
    raw_level = partners["kkv_level"] if "kkv_level" in partners else pd.Series(pd.NA, index=partners.index)
    level = raw_level.astype("string").str.strip().str.lower()
    has_level = level.isin(KKV_LEVELS).fillna(False)
    valid_until = utc_series(partners.get("kkv_valid_until", pd.Series(pd.NaT, index=partners.index)))
    due = valid_until - RENEWAL_NOTICE
    remaining = valid_until - moment
    status = np.select(
        [
            ~has_level,
            valid_until.isna(),
            remaining < pd.Timedelta(0),
            remaining <= pd.Timedelta(days=expiring_within),
        ],
        ["none", "unknown", "expired", "expiring"],
        default="valid",
    )
    return pd.DataFrame(
        {
            "partner_id": partners["partner_id"],
            "kkv_level": level.where(has_level, "none"),
            "kkv_valid_until": valid_until,
            "renewal_request_due": due,
            "days_left": np.floor(remaining.dt.total_seconds() / 86400),
            "status": status,
            "renewal_overdue": has_level & (moment > due) & (remaining >= pd.Timedelta(0)),
        }
    )


def _enterprise_projects(projects: pd.DataFrame) -> pd.DataFrame:
    """Rows flagged `enterprise` when that column exists, else all rows."""
    if "enterprise" not in projects:
        return projects
    return projects[projects["enterprise"].fillna(False).astype(bool)]


def overdue_progress_reports(
    projects: pd.DataFrame,
    enterprise_reports: pd.DataFrame,
    today: DateLike,
    max_gap_months: int = 2,
) -> pd.DataFrame:
    """Enterprise projects whose progress report is overdue.

    seed 001 §5.5: report on each enterprise project "не реже, чем 1 раз в 2 месяца". The clock
    runs from the last report, or from the project's latest submission when it has none:
    ``next_report_due = last_event_at + max_gap_months``; overdue iff ``today > next_report_due``.

    Parameters
    ----------
    projects : DataFrame
        The enterprise projects to watch (SPEC §3 `projects`, any versions).
    enterprise_reports : DataFrame
        SPEC §3 `enterprise_reports` (`project_id, reported_at`).

    Returns
    -------
    DataFrame
        One row per project: `project_id, partner_id, last_report_at, last_event_at,
        next_report_due, days_overdue` (0 when not overdue), `overdue`; overdue first.
    """
    moment = utc_timestamp(today)
    watched = _enterprise_projects(projects).assign(submitted_at=lambda f: utc_series(f["submitted_at"]))
    latest = watched.sort_values("submitted_at").groupby("project_id", as_index=False).last()
    last_report = (
        enterprise_reports.assign(reported_at=utc_series(enterprise_reports["reported_at"]))
        .groupby("project_id")["reported_at"]
        .max()
        .rename("last_report_at")
    )
    out = latest[["project_id", "partner_id", "submitted_at"]].merge(
        last_report, left_on="project_id", right_index=True, how="left"
    )
    out["last_event_at"] = out["last_report_at"].fillna(out["submitted_at"])
    out["next_report_due"] = out["last_event_at"] + pd.DateOffset(months=max_gap_months)
    late = moment - out["next_report_due"]
    out["overdue"] = late > pd.Timedelta(0)
    out["days_overdue"] = np.floor(late.dt.total_seconds().clip(lower=0) / 86400).astype("int64")
    out = out.drop(columns="submitted_at")
    return out.sort_values(
        ["overdue", "days_overdue", "project_id"], ascending=[False, False, True]
    ).reset_index(drop=True)


def kkv_points_by_source(kkv_points: pd.DataFrame) -> pd.DataFrame:
    """KKV points per partner split by source (seed 001 §6.1: sales, projects, marketing).

    Returns
    -------
    DataFrame
        `partner_id, sales, projects, marketing, total` (accumulated points), highest total first.
    """
    source = kkv_points["source"].astype("string").str.strip().str.lower()
    table = (
        kkv_points.assign(source=source)
        .pivot_table(index="partner_id", columns="source", values="points", aggfunc="sum", fill_value=0)
        .reindex(columns=list(KKV_SOURCES), fill_value=0)
    )
    table.columns.name = None
    # total includes any source outside the three named ones
    table["total"] = kkv_points.groupby("partner_id")["points"].sum().reindex(table.index)
    return table.reset_index().sort_values(
        ["total", "partner_id"], ascending=[False, True], ignore_index=True
    )


def kkv_public_list(
    partners: pd.DataFrame,
    projects: pd.DataFrame,
    kkv_points: pd.DataFrame,
    category: str | None = None,
    industry: str | None = None,
    *,
    today: DateLike,
) -> pd.DataFrame:
    """Public list of enterprise-implementation partners (seed 001 §6.2).

    Shows partners holding a valid *extended* KKV level, sorted by accumulated KKV points
    (descending; ties by name, then id). With `category` and/or `industry`, only partners with at
    least one enterprise project matching every given filter are listed.

    Returns
    -------
    DataFrame
        `place, partner_id, name, city, kkv_points, categories` (sorted distinct categories of the
        partner's projects, joined by ", ").
    """
    status = kkv_status(partners, today)
    # seed 001 §3: only the extended level publishes the partner card
    public = (status["kkv_level"] == "extended") & status["status"].isin(["valid", "expiring"])
    listed = partners[public.to_numpy()]
    work = _enterprise_projects(projects)
    matching = work
    if category is not None:
        matching = matching[matching["category"].astype("string").str.lower() == category.lower()]
    if industry is not None:
        matching = matching[matching["industry"].astype("string").str.lower() == industry.lower()]
    if category is not None or industry is not None:
        listed = listed[listed["partner_id"].isin(matching["partner_id"])]
    points = kkv_points.groupby("partner_id")["points"].sum()
    categories = (
        work.dropna(subset=["category"])
        .groupby("partner_id")["category"]
        .agg(lambda c: ", ".join(sorted(set(c))))
        if "category" in work
        else pd.Series(dtype="string")
    )
    out = pd.DataFrame(
        {
            "partner_id": listed["partner_id"],
            "name": listed["name"],
            "city": listed["city"],
            "kkv_points": listed["partner_id"].map(points).fillna(0),
            "categories": listed["partner_id"].map(categories).astype(object).fillna(""),  # float NaN when none
        }
    )
    out = out.sort_values(
        ["kkv_points", "name", "partner_id"], ascending=[False, True, True], ignore_index=True
    )
    out.insert(0, "place", np.arange(1, len(out) + 1))
    return out
