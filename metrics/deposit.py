"""Dedicated support service, Partner Support Manager (seed 003): deposit, worked time, speed claim.

Decisions the seed leaves open:

* Charged ticket: a `psm` ticket resolved by `today`, charged at `resolved_at` — the deposit is
  "списываются по мере решения задач" (written off as tasks are solved), one price per request
  ("Стоимость 1-го обращения = 180 грн"), also for a complex ticket made of several simple ones.
* `rework` tickets are not charged per ticket: seed 003 bills them separately "в часах работы
  программиста"; they are counted in `rework_tickets` for that separate invoice.
* Tickets without `partner_id` are not charged (the caller fills it from `clients.partner_id`).
* The 60–70 % claim is measured inside strata of equal `type` and `priority`; the overall figure
  weights each stratum by its number of `psm` tickets (how much faster the service was for the
  tickets it actually handled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.program_dates import DateLike, utc_series, utc_timestamp

PRICE_PER_TICKET = 180  # seed 003: "Стоимость 1-го обращения = 180 грн"
CLAIMED_FASTER_PCT = (60.0, 70.0)  # seed 003: "время решения ... сокращается на 60-70%"
STRATUM = ["type", "priority"]


def _charged_tickets(tickets: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """psm tickets resolved by `today` with a partner: `partner_id, ticket_id, charged_at, rework`."""
    service = tickets["service"].astype("string").str.strip().str.lower()
    resolved = (
        utc_series(tickets["resolved_at"])
        if "resolved_at" in tickets
        else pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[ns, UTC]")
    )
    kind = tickets.get("type", pd.Series(pd.NA, index=tickets.index)).astype("string").str.lower()
    chosen = (
        (service == "psm").fillna(False) & (resolved <= today).fillna(False) & tickets["partner_id"].notna()
    )
    return pd.DataFrame(
        {
            "partner_id": tickets.loc[chosen, "partner_id"],
            "ticket_id": tickets.loc[chosen, "ticket_id"],
            "charged_at": resolved[chosen],
            "rework": (kind[chosen] == "rework").fillna(False),
        }
    )


def _topups(deposits: pd.DataFrame, currency: str, today: pd.Timestamp) -> pd.DataFrame:
    """Deposit payments in `currency` (SPEC §3 default UAH) made by `today`."""
    paid_currency = deposits.get("currency", pd.Series(pd.NA, index=deposits.index)).astype("string")
    paid_currency = paid_currency.str.strip().str.upper().fillna("UAH")
    paid_at = utc_series(deposits["paid_at"])
    chosen = (paid_currency == currency.upper()) & (paid_at <= today)
    return pd.DataFrame(
        {
            "partner_id": deposits.loc[chosen, "partner_id"],
            "paid_at": paid_at[chosen],
            "amount": deposits.loc[chosen, "amount"],
        }
    )


def deposit_account(
    deposits: pd.DataFrame,
    tickets: pd.DataFrame,
    price_per_ticket: float = PRICE_PER_TICKET,
    currency: str = "UAH",
    *,
    today: DateLike,
    spend_window_months: int = 3,
) -> pd.DataFrame:
    """Prepaid deposit of each partner on `today` (seed 003: "услуга предоставляется по предоплате").

    ``balance = Σ top-ups − price_per_ticket · charged_tickets``;
    ``avg_monthly_spend`` = charges in (today − `spend_window_months`, today] / `spend_window_months`;
    ``runway_days = balance / (charges in that window / days in that window)`` — 0 when the
    balance is not positive, NaN when nothing was charged in the window.

    Returns
    -------
    DataFrame
        `partner_id, currency, topped_up, last_topup_at, charged_tickets, charged, balance,
        avg_monthly_spend, runway_days, rework_tickets`; money in `currency`.
    """
    moment = utc_timestamp(today)
    window_start = moment - pd.DateOffset(months=spend_window_months)
    charges = _charged_tickets(tickets, moment)
    rework = charges["rework"]
    charges = charges.assign(
        per_ticket=~rework,
        in_window=(~rework) & (charges["charged_at"] > window_start),
    )
    per_partner = charges.groupby("partner_id").agg(
        charged_tickets=("per_ticket", "sum"),
        window_tickets=("in_window", "sum"),
        rework_tickets=("rework", "sum"),
    )
    return deposit_account_from_counts(deposits, per_partner, price_per_ticket, currency, today=today,
                                       spend_window_months=spend_window_months)


def deposit_account_from_counts(
    deposits: pd.DataFrame,
    per_partner: pd.DataFrame,
    price_per_ticket: float = PRICE_PER_TICKET,
    currency: str = "UAH",
    *,
    today: DateLike,
    spend_window_months: int = 3,
) -> pd.DataFrame:
    """:func:`deposit_account` from the charged-ticket counts per partner (index `partner_id`; columns
    `charged_tickets` (not rework, resolved by `today`), `window_tickets` (those in the spend window),
    `rework_tickets`): the same account, without one row per ticket."""
    moment = utc_timestamp(today)
    window_start = moment - pd.DateOffset(months=spend_window_months)
    window_days = (moment - window_start) / pd.Timedelta(days=1)
    paid = (
        _topups(deposits, currency, moment)
        .groupby("partner_id")
        .agg(topped_up=("amount", "sum"), last_topup_at=("paid_at", "max"))
    )
    out = paid.join(per_partner, how="outer")
    counts = ["charged_tickets", "window_tickets", "rework_tickets"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["topped_up"] = out["topped_up"].fillna(0.0)
    out["charged"] = out["charged_tickets"] * price_per_ticket
    out["balance"] = out["topped_up"] - out["charged"]
    window_spend = out["window_tickets"] * price_per_ticket
    out["avg_monthly_spend"] = window_spend / spend_window_months
    daily_spend = (window_spend / window_days).where(window_spend > 0)
    out["runway_days"] = np.where(out["balance"] <= 0, 0.0, out["balance"] / daily_spend)
    out["currency"] = currency.upper()
    out.index.name = "partner_id"
    columns = ["currency", "topped_up", "last_topup_at", "charged_tickets", "charged", "balance"]
    return out[[*columns, "avg_monthly_spend", "runway_days", "rework_tickets"]].reset_index()


def deposit_statement(
    deposits: pd.DataFrame,
    tickets: pd.DataFrame,
    price_per_ticket: float = PRICE_PER_TICKET,
    currency: str = "UAH",
    *,
    today: DateLike,
) -> pd.DataFrame:
    """Deposit movements with the running balance (what the partner sees in its account).

    Returns
    -------
    DataFrame
        `partner_id, at, kind` (``top_up`` or ``ticket``), `ticket_id, amount` (+ top-up,
        − charge), `balance` (running, per partner), in time order (top-ups first at equal times).
    """
    moment = utc_timestamp(today)
    paid = _topups(deposits, currency, moment)
    charges = _charged_tickets(tickets, moment)
    charges = charges[~charges["rework"]]
    moves = pd.concat(
        [
            pd.DataFrame(
                {
                    "partner_id": paid["partner_id"],
                    "at": paid["paid_at"],
                    "kind": "top_up",
                    "ticket_id": pd.NA,
                    "amount": paid["amount"].astype("float64"),
                }
            ),
            pd.DataFrame(
                {
                    "partner_id": charges["partner_id"],
                    "at": charges["charged_at"],
                    "kind": "ticket",
                    "ticket_id": charges["ticket_id"],
                    "amount": -float(price_per_ticket),
                }
            ),
        ],
        ignore_index=True,
    )
    # top-ups before charges at equal times ("ticket" sorts before "top_up" by name)
    moves = (
        moves.assign(charge=moves["kind"] != "top_up")
        .sort_values(["partner_id", "at", "charge"], kind="stable", ignore_index=True)
        .drop(columns="charge")
    )
    moves["balance"] = moves.groupby("partner_id")["amount"].cumsum()
    return moves


def worked_time_per_ticket(worklog: pd.DataFrame) -> pd.DataFrame:
    """Specialist working time per ticket, shown to the partner.

    seed 003: "Рабочее время специалиста будет зафиксировано у Вас в ЛК".

    Returns
    -------
    DataFrame
        `ticket_id, hours, support_hours, development_hours` (hours; a row without `work_type`
        counts only in `hours`), `staff` (distinct people), `first_work_date, last_work_date`.
    """
    work_type = worklog.get("work_type", pd.Series(pd.NA, index=worklog.index)).astype("string").str.lower()
    hours = pd.to_numeric(worklog["hours"])
    parts = pd.DataFrame(
        {
            "ticket_id": worklog["ticket_id"],
            "hours": hours,
            "support_hours": hours.where((work_type == "support").fillna(False), 0.0),
            "development_hours": hours.where((work_type == "development").fillna(False), 0.0),
            "staff": worklog["staff"],
            "work_date": pd.to_datetime(worklog["work_date"]),
        }
    )
    return (
        parts.groupby("ticket_id")
        .agg(
            hours=("hours", "sum"),
            support_hours=("support_hours", "sum"),
            development_hours=("development_hours", "sum"),
            staff=("staff", "nunique"),
            first_work_date=("work_date", "min"),
            last_work_date=("work_date", "max"),
        )
        .reset_index()
    )


@dataclass(frozen=True)
class SpeedComparison:
    """Result of `psm_vs_classic`: per-stratum table and the stratum-weighted overall figure."""

    strata: pd.DataFrame
    faster_pct: float
    psm_tickets: int
    classic_tickets: int
    strata_compared: int
    claim_holds: bool
    within_claimed_range: bool


def psm_vs_classic(tickets: pd.DataFrame, min_per_service: int = 1) -> SpeedComparison:
    """Measure seed 003's claim that dedicated support resolves tickets 60–70 % faster.

    Within each stratum of equal `type` and `priority` (missing values form their own stratum),
    ``faster_pct = 100 · (1 − median_psm / median_classic)`` of `resolution_working_s`. The
    overall figure is the mean of the strata's `faster_pct` weighted by their psm ticket counts,
    over strata with at least `min_per_service` tickets of each service. The claim holds when the
    overall figure is ≥ 60 %; `within_claimed_range` when it is in [60, 70].

    Parameters
    ----------
    tickets : DataFrame
        Tickets with `service` (psm/classic), `type`, `priority` and `resolution_working_s`
        (working seconds, NaN for unresolved tickets, which are ignored).

    Returns
    -------
    SpeedComparison
        `strata`: `type, priority, psm_n, classic_n, psm_median_h, classic_median_h, faster_pct,
        compared`; counts are of the compared strata only.
    """
    service = tickets["service"].astype("string").str.strip().str.lower()
    usable = tickets[
        service.isin(["psm", "classic"]).fillna(False).to_numpy()
        & tickets["resolution_working_s"].notna().to_numpy()
    ]
    frame = pd.DataFrame(
        {
            "type": usable["type"],
            "priority": usable["priority"],
            "service": service[usable.index],
            "hours": usable["resolution_working_s"].astype("float64") / 3600,
        }
    )
    table = (
        frame.groupby([*STRATUM, "service"], dropna=False)["hours"]
        .agg(["size", "median"])
        .unstack("service")
        .reindex(columns=pd.MultiIndex.from_product([["size", "median"], ["psm", "classic"]]))
    )
    strata = pd.DataFrame(
        {
            "psm_n": table[("size", "psm")].fillna(0).astype("int64"),
            "classic_n": table[("size", "classic")].fillna(0).astype("int64"),
            "psm_median_h": table[("median", "psm")],
            "classic_median_h": table[("median", "classic")],
        }
    )
    return compare_strata(strata, min_per_service)


def compare_strata(strata: pd.DataFrame, min_per_service: int = 1) -> SpeedComparison:
    """The speed comparison from per-stratum counts and medians (`psm_n, classic_n, psm_median_h,
    classic_median_h`, indexed by type × priority): `faster_pct` per stratum and the psm-weighted mean
    over strata with ≥ `min_per_service` tickets of each service (shared by `psm_vs_classic` and the
    rollup-based `reports.programs.speed_from_strata`)."""
    strata = strata.copy()
    strata["faster_pct"] = 100 * (
        1 - strata["psm_median_h"] / strata["classic_median_h"].where(strata["classic_median_h"] > 0)
    )
    strata["compared"] = (
        (strata["psm_n"] >= min_per_service)
        & (strata["classic_n"] >= min_per_service)
        & strata["faster_pct"].notna()
    )
    compared = strata[strata["compared"]]
    weight = compared["psm_n"]
    faster = (
        float((compared["faster_pct"] * weight).sum() / weight.sum()) if weight.sum() > 0 else float("nan")
    )
    low, high = CLAIMED_FASTER_PCT
    return SpeedComparison(
        strata=strata.reset_index(),
        faster_pct=faster,
        psm_tickets=int(compared["psm_n"].sum()),
        classic_tickets=int(compared["classic_n"].sum()),
        strata_compared=len(compared),
        claim_holds=bool(faster >= low),
        within_claimed_range=bool(low <= faster <= high),
    )
