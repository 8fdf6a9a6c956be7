"""Support metrics for the biweekly client meeting (seed 004, SPEC §6).

Input tickets already carry their working-time durations (computed by ``metrics.sla`` on the
client's calendar): ``acceptance_working_s``, ``resolution_working_s``, ``sla_state`` and the four
stage durations ``requirements_working_s``, ``spec_working_s``, ``implementation_working_s``,
``deployment_working_s`` (NaN when a stage is missing). Everything here is pure pandas/numpy.

The output is one long table that the meeting page, the PDF/XLSX brief and
:func:`metrics.dynamics.negative_dynamics` all read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

PRIORITIES: tuple[int, ...] = (1, 2, 3)
LINES: tuple[int, ...] = (1, 2, 3)
HIGH_PRIORITIES: tuple[int, ...] = (1, 2)
SECONDS_PER_HOUR = 3600.0
P90 = 0.9


@dataclass(frozen=True)
class MetricDef:
    """One meeting metric: labels (Russian grammatical gender for sentences), unit, direction."""

    metric_id: str
    label_ru: str
    label_en: str
    unit: Literal["h", "%", "per_user", "per_staff"]
    better: Literal["lower", "higher"]
    gender_ru: Literal["n", "f"] = "n"


# seed 004: the eleven metrics, in the seed's order; the numbers are SPEC §6's
METRICS: dict[str, MetricDef] = {
    m.metric_id: m
    for m in (
        MetricDef("incident_reaction", "Время реакции на инциденты", "Incident reaction time", "h", "lower"),  # 1
        MetricDef("enhancement_reaction", "Время реакции на запросы на доработку",
                  "Enhancement request reaction time", "h", "lower"),  # 2
        MetricDef("incident_resolution", "Время решения инцидентов", "Incident resolution time",
                  "h", "lower"),  # 3
        MetricDef("incident_sla_compliance", "Соблюдение SLA по инцидентам", "Incident SLA compliance",
                  "%", "higher"),  # 3
        MetricDef("incident_resolution_by_line", "Время решения инцидентов", "Incident resolution time",
                  "h", "lower"),  # 3, by line: seed 004's composite rule needs lines 2–3
        MetricDef("requirements_time", "Время сбора функциональных требований",
                  "Time to collect functional requirements", "h", "lower"),  # 4
        MetricDef("spec_time", "Время написания ТЗ", "Time to write the spec", "h", "lower"),  # 5
        MetricDef("implementation_time", "Время выполнения ТЗ", "Time to execute the spec", "h", "lower"),  # 6
        MetricDef("deployment_time", "Время от выполнения ТЗ до боевой базы",
                  "Time from done to production", "h", "lower"),  # 7
        MetricDef("tickets_per_user", "Количество обращений на пользователя", "Tickets per user",
                  "per_user", "lower"),  # 8
        MetricDef("tickets_per_staff", "Количество обращений на сотрудника", "Tickets per staff member",
                  "per_staff", "lower"),  # 9
        MetricDef("hours", "Количество часов", "Hours worked", "h", "lower"),  # 10
        MetricDef("development_hours", "Количество часов разработки", "Development hours", "h", "lower"),  # 11
        MetricDef("support_hours", "Количество часов поддержки", "Support hours", "h", "lower"),  # 11
        MetricDef("development_share", "Доля часов разработки", "Development share of hours",
                  "%", "lower", "f"),  # 11
        MetricDef("high_priority_development_share", "Доля разработки с приоритетом 1–2",
                  "Share of development with priority 1–2", "%", "lower", "f"),  # seed 004 example
    )
}

STAT_LABELS: dict[str, tuple[str, str]] = {
    "median": ("медиана", "median"),
    "p90": ("90-й перцентиль", "p90"),
}

LONG_COLUMNS = [
    "metric_id", "key", "priority", "line", "stat", "period", "period_start", "period_end",
    "value", "n", "base", "unit", "better", "label_ru", "label_en", "gender_ru",
]

# (metric_id, ticket kind or None for all, working-seconds column, breakdown) of the duration metrics
DURATION_METRICS: tuple[tuple[str, str | None, str, str | None], ...] = (
    ("incident_reaction", "incident", "acceptance_working_s", None),
    ("enhancement_reaction", "enhancement", "acceptance_working_s", None),
    ("incident_resolution", "incident", "resolution_working_s", "priority"),
    ("incident_resolution_by_line", "incident", "resolution_working_s", "line"),
    ("requirements_time", None, "requirements_working_s", None),
    ("spec_time", None, "spec_working_s", None),
    ("implementation_time", None, "implementation_working_s", None),
    ("deployment_time", None, "deployment_working_s", None),
)
_BREAKDOWN_VALUES: dict[str, tuple[int, ...]] = {"priority": PRIORITIES, "line": LINES}


def period_bounds(
    period_end: dt.date | str | pd.Timestamp,
    length_days: int = 14,
    n_previous: int = 3,
    tz: str = "Europe/Moscow",
) -> pd.DataFrame:
    """Meeting periods: 0 = current, 1..n_previous = the ones before, each ``length_days`` long.

    ``period_end`` is the last day included (local date in ``tz``, the client's calendar zone);
    period k covers local days [end − (k+1)·L, end − k·L). Returns columns ``period``,
    ``first_day``, ``last_day`` (dates) and ``start``, ``end`` (UTC instants, end exclusive).
    """
    if length_days < 1 or n_previous < 0:
        raise ValueError("length_days must be ≥ 1 and n_previous ≥ 0")
    last = pd.Timestamp(period_end)
    last = (last.tz_convert(tz).tz_localize(None) if last.tzinfo else last).normalize()
    stop = last + pd.Timedelta(days=1)
    k = np.arange(n_previous + 1)
    starts = stop - pd.to_timedelta((k + 1) * length_days, unit="D")
    ends = stop - pd.to_timedelta(k * length_days, unit="D")
    return pd.DataFrame({
        "period": k,
        "first_day": starts.date,
        "last_day": (ends - pd.Timedelta(days=1)).date,
        "start": starts.tz_localize(tz).tz_convert("UTC"),
        "end": ends.tz_localize(tz).tz_convert("UTC"),
    })


def _assign_period(values: np.ndarray, bounds_start: np.ndarray, bounds_end: np.ndarray) -> np.ndarray:
    """Period index per value (−1 outside all periods); bounds ordered period 0, 1, ... (newest first)."""
    edges = np.append(bounds_start[::-1], bounds_end[0])  # ascending: oldest start .. newest end
    pos = np.searchsorted(edges, values, side="right") - 1
    inside = (pos >= 0) & (pos < len(bounds_start))
    return np.where(inside, len(bounds_start) - 1 - pos, -1)


def _ticket_periods(tickets: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    # SPEC §6: a ticket belongs to the period of its created_at
    created = pd.to_datetime(tickets["created_at"], utc=True).to_numpy("datetime64[ns]")
    period = _assign_period(created, bounds["start"].dt.tz_localize(None).to_numpy("datetime64[ns]"),
                            bounds["end"].dt.tz_localize(None).to_numpy("datetime64[ns]"))
    return tickets.assign(period=period)[period >= 0]


def _worklog_periods(worklog: pd.DataFrame, bounds: pd.DataFrame, tz: str) -> pd.DataFrame:
    # worklog belongs to the period of its work_date (a local calendar day)
    day = pd.to_datetime(worklog["work_date"])
    if day.dt.tz is not None:
        day = day.dt.tz_convert(tz).dt.tz_localize(None)
    day = day.dt.normalize().to_numpy("datetime64[ns]")
    period = _assign_period(day, pd.to_datetime(bounds["first_day"]).to_numpy("datetime64[ns]"),
                            (pd.to_datetime(bounds["last_day"]) + pd.Timedelta(days=1)).to_numpy("datetime64[ns]"))
    return worklog.assign(period=period)[period >= 0]


def _grid(periods: np.ndarray, **dims: tuple) -> pd.Index:
    """All (period, dims...) combinations, so every key is reported for every period."""
    if not dims:
        return pd.Index(periods, name="period")
    return pd.MultiIndex.from_product([periods, *dims.values()], names=["period", *dims])


def _duration_values(t: pd.DataFrame) -> list[tuple[str, str | None, np.ndarray, np.ndarray, np.ndarray]]:
    """Per duration metric: (metric_id, breakdown, breakdown value, period, working hours) of its tickets, in
    ticket order (numpy masks over the period-assigned tickets: no frame copy per metric)."""
    kind = t["kind"].to_numpy()
    period = t["period"].to_numpy()
    out = []
    for metric_id, metric_kind, column, breakdown in DURATION_METRICS:
        seconds = t[column].to_numpy(dtype=float, na_value=np.nan)
        mask = ~np.isnan(seconds)
        if metric_kind is not None:
            mask &= kind == metric_kind
        dim = np.zeros(len(t), dtype=np.int64)
        if breakdown:
            values = pd.to_numeric(t[breakdown], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            mask &= np.isin(values, _BREAKDOWN_VALUES[breakdown])
            dim = np.where(mask, values, 0).astype(np.int64)
        out.append((metric_id, breakdown, dim[mask], period[mask], seconds[mask] / SECONDS_PER_HOUR))
    return out


def _duration_stats(values: list[tuple[str, str | None, np.ndarray, np.ndarray, np.ndarray]],
                    periods: np.ndarray) -> pd.DataFrame:
    """Median and p90 (hours, linear interpolation) and n of every duration metric per period (and its
    breakdown), for every period and breakdown value (NaN, n = 0 when empty): one grouped pass."""
    frame = pd.DataFrame({
        "metric_id": np.concatenate([np.full(len(v[2]), v[0], dtype=object) for v in values]),
        "dim": np.concatenate([v[2] for v in values]),
        "period": np.concatenate([v[3] for v in values]),
        "hours": np.concatenate([v[4] for v in values]),
    })
    hours = frame.groupby(["metric_id", "dim", "period"])["hours"]
    stats = pd.DataFrame({"median": hours.median(), "p90": hours.quantile(P90), "n": hours.size()})
    grid = pd.MultiIndex.from_tuples(
        [(metric_id, dim, period) for metric_id, _kind, _column, breakdown in DURATION_METRICS
         for period in periods for dim in (_BREAKDOWN_VALUES[breakdown] if breakdown else (0,))],
        names=["metric_id", "dim", "period"])
    stats = stats.reindex(grid)
    stats["n"] = stats["n"].fillna(0).astype(float)
    long = stats.melt(id_vars="n", value_vars=["median", "p90"], var_name="stat", value_name="value",
                      ignore_index=False).reset_index()
    breakdown_of = {metric_id: breakdown for metric_id, _kind, _column, breakdown in DURATION_METRICS}
    by = long["metric_id"].map(breakdown_of)
    for name in _BREAKDOWN_VALUES:
        long[name] = long["dim"].where(by == name).astype(float)
    return long.drop(columns="dim")


def _ratio(numerator: pd.Series, denominator, grid: pd.Index, metric_id: str,
           scale: float = 1.0) -> pd.DataFrame:
    """numerator (reindexed to grid, missing = 0) · scale / denominator, with n = numerator."""
    num = numerator.reindex(grid, fill_value=0).to_numpy(dtype=float)
    if isinstance(denominator, pd.Series):
        den = denominator.reindex(grid).to_numpy(dtype=float, na_value=np.nan)
    else:
        den = np.full(len(grid), float(denominator))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = scale * num / den
    levels = {name: grid.get_level_values(i).to_numpy() for i, name in enumerate(grid.names)}
    return pd.DataFrame({**levels, "value": np.where(np.isfinite(value), value, np.nan), "n": num, "base": den,
                         "metric_id": metric_id})


def _with_priority(worklog: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    if "priority" in worklog.columns:
        return worklog
    return worklog.merge(tickets[["ticket_id", "priority"]], on="ticket_id", how="inner")


def meeting_metrics(
    tickets: pd.DataFrame,
    worklog: pd.DataFrame,
    staff: pd.DataFrame,
    users: int,
    period_end: dt.date | str | pd.Timestamp,
    length_days: int = 14,
    n_previous: int = 3,
    tz: str = "Europe/Moscow",
) -> pd.DataFrame:
    """The eleven seed-004 metrics of one client for the current and previous periods.

    Parameters
    ----------
    tickets
        One client's tickets (SPEC §3 columns, UTC) with the precomputed working-seconds
        columns and ``sla_state`` (met/breached/open/at_risk).
    worklog
        Worklog rows of those tickets (``ticket_id, staff, hours, work_date, work_type``);
        ``priority`` is joined from ``tickets`` when absent.
    staff
        The support team (``staff, line``): headcount per line for metric 9.
    users
        The client's number of users (metric 8).
    period_end, length_days, n_previous, tz
        See :func:`period_bounds`.

    Returns
    -------
    DataFrame
        Long format (``LONG_COLUMNS``), one row per (metric_id, key, period); every key is
        present for every period. Durations are working hours (median and p90, linear
        interpolation); compliance = 100 · met / (met + breached) over incidents; tickets per
        user = tickets / users; tickets per staff = tickets of line L / staff of line L;
        hours = worklog hours; shares in %. Tickets are assigned by ``created_at``, worklog
        by ``work_date``. ``n`` is the number of tickets (or hours) behind each value.
    """
    return _metrics_and_durations(tickets, worklog, staff, users, period_end, length_days, n_previous, tz)[0]


def meeting_metrics_and_samples(
    tickets: pd.DataFrame,
    worklog: pd.DataFrame,
    staff: pd.DataFrame,
    users: int,
    period_end: dt.date | str | pd.Timestamp,
    length_days: int = 14,
    n_previous: int = 3,
    tz: str = "Europe/Moscow",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`meeting_metrics`, :func:`duration_samples`) of the same tickets, periods assigned and durations
    picked once for both (a meeting brief reads both)."""
    long, durations = _metrics_and_durations(tickets, worklog, staff, users, period_end, length_days, n_previous, tz)
    return long, _samples(durations)


def _metrics_and_durations(tickets: pd.DataFrame, worklog: pd.DataFrame, staff: pd.DataFrame, users: int,
                           period_end: dt.date | str | pd.Timestamp, length_days: int, n_previous: int, tz: str
                           ) -> tuple[pd.DataFrame, list]:
    """The metrics long table and the per-metric durations (`_duration_values`) it was computed from."""
    bounds = period_bounds(period_end, length_days, n_previous, tz)
    periods = bounds["period"].to_numpy()
    t = _ticket_periods(tickets, bounds)
    incidents = t[t["kind"] == "incident"]
    durations = _duration_values(t)
    parts = [_duration_stats(durations, periods)]

    # SPEC §5: compliance % = met / (met + breached); open and at-risk tickets are not decided yet
    decided = incidents[incidents["sla_state"].isin(["met", "breached"])]
    by_priority = _grid(periods, priority=PRIORITIES)
    met = (decided["sla_state"] == "met").groupby([decided["period"], decided["priority"]]).sum()
    total = decided.groupby(["period", "priority"]).size().reindex(by_priority)
    parts.append(_ratio(met, total, by_priority, "incident_sla_compliance", 100.0)
                 .assign(n=lambda f: total.fillna(0).to_numpy(), base=lambda f: total.fillna(0).to_numpy(),
                         stat="compliance"))

    # seed 004: tickets relative to users and to staff of each line, by priority
    counts = t.groupby(["period", "priority"]).size()
    parts.append(_ratio(counts, users, by_priority, "tickets_per_user").assign(stat="ratio"))
    parts.append(_ratio(counts.groupby(level="period").sum(), users, _grid(periods), "tickets_per_user")
                 .assign(stat="ratio"))
    headcount = staff.groupby("line")["staff"].nunique()
    by_line_priority = _grid(periods, line=LINES, priority=PRIORITIES)
    line_counts = t.groupby(["period", "line", "priority"]).size()
    staff_per_key = pd.Series(headcount.reindex(by_line_priority.get_level_values("line")).to_numpy(),
                              index=by_line_priority)
    parts.append(_ratio(line_counts, staff_per_key, by_line_priority, "tickets_per_staff").assign(stat="ratio"))

    # seed 004: hours, their split by priority, development vs support
    w = _worklog_periods(_with_priority(worklog, tickets), bounds, tz)
    hours = w.groupby(["period", "priority"])["hours"].sum()
    period_grid = _grid(periods)
    parts.append(_ratio(hours, 1.0, by_priority, "hours").assign(stat="sum"))
    parts.append(_ratio(hours.groupby(level="period").sum(), 1.0, period_grid, "hours").assign(stat="sum"))
    dev = w[w["work_type"] == "development"]
    dev_hours = dev.groupby("period")["hours"].sum().reindex(periods, fill_value=0.0)
    support_hours = w[w["work_type"] == "support"].groupby("period")["hours"].sum()
    all_hours = w.groupby("period")["hours"].sum().reindex(periods)
    high_dev = dev[dev["priority"].isin(HIGH_PRIORITIES)].groupby("period")["hours"].sum()
    parts += [
        _ratio(dev_hours.rename_axis("period"), 1.0, period_grid, "development_hours").assign(stat="sum"),
        _ratio(support_hours, 1.0, period_grid, "support_hours").assign(stat="sum"),
        _ratio(dev_hours.rename_axis("period"), all_hours.rename_axis("period"), period_grid,
               "development_share", 100.0).assign(stat="share"),
        _ratio(high_dev, dev_hours.rename_axis("period").where(dev_hours > 0), period_grid,
               "high_priority_development_share", 100.0).assign(stat="share"),
    ]
    return _label(pd.concat(parts, ignore_index=True), bounds), durations


def duration_samples(
    tickets: pd.DataFrame,
    period_end: dt.date | str | pd.Timestamp,
    length_days: int = 14,
    n_previous: int = 3,
    tz: str = "Europe/Moscow",
) -> pd.DataFrame:
    """The single ticket durations behind every duration metric, for tests of chance.

    Returns ``metric_id, key, period, value`` (working hours), one row per ticket and metric key;
    the key of both stats (``….median`` and ``….p90``) is listed, as both summarize the same
    tickets. Tickets, periods and breakdowns exactly as :func:`meeting_metrics`.
    """
    bounds = period_bounds(period_end, length_days, n_previous, tz)
    return _samples(_duration_values(_ticket_periods(tickets, bounds)))


def _samples(durations: list) -> pd.DataFrame:
    """`duration_samples` rows from the per-metric durations (`_duration_values`)."""
    parts = []
    for metric_id, breakdown, dim, period, hours in durations:
        prefix = ("p" if breakdown == "priority" else "line") + dim.astype(str).astype(object) + "." if breakdown \
            else np.full(len(dim), "", dtype=object)
        for stat in STAT_LABELS:
            parts.append(pd.DataFrame({"metric_id": metric_id, "key": pd.array(prefix + stat, dtype="str"), "period": period,
                                       "value": hours}))
    return pd.concat(parts, ignore_index=True)


def _label(long: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Attach key, labels, unit, direction and period instants to the metric rows."""
    for column in ("priority", "line"):
        if column not in long.columns:
            long[column] = np.nan
        long[column] = long[column].astype("Int64")
    defs = pd.DataFrame([vars(m) for m in METRICS.values()])
    long = long.merge(defs, on="metric_id", how="left")
    priority = long["priority"].astype("string")
    line = long["line"].astype("string")
    stat = long["stat"]
    long["key"] = (
        ("line" + line + ".").fillna("") + ("p" + priority + ".").fillna("") + stat
    )
    stat_ru = stat.map({k: f" ({v[0]})" for k, v in STAT_LABELS.items()}).fillna("")
    stat_en = stat.map({k: f" ({v[1]})" for k, v in STAT_LABELS.items()}).fillna("")
    line_ru = (", линия " + line).fillna("")
    line_en = (", line " + line).fillna("")
    prio = (line.notna().map({True: ", P", False: " P"}) + priority).fillna("")
    long["label_ru"] = long["label_ru"] + line_ru + prio + stat_ru
    long["label_en"] = long["label_en"] + line_en + prio + stat_en
    long = long.merge(bounds[["period", "start", "end"]].rename(
        columns={"start": "period_start", "end": "period_end"}), on="period", how="left")
    long["period"] = long["period"].astype(int)
    return long[LONG_COLUMNS].sort_values(["metric_id", "key", "period"], kind="stable").reset_index(drop=True)


def high_priority_development_share(worklog: pd.DataFrame, tickets: pd.DataFrame | None = None) -> float:
    """Share, %, of development hours spent on priority 1–2 tickets (seed 004); NaN without development.

    ``priority`` is taken from ``worklog`` or joined from ``tickets`` by ``ticket_id``.
    """
    w = worklog if tickets is None else _with_priority(worklog, tickets)
    dev = w[w["work_type"] == "development"]
    total = float(dev["hours"].sum())
    if total <= 0:
        return float("nan")
    return 100.0 * float(dev.loc[dev["priority"].isin(HIGH_PRIORITIES), "hours"].sum()) / total
