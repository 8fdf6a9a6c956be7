"""Management's trends (SPEC §1): CSAT, NPS and SLA compliance over time by a dimension, top movers,
Quality Program competence changes, and the rows behind any point.

Counts come aggregated from `store.trend_queries`; this module turns them into the metrics of SPEC §4–5
(vectorized over the count columns), keeps charts readable (at most `MAX_SERIES` series: the largest
groups by answers, the rest summed into `OTHERS`) and ranks movers. `trends_main` is the page's main
computation (and what `cli.py bench` measures).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from metrics.survey import MIN_ANSWERS, Scheme, adjusted_wald_interval
from store import clock
from store.partner_queries import survey_quarters
from store.trend_queries import (
    DIMENSIONS,
    SURVEY_METRICS,
    TICKET_DIMENSIONS,
    Selection,
    TrendFilter,
    competence_change_rows,
    competence_changes,
    partner_labels,
    period_bounds,
    sla_trend_counts,
    survey_rows,
    survey_trend_counts,
    ticket_rows,
)

MAX_SERIES = 6  # a chart people can read: five largest groups + «прочие» (issue 15)
OTHERS = "__others__"
TREND_METRICS: tuple[str, ...] = ("csat", "nps_partner", "nps_platform", "sla")
MOVER_METRICS: tuple[str, ...] = tuple(SURVEY_METRICS)
TREND_COLUMNS = ["period", "group", "label", "n", "value", "low", "high", "too_few"]
DRILL_LIMIT = 5000


def survey_values(counts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Add `value`, `low`, `high`, `too_few` to survey counts (`n, top, promoters, detractors`).

    CSAT, % = 100 · top / n (SPEC §4, top-2-box). NPS, points = 100 · (P − D) / n with its 95 %
    adjusted-Wald interval (`metrics.survey.adjusted_wald_interval`). `too_few` = n < 5 (shown greyed).
    CSAT has no interval (NaN).
    """
    n = counts["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "csat":
            value = 100.0 * counts["top"].to_numpy(dtype=float) / n
            low = high = np.full(len(counts), np.nan)
        else:
            value = 100.0 * (counts["promoters"].to_numpy(dtype=float) - counts["detractors"].to_numpy(dtype=float)) / n
            low, high = adjusted_wald_interval(counts["promoters"].to_numpy(), counts["detractors"].to_numpy(), n)
    return counts.assign(value=value, low=low, high=high, too_few=n < MIN_ANSWERS)


def sla_values(counts: pd.DataFrame) -> pd.DataFrame:
    """Add `n` = met + breached and `value` = compliance, % = 100 · met / n (SPEC §5), plus NaN bounds."""
    n = (counts["met"] + counts["breached"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 100.0 * counts["met"].to_numpy(dtype=float) / n
    return counts.assign(n=n.astype("int64"), value=value, low=np.nan, high=np.nan, too_few=n < MIN_ANSWERS)


def top_groups(counts: pd.DataFrame, weight: str, max_series: int = MAX_SERIES) -> list[str]:
    """The groups drawn as their own series: all when at most `max_series`, else the `max_series` − 1
    largest by total `weight` (ties by name), the rest going into `OTHERS`."""
    totals = counts.groupby("group", sort=False)[weight].sum()
    if len(totals) <= max_series:
        return sorted(totals.index)
    ranked = totals.rename("w").reset_index().sort_values(["w", "group"], ascending=[False, True])
    return list(ranked["group"].head(max_series - 1))


def _fold_others(counts: pd.DataFrame, kept: list[str], columns: list[str]) -> pd.DataFrame:
    """Counts with every group not in `kept` summed into one `OTHERS` group per period."""
    is_kept = counts["group"].isin(kept)
    if is_kept.all():
        return counts
    others = counts[~is_kept].groupby("period", as_index=False)[columns].sum().assign(group=OTHERS)
    return pd.concat([counts[is_kept], others], ignore_index=True)


def _labels(conn: Connection, dimension: str, groups: pd.Series) -> pd.Series:
    """Partner names for the partner dimension ("Name (City)"), else the value itself."""
    if dimension != "partner":
        return groups
    ids = sorted(set(groups) - {OTHERS})
    names = partner_labels(conn, ids)
    label = dict(zip(names["partner_id"], names["name"] + " (" + names["city"].fillna("—") + ")"))
    return groups.map(lambda g: label.get(g, g))


def metric_trend(conn: Connection, metric: str, dimension: str = "total", grain: str = "quarter",
                 flt: TrendFilter = TrendFilter(), scheme: Scheme = "top1",
                 max_series: int = MAX_SERIES) -> pd.DataFrame:
    """One metric by period and dimension value, at most `max_series` series.

    Returns
    -------
    DataFrame
        `period, group, label, n, value, low, high, too_few` (+ the counts), sorted by group then period;
        `group` = OTHERS for the folded small groups. Empty for SLA by category or industry (tickets
        carry no project).
    """
    if metric == "sla":
        if dimension not in TICKET_DIMENSIONS:
            return pd.DataFrame(columns=TREND_COLUMNS)
        counts = sla_trend_counts(conn, dimension, grain, flt)
        columns = ["met", "breached"]
        counts = counts.assign(total=counts["met"] + counts["breached"])
        kept = top_groups(counts, "total", max_series)
        table = sla_values(_fold_others(counts.drop(columns="total"), kept, columns))
    else:
        counts = survey_trend_counts(conn, metric, dimension, grain, flt, scheme)
        columns = ["n", "top", "promoters", "detractors"]
        kept = top_groups(counts, "n", max_series)
        table = survey_values(_fold_others(counts, kept, columns), metric)
    table = (table.assign(others=table["group"].eq(OTHERS))
             .sort_values(["others", "group", "period"], kind="stable").drop(columns="others").reset_index(drop=True))
    table["label"] = _labels(conn, dimension, table["group"]).to_numpy() if len(table) else []
    return table


def _filter(countries: Sequence[str] = (), regions: Sequence[str] = (), start: dt.date | None = None,
            end: dt.date | None = None) -> TrendFilter:
    return TrendFilter(tuple(countries or ()), tuple(regions or ()), start, end)


def trends_main(conn: Connection, dimension: str = "region", grain: str = "quarter",
                countries: Sequence[str] = (), regions: Sequence[str] = (), start: dt.date | None = None,
                end: dt.date | None = None, scheme: Scheme = "top1") -> dict[str, pd.DataFrame]:
    """The page's main computation: CSAT, NPS (partner, platform) and SLA compliance trends.

    Returns
    -------
    dict
        metric ("csat", "nps_partner", "nps_platform", "sla") → `metric_trend` table.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    flt = _filter(countries, regions, start, end)
    return {m: metric_trend(conn, m, dimension, grain, flt, scheme) for m in TREND_METRICS}


# ---------------------------------------------------------------- top movers

@dataclass(frozen=True)
class Movers:
    """Partners' change of one survey metric between two quarters.

    `table`: `partner_id, name, city, region, value_previous, n_previous, value, n, delta`, only partners
    with at least `min_answers` answers in both quarters, by delta (largest gain first).
    """

    metric: str
    previous: str | None
    quarter: str | None
    min_answers: int
    table: pd.DataFrame


def previous_quarter(quarter: str) -> str:
    """The quarter before "2024Q1" is "2023Q4"."""
    return str(pd.Period(quarter, freq="Q") - 1)


def default_mover_quarter(quarters: Sequence[str], today: dt.date | None = None) -> str | None:
    """The latest of `quarters` that has ended by `today` (default: today, UTC), else the latest one:
    a quarter still running would compare a few weeks with a whole quarter."""
    today = today or clock.now().date()
    ended = [q for q in quarters if period_bounds(q, "quarter")[1].date() <= today]
    return (ended or list(quarters) or [None])[-1]


def top_movers(conn: Connection, metric: str = "csat", quarter: str | None = None,
               min_answers: int = MIN_ANSWERS, countries: Sequence[str] = (), regions: Sequence[str] = (),
               scheme: Scheme = "top1") -> Movers:
    """Partners whose CSAT / NPS changed most from the quarter before `quarter`
    (default: `default_mover_quarter` of the stored quarters).

    delta = value(quarter) − value(previous quarter), in % points (CSAT) or NPS points; a partner
    counts only with n ≥ `min_answers` answers in each of the two quarters (SPEC §4: fewer is too few).
    """
    columns = ["partner_id", "name", "city", "region", "value_previous", "n_previous", "value", "n", "delta"]
    if quarter is None:
        quarter = default_mover_quarter(survey_quarters(conn))
    if quarter is None:
        return Movers(metric, None, None, min_answers, pd.DataFrame(columns=columns))
    previous = previous_quarter(quarter)
    flt = _filter(countries, regions, period_bounds(previous, "quarter")[0].date(),
                  period_bounds(quarter, "quarter")[0].date())
    counts = survey_values(survey_trend_counts(conn, metric, "partner", "quarter", flt, scheme), metric)
    counts = counts[counts["n"] >= min_answers]
    wide = counts.pivot(index="group", columns="period", values=["value", "n"])
    if previous not in wide.columns.get_level_values(1) or quarter not in wide.columns.get_level_values(1):
        return Movers(metric, previous, quarter, min_answers, pd.DataFrame(columns=columns))
    both = pd.DataFrame({
        "partner_id": wide.index,
        "value_previous": wide[("value", previous)].to_numpy(),
        "n_previous": wide[("n", previous)].to_numpy(),
        "value": wide[("value", quarter)].to_numpy(),
        "n": wide[("n", quarter)].to_numpy(),
    }).dropna(subset=["value_previous", "value"])
    both = both.astype({"n_previous": "int64", "n": "int64"})
    both["delta"] = both["value"] - both["value_previous"]
    names = partner_labels(conn, list(both["partner_id"]))
    table = both.merge(names, on="partner_id", how="left")[columns]
    table = table.sort_values(["delta", "partner_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return Movers(metric, previous, quarter, min_answers, table)


# ---------------------------------------------------------------- competence (seed 000)

def competence_trend(conn: Connection, countries: Sequence[str] = (), regions: Sequence[str] = (),
                     start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Quality Program competence per 1st of a month: `month, assigned, revoked, held` (partners)."""
    return competence_changes(conn, _filter(countries, regions, start, end))


# ---------------------------------------------------------------- drill-down

def drill_rows(conn: Connection, metric: str, period: str, group: str, dimension: str, grain: str,
               countries: Sequence[str] = (), regions: Sequence[str] = (), scheme: Scheme = "top1",
               limit: int = DRILL_LIMIT) -> tuple[pd.DataFrame, int]:
    """The surveys or tickets behind one point of a `metric_trend` chart, and how many there are.

    `group` = OTHERS selects every dimension value not drawn as its own series (recomputed from the
    same counts as the chart). Raises ValueError for an unknown metric, dimension, grain or period.
    """
    if metric not in TREND_METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    flt = _filter(countries, regions)
    if group == OTHERS:
        chart = metric_trend(conn, metric, dimension, grain, flt, scheme)
        shown = tuple(sorted(set(chart["group"]) - {OTHERS}))
        selection = Selection(grain, period, dimension, shown, exclude=True)
    else:
        selection = Selection(grain, period, dimension, (group,))
    if metric == "sla":
        return ticket_rows(conn, selection, flt, limit)
    return survey_rows(conn, metric, selection, flt, limit)


def mover_rows(conn: Connection, metric: str, partner_id: str, quarter: str,
               limit: int = DRILL_LIMIT) -> pd.DataFrame:
    """The partner's surveys of the two compared quarters (previous first), behind one mover."""
    frames = [survey_rows(conn, metric, Selection("quarter", q, "partner", (partner_id,)), limit=limit)[0]
              for q in (previous_quarter(quarter), quarter)]
    return pd.concat(frames, ignore_index=True)


def competence_rows(conn: Connection, month: dt.date, status: str, countries: Sequence[str] = (),
                    regions: Sequence[str] = ()) -> pd.DataFrame:
    """The partners behind one competence bar (assigned or revoked on `month`)."""
    if status not in ("assigned", "revoked"):
        raise ValueError(f"unknown competence status {status!r}")
    return competence_change_rows(conn, month, status, _filter(countries, regions))
