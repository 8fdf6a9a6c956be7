"""The partner's quality report (SPEC §1 "Partner", §4, §7, §8): what "My quality" shows and
`cli.py report partner --json` prints.

`partner_report(conn, partner_id, window)` returns one JSON-serialisable dict. It contains the
partner's own figures only: other partners appear solely as anonymized group values of
`metrics.privacy`, never by id or name (seed 000: "Доступны только самому партнеру").

Survey figures are computed from `survey_rollup` counts (`scores_from_counts`), so the page never
scans the surveys table (SPEC §9).
"""
from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from metrics.deposit import deposit_account
from metrics.privacy import (  # noqa: F401 - WINDOWS and window_id are part of this module's API
    PROJECT_QUESTIONS,
    WINDOWS,
    answer_band,
    comparison_metrics,
    parse_window,
    window_id,
)
from metrics.programs import monitor_status, points_ledger
from metrics.survey import (
    MIN_ANSWERS,
    QUESTIONS,
    RECOMMEND_QUESTIONS,
    Scheme,
    adjusted_wald_interval,
    promoter_detractor_masks,
    top_box_mask,
)
from store import partner_queries as q
from store.comparison_rollup import comparison_table, stored_comparison
from store import clock

COMMENTS_SHOWN = 20
BP_REASON = "waiting_production"  # seed 003: "БП" — waiting for production, extends a rework's due date
# competence "at risk" (SPEC §11, issue 15): held, but at most this many submitted projects of margin …
AT_RISK_MARGIN = 1
AT_RISK_SHARE = 0.55  # … or a covered share below 55 %
KPI_KEYS: tuple[str, ...] = ("csat", "nps_partner", "nps_platform")


class UnknownPartner(LookupError):
    """No partner with the requested id."""


# ---------------------------------------------------------------- survey metrics from rollup counts
def scores_from_counts(counts: pd.DataFrame, by: Sequence[str] = (), scheme: Scheme = "top1") -> pd.DataFrame:
    """Per group and question: n, mean, CSAT, NPS with its adjusted-Wald interval — from answer counts.

    The same figures as `metrics.survey.score_table`, computed from `survey_rollup` cells
    (``question, scale, answer, answers``) instead of one row per survey:
    n = Σ answers; mean = Σ answers·answer / n; CSAT % = 100 · Σ answers over top-box values / n;
    NPS points = 100 · (P − D) / n for recommend questions (SPEC §4), interval by
    `metrics.survey.adjusted_wald_interval`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``question, n, mean, csat, promoters, detractors, nps, nps_low, nps_high, too_few``.
    """
    by = list(by)
    columns = [*by, "question", "n", "mean", "csat", "promoters", "detractors", "nps", "nps_low", "nps_high",
               "too_few"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    answer = counts["answer"].to_numpy(dtype=float)
    weight = counts["answers"].to_numpy(dtype=float)
    recommend = counts["question"].isin(RECOMMEND_QUESTIONS).to_numpy()
    scale = np.where(recommend & (counts["scale"].to_numpy() == 10), "10", "5")
    promoters, detractors = promoter_detractor_masks(answer, scheme, scale)
    weighted = counts[[*by, "question"]].assign(
        n=weight, total=weight * answer, top=weight * top_box_mask(answer, scale),
        promoters=weight * (promoters & recommend), detractors=weight * (detractors & recommend),
    )
    table = weighted.groupby([*by, "question"], sort=True, dropna=False).sum().reset_index()
    table = table[table["n"] > 0].reset_index(drop=True)
    is_recommend = table["question"].isin(RECOMMEND_QUESTIONS)
    table["mean"] = table["total"] / table["n"]
    table["csat"] = 100.0 * table["top"] / table["n"]
    table["nps"] = (100.0 * (table["promoters"] - table["detractors"]) / table["n"]).where(is_recommend)
    low, high = adjusted_wald_interval(table["promoters"], table["detractors"], table["n"])
    table["nps_low"] = pd.Series(low, index=table.index).where(is_recommend)
    table["nps_high"] = pd.Series(high, index=table.index).where(is_recommend)
    for column in ("n", "promoters", "detractors"):
        table[column] = table[column].astype("int64")
    table["too_few"] = table["n"] < MIN_ANSWERS
    return table[columns]


def distribution_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Share of each answer value per question and scale (stacked 100 % bars), every value present.

    Returns
    -------
    DataFrame
        ``question, scale, answer, count, pct`` with pct = 100 · count / answered of that question and scale;
        values 1–5 (or 0–10 on the 10-point scale) that nobody chose appear with count 0.
    """
    if counts.empty:
        return pd.DataFrame(columns=["question", "scale", "answer", "count", "pct"])
    cells = counts.groupby(["question", "scale", "answer"])["answers"].sum()
    frames = []
    for (question, scale), group in cells.groupby(level=["question", "scale"]):
        values = range(0, 11) if scale == 10 else range(1, 6)
        full = group.droplevel(["question", "scale"]).reindex(list(values), fill_value=0)
        frames.append(pd.DataFrame({"question": question, "scale": scale, "answer": full.index,
                                    "count": full.to_numpy(), "pct": 100.0 * full.to_numpy() / full.sum()}))
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- fixed windows (SPEC §8)
def next_evaluation(as_of: pd.Timestamp) -> pd.Timestamp:
    """The next 1st of a month after `as_of` (seed 000: competence is decided on the 1st of each month)."""
    return pd.Timestamp(as_of).tz_convert("UTC").normalize() + pd.offsets.MonthBegin(1)


# ---------------------------------------------------------------- the report
def partner_report(conn: Connection, partner_id: str, window: str = "ttm", as_of: pd.Timestamp | None = None,
                   scheme: Scheme = "top1", lang: str = "ru") -> dict:
    """Everything the partner's "My quality" page shows, as a JSON-serialisable dict.

    Parameters
    ----------
    partner_id
        An id the caller has authorized (for role partner: the logged-in user's own partner).
    window
        ``quarter`` or ``ttm`` (fixed windows only, SPEC §8); KPIs, distributions and the comparison use it,
        the quarterly trend shows every quarter.
    as_of
        "Now" (UTC) deciding the windows, the next competence evaluation, open pauses and the deposit.

    Returns
    -------
    dict
        ``partner, as_of, window, kpi, kpi_trend, questions, trend, comments, comparison, projects, points,
        competence, tickets, tickets_summary, deposit``. ``kpi`` cards carry ``previous`` and ``change``
        against the period before the window (`previous_quarters`); ``comparison`` items carry the partner's
        own value (``own``); ``competence.at_risk`` flags a held competence about to be lost.

    Raises
    ------
    UnknownPartner, ValueError
        unknown partner id; unknown window.
    """
    return _report(conn, partner_id, window, as_of, scheme, lang, lists=True)


def partner_summary(conn: Connection, partner_id: str, window: str = "quarter", as_of: pd.Timestamp | None = None,
                    scheme: Scheme = "top1", lang: str = "ru") -> dict:
    """What the partner's home shows of :func:`partner_report`, the same values computed the same way, without
    the lists it does not show: ``partner, as_of, window, kpi, kpi_trend, comparison, points, competence,
    tickets_summary, deposit`` (no ``questions, trend, comments, projects, tickets``)."""
    return _report(conn, partner_id, window, as_of, scheme, lang, lists=False)


def _report(conn: Connection, partner_id: str, window: str, as_of: pd.Timestamp | None, scheme: Scheme, lang: str,
            lists: bool) -> dict:
    as_of = clock.now() if as_of is None else pd.Timestamp(as_of).tz_convert("UTC")
    window_key = window_id(window, as_of)
    quarters = list(parse_window(window_key).quarters)
    previous = previous_quarters(window_key)
    partner = q.partner_record(conn, partner_id)
    if partner is None:
        raise UnknownPartner(f"no partner {partner_id!r}")
    all_counts = q.partner_survey_counts(conn, partner_id)
    surveys = q.partner_surveys(conn, partner_id) if lists else None
    tickets = q.partner_tickets(conn, partner_id)
    counts = all_counts[all_counts["quarter"].isin(quarters)]
    report = {
        "partner": {k: partner[k] for k in ("partner_id", "name", "city", "region", "country")},
        "as_of": as_of.isoformat(),
        "window": {"id": window, "key": window_key, "quarters": quarters, "previous_quarters": previous},
        "kpi": kpis_with_change(counts, all_counts[all_counts["quarter"].isin(previous)], scheme),
    }
    if lists:
        report["questions"] = question_table(counts, scheme, lang)
        report["trend"] = _records(scores_from_counts(all_counts, ["quarter"], scheme))
    report["kpi_trend"] = kpi_trend(all_counts, scheme)
    if lists:
        report["comments"] = survey_comments(surveys, quarters)
    report["comparison"] = with_own_values(comparison(conn, partner, window_key, scheme, lang), counts, scheme)
    report.update(project_section(conn, partner_id, surveys, as_of) if lists
                  else {"points": _points(_own_ledger(conn, partner_id), as_of)})
    report["competence"] = competence_section(conn, partner_id, as_of)
    report.update(ticket_section(tickets, q.partner_pauses(conn, partner_id), as_of, records=lists))
    report["deposit"] = deposit_section(partner_id, q.partner_deposits(conn, partner_id), tickets, as_of)
    return json.loads(json.dumps(report, default=_json_default, allow_nan=False))


def _kpi_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts behind the KPI cards: the six project questions pooled as question "project", and the
    two recommend questions as they are."""
    project = counts[counts["question"].isin(PROJECT_QUESTIONS)].assign(question="project")
    return pd.concat([project, counts[counts["question"].isin(RECOMMEND_QUESTIONS)]], ignore_index=True)


def kpis(counts: pd.DataFrame, scheme: Scheme = "top1") -> dict:
    """KPI cards: project CSAT (top-2-box over the six project questions, seed 000) and both NPS scores."""
    table = scores_from_counts(_kpi_counts(counts), scheme=scheme)
    out = {"csat": _kpi(table, "project", ("csat",))}
    for column, key in (("q_recommend_partner", "nps_partner"), ("q_recommend_platform", "nps_platform")):
        out[key] = _kpi(table, column, ("nps", "nps_low", "nps_high", "promoters", "detractors"))
    return out


def previous_quarters(window_key: str) -> list[str]:
    """The quarters of the period before a fixed window: the quarter before ("2026Q3" → ["2026Q2"]),
    or the 12 months before a trailing 12 months ("ttm:2026Q3" → 2024Q4 … 2025Q3)."""
    window = parse_window(window_key)
    first = pd.Period(window.quarters[0], freq="Q")
    return [str(first - k) for k in range(len(window.quarters), 0, -1)]


def kpis_with_change(counts: pd.DataFrame, previous_counts: pd.DataFrame, scheme: Scheme = "top1") -> dict:
    """`kpis` of the window, each card with ``previous`` (value of the period before), ``previous_n`` and
    ``change`` = value − previous: CSAT in percentage points, NPS in points; None when either period has
    no answers (the page then says «нет данных», never a change from nothing)."""
    now, before = kpis(counts, scheme), kpis(previous_counts, scheme)
    for key, field in zip(KPI_KEYS, ("csat", "nps", "nps")):
        value, previous = now[key][field], before[key][field]
        now[key].update(previous=previous, previous_n=before[key]["n"],
                        change=None if value is None or previous is None else value - previous)
    return now


def kpi_trend(counts: pd.DataFrame, scheme: Scheme = "top1") -> list[dict]:
    """The KPI cards per quarter (every quarter with answers, oldest first): project CSAT and both NPS with n."""
    table = scores_from_counts(_kpi_counts(counts), ["quarter"], scheme)
    if table.empty:
        return []
    table["value"] = table["csat"].where(table["question"] == "project", table["nps"])
    wide = table.pivot(index="quarter", columns="question", values=["value", "n", "nps_low", "nps_high"])
    out = pd.DataFrame(index=wide.index)
    for question, key in (("project", "csat"), *zip(RECOMMEND_QUESTIONS, ("nps_partner", "nps_platform"))):
        n = wide["n"][question] if question in wide["n"] else pd.Series(0, index=wide.index)
        out[key] = wide["value"][question] if question in wide["value"] else np.nan
        out[f"{key}_n"] = n.fillna(0).astype("int64")
        if key != "csat":
            out[f"{key}_low"] = wide["nps_low"].get(question, np.nan)
            out[f"{key}_high"] = wide["nps_high"].get(question, np.nan)
    return _records(out.reset_index())


def _kpi(table: pd.DataFrame, question: str, fields: Sequence[str]) -> dict:
    row = table[table["question"] == question]
    if row.empty:
        return {"n": 0, "too_few": True, **{f: None for f in fields}}
    first = row.iloc[0]
    return {"n": int(first["n"]), "too_few": bool(first["too_few"]),
            **{f: _number(first[f]) for f in fields}}


def question_table(counts: pd.DataFrame, scheme: Scheme = "top1", lang: str = "ru") -> list[dict]:
    """Per question (seed 000 order): label, n, mean, CSAT, NPS, too_few and its answer distribution."""
    scores = scores_from_counts(counts, scheme=scheme).set_index("question")
    shares = distribution_from_counts(counts)
    out = []
    for column, question in QUESTIONS.items():
        row = {"question": column, "label": question.short_ru if lang == "ru" else question.short_en,
               "text": question.label_ru if lang == "ru" else question.label_en, "about": question.about}
        if column in scores.index:
            row.update({k: _number(v) for k, v in scores.loc[column].items()})
            row["too_few"] = bool(scores.loc[column, "too_few"])
        else:
            row.update({"n": 0, "too_few": True})
        row["distribution"] = _records(shares[shares["question"] == column].drop(columns="question"))
        out.append(row)
    return out


def survey_comments(surveys: pd.DataFrame, quarters: Sequence[str]) -> list[dict]:
    """The newest client comments of the partner's surveys (`partner_surveys`) in the window (SPEC §4)."""
    if surveys.empty:
        return []
    quarter = surveys["surveyed_at"].dt.tz_localize(None).dt.to_period("Q").astype(str)
    text = surveys["comment"].astype("string").str.strip()
    chosen = surveys[quarter.isin(quarters) & text.fillna("").ne("")]
    chosen = chosen.sort_values("surveyed_at", ascending=False).head(COMMENTS_SHOWN)
    return _records(chosen[["surveyed_at", "project_id", "version", "q_recommend_partner", "comment"]])


# ---------------------------------------------------------------- anonymized comparison (SPEC §8)
def _quarter_starts(quarters: pd.Series) -> dict[str, pd.Timestamp]:
    """First instant (UTC) of each distinct quarter label ("2024Q2" → 2024-04-01 00:00 UTC)."""
    return {label: pd.Period(label, freq="Q").start_time.tz_localize("UTC") for label in quarters.unique()}


def comparison(conn: Connection, partner: dict, window: str, scheme: Scheme = "top1", lang: str = "ru") -> list[dict]:
    """City → region → country comparison of the partner's project CSAT per question and both NPS.

    Read from `comparison_rollup` (refreshed at ingest for the day's page windows), else evaluated live
    with `metrics.privacy` for this partner alone; both give the same rows. The group never includes the
    partner; a withheld comparison carries its reason. Only group aggregates leave this function — no
    other partner's id, name or values.
    """
    partner_id, country = partner["partner_id"], partner["country"]
    metrics = comparison_metrics()
    rows = stored_comparison(conn, partner_id, window, scheme)
    if len(rows) != len(metrics):
        rows = comparison_table(conn, country, window, scheme, viewers=[partner_id])
    by_metric = rows.set_index("metric")
    return [_comparison_item(by_metric.loc[metric], metric, question, lang) for metric, question in metrics]


def with_own_values(items: list[dict], counts: pd.DataFrame, scheme: Scheme = "top1") -> list[dict]:
    """Each comparison item with the partner's own value beside the group's: ``own`` (NPS points or CSAT %
    of that question in the window, unrounded; the page rounds it like the group's) and ``own_n`` answers.
    Only this partner's counts are used — the group side stays the anonymized aggregate."""
    scores = scores_from_counts(counts, scheme=scheme).set_index("question")
    out = []
    for item in items:
        kind = item["metric"].partition(":")[0]
        question = item["question"]
        own = scores.loc[question, kind] if question in scores.index else None
        own = None if own is None or pd.isna(own) else float(own)
        out.append({**item, "own": own, "own_n": int(scores.loc[question, "n"]) if question in scores.index else 0})
    return out


def _comparison_item(row: pd.Series, metric: str, question: str, lang: str) -> dict:
    reason = row["reason_ru" if lang == "ru" else "reason_en"]
    item = {"metric": metric, "question": question, "withheld": bool(row["withheld"]),
            "reason": None if pd.isna(reason) else reason,
            "level": None, "group": None, "value": None, "n_partners": None, "n_answers": None}
    if not item["withheld"]:
        item.update(level=row["level"], group=row["group_name" if lang == "ru" else "group_name_en"],
                    value=float(row["value"]), n_partners=int(row["n_partners"]),
                    n_answers=answer_band(int(row["answers_from"])))  # a band: the exact count is not even stored
    return item


# ---------------------------------------------------------------- Quality Program: projects, points, competence
def project_section(conn: Connection, partner_id: str, surveys: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    """The partner's project versions with monitor verdict, latest survey, points and their expiry (seed 000).

    Returns
    -------
    dict
        ``projects``: one record per own version; ``points``: live points at `as_of` and the next expiry.
    """
    projects = q.partner_projects(conn, partner_id)
    if projects.empty:
        return {"projects": [], "points": _points(None, as_of)}
    status, own_ledger = _status_and_ledger(conn, projects, partner_id)
    own = status[status["partner_id"] == partner_id].copy()
    awards = own_ledger[["project_id", "version", "points", "earned_at", "expires_at", "reason"]]
    own = own.merge(awards.rename(columns={"reason": "points_reason"}), on=["project_id", "version"], how="left")
    own["points_live"] = (own["earned_at"] <= as_of) & (own["expires_at"] > as_of)
    own["transferred"] = own["transferred_from"].notna()  # never the previous partner's id (SPEC §8)
    if not surveys.empty:
        answers = surveys[list(QUESTIONS)].astype(float)
        latest = (surveys.assign(mean_score=answers[PROJECT_QUESTIONS].mean(axis=1))
                  .sort_values("surveyed_at").groupby(["project_id", "version"]).agg(
                      surveys=("survey_id", "size"), surveyed_at=("surveyed_at", "last"),
                      survey_mean=("mean_score", "last"), recommend_partner=("q_recommend_partner", "last")))
        own = own.merge(latest, left_on=["project_id", "version"], right_index=True, how="left")
    else:
        own = own.assign(surveys=0, surveyed_at=pd.NaT, survey_mean=np.nan, recommend_partner=np.nan)
    own["surveys"] = own["surveys"].fillna(0).astype("int64")
    columns = ["project_id", "version", "submitted_at", "category", "industry", "site_url", "transferred",
               "tests", "failed", "manual_without_comment", "submitted", "reason", "surveys", "surveyed_at",
               "survey_mean", "recommend_partner", "points", "points_reason", "earned_at", "expires_at", "points_live"]
    own = own.sort_values(["submitted_at", "project_id", "version"], ascending=[False, True, True])
    return {"projects": _records(own[columns]), "points": _points(own_ledger, as_of)}


def _status_and_ledger(conn: Connection, projects: pd.DataFrame, partner_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monitor status of `projects` (the partner's, `partner_queries.partner_projects`) and the partner's own rows
    of the points ledger."""
    tests = q.monitor_tests_of(conn, projects["project_id"].unique().tolist())
    status = monitor_status(projects, tests)
    ledger = points_ledger(projects, status[status["submitted"]])
    return status, ledger[ledger["partner_id"] == partner_id]


def _own_ledger(conn: Connection, partner_id: str) -> pd.DataFrame | None:
    """The partner's own points ledger (None: no projects), as `project_section` computes it."""
    projects = q.partner_projects(conn, partner_id)
    return None if projects.empty else _status_and_ledger(conn, projects, partner_id)[1]


def _points(own_ledger: pd.DataFrame | None, as_of: pd.Timestamp) -> dict:
    """Live points at `as_of`, the next expiry and the points expiring within 90 days."""
    if own_ledger is None:
        return {"live": 0.0, "next_expires_at": None, "expiring_90d": 0.0}
    live = own_ledger[(own_ledger["earned_at"] <= as_of) & (own_ledger["expires_at"] > as_of)]
    soon = live[live["expires_at"] <= as_of + pd.Timedelta(days=90)]
    return {"live": float(live["points"].sum()),
            "next_expires_at": live["expires_at"].min() if len(live) else None,
            "expiring_90d": float(soon["points"].sum())}


def competence_section(conn: Connection, partner_id: str, as_of: pd.Timestamp) -> dict:
    """The latest monthly Quality Program decision at `as_of`, the numbers behind it, the next evaluation.

    ``margin`` = covered − ⌈keys / 2⌉: ≥ 0 is how many covered keys may be lost keeping the competence,
    < 0 how many more covered keys are needed (seed 000: ≥ 50 % of the activated keys bought 14–2 months ago).
    """
    history = q.partner_competence(conn, partner_id)
    history = history[history["month"] <= as_of.tz_localize(None)] if not history.empty else history
    section = {"next_evaluation": next_evaluation(as_of).date().isoformat(),
               "history": _records(history.drop(columns="partner_id").tail(24)) if not history.empty else []}
    if history.empty:
        return {**section, "held": False, "at_risk": False, "status": "none", "month": None, "keys": 0,
                "covered": 0, "share": None, "margin": None, "window_start": None, "window_end": None}
    last = history.iloc[-1]
    keys, covered = int(last["keys"]), int(last["covered"])
    margin, share, held = covered - (keys + 1) // 2 if keys else None, _number(last["share"]), bool(last["held"])
    return {
        **section, "held": held, "status": str(last["status"]), "month": last["month"],
        "keys": keys, "covered": covered, "share": share, "margin": margin,
        "at_risk": competence_at_risk(held, margin, share),
        "window_start": last["window_start"], "window_end": last["window_end"],
    }


def competence_at_risk(held: bool, margin: int | None, share: float | None) -> bool:
    """Held, but one lost submitted project away (margin ≤ `AT_RISK_MARGIN`) or below `AT_RISK_SHARE`:
    e.g. 21 of 42 keys = exactly 50 % with margin 0 is held today and at risk."""
    return bool(held and ((margin is not None and margin <= AT_RISK_MARGIN)
                          or (share is not None and share < AT_RISK_SHARE)))


# ---------------------------------------------------------------- dedicated support (seed 003)
def ticket_section(tickets: pd.DataFrame, pauses: pd.DataFrame, as_of: pd.Timestamp, records: bool = True) -> dict:
    """The partner's tickets (`partner_tickets`): status, deadline, worked hours, SLA state, БП pauses; a summary
    (only the summary without `records`: the home).

    `bp_hours` = calendar hours in `waiting_production` pauses ("БП", seed 003), an open pause counted until `as_of`.
    """
    if tickets.empty:
        summary = {"total": 0, "open": 0, "breached": 0, "at_risk": 0, "compliance": None, "hours": 0.0}
        return {**({"tickets": []} if records else {}), "tickets_summary": summary}
    bp = pauses[pauses["reason"] == BP_REASON]
    resumed = bp["resumed_at"].fillna(as_of).clip(upper=as_of)
    bp = bp.assign(hours=(resumed - bp["paused_at"]).dt.total_seconds().clip(lower=0) / 3600,
                   open=bp["resumed_at"].isna())
    per_ticket = bp.groupby("ticket_id").agg(bp_pauses=("hours", "size"), bp_hours=("hours", "sum"),
                                             bp_open=("open", "any"))
    tickets = tickets.merge(per_ticket, left_on="ticket_id", right_index=True, how="left")
    tickets["bp_open"] = tickets["bp_open"].eq(True)
    tickets["bp_pauses"] = tickets["bp_pauses"].fillna(0).astype("int64")
    tickets["bp_hours"] = tickets["bp_hours"].fillna(0.0)
    tickets["status"] = np.select(
        [tickets["closed_at"].notna(), tickets["resolved_at"].notna(), tickets["bp_open"]],
        ["closed", "resolved", "paused"], default="open")
    tickets["deadline"] = tickets["deadline"].fillna(tickets["due_at"])
    states = tickets["sla_state"]
    met, breached = int((states == "met").sum()), int((states == "breached").sum())
    columns = ["ticket_id", "client_name", "created_at", "service", "kind", "type", "priority", "status",
               "deadline", "rule", "resolved_at", "hours", "sla_state", "bp_pauses", "bp_hours"]
    return {
        **({"tickets": _records(tickets[columns])} if records else {}),
        "tickets_summary": {
            "total": len(tickets), "open": int(tickets["status"].isin(["open", "paused"]).sum()),
            "breached": breached, "at_risk": int((states == "at_risk").sum()),
            # SPEC §5: compliance = met / (met + breached)
            "compliance": 100.0 * met / (met + breached) if met + breached else None,
            "hours": float(tickets["hours"].sum()),
        },
    }


def deposit_section(partner_id: str, deposits: pd.DataFrame, tickets: pd.DataFrame, as_of: pd.Timestamp) -> dict:
    """Prepaid deposit of the dedicated support service (seed 003) via `metrics.deposit.deposit_account`."""
    account = deposit_account(deposits, tickets, today=as_of)
    account = account[account["partner_id"] == partner_id]
    if account.empty:
        return {"currency": "UAH", "topped_up": 0.0, "charged_tickets": 0, "charged": 0.0, "balance": 0.0,
                "avg_monthly_spend": 0.0, "runway_days": None, "last_topup_at": None, "rework_tickets": 0}
    return _records(account.drop(columns="partner_id"))[0]


# ---------------------------------------------------------------- JSON helpers
def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: ISO timestamps, NaN/NaT → None."""
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))


def _number(value) -> float | int | bool | str | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    return value


def _json_default(value):
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
