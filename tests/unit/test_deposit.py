"""Dedicated support service (Partner Support Manager) rules of seed 003."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.deposit import compare_strata
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


# ------------------------------------------------------------------ edges a mutation run showed unchecked (issue 19)
def test_statement_rows_in_full_top_up_first_at_equal_times():
    deposits = pd.DataFrame({"partner_id": ["P"], "paid_at": [ts("2024-05-01 10:00")], "amount": [1000]})
    tickets = pd.DataFrame({
        "ticket_id": ["s1", "s2", "r1"], "partner_id": ["P", "P", "P"], "service": ["psm"] * 3,
        "type": ["simple", "bug", "rework"],
        "resolved_at": [ts("2024-05-01 10:00"), ts("2024-05-03"), ts("2024-05-02")],
    })
    statement = deposit_statement(deposits, tickets, today="2024-05-03")  # s2 resolved exactly today
    assert statement.columns.tolist() == ["partner_id", "at", "kind", "ticket_id", "amount", "balance"]
    assert statement.index.tolist() == [0, 1, 2]
    assert statement["kind"].tolist() == ["top_up", "ticket", "ticket"]
    assert pd.isna(statement.loc[0, "ticket_id"]) and statement["ticket_id"].tolist()[1:] == ["s1", "s2"]
    assert statement["at"].tolist() == [ts("2024-05-01 10:00"), ts("2024-05-01 10:00"), ts("2024-05-03")]
    assert statement["amount"].dtype == "float64"
    assert statement["amount"].tolist() == [1000.0, -180.0, -180.0]
    assert statement["balance"].tolist() == [1000.0, 820.0, 640.0]


def test_charges_need_a_psm_service_a_resolution_by_today_and_a_partner():
    tickets = pd.DataFrame({
        "ticket_id": ["ok", "no service", "open", "no partner", "untyped", "late"],
        "partner_id": ["P", "P", "P", None, "P", "P"],
        "service": ["psm", None, "psm", "psm", "psm", "psm"],
        "type": ["simple", "simple", "simple", "simple", None, "simple"],
        "resolved_at": [ts("2024-05-01"), ts("2024-05-01"), pd.NaT, ts("2024-05-01"), ts("2024-05-02"),
                        ts("2024-05-02 00:00:01")],
    })
    deposits = pd.DataFrame({"partner_id": ["P"], "paid_at": [ts("2024-05-02")], "amount": [500.0]})
    account = deposit_account(deposits, tickets, today="2024-05-02").set_index("partner_id")
    # "ok" and the untyped ticket (not a rework) are charged; the top-up made exactly today counts
    assert account.loc["P", ["topped_up", "charged_tickets", "charged", "balance", "rework_tickets"]].tolist() == [
        500.0, 2, 360.0, 140.0, 0]
    assert account["charged_tickets"].dtype == "int64"


def test_tickets_and_deposits_without_optional_columns():
    tickets = pd.DataFrame({"ticket_id": ["a", "b"], "partner_id": ["P", "P"], "service": ["psm", "psm"]},
                           index=[4, 8])
    deposits = pd.DataFrame({"partner_id": ["P", "P"], "paid_at": [ts("2024-05-01"), ts("2024-05-02")],
                             "amount": [100.0, 50.0]}, index=[3, 5])  # no currency: UAH
    account = deposit_account(deposits, tickets, today="2024-05-10").set_index("partner_id")
    assert account.loc["P", ["topped_up", "charged_tickets", "rework_tickets"]].tolist() == [150.0, 0, 0]
    resolved_tickets = tickets.assign(resolved_at=[ts("2024-05-01"), ts("2024-05-02")])  # no type: no rework
    account = deposit_account(deposits, resolved_tickets, today="2024-05-10").set_index("partner_id")
    assert account.loc["P", ["charged_tickets", "rework_tickets", "balance"]].tolist() == [2, 0, -210.0]


def test_spend_window_excludes_its_first_instant_and_runway_at_small_balances():
    # window (10.02, 10.05]: the charge at exactly 10.02 00:00 is outside it, the one on 01.05 inside
    tickets = pd.DataFrame({"ticket_id": ["old", "new"], "partner_id": ["P", "P"], "service": ["psm", "psm"],
                            "resolved_at": [ts("2024-02-10"), ts("2024-05-01")]})
    deposits = pd.DataFrame({"partner_id": ["P"], "paid_at": [ts("2024-01-01")], "amount": [361.0]})
    row = deposit_account(deposits, tickets, today="2024-05-10").iloc[0]
    assert row["avg_monthly_spend"] == 60.0  # one charge of 180 in three months
    # balance 1 over a daily spend of 180 / 90 days (10.02 → 10.05 = 90 days)
    assert row["balance"] == 1.0 and row["runway_days"] == pytest.approx(0.5)
    exact = deposit_account(deposits.assign(amount=360.0), tickets.iloc[:2], today="2024-05-10").iloc[0]
    assert exact["balance"] == 0.0 and exact["runway_days"] == 0.0
    idle = deposit_account(deposits.assign(amount=180.0), tickets.iloc[:1], today="2024-05-10").iloc[0]
    assert idle["balance"] == 0.0 and idle["runway_days"] == 0.0  # nothing spent lately, nothing left


def test_worked_time_split_with_unequal_support_and_development_hours():
    worklog = pd.DataFrame({"ticket_id": ["t", "t", "t"], "staff": ["a", "b", "a"], "hours": [1.0, 4.0, 0.25],
                            "work_date": ["2024-04-01"] * 3, "work_type": ["support", "development", None]})
    worked = worked_time_per_ticket(worklog).iloc[0]
    assert worked[["hours", "support_hours", "development_hours", "staff"]].tolist() == [5.25, 1.0, 4.0, 2]
    untyped = worked_time_per_ticket(worklog.drop(columns="work_type")).iloc[0]
    assert untyped[["hours", "support_hours", "development_hours"]].tolist() == [5.25, 0.0, 0.0]


def test_speed_claim_at_its_exact_bounds_and_a_single_ticket_per_service():
    # one psm and one classic ticket: 4 h against 10 h = exactly 60 % faster; 3 h = exactly 70 %
    at_low = psm_vs_classic(resolved([("psm", "simple", 1, 4.0), ("classic", "simple", 1, 10.0)]))
    assert at_low.strata_compared == 1 and at_low.faster_pct == pytest.approx(60.0)
    assert at_low.claim_holds and at_low.within_claimed_range
    at_high = psm_vs_classic(resolved([("psm", "simple", 1, 3.0), ("classic", "simple", 1, 10.0)]))
    assert at_high.faster_pct == pytest.approx(70.0) and at_high.within_claimed_range
    assert at_high.strata["psm_n"].tolist() == [1] and at_high.strata["classic_n"].tolist() == [1]
    # hours are working seconds / 3600: 7200 s psm vs 18000 s classic = 2 h vs 5 h
    hours = psm_vs_classic(resolved([("psm", "bug", 2, 2.0), ("classic", "bug", 2, 5.0)]))
    assert hours.strata[["psm_median_h", "classic_median_h"]].values.tolist() == [[2.0, 5.0]]
    only_psm = psm_vs_classic(resolved([("psm", "simple", 1, 4.0), ("other", "simple", 1, 10.0)]))
    assert only_psm.strata_compared == 0 and math.isnan(only_psm.faster_pct)
    assert only_psm.strata["classic_n"].tolist() == [0]


def test_compare_strata_defaults_to_one_ticket_per_service_and_needs_a_positive_classic_median():
    strata = pd.DataFrame({
        "psm_n": [1, 3, 2, 0], "classic_n": [1, 2, 4, 5],
        "psm_median_h": [2.0, 1.0, 0.1, float("nan")], "classic_median_h": [5.0, 0.0, 0.5, 8.0],
    }, index=pd.MultiIndex.from_tuples([("simple", 1), ("bug", 1), ("bug", 2), ("complex", 3)],
                                       names=["type", "priority"]))
    result = compare_strata(strata)
    # 60 % (1 psm ticket) and 80 % (2 psm tickets); a classic median of 0 h cannot be compared,
    # nor a stratum without psm tickets
    assert result.strata["faster_pct"].tolist()[0] == pytest.approx(60.0)
    assert math.isnan(result.strata["faster_pct"].tolist()[1])
    assert result.strata["faster_pct"].tolist()[2] == pytest.approx(80.0)
    assert result.strata["compared"].tolist() == [True, False, True, False]
    assert result.faster_pct == pytest.approx((60.0 * 1 + 80.0 * 2) / 3)
    assert (result.psm_tickets, result.classic_tickets, result.strata_compared) == (3, 5, 2)


def test_psm_vs_classic_counts_zero_psm_tickets_in_a_classic_only_stratum():
    result = psm_vs_classic(resolved([("classic", "bug", 1, 5.0), ("psm", "simple", 1, 2.0),
                                      ("classic", "simple", 1, 4.0)]))
    strata = result.strata.set_index("type")
    assert strata.loc["bug", ["psm_n", "classic_n"]].tolist() == [0, 1]
    assert result.faster_pct == pytest.approx(50.0)
