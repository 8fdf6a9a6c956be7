"""1cfresh lead distribution (seed 002): net new ITSaaS contracts, TOP-10, lead shares, funnel.

Decisions the seed leaves open:

* A contract counts in the quarter it starts (+1) and in the quarter it ends (−1), so a contract
  started and churned in the same quarter nets to 0.
* "No service desk" (seed 002: "Отсутствие поддержки пользователей ... в Сервис-деске") is judged
  on the partner's leads registered in the quarter: it had at least one and answered none
  (`first_reply_at` empty on all). A partner without leads cannot be judged and is not excluded.
* "Complaints" excludes a partner with at least `min_complaints` (default 1) complained leads
  registered in the quarter; the seed says "регулярные жалобы", so an admin may raise it to 2.
* A partner with net new ≤ 0 is not ranked: TOP-10 are those who "подключили наибольшее
  количество новых клиентов".
* Ties: ``ties="break"`` (default) orders equal net new by trial→paid conversion (higher first),
  then partner_id, giving exactly `n` places; ``ties="include"`` keeps every partner tied with
  place `n` (competition ranking 1, 2, 2, 4 …), so the list may be longer than `n`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from metrics.program_dates import quarter_bounds, utc_series

EXCLUDED_PROMOS = ("prof_promo", "other_promo")  # seed 002: ИТС ПРОФ promo and leads of other promotions


def _timestamps(frame: pd.DataFrame, column: str) -> pd.Series:
    """UTC timestamps of an optional column (all NaT when absent)."""
    values = frame[column] if column in frame else pd.Series(pd.NaT, index=frame.index)
    return utc_series(values)


def _within(values: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return ((values >= start) & (values < end)).fillna(False)


def _promo(contracts: pd.DataFrame, leads: pd.DataFrame) -> pd.Series:
    """Promotion of each contract; a lead's own `promo` (when leads carry one) also applies."""
    promo = (
        contracts.get("promo", pd.Series(pd.NA, index=contracts.index))
        .astype("string")
        .str.strip()
        .str.lower()
    )
    if "promo" in leads and "lead_id" in contracts:
        lead_promo = leads.set_index("lead_id")["promo"].astype("string").str.strip().str.lower()
        from_lead = contracts["lead_id"].map(lead_promo)
        promo = promo.where(promo.isin(EXCLUDED_PROMOS).fillna(False), from_lead.astype("string"))
    return promo.fillna("none")


def net_new_contracts(
    saas_contracts: pd.DataFrame, leads: pd.DataFrame, quarter: str | pd.Period
) -> pd.DataFrame:
    """Net new ITSaaS contracts per partner in `quarter`.

    ``net_new = new − churned`` where new = contracts with `started_at` in the quarter and
    churned = contracts with `ended_at` in the quarter (seed 002: "вычитается количество ушедших
    клиентов"), both without ``prof_promo`` (ИТС ПРОФ promo, infoletter 16761) and
    ``other_promo`` (leads of other 1C promotions) contracts.

    Returns
    -------
    DataFrame
        `partner_id, new, churned, net_new, excluded_prof_promo, excluded_other_promo,
        new_from_distributed_leads` (new contracts whose `lead_id` is in `leads`).
    """
    start, end = quarter_bounds(quarter)
    promo = _promo(saas_contracts, leads)
    counted = ~promo.isin(EXCLUDED_PROMOS)
    started = _within(_timestamps(saas_contracts, "started_at"), start, end)
    ended = _within(_timestamps(saas_contracts, "ended_at"), start, end)
    lead_ids = (
        saas_contracts["lead_id"]
        if "lead_id" in saas_contracts
        else pd.Series(pd.NA, index=saas_contracts.index)
    )
    flags = pd.DataFrame(
        {
            "new": started & counted,
            "churned": ended & counted,
            "excluded_prof_promo": started & (promo == "prof_promo"),
            "excluded_other_promo": started & (promo == "other_promo"),
            "new_from_distributed_leads": started & counted & lead_ids.isin(leads["lead_id"]),
        }
    )
    out = flags.groupby(saas_contracts["partner_id"]).sum().astype("int64")
    out.insert(2, "net_new", out["new"] - out["churned"])
    return out.reset_index()


def _lead_stats(leads: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per partner, leads registered in [start, end): count, complaints, replied, converted."""
    in_period = leads[_within(_timestamps(leads, "registered_at"), start, end).to_numpy()]
    complaint = in_period.get("complaint", pd.Series(False, index=in_period.index)).fillna(False).astype(bool)
    stats = (
        pd.DataFrame(
            {
                "leads": 1,
                "complaints": complaint,
                "replied": _timestamps(in_period, "first_reply_at").notna(),
                "converted": _timestamps(in_period, "converted_at").notna(),
            }
        )
        .groupby(in_period["partner_id"])
        .sum()
    )
    return stats.astype("int64")


def _exclusion_reasons(exclusions: Mapping[str, str] | Iterable[str] | None) -> dict:
    if exclusions is None:
        return {}
    if isinstance(exclusions, Mapping):
        return dict(exclusions)
    return {partner: "excluded by admin" for partner in exclusions}


def top10(
    partners: pd.DataFrame,
    contracts: pd.DataFrame,
    leads: pd.DataFrame,
    quarter: str | pd.Period,
    exclusions: Mapping[str, str] | Iterable[str] | None = None,
    *,
    n: int = 10,
    ties: str = "break",
    min_complaints: int = 1,
) -> pd.DataFrame:
    """TOP-`n` partners by net new ITSaaS contracts in `quarter`, with a reason for every exclusion.

    seed 002: candidates hold the «1С:Центр сетевой компетенции» status, serve their users through
    the Service desk, have no regular complaints and are not excluded by 1C (`exclusions`: partner
    id → reason, or ids). See the module docstring for the tie rule.

    Returns
    -------
    DataFrame
        Every partner: `place` (Int64, NA when not ranked), `partner_id, name, new, churned,
        net_new, leads, conversion_pct, complaints, in_top, excluded_reason` ("" when eligible;
        several reasons joined by "; "); ranked partners first.
    """
    if ties not in ("break", "include"):
        raise ValueError(f"ties must be 'break' or 'include', not {ties!r}")
    start, end = quarter_bounds(quarter)
    net = net_new_contracts(contracts, leads, quarter).set_index("partner_id")
    stats = _lead_stats(leads, start, end)
    frame = partners[["partner_id", "name"]].set_index("partner_id")
    frame = frame.join(net[["new", "churned", "net_new"]]).join(stats)
    count_columns = ["new", "churned", "net_new", "leads", "complaints", "replied", "converted"]
    frame[count_columns] = frame[count_columns].fillna(0).astype("int64")
    frame["conversion_pct"] = 100 * frame["converted"] / frame["leads"].where(frame["leads"] > 0)
    centre = partners.set_index("partner_id").get(
        "network_competence_center", pd.Series(False, index=frame.index)
    )
    admin = _exclusion_reasons(exclusions)
    reason_flags = {
        "not a network competence centre": ~centre.reindex(frame.index).fillna(False).astype(bool),
        "complaints": frame["complaints"] >= min_complaints,
        "no service desk replies": (frame["leads"] > 0) & (frame["replied"] == 0),
        "no net new contracts": frame["net_new"] <= 0,
    }
    reasons = frame.index.to_series().map(admin).astype(object).fillna("")  # float NaN when none excluded
    for text, flag in reason_flags.items():
        reasons = reasons.where(~flag, reasons + np.where(reasons == "", "", "; ") + text)
    frame["excluded_reason"] = reasons
    eligible = frame[frame["excluded_reason"] == ""].reset_index()
    eligible = eligible.sort_values(
        ["net_new", "conversion_pct", "partner_id"], ascending=[False, False, True], na_position="last"
    )
    if ties == "break":
        eligible["place"] = np.arange(1, len(eligible) + 1)
    else:
        eligible["place"] = eligible["net_new"].rank(method="min", ascending=False).astype("int64")
    frame = frame.join(eligible.set_index("partner_id")["place"]).reset_index()
    frame["place"] = frame["place"].astype("Int64")
    frame["in_top"] = (frame["place"] <= n).fillna(False).astype(bool)
    frame = frame.sort_values(
        ["place", "net_new", "partner_id"], ascending=[True, False, True], na_position="last"
    )
    columns = [
        "place",
        "partner_id",
        "name",
        "new",
        "churned",
        "net_new",
        "leads",
        "conversion_pct",
        "complaints",
    ]
    return frame[[*columns, "in_top", "excluded_reason"]].reset_index(drop=True)


def distribute_leads(
    top: pd.DataFrame | Iterable[str], n_leads: int, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Split `n_leads` new leads among the TOP partners.

    seed 002: "Пользователи распределяются между партнерами поровну", and 1C may raise or lower a
    partner's share: ``quota_i = n_leads · w_i / Σ w`` (weights default 1). Integer leads by the
    largest remainder method: every partner gets ``floor(quota_i)``, the leads left go one each to
    the largest fractional parts (ties: order of `top`), so the total is exactly `n_leads`.

    Parameters
    ----------
    top : DataFrame or iterable of partner ids
        A `top10` frame (rows with `in_top`) or partner ids in place order.
    n_leads : int
        Leads to distribute (≥ 0).
    weights : mapping partner_id → weight, optional
        Admin adjustments (≥ 0; at least one positive).

    Returns
    -------
    DataFrame
        `partner_id, weight, share` (fraction of all leads), `quota` (exact), `leads` (int).
    """
    if isinstance(top, pd.DataFrame):
        ids = top.loc[top["in_top"], "partner_id"] if "in_top" in top else top["partner_id"]
    else:
        ids = pd.Series(list(top))
    ids = pd.Series(ids).reset_index(drop=True)
    if n_leads < 0:
        raise ValueError("n_leads must be non-negative")
    weight = ids.map(dict(weights or {})).fillna(1.0).astype("float64")
    if (weight < 0).any() or (len(ids) > 0 and weight.sum() <= 0):
        raise ValueError("weights must be non-negative with a positive total")
    if ids.empty:
        return pd.DataFrame(
            {"partner_id": ids, "weight": weight, "share": weight, "quota": weight, "leads": 0}
        )
    share = weight / weight.sum()
    quota = n_leads * share
    base = np.floor(quota + 1e-9 * max(1, n_leads)).astype("int64")
    left = n_leads - int(base.sum())
    order = np.argsort(-(quota - base).to_numpy(), kind="stable")
    extra = np.zeros(len(ids), dtype="int64")
    extra[order[:left]] = 1
    return pd.DataFrame(
        {"partner_id": ids, "weight": weight, "share": share, "quota": quota, "leads": base + extra}
    )


def _quarter_mask(values: pd.Series, quarter: str | pd.Period | None) -> pd.Series:
    if quarter is None:
        return pd.Series(True, index=values.index)
    return _within(values, *quarter_bounds(quarter))


def lead_funnel(
    leads: pd.DataFrame, contracts: pd.DataFrame, quarter: str | pd.Period | None = None
) -> pd.DataFrame:
    """Lead handling per partner (seed 002: "Что потребуется от партнера").

    Per partner, over leads registered in `quarter` (all leads when None):
    ``welcome_call_delay_h`` = median(welcome_call_at − registered_at) in hours;
    ``first_reply_h`` = median(first_reply_at − registered_at) in hours;
    ``conversion_pct`` = 100 · converted / leads (trial → paid);
    over contracts ended in `quarter`: ``churned`` and ``churn_reason_missing`` (the partner must
    record why a client left after the trial).

    Returns
    -------
    DataFrame
        `partner_id, leads, welcome_calls, welcome_call_delay_h, first_reply_h, converted,
        conversion_pct, churned, churn_reason_missing`.
    """
    registered = _timestamps(leads, "registered_at")
    chosen = _quarter_mask(registered, quarter).to_numpy()
    period = leads[chosen]
    registered = registered[chosen]
    hours = pd.Timedelta(hours=1)
    per_lead = pd.DataFrame(
        {
            "partner_id": period["partner_id"],
            "welcome_call_delay_h": (_timestamps(period, "welcome_call_at") - registered) / hours,
            "first_reply_h": (_timestamps(period, "first_reply_at") - registered) / hours,
            "converted": _timestamps(period, "converted_at").notna(),
        }
    )
    funnel = per_lead.groupby("partner_id").agg(
        leads=("partner_id", "size"),
        welcome_calls=("welcome_call_delay_h", "count"),
        welcome_call_delay_h=("welcome_call_delay_h", "median"),
        first_reply_h=("first_reply_h", "median"),
        converted=("converted", "sum"),
    )
    funnel["conversion_pct"] = 100 * funnel["converted"] / funnel["leads"]
    ended = _timestamps(contracts, "ended_at")
    gone = contracts[(ended.notna() & _quarter_mask(ended, quarter)).to_numpy()]
    reason = gone.get("churn_reason", pd.Series(pd.NA, index=gone.index)).astype("string").str.strip()
    churn = (
        pd.DataFrame({"churned": 1, "churn_reason_missing": reason.fillna("").eq("")})
        .groupby(gone["partner_id"])
        .sum()
    )
    out = funnel.join(churn, how="outer")
    counts = ["leads", "welcome_calls", "converted", "churned", "churn_reason_missing"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out.index.name = "partner_id"
    return out.reset_index()


def churn_reasons(contracts: pd.DataFrame, quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """Counts of churn reasons per partner for contracts ended in `quarter` (all when None).

    Returns
    -------
    DataFrame
        `partner_id, churn_reason` ("not given" when empty), `contracts`; most frequent first.
    """
    ended = _timestamps(contracts, "ended_at")
    gone = contracts[(ended.notna() & _quarter_mask(ended, quarter)).to_numpy()]
    reason = gone.get("churn_reason", pd.Series(pd.NA, index=gone.index)).astype("string").str.strip()
    reason = reason.where(reason.fillna("") != "", "not given")
    counts = pd.DataFrame({"partner_id": gone["partner_id"], "churn_reason": reason}).value_counts()
    out = counts.rename("contracts").reset_index()
    return out.sort_values(
        ["partner_id", "contracts", "churn_reason"], ascending=[True, False, True], ignore_index=True
    )
