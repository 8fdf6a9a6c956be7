"""Partner-programme reports for management (SPEC §7): what the /programs pages and `cli.py evaluate` show.

The `*_overview` functions are pure: programme input frames in, tables out (they call the rules of
`metrics.programs`). `evaluate_month` materializes the Quality Program decisions of a month and
returns them as one JSON-serialisable dict.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from metrics.program_dates import DateLike, utc_timestamp
from metrics.programs import (
    SpeedComparison,
    churn_reasons,
    deposit_account,
    distribute_leads,
    kkv_points_by_source,
    kkv_public_list,
    kkv_status,
    lead_funnel,
    near_threshold,
    overdue_progress_reports,
    points_ledger,
    psm_vs_classic,
    submitted_versions,
    top10,
    worked_time_per_ticket,
)
from metrics.deposit import PRICE_PER_TICKET, compare_strata, deposit_account_from_counts
from store.program_queries import competence_rows
from store.rollups import refresh_competence_history
from store import clock

DECISION_COLUMNS = ["partner_id", "keys", "covered", "share", "held", "status", "window_start", "window_end"]
STATUSES = ("assigned", "kept", "revoked")


def month_start(value: DateLike) -> pd.Timestamp:
    """The 1st of the month of `value`, 00:00 UTC."""
    ts = utc_timestamp(value)
    return ts.normalize() - pd.offsets.MonthBegin(1) if ts.day != 1 else ts.normalize()


# ---------------------------------------------------------------- Quality Program (seed 000)


def competence_summary(history: pd.DataFrame) -> pd.DataFrame:
    """Decisions per month: partners judged, `held`, and counts of ``assigned``, ``kept``, ``revoked``.

    Returns
    -------
    DataFrame
        `month, partners, held, assigned, kept, revoked`, newest month first.
    """
    counts = pd.crosstab(history["month"], history["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts.columns.name = None
    totals = history.groupby("month").agg(partners=("partner_id", "size"), held=("held", "sum"))
    out = totals.join(counts).fillna(0).astype("int64").reset_index()
    return out.sort_values("month", ascending=False, ignore_index=True)


def competence_summary_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`competence_summary` from `store.program_queries.competence_status_counts` (rows counted per month,
    status and held) instead of every row: the same frame."""
    by_status = counts.pivot_table(index="month", columns="status", values="n", aggfunc="sum")
    by_status = by_status.reindex(columns=list(STATUSES), fill_value=0)
    by_status.columns.name = None
    totals = pd.DataFrame({"partners": counts.groupby("month")["n"].sum(),
                           "held": counts[counts["held"]].groupby("month")["n"].sum()})
    out = totals.join(by_status).fillna(0).astype("int64").reset_index()
    return out.sort_values("month", ascending=False, ignore_index=True)


def evaluate_month(conn: Connection, month: DateLike, now: DateLike | None = None) -> dict:
    """Run the monthly Quality Program evaluation of `month` (seed 000: automatically on the 1st).

    Materializes `competence_history` for every 1st up to the later of `month` and `now` (so a past
    month can be re-evaluated without dropping later months) and returns that month's decisions
    with the numbers behind each: keys in [window_start, window_end), covered, share, status.

    Returns
    -------
    dict
        ``{"month", "window_start", "window_end", "partners", "held", "assigned", "kept", "revoked",
        "rows_written", "decisions": [{partner_id, name, keys, covered, share, held, status}]}``.
    """
    d = month_start(month)
    upto = max(d, utc_timestamp(now) if now is not None else clock.now())
    written = refresh_competence_history(conn, now=upto)
    rows = competence_rows(conn, d)
    window_start = d - pd.DateOffset(months=14)
    window_end = d - pd.DateOffset(months=2)
    decisions = [
        {
            "partner_id": r.partner_id, "name": r.name, "keys": int(r.keys), "covered": int(r.covered),
            "share": None if pd.isna(r.share) else round(float(r.share), 4), "held": bool(r.held), "status": r.status,
        }
        for r in rows.itertuples(index=False)
    ]
    status = rows["status"].value_counts()
    return {
        "month": d.date().isoformat(),
        "window_start": window_start.date().isoformat(),
        "window_end": window_end.date().isoformat(),
        "partners": len(rows),
        "held": int(rows["held"].sum()),
        **{s: int(status.get(s, 0)) for s in STATUSES},
        "rows_written": written,
        "decisions": decisions,
    }


def quality_ledger(projects: pd.DataFrame, monitor_tests: pd.DataFrame, today: DateLike,
                   points_per_version: float = 1) -> pd.DataFrame:
    """Points ledger with each award's state on `today` (seed 000: points valid 1 year).

    Returns
    -------
    DataFrame
        `points_ledger` columns plus `transferred_from` (the earlier partner of a transferred
        project), `live` (``earned_at <= today < expires_at``) and `days_to_expiry` (whole days,
        NaN for awards no longer live); newest award first.
    """
    submitted = submitted_versions(projects, monitor_tests)
    ledger = points_ledger(projects, submitted, points_per_version)
    moment = utc_timestamp(today)
    origin = submitted.set_index(["project_id", "version"])["transferred_from"]
    ledger["transferred_from"] = origin.reindex(pd.MultiIndex.from_frame(ledger[["project_id", "version"]])).array
    ledger["live"] = (ledger["earned_at"] <= moment) & (ledger["expires_at"] > moment)
    days = np.floor((ledger["expires_at"] - moment).dt.total_seconds() / 86400)
    ledger["days_to_expiry"] = days.where(ledger["live"])
    return ledger.sort_values(["earned_at", "partner_id"], ascending=[False, True], ignore_index=True)


def quality_overview(history: pd.DataFrame, month: DateLike, band: float = 0.1,
                     summary: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the Quality Program administration page from the materialized `history`.

    `summary`: the monthly summary when `history` holds only some rows (`month`'s and the changes the page lists,
    `store.program_queries.competence_rows(month, changes_since)`); default `competence_summary(history)`.

    Returns
    -------
    dict of DataFrame
        ``decisions`` (the month's rows), ``summary`` (`competence_summary`), ``changes``
        (assignments and revocations of every month, newest first), ``near`` (`near_threshold`:
        coverage share within `band` of 50 % in `month`).
    """
    d = month_start(month)
    return {
        "decisions": history[history["month"] == d].reset_index(drop=True),
        "summary": competence_summary(history) if summary is None else summary,
        "changes": history[history["status"].isin(["assigned", "revoked"])]
        .sort_values(["month", "partner_id"], ascending=[False, True], ignore_index=True),
        "near": near_threshold(history, d, band),
    }


# ---------------------------------------------------------------- KKV (seed 001)


def kkv_overview(inputs: Mapping[str, pd.DataFrame], today: DateLike) -> dict[str, pd.DataFrame]:
    """Tables of the KKV page: validity, renewal requests, overdue progress reports, points.

    Returns
    -------
    dict of DataFrame
        ``status`` (`kkv_status` of level holders, with names), ``renewals`` (requests due:
        `renewal_request_due` = expiry − 14 days within the next 30 days or already missed, competence
        not expired), ``overdue`` (progress reports older than 2 months, seed 001 §5.5), ``points``
        (by source), ``public`` (the public extended list sorted by KKV points).
    """
    partners = inputs["partners"]
    names = partners.set_index("partner_id")["name"]
    status = kkv_status(partners, today)
    status = status[status["kkv_level"] != "none"].assign(name=lambda f: f["partner_id"].map(names))
    moment = utc_timestamp(today)
    due_soon = status["renewal_request_due"] <= moment + pd.Timedelta(days=30)
    renewals = status[due_soon & (status["status"] != "expired")].sort_values("renewal_request_due", ignore_index=True)
    overdue = overdue_progress_reports(inputs["projects"], inputs["enterprise_reports"], today)
    overdue = overdue[overdue["overdue"]].assign(name=lambda f: f["partner_id"].map(names)).reset_index(drop=True)
    points = kkv_points_by_source(inputs["kkv_points"]).assign(name=lambda f: f["partner_id"].map(names))
    public = kkv_public_list(partners, inputs["projects"], inputs["kkv_points"], today=today)
    return {"status": status.reset_index(drop=True), "renewals": renewals, "overdue": overdue,
            "points": points, "public": public}


# ---------------------------------------------------------------- 1cfresh leads (seed 002)


def saas_overview(inputs: Mapping[str, pd.DataFrame], quarter: str, weights: Mapping[str, float] | None = None,
                  n_leads: int | None = None, exclusions: Mapping[str, str] | None = None,
                  partner_reasons: pd.Series | None = None, approval: Mapping | None = None) -> dict[str, pd.DataFrame]:
    """Tables of the 1cfresh page for `quarter`.

    `n_leads` (leads to share among the TOP-10 next quarter) defaults to the leads registered in
    `quarter`; `exclusions` (partner_id → seed 002 reason code) are the vendor's decisions for the
    quarter; `partner_reasons` (contract_id → reason code) are the churn reasons partners entered
    themselves, which take precedence over the file's; `approval` (`store.workflows.top10_approval`)
    freezes the published list and the quotas as they were fixed («утверждён»).

    Returns
    -------
    dict of DataFrame
        ``top`` (every partner with place or exclusion reason), ``published`` (the TOP-10 list:
        place, name, net new), ``distribution`` (`distribute_leads` with admin `weights`),
        ``funnel`` (welcome-call delay, first reply, trial→paid conversion, churn), ``churn``
        (reasons per partner), ``churn_total`` (reasons over all partners).
    """
    partners, contracts, leads = inputs["partners"], inputs["saas_contracts"], inputs["leads"]
    if partner_reasons is not None and len(partner_reasons):
        own = contracts["contract_id"].map(partner_reasons)
        contracts = contracts.assign(churn_reason=own.where(own.notna(), contracts.get("churn_reason")))
    names = partners.set_index("partner_id")["name"]
    top = top10(partners, contracts, leads, quarter, exclusions=dict(exclusions or {}))
    funnel = lead_funnel(leads, contracts, quarter).assign(name=lambda f: f["partner_id"].map(names))
    if n_leads is None:
        n_leads = int(funnel["leads"].sum())
    distribution = distribute_leads(top, n_leads, weights).assign(name=lambda f: f["partner_id"].map(names))
    churn = churn_reasons(contracts, quarter).assign(name=lambda f: f["partner_id"].map(names))
    churn_total = (churn.groupby("churn_reason", as_index=False)["contracts"].sum()
                   .sort_values(["contracts", "churn_reason"], ascending=[False, True], ignore_index=True))
    published = top.loc[top["in_top"], ["place", "partner_id", "name", "net_new"]].reset_index(drop=True)
    if approval is not None:
        frozen = pd.DataFrame(list(approval["ranking"]))
        published = frozen[["place", "partner_id", "name", "net_new"]]
        distribution = frozen[["partner_id", "name", "weight", "share", "quota", "leads"]]
    return {"top": top, "published": published, "distribution": distribution, "funnel": funnel, "churn": churn,
            "churn_total": churn_total}


def frozen_ranking(view: Mapping[str, pd.DataFrame]) -> list[dict]:
    """The TOP-10 with its quotas as one JSON-ready list to fix («утвердить»): place, partner, name,
    net new, weight, share, quota, leads."""
    merged = view["published"].merge(view["distribution"].drop(columns="name"), on="partner_id", how="left")
    merged = merged.astype({"place": "int64", "net_new": "int64", "leads": "int64"})
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in merged[["place", "partner_id", "name", "net_new", "weight", "share", "quota", "leads"]]
            .to_dict("records")]


# ---------------------------------------------------------------- dedicated support (seed 003)


def support_overview(inputs: Mapping[str, pd.DataFrame], names: pd.Series, today: DateLike,
                     price_per_ticket: float = PRICE_PER_TICKET) -> tuple[dict[str, pd.DataFrame], SpeedComparison]:
    """Tables of the dedicated-support page and the measured psm-vs-classic speed-up.

    Returns
    -------
    (dict of DataFrame, SpeedComparison)
        ``accounts`` (`deposit_account` per partner with names: top-ups, charged tickets at
        `price_per_ticket`, balance, runway), ``worked`` (`worked_time_per_ticket` of psm tickets with
        partner and resolution hours), and the `psm_vs_classic` comparison.
    """
    tickets, deposits, worklog = inputs["tickets"], inputs["deposits"], inputs["worklog"]
    accounts = deposit_account(deposits, tickets, price_per_ticket, today=today)
    accounts = accounts.assign(name=accounts["partner_id"].map(names)).sort_values("runway_days", ignore_index=True)
    worked = worked_time_per_ticket(worklog).merge(
        tickets[["ticket_id", "partner_id", "type", "priority", "resolution_working_s"]], on="ticket_id", how="left")
    worked["resolution_h"] = worked.pop("resolution_working_s") / 3600
    worked["name"] = worked["partner_id"].map(names)
    return {"accounts": accounts, "worked": worked}, psm_vs_classic(tickets)


def speed_from_strata(speed: pd.DataFrame, min_per_service: int = 1) -> SpeedComparison:
    """`psm_vs_classic` from stored strata (`service, type, priority, tickets, median_working_s`).

    Same formulas as `metrics.deposit.psm_vs_classic`, on per-stratum counts and exact medians:
    ``faster_pct = 100 · (1 − median_psm / median_classic)`` per type × priority; the overall figure
    is the psm-ticket-weighted mean over strata with ≥ `min_per_service` tickets of each service.
    """
    table = (speed.assign(hours=speed["median_working_s"].astype("float64") / 3600)
             .set_index(["type", "priority", "service"])[["tickets", "hours"]]
             .unstack("service")
             .reindex(columns=pd.MultiIndex.from_product([["tickets", "hours"], ["psm", "classic"]]))
             .sort_index())
    strata = pd.DataFrame({
        "psm_n": table[("tickets", "psm")].fillna(0).astype("int64"),
        "classic_n": table[("tickets", "classic")].fillna(0).astype("int64"),
        "psm_median_h": table[("hours", "psm")],
        "classic_median_h": table[("hours", "classic")],
    })
    return compare_strata(strata, min_per_service)


def support_overview_from_rollups(inputs: Mapping[str, pd.DataFrame], names: pd.Series, today: DateLike,
                                  price_per_ticket: float = PRICE_PER_TICKET
                                  ) -> tuple[dict[str, pd.DataFrame], SpeedComparison]:
    """`support_overview` from `store.program_queries.support_rollup_inputs` (SPEC §9: rollups, no scans).

    ``accounts`` and the comparison equal `support_overview`'s; ``worked`` holds only the tickets
    `support_rollup_inputs` read (the newest worked ones the page shows).
    """
    charges = inputs["charges"].set_index("partner_id")
    per_partner = pd.DataFrame({
        "charged_tickets": charges["in_window"] + charges["before_window"],
        "window_tickets": charges["in_window"], "rework_tickets": charges["rework"]}).astype("int64")
    per_partner = per_partner[per_partner.sum(axis=1) > 0]  # a partner charged nothing has no ticket row
    accounts = deposit_account_from_counts(inputs["deposits"], per_partner, price_per_ticket, today=today)
    accounts = accounts.assign(name=accounts["partner_id"].map(names)).sort_values("runway_days", ignore_index=True)
    worked = inputs["worked"].copy()
    worked["resolution_h"] = worked.pop("resolution_working_s") / 3600
    worked["name"] = worked["partner_id"].map(names)
    return {"accounts": accounts, "worked": worked}, speed_from_strata(inputs["speed"])
