"""The service manager's biweekly client meeting brief (seed 004, SPEC §6).

One JSON-serialisable dict that the meeting page, the PDF/XLSX exports and `cli.py report meeting`
all draw: client, period bounds, the KPI table with deltas and trends, the negative-dynamics flags
with explanation and proposed action, the breached and at-risk tickets, and the hours split
development/support by priority. Authorization is the caller's job (pages and commands check the
client against the logged-in user's scope before calling).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from metrics.dynamics import change_text, findings, findings_by_client, negative_dynamics, negative_dynamics_by_client
from metrics.support import (METRICS, PRIORITIES, meeting_metrics_and_samples, meeting_metrics_and_samples_by_client,
                             period_bounds, period_bounds_by_client)
from store.queries import (client_options, client_record, client_records, client_ticket_activity, latest_ticket_date,
                           meeting_inputs, meeting_inputs_by_client, ticket_hours)
from store.settings import DEFAULT_CALENDAR, calendar_definitions
from store.workflows import meeting_actions_section
from store import clock

WORK_TYPES: tuple[str, ...] = ("development", "support")
# the states a manager must talk about: breached, or open with < 25 % of the target left (SPEC §5)
ATTENTION_STATES: tuple[str, ...] = ("breached", "at_risk")


# SPEC §6: the meeting page opens on the client that needs attention most. Attention score =
# Σ impact of the client's findings + ATTENTION_TICKET_WEIGHT per breached or at-risk ticket.
ATTENTION_TICKET_WEIGHT = 0.5
# full briefs (the findings) are computed for the most active clients only: a client with fewer
# tickets than the findings' minimum volume has no finding to rank by anyway
ATTENTION_BRIEFS = 12


class UnknownClient(LookupError):
    """No client with this id is stored."""


def meeting_brief(conn: Connection, client_id: str, period_end: dt.date | str | None = None,
                  length_days: int = 14, n_previous: int = 3) -> dict:
    """The meeting brief of one client: current period vs the ``n_previous`` periods before it.

    Parameters
    ----------
    conn
        An open connection; the caller has already authorized ``client_id``.
    client_id
        The client; :class:`UnknownClient` when it is not stored.
    period_end
        Last day of the current period (a local date of the client's calendar, inclusive).
        Default: the day of the latest stored ticket (of any client: the day the data runs to),
        or today when there are none or the data runs into the future.
    length_days, n_previous
        Period length in days (seed 004: meetings every two weeks) and how many periods before
        the current one are compared.

    Returns
    -------
    dict
        ``client``, ``period`` (current bounds), ``periods`` (oldest first, the current last),
        ``kpis`` (per metric key: ``current``, ``previous_mean``, ``delta_pct`` =
        100 · (current − previous_mean) / |previous_mean|, ``trend`` per period oldest first,
        ``better``, ``status`` worse/better/same/no_data, ``flagged``), ``flags`` (sentence,
        explanation and proposed action in ru/en, with the test of chance behind each),
        ``findings`` (the flags merged per theme, by decreasing impact), ``tickets`` (breached and at-risk, with worked hours),
        ``hours`` (development/support split by priority of the current period, and per period).
        Hours are worklog hours; durations are working hours of the client's calendar.
    """
    client, tz, bounds, inputs, long, flags = _assessed(conn, client_id, period_end, length_days, n_previous)
    current = bounds.iloc[0]
    return _jsonable({
        "client": {k: client.get(k) for k in ("client_id", "name", "partner_id", "city", "users",
                                               "service_manager")},
        "period": _period_dict(current),
        "periods": [_period_dict(row) for _, row in bounds.iloc[::-1].iterrows()],
        "timezone": tz,
        "ticket_count": int(((inputs.tickets["created_at"] >= current["start"])
                             & (inputs.tickets["created_at"] < current["end"])).sum()),
        "kpis": kpi_table(long, flags),
        "flags": flags.to_dict("records"),
        "findings": findings(flags).to_dict("records"),
        "tickets": attention_tickets(inputs.tickets, current["start"], current["end"],
                                     ticket_hours(conn, inputs.tickets["ticket_id"].tolist())),
        "hours": hours_split(inputs.worklog, bounds),
        "generated_at": clock.now().isoformat(timespec="seconds"),
    })


def meeting_findings(conn: Connection, client_id: str, period_end: dt.date | str | None = None,
                     length_days: int = 14, n_previous: int = 3) -> list[dict]:
    """The ``findings`` of :func:`meeting_brief` alone (the same records), without the KPI table, tickets and
    hours the attention ranking does not read. :class:`UnknownClient` when the client is not stored."""
    flags = _assessed(conn, client_id, period_end, length_days, n_previous)[-1]
    return _jsonable(findings(flags).to_dict("records"))


def meeting_findings_by_client(conn: Connection, client_ids: list[str], period_end: dt.date | str | None = None,
                               length_days: int = 14, n_previous: int = 3) -> dict[str, list[dict] | None]:
    """:func:`meeting_findings` of several clients computed together, by client id (None for a client not
    stored): the records :func:`meeting_findings` gives each, in the same order.

    The manager's home ranks all of a manager's clients by their findings; one at a time, each paid its own
    queries and pandas passes (~70 ms a client at the large demo). Here the clients' records are one query, their
    tickets, worklog and staff three (`store.queries.meeting_inputs_by_client`, each client in its own calendar
    zone's periods), the metrics one grouped pass and the tests of chance one pass per test kind.
    """
    records = client_records(conn, client_ids)
    found: dict[str, list[dict] | None] = {c: [] if c in records else None for c in client_ids}
    known = [c for c in found if c in records]
    if not known:
        return found
    definitions = calendar_definitions(conn)
    zones = {c: _timezone_of(definitions, records[c].get("calendar")) for c in known}
    last_days = {tz: default_period_end(conn, period_end, tz) for tz in set(zones.values())}  # a zone or four
    clients = pd.DataFrame({
        "client_id": known,
        "users": [records[c].get("users") or float("nan") for c in known],
        "period_end": [last_days[zones[c]] for c in known],
        "tz": [zones[c] for c in known],
    })
    bounds = period_bounds_by_client(clients, length_days, n_previous)
    windows = bounds.groupby("client_id", sort=False).agg(start=("start", "min"), end=("end", "max")).reindex(known)
    tickets, worklog, staff = meeting_inputs_by_client(conn, windows.reset_index().assign(tz=clients["tz"].to_numpy()))
    long, samples = meeting_metrics_and_samples_by_client(tickets, worklog, staff, clients, length_days, n_previous)
    records_of = findings_by_client(negative_dynamics_by_client(long, samples))
    for client_id, rows in records_of.groupby("client_id", sort=False):
        found[client_id] = _jsonable(rows.drop(columns="client_id").to_dict("records"))
    return found


def _assessed(conn: Connection, client_id: str, period_end: dt.date | str | None, length_days: int,
              n_previous: int) -> tuple[dict, str, pd.DataFrame, object, pd.DataFrame, pd.DataFrame]:
    """(client, time zone, period bounds, inputs, metrics long table, flags) of one client's meeting."""
    client = client_record(conn, client_id)
    if client is None:
        raise UnknownClient(client_id)
    tz = _timezone_of(calendar_definitions(conn), client.get("calendar"))
    last_day = default_period_end(conn, period_end, tz)
    bounds = period_bounds(last_day, length_days, n_previous, tz)
    inputs = meeting_inputs(conn, client_id, bounds["start"].min(), bounds["end"].max(), tz, client)
    users = client.get("users")
    long, samples = meeting_metrics_and_samples(inputs.tickets, inputs.worklog, inputs.staff,
                                                users if users else float("nan"), last_day, length_days, n_previous, tz)
    flags = negative_dynamics(long, samples)
    return client, tz, bounds, inputs, long, flags


def with_actions(conn: Connection, brief: dict) -> dict:
    """The brief plus its ``actions``: open actions, the last meeting's actions (as agreed then, with
    their status now) and the meeting history (seed 004: «список мероприятий, которые мы уже
    запланировали»). Read fresh on every call: actions change between two views of one brief."""
    return {**brief, "actions": meeting_actions_section(conn, brief["client"]["client_id"])}


def attention_ranking(conn: Connection, client_ids: list[str],
                      findings_of: Callable[[dict[str, str]], dict[str, list[dict] | None]],
                      period_end: dt.date | str | None = None, length_days: int = 14,
                      n_previous: int = 3) -> list[dict]:
    """The given clients ranked by need of attention, most first (SPEC §6 «Signal over noise»).

    One grouped query counts each client's tickets over the compared periods and its breached
    and at-risk tickets (live states); the :data:`ATTENTION_BRIEFS` most active clients get their
    findings through one call ``findings_of({client_id: live_states})`` → ``{client_id: findings}`` (the caller's
    cached :func:`meeting_findings_by_client`; ``live_states`` is the client's live-state fingerprint from
    :func:`store.queries.client_ticket_activity`, which a cache may key each client by instead of the minute).
    Score =
    Σ finding impact + :data:`ATTENTION_TICKET_WEIGHT` · (breached + at risk); ties by name.

    Returns
    -------
    list of dict
        ``client_id, name, tickets, breached, at_risk, findings`` (None when not briefed),
        ``top_finding_ru/en`` (title of the strongest finding or None) and ``score``.
    """
    if not client_ids:
        return []
    last_day = default_period_end(conn, period_end)
    bounds = period_bounds(last_day, length_days, n_previous, "UTC")
    activity = client_ticket_activity(conn, client_ids, bounds["start"].min(), bounds["end"].max())
    names = {c["client_id"]: c["name"] for c in client_options(conn, list(client_ids))}
    activity["name"] = activity["client_id"].map(names).fillna(activity["client_id"])
    activity["attention_tickets"] = activity["breached"] + activity["at_risk"]
    briefed = activity.sort_values(["tickets", "attention_tickets"], ascending=False, kind="stable").head(
        ATTENTION_BRIEFS)
    briefs = findings_of(dict(zip(briefed["client_id"], briefed["live_states"])))
    rows = []
    for row in activity.itertuples(index=False):  # a manager's clients: tens, not thousands
        found = briefs.get(row.client_id)
        impact = sum(f["impact"] for f in found) if found else 0.0
        rows.append({
            "client_id": row.client_id, "name": row.name, "tickets": int(row.tickets),
            "breached": int(row.breached), "at_risk": int(row.at_risk),
            "findings": None if found is None else len(found),
            "top_finding_ru": found[0]["title_ru"] if found else None,
            "top_finding_en": found[0]["title_en"] if found else None,
            "score": round(impact + ATTENTION_TICKET_WEIGHT * int(row.attention_tickets), 4),
        })
    return sorted(rows, key=lambda r: (-r["score"], r["name"], r["client_id"]))


def kpi_table(metrics_long: pd.DataFrame, flags: pd.DataFrame) -> list[dict]:
    """One row per metric key that has a value in some period, in the seed's metric order.

    ``trend`` lists the values oldest period first; ``previous_mean`` is the mean of the previous
    periods' non-missing values; ``delta_pct`` = 100 · (current − previous_mean) / |previous_mean|
    (None when either is missing or the mean is 0); shares (unit %) carry ``delta_pp`` =
    current − previous_mean in percentage points instead; ``change_ru``/``change_en`` is the
    change as shown («+60 п.п.», «−12 %»). ``status`` says whether the current value is worse or
    better than that mean in the metric's ``better`` direction, and is ``no_data`` when nothing
    stands behind the current value (no tickets or hours, n = 0): «нет данных» is never a change.
    """
    ident = ["metric_id", "key"]
    wide = metrics_long.pivot(index=ident, columns="period", values="value").sort_index(axis=1)
    wide = wide[wide.notna().any(axis=1)]
    meta = metrics_long.drop_duplicates(ident).set_index(ident).reindex(wide.index)
    current = wide[0]
    previous_mean = wide.drop(columns=0).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = 100.0 * (current - previous_mean) / previous_mean.abs()
    direction = np.where(meta["better"] == "higher", -1.0, 1.0)
    worse = (current - previous_mean) * direction
    current_n = metrics_long[metrics_long["period"] == 0].set_index(ident)["n"].reindex(wide.index)
    no_data = current.isna() | (current_n.fillna(0) == 0)
    status = np.select([no_data, worse > 0, worse < 0, worse == 0], ["no_data", "worse", "better", "same"],
                       default=None)
    share = (meta["unit"] == "%").to_numpy()
    delta = delta.where(~no_data & ~share & np.isfinite(delta))
    delta_pp = (current - previous_mean).where(~no_data & share)
    changes = {lang: [change_text(p, c, u, lang) if s not in ("no_data", None) else ""
                      for p, c, u, s in zip(previous_mean, current, meta["unit"], status)]
               for lang in ("ru", "en")}
    flagged_keys = set(zip(flags["metric_id"], flags["key"])) if len(flags) else set()
    order = {metric_id: i for i, metric_id in enumerate(METRICS)}
    table = pd.DataFrame({
        "metric_id": wide.index.get_level_values("metric_id"),
        "key": wide.index.get_level_values("key"),
        "label_ru": meta["label_ru"].to_numpy(), "label_en": meta["label_en"].to_numpy(),
        "unit": meta["unit"].to_numpy(), "better": meta["better"].to_numpy(),
        "current": current.to_numpy(), "previous_mean": previous_mean.to_numpy(),
        "delta_pct": delta.to_numpy(), "delta_pp": delta_pp.to_numpy(), "status": status,
        "change_ru": changes["ru"], "change_en": changes["en"],
        "n": current_n.to_numpy(),
        "trend": wide[wide.columns[::-1]].to_numpy().tolist(),
        "flagged": [k in flagged_keys for k in wide.index],
    })
    table["order"] = table["metric_id"].map(order).fillna(len(order))
    table = table.sort_values(["order", "key"], kind="stable").drop(columns="order")
    return table.to_dict("records")


def attention_tickets(tickets: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                      hours: pd.Series) -> list[dict]:
    """Breached and at-risk tickets to discuss: every at-risk one, and breached ones still open
    or whose deadline, creation or resolution falls in the current period ``[start, end)``;
    breached first, then by deadline. ``worked_hours`` = all worklog hours of the ticket."""
    state = tickets["sla_state"]
    in_period = pd.Series(False, index=tickets.index)
    for column in ("deadline", "created_at", "resolved_at"):
        in_period |= (tickets[column] >= start) & (tickets[column] < end)
    breached = (state == "breached") & (tickets["resolved_at"].isna() | in_period)
    chosen = tickets[(state == "at_risk") | breached].copy()
    chosen["worked_hours"] = hours.reindex(chosen["ticket_id"]).fillna(0.0).to_numpy()
    chosen["state_order"] = chosen["sla_state"].map({s: i for i, s in enumerate(ATTENTION_STATES)})
    chosen = chosen.sort_values(["state_order", "deadline", "ticket_id"], kind="stable")
    columns = ["ticket_id", "kind", "type", "priority", "line", "created_at", "deadline", "resolved_at",
               "rule", "sla_state", "worked_hours"]
    return chosen[columns].rename(columns={"sla_state": "state"}).to_dict("records")


def hours_split(worklog: pd.DataFrame, bounds: pd.DataFrame) -> dict:
    """Worklog hours by work type: per priority in the current period and per period.

    Returns ``{"by_priority": [{"priority", "development", "support", "total"}], "by_period":
    [{"period", "label", "development", "support", "total", "development_share"}]}``, periods oldest
    first; ``development_share`` = 100 · development / total (seed 004: 20 % → 80 % is the alarm).
    """
    days = pd.to_datetime(worklog["work_date"]).dt.normalize()
    first = pd.to_datetime(bounds["first_day"])
    last = pd.to_datetime(bounds["last_day"])
    edges = np.append(first.to_numpy()[::-1], (last.iloc[0] + pd.Timedelta(days=1)).to_datetime64())
    position = np.searchsorted(edges, days.to_numpy(), side="right") - 1
    n = len(bounds)
    period = np.where((position >= 0) & (position < n), n - 1 - position, -1)
    w = worklog.assign(period=period, work_type=worklog["work_type"].where(
        worklog["work_type"].isin(WORK_TYPES), "support"))
    w = w[w["period"] >= 0]
    by_period = (w.pivot_table(index="period", columns="work_type", values="hours", aggfunc="sum")
                 .reindex(index=bounds["period"], columns=list(WORK_TYPES)).fillna(0.0))
    by_period["total"] = by_period.sum(axis=1)
    by_period["development_share"] = (100.0 * by_period["development"] / by_period["total"]).where(
        by_period["total"] > 0)
    by_period = by_period.iloc[::-1]
    labels = {row.period: _period_label(row.first_day, row.last_day) for row in bounds.itertuples()}
    now = w[w["period"] == 0]
    by_priority = (now.pivot_table(index="priority", columns="work_type", values="hours", aggfunc="sum")
                   .reindex(index=list(PRIORITIES), columns=list(WORK_TYPES)).fillna(0.0))
    by_priority["total"] = by_priority.sum(axis=1)
    return {
        "by_priority": by_priority.rename_axis("priority").reset_index().to_dict("records"),
        "by_period": [{"period": int(p), "label": labels[p], **row}
                      for p, row in by_period.to_dict("index").items()],
    }


# ---------------------------------------------------------------- helpers

def _timezone_of(definitions: dict[str, dict], calendar: str | None) -> str:
    """The zone of a client's calendar (the default calendar's when it has none or an unknown one)."""
    definition = definitions.get(calendar or DEFAULT_CALENDAR) or definitions[DEFAULT_CALENDAR]
    return definition.get("timezone") or "UTC"


def default_period_end(conn: Connection, period_end: dt.date | str | None = None,
                       tz: str = "Europe/Moscow") -> dt.date:
    """The given day, else the day the loaded tickets run to (the data's "today"), never after today.

    The store-wide latest ticket, not the client's own: a client who stopped writing still has
    its meeting over the last two weeks, and the quiet period is part of the picture.
    """
    if period_end is not None:
        return pd.Timestamp(period_end).date()
    today = clock.now()
    latest = latest_ticket_date(conn)
    return min(latest if latest is not None else today, today).tz_convert(tz).date()


def _period_label(first_day: dt.date, last_day: dt.date) -> str:
    """``01.05–14.05.2024`` (the year once when both days share it)."""
    if first_day.year == last_day.year:
        return f"{first_day:%d.%m}–{last_day:%d.%m.%Y}"
    return f"{first_day:%d.%m.%Y}–{last_day:%d.%m.%Y}"


def _period_dict(row: pd.Series) -> dict:
    return {"period": int(row["period"]), "first_day": row["first_day"].isoformat(),
            "last_day": row["last_day"].isoformat(), "start": row["start"].isoformat(),
            "end": row["end"].isoformat(), "label": _period_label(row["first_day"], row["last_day"])}


def _jsonable(value):
    """NaN/NaT → None, numpy scalars → Python, timestamps → ISO 8601 strings, recursively."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) or math.isinf(value) else round(float(value), 4)
    return value
