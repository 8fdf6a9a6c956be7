"""Dedicated-support tables from rollup counts (`reports.programs`, seed 003), on hand-made counts."""
from __future__ import annotations

import pandas as pd
import pytest

from metrics.deposit import deposit_account
from reports.programs import speed_from_strata, support_overview_from_rollups


def test_speed_from_strata_weights_each_stratum_by_its_psm_tickets():
    strata = pd.DataFrame({
        "service": ["psm", "classic", "psm", "classic", "classic"],
        "type": ["simple", "simple", "bug", "bug", "complex"],
        "priority": [2, 2, 1, 1, 3],
        "tickets": [3, 5, 1, 1, 4],
        "median_working_s": [2 * 3600.0, 8 * 3600.0, 3600.0, 2 * 3600.0, 3600.0],
    })
    speed = speed_from_strata(strata)
    # simple/2: 1 − 2/8 = 75 % (3 psm); bug/1: 1 − 1/2 = 50 % (1 psm); complex/3 has no psm
    assert speed.faster_pct == pytest.approx((75 * 3 + 50 * 1) / 4)
    assert (speed.psm_tickets, speed.classic_tickets, speed.strata_compared) == (4, 6, 2)
    assert speed.claim_holds and speed.within_claimed_range


def test_accounts_from_charge_counts_equal_the_accounts_of_the_tickets_themselves():
    """The page's accounts come from per-partner charge counts (`support_charge_rollup`); the same as
    `deposit_account` on the charged tickets: A 2 tickets before the 3-month window, 3 in it, 1 rework; B only
    a top-up; C charged tickets without a top-up (negative balance)."""
    today = "2026-06-15"
    at = pd.Timestamp
    tickets = pd.DataFrame({
        "ticket_id": [f"T{i}" for i in range(9)],
        "partner_id": ["A"] * 6 + ["C"] * 3,
        "service": ["psm"] * 9,
        "type": ["simple", "simple", "simple", "bug", "simple", "rework", "simple", "simple", "simple"],
        "resolved_at": [at("2026-01-10", tz="UTC"), at("2026-03-15", tz="UTC"), at("2026-03-16", tz="UTC"),
                        at("2026-05-01", tz="UTC"), at("2026-06-15", tz="UTC"), at("2026-06-01", tz="UTC"),
                        at("2026-02-01", tz="UTC"), at("2026-04-01", tz="UTC"), at("2026-06-10", tz="UTC")]})
    charges = pd.DataFrame({"partner_id": ["A", "B", "C"], "before_window": [2, 0, 1], "in_window": [3, 0, 2],
                            "rework": [1, 0, 0]})
    deposits = pd.DataFrame({"partner_id": ["A", "B"], "paid_at": [at("2026-01-05", tz="UTC"), at("2026-02-05", tz="UTC")],
                             "amount": [1800.0, 500.0], "currency": ["UAH", "UAH"]})
    speed = pd.DataFrame({"service": ["psm", "classic"], "type": ["simple", "simple"], "priority": [2, 2],
                          "tickets": [1, 1], "median_working_s": [3600.0, 7200.0]})
    worked = pd.DataFrame(columns=["ticket_id", "partner_id", "resolution_working_s"])
    names = pd.Series({"A": "Альфа", "B": "Бета", "C": "Вега"})
    view, _speed = support_overview_from_rollups({"charges": charges, "deposits": deposits, "speed": speed,
                                                  "worked": worked}, names, today, price_per_ticket=100)
    expected = deposit_account(deposits, tickets, 100, today=today)
    expected = expected.assign(name=expected["partner_id"].map(names)).sort_values("runway_days", ignore_index=True)
    pd.testing.assert_frame_equal(view["accounts"], expected)
    row = view["accounts"].set_index("partner_id").loc["A"]
    # 5 charged tickets · 100 = 500 → balance 1300; 3 in the 3-month window → 100 a month
    assert (row["charged_tickets"], row["balance"], row["rework_tickets"]) == (5, 1300.0, 1)
    assert row["avg_monthly_spend"] == pytest.approx(100.0)
    assert view["accounts"].set_index("partner_id").loc["C", "balance"] == -300.0
