"""Dedicated support service (Partner Support Manager) rules of seed 003."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.programs import (
    deposit_account,
    deposit_statement,
    psm_vs_classic,
    worked_time_per_ticket,
)


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


DEPOSITS = pd.DataFrame(
    {
        "partner_id": ["A", "A", "A", "C"],
        "paid_at": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-03-05", "2024-02-01"], utc=True),
        "amount": [1000.0, 800.0, 50.0, 500.0],
        "currency": ["UAH", None, "USD", "uah"],
    }
)
TICKETS = pd.DataFrame(
    {
        "ticket_id": ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"],
        "partner_id": ["A", "A", "A", "A", "A", "A", "A", "B"],
        "service": ["psm", "psm", "PSM", "psm", "classic", "psm", "psm", "psm"],
        "type": ["simple", "bug", "complex", "simple", "simple", "rework", "simple", "simple"],
        "resolved_at": pd.to_datetime(
            [
                "2024-02-10",
                "2024-03-15",
                "2024-03-20",
                None,
                "2024-03-01",
                "2024-03-02",
                "2024-04-02",
                "2024-03-10",
            ],
            utc=True,
        ),
    }
)


def test_deposit_balance_charges_resolved_psm_tickets_at_the_ticket_price():
    account = deposit_account(DEPOSITS, TICKETS, today="2024-04-01").set_index("partner_id")
    a = account.loc["A"]
    # t1..t3 charged; t4 open, t5 classic, t6 rework (billed by hours), t7 resolved after today
    assert (a["charged_tickets"], a["charged"]) == (3, 540)
    assert a["topped_up"] == 1800.0  # the USD payment is not in the UAH deposit
    assert a["balance"] == 1260.0
    assert a["rework_tickets"] == 1
    assert a["last_topup_at"] == ts("2024-03-01")


def test_runway_divides_balance_by_daily_spend_of_the_last_three_months():
    a = deposit_account(DEPOSITS, TICKETS, today="2024-04-01").set_index("partner_id").loc["A"]
    # window (2024-01-01, 2024-04-01] has 91 days and 540 UAH of charges
    assert a["avg_monthly_spend"] == 180.0
    assert a["runway_days"] == pytest.approx(1260 / (540 / 91))


def test_partner_without_deposit_has_negative_balance_and_no_runway():
    b = deposit_account(DEPOSITS, TICKETS, today="2024-04-01").set_index("partner_id").loc["B"]
    assert (b["balance"], b["runway_days"]) == (-180.0, 0.0)


def test_partner_without_spend_has_undefined_runway():
    c = deposit_account(DEPOSITS, TICKETS, today="2024-04-01").set_index("partner_id").loc["C"]
    assert c["balance"] == 500.0
    assert math.isnan(c["runway_days"])


def test_price_and_currency_are_parameters():
    account = deposit_account(DEPOSITS, TICKETS, price_per_ticket=10, currency="USD", today="2024-04-01")
    a = account.set_index("partner_id").loc["A"]
    assert (a["currency"], a["topped_up"], a["charged"], a["balance"]) == ("USD", 50.0, 30, 20.0)


def test_statement_shows_running_balance():
    statement = deposit_statement(DEPOSITS, TICKETS, today="2024-04-01")
    a = statement[statement["partner_id"] == "A"]
    assert a["amount"].tolist() == [1000.0, -180.0, 800.0, -180.0, -180.0]
    assert a["balance"].tolist() == [1000.0, 820.0, 1620.0, 1440.0, 1260.0]


def test_worked_time_is_summed_per_ticket_and_split_by_work_type():
    worklog = pd.DataFrame(
        {
            "ticket_id": ["t1", "t1", "t1", "t2"],
            "staff": ["ivan", "ivan", "olga", "olga"],
            "hours": [1.5, 2.0, 0.5, 1.0],
            "work_date": ["2024-04-01", "2024-04-02", "2024-04-03", "2024-04-05"],
            "work_type": ["support", "development", "support", None],
        }
    )
    worked = worked_time_per_ticket(worklog).set_index("ticket_id")
    assert worked.loc["t1", ["hours", "support_hours", "development_hours", "staff"]].tolist() == [
        4.0,
        2.0,
        2.0,
        2,
    ]
    assert worked.loc["t2", ["hours", "support_hours", "development_hours"]].tolist() == [1.0, 0.0, 0.0]
    assert (worked.loc["t1", "first_work_date"], worked.loc["t1", "last_work_date"]) == (
        pd.Timestamp("2024-04-01"),
        pd.Timestamp("2024-04-03"),
    )


def resolved(rows: list[tuple]) -> pd.DataFrame:
    """rows: (service, type, priority, hours or None)."""
    frame = pd.DataFrame(rows, columns=["service", "type", "priority", "hours"])
    return frame.assign(resolution_working_s=frame.pop("hours") * 3600)


def test_psm_speed_is_compared_within_type_and_priority_and_weighted_by_psm_tickets():
    tickets = resolved(
        [
            *[("psm", "simple", 1, h) for h in (1, 2, 3)],
            *[("classic", "simple", 1, h) for h in (4, 5, 6)],  # medians 2 vs 5 h: 60 % faster
            ("psm", "bug", 1, 1),
            *[("classic", "bug", 1, h) for h in (4, 4)],  # 1 vs 4 h: 75 % faster
            ("psm", "complex", 2, 3),  # no classic ticket to compare with
            ("classic", "simple", 3, 9),  # no psm ticket
            ("psm", "simple", 1, None),  # unresolved: ignored
        ]
    )
    result = psm_vs_classic(tickets)
    strata = result.strata.set_index(["type", "priority"])
    assert strata.loc[("simple", 1), "faster_pct"] == pytest.approx(60.0)
    assert strata.loc[("bug", 1), "faster_pct"] == pytest.approx(75.0)
    assert not strata.loc[("complex", 2), "compared"]
    assert result.faster_pct == pytest.approx((60 * 3 + 75 * 1) / 4)
    assert (result.psm_tickets, result.classic_tickets, result.strata_compared) == (4, 5, 2)
    assert result.claim_holds and result.within_claimed_range


def test_claim_fails_when_psm_is_only_forty_percent_faster():
    tickets = resolved([("psm", "simple", 1, 3), ("classic", "simple", 1, 5)])
    result = psm_vs_classic(tickets)
    assert result.faster_pct == pytest.approx(40.0)
    assert not result.claim_holds


def test_missing_priority_forms_its_own_stratum():
    tickets = resolved(
        [
            ("psm", "simple", None, 1),
            ("classic", "simple", None, 2),
            ("psm", "simple", 1, 1),
            ("classic", "simple", 1, 10),
        ]
    )
    result = psm_vs_classic(tickets)
    assert result.strata_compared == 2
    assert result.faster_pct == pytest.approx((50 + 90) / 2)
