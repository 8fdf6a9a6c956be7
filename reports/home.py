"""Home page answers per role: «what needs my attention now» (issue 15), from the existing reports.

Every number here is taken from a report function the role's own pages draw (`reports.partner`,
`reports.meeting`, `reports.trends`), so a home tile and the page behind it always agree.
Authorization is the caller's job.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from metrics.kkv import kkv_status
from reports.partner import partner_summary
from reports.trends import (
    competence_trend,
    default_mover_quarter,
    metric_trend,
    previous_quarter,
    top_movers,
)
from store import clock
from store import partner_queries as pq
from store.models import KIND_TABLES, IngestRun, QuarantineRow
from store.stored_counts import stored_row_counts

# a risk is listed when the partner is this close to losing something
COMPETENCE_MARGIN_WARN = 2  # submitted projects that could be lost before the competence is
RUNWAY_WARN_DAYS = 60  # days of deposit left at the recent spend
KKV_WARN_DAYS = 30  # the KKV level runs out within this many days (seed 001, as the digests)
PROGRAMME_METRICS: tuple[str, ...] = ("csat", "nps_partner", "sla")
MOVERS_SHOWN = 3


def _change(current: float | None, previous: float | None) -> float | None:
    return None if current is None or previous is None else current - previous


def partner_home(conn: Connection, partner_id: str, as_of: pd.Timestamp | None = None) -> dict:
    """The partner's tiles and risks from :func:`reports.partner.partner_summary` (window «quarter»: the figures of
    :func:`reports.partner.partner_report` without the lists the home does not show).

    Returns ``tiles`` — ``csat``, ``nps_partner``: value of the last complete quarter, ``previous``
    (the quarter before, from ``kpi_trend``), ``change`` in points, ``group`` and ``group_name``
    (the anonymized comparison where it is allowed, NPS only: the comparison has no pooled CSAT);
    ``sla``: compliance % of the partner's decided tickets — and ``risks``: list of
    ``{"kind", "value", ...}`` for the competence margin, points expiring within 90 days,
    breached and at-risk tickets, the deposit runway and the KKV level expiring within
    :data:`KKV_WARN_DAYS` (``metrics.kkv.kkv_status`` of the partner's own record at `as_of`).
    """
    as_of = clock.now() if as_of is None else pd.Timestamp(as_of).tz_convert("UTC")
    report = partner_summary(conn, partner_id, "quarter", as_of)
    quarter = report["window"]["quarters"][-1] if report["window"]["quarters"] else None
    trend = {row["quarter"]: row for row in report["kpi_trend"]}
    before = trend.get(previous_quarter(quarter)) if quarter else None
    groups = {item["metric"]: item for item in report["comparison"]}
    tiles = {}
    for key, field, metric in (("csat", "csat", None), ("nps_partner", "nps", "nps:q_recommend_partner")):
        value = report["kpi"][key][field]
        previous = before.get(key) if before else None
        group = groups.get(metric) if metric else None
        shown = group is not None and not group["withheld"]
        tiles[key] = {"value": value, "n": report["kpi"][key]["n"], "quarter": quarter, "previous": previous,
                      "change": _change(value, previous), "group": group["value"] if shown else None,
                      "group_name": group["group"] if shown else None}
    summary = report["tickets_summary"]
    tiles["sla"] = {"value": summary["compliance"], "breached": summary["breached"], "at_risk": summary["at_risk"]}
    risks = []
    competence = report["competence"]
    if competence["margin"] is not None and competence["margin"] <= COMPETENCE_MARGIN_WARN:
        risks.append({"kind": "competence_margin", "value": competence["margin"], "held": competence["held"],
                      "next": competence["next_evaluation"]})
    if report["points"]["expiring_90d"]:
        risks.append({"kind": "points_expiring", "value": report["points"]["expiring_90d"],
                      "date": report["points"]["next_expires_at"]})
    if summary["breached"] or summary["at_risk"]:
        risks.append({"kind": "tickets", "value": summary["breached"], "at_risk": summary["at_risk"]})
    runway = report["deposit"]["runway_days"]
    if runway is not None and runway < RUNWAY_WARN_DAYS:
        risks.append({"kind": "deposit_runway", "value": runway})
    kkv = kkv_expiring(conn, partner_id, as_of)
    if kkv is not None:
        risks.append(kkv)
    return {"partner": report["partner"], "tiles": tiles, "risks": risks}


def kkv_expiring(conn: Connection, partner_id: str, as_of: pd.Timestamp) -> dict | None:
    """``{"kind": "kkv_expiring", "value": days left, "level", "date": valid until, "due": renewal request
    deadline}`` when the partner's KKV level runs out within :data:`KKV_WARN_DAYS`, else None."""
    record = pq.partner_record(conn, partner_id)
    if record is None:
        return None
    state = kkv_status(pd.DataFrame([record]), as_of, expiring_within=KKV_WARN_DAYS).iloc[0]
    if state["status"] != "expiring":
        return None
    return {"kind": "kkv_expiring", "value": int(state["days_left"]), "level": str(state["kkv_level"]),
            "date": pd.Timestamp(state["kkv_valid_until"]).date().isoformat(),
            "due": pd.Timestamp(state["renewal_request_due"]).date().isoformat()}


def management_home(conn: Connection) -> dict:
    """Programme overview from :mod:`reports.trends`: per metric of :data:`PROGRAMME_METRICS` the
    last complete quarter of the whole programme against the quarter before
    (``metric_trend(…, "total", "quarter")``, quarter chosen as ``default_mover_quarter``), the biggest
    CSAT movers (``top_movers``) and the competence assigned/revoked in the latest month
    (``competence_trend``)."""
    tiles = {}
    for metric in PROGRAMME_METRICS:
        table = metric_trend(conn, metric, "total", "quarter")
        values = dict(zip(table["period"].astype(str), table["value"].astype(float)))
        quarter = default_mover_quarter(sorted(values, key=pd.Period))
        value = values.get(quarter) if quarter else None
        previous = values.get(previous_quarter(quarter)) if quarter else None
        value, previous = (None if v is None or pd.isna(v) else v for v in (value, previous))
        tiles[metric] = {"value": value, "period": quarter, "previous": previous, "change": _change(value, previous)}
    movers = top_movers(conn, "csat").table
    ranked = movers.reindex(movers["delta"].abs().sort_values(ascending=False, kind="stable").index)
    competence = competence_trend(conn)
    month = competence.iloc[-1] if len(competence) else None
    return {
        "tiles": tiles,
        "movers": ranked.head(MOVERS_SHOWN)[["partner_id", "name", "value_previous", "value", "delta"]]
        .to_dict("records"),
        "competence": None if month is None else {"month": pd.Timestamp(month["month"]).date().isoformat(),
                                                  "assigned": int(month["assigned"]),
                                                  "revoked": int(month["revoked"]), "held": int(month["held"])},
    }


def admin_home(conn: Connection) -> dict:
    """Data freshness per input kind: stored rows (as the loads keep them, `store.stored_counts`: counting the
    input tables took 0.4–0.8 s at `large`), the last load (time, status, rows accepted and rejected) and the rows
    in quarantine; ``age_days`` since the last load (None: never loaded); ``note``: the last load's remark in the
    loaders' words (worklog: «N repeated rows summed», why fewer rows are stored than accepted; a refusal)."""
    now = clock.now()
    counts = stored_row_counts(conn)
    latest = select(func.max(IngestRun.id)).group_by(IngestRun.kind)
    last = {row.kind: row for row in conn.execute(
        select(IngestRun.kind, IngestRun.status, IngestRun.accepted, IngestRun.rejected, IngestRun.started_at,
               IngestRun.finished_at, IngestRun.message).where(IngestRun.id.in_(latest))).all()}
    quarantined = dict(conn.execute(select(QuarantineRow.kind, func.count()).group_by(QuarantineRow.kind)).all())
    kinds = []
    for kind in KIND_TABLES:
        run = last.get(kind)
        loaded = pd.Timestamp(run.finished_at or run.started_at) if run else None
        if loaded is not None and loaded.tzinfo is None:
            loaded = loaded.tz_localize("UTC")
        kinds.append({"kind": kind, "rows": counts[kind],
                      "loaded_at": None if loaded is None else loaded.isoformat(),
                      "age_days": None if loaded is None else int((now - loaded).days),
                      "status": run.status if run else None, "accepted": run.accepted if run else None,
                      "rejected": run.rejected if run else None,
                      "note": run.message if run else None,
                      "quarantine": int(quarantined.get(kind, 0))})
    return {"kinds": kinds, "quarantine": int(sum(quarantined.values()))}
