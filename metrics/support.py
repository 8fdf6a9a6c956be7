"""Support metrics for the biweekly client meeting (seed 004, SPEC §6).

Input tickets already carry their working-time durations (computed by ``metrics.sla`` on the
client's calendar): ``acceptance_working_s``, ``resolution_working_s``, ``sla_state`` and the four
stage durations ``requirements_working_s``, ``spec_working_s``, ``implementation_working_s``,
``deployment_working_s`` (NaN when a stage is missing). Everything here is pure pandas/numpy.

The output is one long table that the meeting page, the PDF/XLSX brief and
:func:`metrics.dynamics.negative_dynamics` all read. The ``*_by_client`` functions compute it for several clients
in one grouped pass (the manager's home ranks all of a manager's clients); the one-client functions are that pass
over one client.
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
_ONE = "client"  # the client key of a one-client call to the *_by_client functions


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


def period_bounds_by_client(clients: pd.DataFrame, length_days: int = 14, n_previous: int = 3) -> pd.DataFrame:
    """:func:`period_bounds` of every client of ``clients`` (``client_id, period_end, tz``), with a ``client_id``
    column; rows client by client in the order of ``clients``, periods 0..``n_previous`` each. One `period_bounds`
    per distinct (last day, zone) pair, a handful for a manager's clients, taken for each of its clients."""
    pairs = clients[["period_end", "tz"]]
    pair = pairs.groupby(["period_end", "tz"], sort=False).ngroup().to_numpy()
    per_pair = pd.concat([period_bounds(end, length_days, n_previous, tz)
                          for end, tz in pairs.drop_duplicates().itertuples(index=False)], ignore_index=True)
    n = n_previous + 1
    bounds = per_pair.iloc[(pair[:, None] * n + np.arange(n)).ravel()].reset_index(drop=True)
    bounds.insert(0, "client_id", np.repeat(clients["client_id"].to_numpy(dtype=object), n))
    return bounds


def _client_edges(bounds: pd.DataFrame, start: str, end: str) -> np.ndarray:
    """Per client (rows as in `period_bounds_by_client`) its period edges ascending: oldest start .. newest end."""
    n = int(bounds["period"].max()) + 1
    starts, ends = _naive(bounds[start]).reshape(-1, n), _naive(bounds[end]).reshape(-1, n)
    return np.column_stack([starts[:, ::-1], ends[:, 0]])


def _naive(values: pd.Series) -> np.ndarray:
    values = pd.to_datetime(values)
    if values.dt.tz is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.to_numpy("datetime64[ns]")


def _assign_period(values: np.ndarray, client: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Period index per value (−1 outside all periods) within its client's ``edges`` row (`_client_edges`):
    the number of edges at or before the value, as a ``searchsorted(side="right")`` per client."""
    position = (values[:, None] >= edges[client]).sum(axis=1) - 1
    n = edges.shape[1] - 1
    return np.where((position >= 0) & (position < n), n - 1 - position, -1)


def _ticket_periods(tickets: pd.DataFrame, bounds: pd.DataFrame, client_ids: pd.Index) -> pd.DataFrame:
    # SPEC §6: a ticket belongs to the period of its created_at
    created = pd.to_datetime(tickets["created_at"], utc=True).dt.tz_localize(None).to_numpy("datetime64[ns]")
    client = client_ids.get_indexer(tickets["client_id"])
    period = _assign_period(created, client, _client_edges(bounds, "start", "end"))
    return tickets.assign(period=period)[(period >= 0) & (client >= 0)]


def _worklog_periods(worklog: pd.DataFrame, bounds: pd.DataFrame, client_ids: pd.Index,
                     zones: pd.Series) -> pd.DataFrame:
    # worklog belongs to the period of its work_date (a local calendar day of the client's zone)
    day = pd.to_datetime(worklog["work_date"])
    if day.dt.tz is not None:
        zone = worklog["client_id"].map(zones)
        day = pd.concat([day[zone == tz].dt.tz_convert(tz).dt.tz_localize(None) for tz in zone.unique()]
                        ).reindex(day.index)
    day = day.dt.normalize().to_numpy("datetime64[ns]")
    days = bounds.assign(stop_day=pd.to_datetime(bounds["last_day"]) + pd.Timedelta(days=1),
                         first_day=pd.to_datetime(bounds["first_day"]))
    client = client_ids.get_indexer(worklog["client_id"])
    period = _assign_period(day, client, _client_edges(days, "first_day", "stop_day"))
    return worklog.assign(period=period)[(period >= 0) & (client >= 0)]


def _grid(client_ids: pd.Index, periods: np.ndarray, **dims: tuple) -> pd.MultiIndex:
    """All (client, period, dims...) combinations, so every key is reported for every client and period."""
    return pd.MultiIndex.from_product([client_ids, periods, *dims.values()], names=["client_id", "period", *dims])


def _duration_values(t: pd.DataFrame) -> list[tuple[str, str | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per duration metric: (metric_id, breakdown, breakdown value, period, working hours, client_id) of its
    tickets, in ticket order (numpy masks over the period-assigned tickets: no frame copy per metric)."""
    kind = t["kind"].to_numpy()
    period = t["period"].to_numpy()
    client = t["client_id"].to_numpy(dtype=object)
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
        out.append((metric_id, breakdown, dim[mask], period[mask], seconds[mask] / SECONDS_PER_HOUR, client[mask]))
    return out


def _duration_stats(values: list, client_ids: pd.Index, periods: np.ndarray) -> pd.DataFrame:
    """Median and p90 (hours, linear interpolation) and n of every duration metric per client and period (and its
    breakdown), for every client, period and breakdown value (NaN, n = 0 when empty): one grouped pass."""
    frame = pd.DataFrame({
        "client_id": np.concatenate([v[5] for v in values]),
        "metric_id": np.concatenate([np.full(len(v[2]), v[0], dtype=object) for v in values]),
        "dim": np.concatenate([v[2] for v in values]),
        "period": np.concatenate([v[3] for v in values]),
        "hours": np.concatenate([v[4] for v in values]),
    })
    hours = frame.groupby(["client_id", "metric_id", "dim", "period"])["hours"]
    stats = pd.DataFrame({"median": hours.median(), "p90": hours.quantile(P90), "n": hours.size()})
    keys = [(metric_id, dim, period) for metric_id, _kind, _column, breakdown in DURATION_METRICS
            for period in periods for dim in (_BREAKDOWN_VALUES[breakdown] if breakdown else (0,))]
    grid = pd.MultiIndex.from_tuples([(client_id, *key) for client_id in client_ids for key in keys],
                                     names=["client_id", "metric_id", "dim", "period"])
    stats = stats.reindex(grid)
    stats["n"] = stats["n"].fillna(0).astype(float)
    long = stats.melt(id_vars="n", value_vars=["median", "p90"], var_name="stat", value_name="value",
                      ignore_index=False).reset_index()
    breakdown_of = {metric_id: breakdown for metric_id, _kind, _column, breakdown in DURATION_METRICS}
    by = long["metric_id"].map(breakdown_of)
    for name in _BREAKDOWN_VALUES:
        long[name] = long["dim"].where(by == name).astype(float)
    return long.drop(columns="dim")


def _on_grid(by_client: pd.Series, grid: pd.MultiIndex, *levels: str) -> pd.Series:
    """A per-client value (indexed by ``client_id``, or by ``client_id`` and more ``levels``) on every key of grid."""
    at = grid.droplevel([name for name in grid.names if name not in ("client_id", *levels)])
    return pd.Series(by_client.reindex(at).to_numpy(dtype=float, na_value=np.nan), index=grid)


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
    return meeting_metrics_and_samples(tickets, worklog, staff, users, period_end, length_days, n_previous, tz)[0]


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
    picked once for both (a meeting brief reads both): :func:`meeting_metrics_and_samples_by_client` of one
    client."""
    one = pd.DataFrame({"client_id": [_ONE], "users": [users], "period_end": [period_end], "tz": [tz]})
    long, samples = meeting_metrics_and_samples_by_client(
        tickets.assign(client_id=_ONE), worklog.assign(client_id=_ONE), staff.assign(client_id=_ONE), one,
        length_days, n_previous)
    return long.drop(columns="client_id"), samples.drop(columns="client_id")


def meeting_metrics_and_samples_by_client(
    tickets: pd.DataFrame,
    worklog: pd.DataFrame,
    staff: pd.DataFrame,
    clients: pd.DataFrame,
    length_days: int = 14,
    n_previous: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`meeting_metrics_and_samples` of several clients in one grouped pass (the manager's home ranks them all).

    ``clients`` has one row per client: ``client_id, users, period_end, tz`` (its number of users, the last day of
    its current period and its calendar's zone, see :func:`period_bounds`). ``tickets``, ``worklog`` and ``staff``
    carry a ``client_id`` column (the staff who worked for that client). Returns the long table and the samples of
    every client with a leading ``client_id`` column, by client; each client's rows equal its own
    :func:`meeting_metrics_and_samples` call.
    """
    client_ids = pd.Index(clients["client_id"], name="client_id")
    bounds = period_bounds_by_client(clients, length_days, n_previous)
    periods = np.arange(n_previous + 1)
    t = _ticket_periods(tickets, bounds, client_ids)
    incidents = t[t["kind"] == "incident"]
    durations = _duration_values(t)
    parts = [_duration_stats(durations, client_ids, periods)]

    # SPEC §5: compliance % = met / (met + breached); open and at-risk tickets are not decided yet
    decided = incidents[incidents["sla_state"].isin(["met", "breached"])]
    by_priority = _grid(client_ids, periods, priority=PRIORITIES)
    met = (decided["sla_state"] == "met").groupby(
        [decided["client_id"], decided["period"], decided["priority"]]).sum()
    total = decided.groupby(["client_id", "period", "priority"]).size().reindex(by_priority)
    parts.append(_ratio(met, total, by_priority, "incident_sla_compliance", 100.0)
                 .assign(n=lambda f: total.fillna(0).to_numpy(), base=lambda f: total.fillna(0).to_numpy(),
                         stat="compliance"))

    # seed 004: tickets relative to users and to staff of each line, by priority
    users = pd.Series(clients["users"].to_numpy(dtype=float, na_value=np.nan), index=client_ids)
    counts = t.groupby(["client_id", "period", "priority"]).size()
    period_grid = _grid(client_ids, periods)
    parts.append(_ratio(counts, _on_grid(users, by_priority), by_priority, "tickets_per_user").assign(stat="ratio"))
    parts.append(_ratio(counts.groupby(level=["client_id", "period"]).sum(), _on_grid(users, period_grid),
                        period_grid, "tickets_per_user").assign(stat="ratio"))
    headcount = staff.groupby(["client_id", "line"])["staff"].nunique()
    by_line_priority = _grid(client_ids, periods, line=LINES, priority=PRIORITIES)
    line_counts = t.groupby(["client_id", "period", "line", "priority"]).size()
    parts.append(_ratio(line_counts, _on_grid(headcount, by_line_priority, "line"), by_line_priority,
                        "tickets_per_staff").assign(stat="ratio"))

    # seed 004: hours, their split by priority, development vs support
    zones = pd.Series(clients["tz"].to_numpy(), index=client_ids)
    w = _worklog_periods(_with_priority(worklog, tickets), bounds, client_ids, zones)
    hours = w.groupby(["client_id", "period", "priority"])["hours"].sum()
    parts.append(_ratio(hours, 1.0, by_priority, "hours").assign(stat="sum"))
    parts.append(_ratio(hours.groupby(level=["client_id", "period"]).sum(), 1.0, period_grid, "hours")
                 .assign(stat="sum"))
    dev = w[w["work_type"] == "development"]
    dev_hours = dev.groupby(["client_id", "period"])["hours"].sum().reindex(period_grid, fill_value=0.0)
    support_hours = w[w["work_type"] == "support"].groupby(["client_id", "period"])["hours"].sum()
    all_hours = w.groupby(["client_id", "period"])["hours"].sum().reindex(period_grid)
    high_dev = dev[dev["priority"].isin(HIGH_PRIORITIES)].groupby(["client_id", "period"])["hours"].sum()
    parts += [
        _ratio(dev_hours, 1.0, period_grid, "development_hours").assign(stat="sum"),
        _ratio(support_hours, 1.0, period_grid, "support_hours").assign(stat="sum"),
        _ratio(dev_hours, all_hours, period_grid, "development_share", 100.0).assign(stat="share"),
        _ratio(high_dev, dev_hours.where(dev_hours > 0), period_grid, "high_priority_development_share",
               100.0).assign(stat="share"),
    ]
    return _label(pd.concat(parts, ignore_index=True), bounds), _samples(durations)


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
    one = pd.DataFrame({"client_id": [_ONE], "period_end": [period_end], "tz": [tz]})
    bounds = period_bounds_by_client(one, length_days, n_previous)
    periods = _ticket_periods(tickets.assign(client_id=_ONE), bounds, pd.Index([_ONE]))
    return _samples(_duration_values(periods)).drop(columns="client_id")


def _samples(durations: list) -> pd.DataFrame:
    """`duration_samples` rows, with their ``client_id``, from the per-metric durations (`_duration_values`): the
    arrays of every metric and stat joined, one frame built."""
    parts = []
    for metric_id, breakdown, dim, period, hours, client in durations:
        prefix = ("p" if breakdown == "priority" else "line") + dim.astype(str).astype(object) + "." if breakdown \
            else np.full(len(dim), "", dtype=object)
        parts += [(client, np.full(len(dim), metric_id, dtype=object), prefix + stat, period, hours)
                  for stat in STAT_LABELS]
    client, metric_id, key, period, hours = (np.concatenate(column) for column in zip(*parts))
    return pd.DataFrame({"client_id": client, "metric_id": pd.array(metric_id, dtype="str"),
                         "key": pd.array(key, dtype="str"), "period": period, "value": hours})


def _label(long: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Attach key, labels, unit, direction and period instants to the metric rows (of every client)."""
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
    long = long.merge(bounds[["client_id", "period", "start", "end"]].rename(
        columns={"start": "period_start", "end": "period_end"}), on=["client_id", "period"], how="left")
    long["period"] = long["period"].astype(int)
    return (long[["client_id", *LONG_COLUMNS]].sort_values(["client_id", "metric_id", "key", "period"], kind="stable")
            .reset_index(drop=True))


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
