"""Dedicated-support tables from rollup counts (`reports.programs`, seed 003), on hand-made counts."""
from __future__ import annotations

import pandas as pd
import pytest

from metrics.deposit import deposit_account
from reports.programs import charged_pseudo_tickets, speed_from_strata


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


def test_pseudo_tickets_give_deposit_account_the_charge_counts():
    charges = pd.DataFrame({"partner_id": ["A"], "before_window": [2], "in_window": [3], "rework": [1]})
    deposits = pd.DataFrame({"partner_id": ["A"], "paid_at": [pd.Timestamp("2026-01-05", tz="UTC")],
                             "amount": [1800.0], "currency": ["UAH"]})
    account = deposit_account(deposits, charged_pseudo_tickets(charges, "2026-06-15"), 100, today="2026-06-15")
    row = account.iloc[0]
    # 5 charged tickets · 100 = 500 → balance 1300; 3 in the 3-month window → 100 a month
    assert (row["charged_tickets"], row["balance"], row["rework_tickets"]) == (5, 1300.0, 1)
    assert row["avg_monthly_spend"] == pytest.approx(100.0)
