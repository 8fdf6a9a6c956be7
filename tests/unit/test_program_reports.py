"""reports.programs: the tables of the programme pages, on small hand-made frames."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from reports.programs import (
    competence_summary,
    kkv_overview,
    month_start,
    quality_ledger,
    quality_overview,
    saas_overview,
    support_overview,
)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def history_rows(rows: list[tuple]) -> pd.DataFrame:
    """(partner, month, keys, covered, held, status) → competence_history rows."""
    frame = pd.DataFrame(rows, columns=["partner_id", "month", "keys", "covered", "held", "status"])
    frame["month"] = pd.to_datetime(frame["month"], utc=True)
    frame["share"] = frame["covered"] / frame["keys"].where(frame["keys"] > 0)
    return frame


def test_month_start_is_the_first_of_the_month_at_midnight_utc():
    assert month_start("2026-11-23 15:00") == ts("2026-11-01")
    assert month_start("2026-11-01 08:00") == ts("2026-11-01")


def test_competence_summary_counts_each_status_per_month_newest_first():
    history = history_rows([
        ("A", "2026-10-01", 4, 2, True, "assigned"), ("B", "2026-10-01", 4, 1, False, "none"),
        ("A", "2026-11-01", 4, 2, True, "kept"), ("B", "2026-11-01", 4, 2, True, "assigned"),
        ("C", "2026-11-01", 2, 0, False, "revoked"),
    ])
    summary = competence_summary(history)
    assert summary["month"].tolist() == [ts("2026-11-01"), ts("2026-10-01")]
    assert summary.iloc[0][["partners", "held", "assigned", "kept", "revoked"]].tolist() == [3, 2, 1, 1, 1]
    assert summary.iloc[1][["partners", "held", "assigned", "kept", "revoked"]].tolist() == [2, 1, 1, 0, 0]


def test_quality_overview_lists_changes_and_partners_near_the_threshold():
    history = history_rows([
        ("A", "2026-11-01", 10, 5, True, "assigned"),   # share 50 %: at the threshold
        ("B", "2026-11-01", 10, 9, True, "kept"),       # 90 %: far above
        ("C", "2026-11-01", 10, 4, False, "revoked"),   # 40 %: within 10 points below
    ])
    view = quality_overview(history, "2026-11-15")
    assert view["changes"]["partner_id"].tolist() == ["A", "C"]
    assert view["near"]["partner_id"].tolist() == ["A", "C"]
    # margin = covered − ceil(keys / 2): A may lose 0 keys, C needs 1 more
    assert view["near"]["margin"].tolist() == [0, -1]
    assert len(view["decisions"]) == 3


def test_quality_ledger_marks_live_awards_days_to_expiry_and_transfers():
    projects = pd.DataFrame({
        "project_id": ["X", "X", "Y"], "version": [1, 2, 1], "partner_id": ["A", "B", "A"],
        "submitted_at": [ts("2026-01-10"), ts("2026-06-01"), ts("2025-01-01")],
        "transferred_from": [None, "A", None], "license_key": [None, None, None],
    })
    tests = pd.DataFrame({"project_id": ["X", "X", "Y"], "version": [1, 2, 1], "test": ["t", "t", "t"],
                          "result": ["passed", "passed", "passed"], "comment": [None, None, None]})
    ledger = quality_ledger(projects, tests, "2026-11-23").set_index(["partner_id", "project_id"])
    # A keeps its points of X for a year although B took the project over (seed 000)
    assert bool(ledger.loc[("A", "X"), "live"])
    assert ledger.loc[("A", "X"), "days_to_expiry"] == 48  # 2027-01-10 − 2026-11-23
    assert ledger.loc[("B", "X"), "reason"] == "transfer"
    assert ledger.loc[("B", "X"), "transferred_from"] == "A"
    assert not bool(ledger.loc[("A", "Y"), "live"])  # earned 2025-01-01, expired 2026-01-01
    assert math.isnan(ledger.loc[("A", "Y"), "days_to_expiry"])


def kkv_inputs() -> dict[str, pd.DataFrame]:
    partners = pd.DataFrame({
        "partner_id": ["K1", "K2", "K3", "N"], "name": ["Один", "Два", "Три", "Нет"], "city": ["Алматы"] * 4,
        "kkv_level": ["extended", "basic", "extended", "none"],
        "kkv_valid_until": [ts("2026-12-01"), ts("2027-06-01"), ts("2026-11-01"), pd.NaT],
    })
    projects = pd.DataFrame({"project_id": ["E1", "E2"], "version": [1, 1], "partner_id": ["K1", "K2"],
                             "submitted_at": [ts("2026-01-01"), ts("2026-01-01")],
                             "category": ["crm", "eshop"], "industry": ["finance", "retail"]})
    reports = pd.DataFrame({"project_id": ["E1", "E2"], "reported_at": [ts("2026-11-01"), ts("2026-08-01")]})
    points = pd.DataFrame({"partner_id": ["K1", "K1", "K2"], "earned_at": [ts("2026-02-01")] * 3,
                           "source": ["sales", "marketing", "projects"], "points": [30, 5, 20]})
    return {"partners": partners, "projects": projects, "enterprise_reports": reports, "kkv_points": points}


def test_kkv_overview_lists_renewal_requests_due_within_30_days_and_not_expired():
    view = kkv_overview(kkv_inputs(), "2026-11-23")
    # K1: expiry 2026-12-01 → request due 2026-11-17 (missed); K2 due 2027-05-18 (later); K3 expired
    assert view["renewals"]["partner_id"].tolist() == ["K1"]
    assert bool(view["renewals"]["renewal_overdue"].iloc[0])
    assert sorted(view["status"]["partner_id"]) == ["K1", "K2", "K3"]


def test_kkv_overview_flags_progress_reports_older_than_two_months():
    view = kkv_overview(kkv_inputs(), "2026-11-23")
    # E2 last reported 2026-08-01 → due 2026-10-01 → 53 days overdue; E1 reported 2026-11-01
    assert view["overdue"]["project_id"].tolist() == ["E2"]
    assert view["overdue"]["days_overdue"].tolist() == [53]
    assert view["overdue"]["name"].tolist() == ["Два"]


def test_kkv_overview_public_list_has_only_valid_extended_partners_by_points():
    view = kkv_overview(kkv_inputs(), "2026-11-23")
    assert view["public"]["partner_id"].tolist() == ["K1"]
    assert view["points"].set_index("partner_id").loc["K1", "total"] == 35


def saas_inputs() -> dict[str, pd.DataFrame]:
    partners = pd.DataFrame({"partner_id": ["A", "B", "C"], "name": ["Альфа", "Бета", "Вега"],
                             "network_competence_center": [True, True, False]})
    contracts = pd.DataFrame({
        "contract_id": ["c1", "c2", "c3", "c4", "c5"], "partner_id": ["A", "A", "B", "C", "B"],
        "started_at": [ts("2026-07-05"), ts("2026-08-05"), ts("2026-07-10"), ts("2026-07-10"), ts("2026-01-10")],
        "promo": ["none", "none", "none", "none", "none"], "lead_id": [None, "L1", None, None, None],
        "ended_at": [pd.NaT, pd.NaT, pd.NaT, pd.NaT, ts("2026-09-01")],
        "churn_reason": [None, None, None, None, "дорого"],
    })
    leads = pd.DataFrame({
        "lead_id": ["L1", "L2", "L3"], "registered_at": [ts("2026-07-01"), ts("2026-07-02"), ts("2026-07-03")],
        "partner_id": ["A", "A", "B"],
        "welcome_call_at": [ts("2026-07-01 02:00"), ts("2026-07-02 04:00"), pd.NaT],
        "first_reply_at": [ts("2026-07-01 01:00"), ts("2026-07-02 01:00"), ts("2026-07-03 03:00")],
        "converted_at": [ts("2026-08-05"), pd.NaT, pd.NaT], "complaint": [False, False, False],
    })
    return {"partners": partners, "saas_contracts": contracts, "leads": leads}


def test_saas_overview_publishes_only_eligible_partners_with_net_new_contracts():
    view = saas_overview(saas_inputs(), "2026Q3")
    # A: 2 new; B: 1 new − 1 churned = 0 (not ranked); C: not a network competence centre
    assert view["published"]["partner_id"].tolist() == ["A"]
    reasons = view["top"].set_index("partner_id")["excluded_reason"]
    assert reasons["C"].startswith("not a network competence centre")
    assert reasons["B"] == "no net new contracts"


def test_saas_overview_distributes_the_quarters_leads_by_default_and_applies_weights():
    by_default = saas_overview(saas_inputs(), "2026Q3")
    assert by_default["distribution"]["leads"].tolist() == [3]  # 3 leads registered in 2026Q3, one partner
    weighted = saas_overview(saas_inputs(), "2026Q3", {"A": 2.0}, n_leads=10)
    assert weighted["distribution"][["weight", "leads"]].values.tolist() == [[2.0, 10]]


def test_saas_overview_funnel_has_median_welcome_call_delay_and_churn_reasons():
    view = saas_overview(saas_inputs(), "2026Q3")
    funnel = view["funnel"].set_index("partner_id")
    assert funnel.loc["A", "welcome_call_delay_h"] == 3.0  # median of 2 h and 4 h
    assert funnel.loc["A", "conversion_pct"] == 50.0
    assert view["churn"][["partner_id", "churn_reason", "contracts"]].values.tolist() == [["B", "дорого", 1]]


def test_support_overview_charges_price_per_resolved_psm_ticket_and_measures_speed():
    tickets = pd.DataFrame({
        "ticket_id": ["p1", "p2", "c1", "c2"], "partner_id": ["A", "A", "A", "B"],
        "service": ["psm", "psm", "classic", "classic"], "type": ["simple"] * 4, "priority": [2] * 4,
        "resolved_at": [ts("2026-11-01"), ts("2026-11-02"), ts("2026-11-01"), ts("2026-11-01")],
        "resolution_working_s": [3600.0, 3 * 3600.0, 10 * 3600.0, 6 * 3600.0],
    })
    deposits = pd.DataFrame({"partner_id": ["A"], "paid_at": [ts("2026-10-01")], "amount": [1000.0],
                             "currency": ["UAH"]})
    worklog = pd.DataFrame({"ticket_id": ["p1", "p1"], "staff": ["s1", "s2"], "hours": [0.5, 0.25],
                            "work_date": ["2026-10-31", "2026-11-01"], "work_type": ["support", "development"]})
    names = pd.Series({"A": "Альфа", "B": "Бета"})
    tables, speed = support_overview({"tickets": tickets, "deposits": deposits, "worklog": worklog}, names,
                                     "2026-11-23", price_per_ticket=200)
    account = tables["accounts"].set_index("partner_id").loc["A"]
    assert (account["charged_tickets"], account["balance"], account["name"]) == (2, 600.0, "Альфа")
    worked = tables["worked"].set_index("ticket_id").loc["p1"]
    assert (worked["hours"], worked["resolution_h"], worked["staff"]) == (0.75, 1.0, 2)
    # medians: psm 2 h, classic 8 h → 75 % faster
    assert speed.faster_pct == pytest.approx(75.0)
    assert speed.claim_holds and not speed.within_claimed_range
