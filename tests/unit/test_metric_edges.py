"""Edge cases of metrics/survey.py, metrics/sla.py and metrics/privacy.py that a mutation run showed unchecked
(issue 19): each test kills a named surviving mutant (operator, constant or boolean changed)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics.calendar import WorkCalendar
from metrics.privacy import WINDOWS, comparison_group, window_id
from metrics.sla import SlaPolicy, compliance, elapsed_working_seconds, evaluate_tickets
from metrics.survey import adjusted_wald_interval, csat, distribution, nps, score_table
from tests.unit.test_privacy import VIEWER, _answers, _partners

T0 = pd.Timestamp("2024-06-03 09:00", tz="UTC")  # a Monday


# ------------------------------------------------------------------ privacy
def test_viewer_with_answers_among_four_other_partners_is_withheld():
    # 4 other partners with 8 answers each (32 ≥ 30) and the viewer's own 8: only 4 others → withheld
    others = [f"Омск-{i}" for i in range(4)]
    counts = {(p, "2024Q2"): 8 for p in others} | {(VIEWER, "2024Q2"): 8}
    result = comparison_group(VIEWER, _partners({"Омск": 4}), _answers(counts), "csat:q_design", "2024Q2")
    assert result["withheld"] is True


def test_csat_and_nps_values_are_exact_where_one_percent_off_would_round_differently():
    others = [f"Омск-{i}" for i in range(5)]
    answers = _answers({(p, "2024Q2"): 6 for p in others})  # 30 answers
    answers["q_design"] = [5.0] * 15 + [3.0] * 15  # CSAT 50 % (1 % off: 50.5 → 51, 49.5 → 50 … 49)
    answers["q_recommend_partner"] = [5.0] * 15 + [4.0] * 15  # NPS 50 (top1: 15 promoters, 0 detractors)
    partners = _partners({"Омск": 5})
    assert comparison_group(VIEWER, partners, answers, "csat:q_design", "2024Q2")["value"] == 50.0
    assert comparison_group(VIEWER, partners, answers, "nps:q_recommend_partner", "2024Q2")["value"] == 50.0
    answers["q_design"] = [5.0] * 17 + [3.0] * 13  # 56.67 → 57
    assert comparison_group(VIEWER, partners, answers, "csat:q_design", "2024Q2")["value"] == 57.0


def test_window_id_is_the_last_complete_quarter_before_now():
    assert WINDOWS == ("quarter", "ttm")
    now = pd.Timestamp("2026-11-30 12:00", tz="UTC")
    assert window_id("quarter", now) == "2026Q3"
    assert window_id("ttm", now) == "ttm:2026Q3"
    assert window_id("quarter", pd.Timestamp("2026-10-01 00:00", tz="UTC")) == "2026Q3"
    assert window_id("quarter", pd.Timestamp("2026-09-30 23:59", tz="UTC")) == "2026Q2"
    # 01.10 02:00 in Moscow is still 30.09 in UTC
    assert window_id("quarter", pd.Timestamp("2026-10-01 02:00", tz="Europe/Moscow")) == "2026Q2"
    for bad in ("year", "2026Q3", "", "ttm:2026Q3"):
        with pytest.raises(ValueError):
            window_id(bad, now)


# ------------------------------------------------------------------ sla
def _ticket(**values) -> pd.DataFrame:
    base = {"ticket_id": "T1", "created_at": T0, "kind": "enhancement", "type": "simple", "calendar": "24x7",
            "accepted_at": pd.NaT, "resolved_at": pd.NaT}
    return pd.DataFrame([base | values])


def _pauses(*spans: tuple[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame({"ticket_id": ["T1"] * len(spans),
                         "paused_at": [T0 + pd.Timedelta(a) for a, _ in spans],
                         "resumed_at": [pd.NaT if b is None else T0 + pd.Timedelta(b) for _, b in spans],
                         "reason": ["waiting_client"] * len(spans)})


def _evaluate(tickets, pauses=None, now="30D") -> pd.Series:
    return evaluate_tickets(tickets, pauses, {}, {}, now=T0 + pd.Timedelta(now)).iloc[0]


def test_acceptance_time_excludes_a_pause_before_acceptance():
    row = _evaluate(_ticket(accepted_at=T0 + pd.Timedelta("60min")), _pauses(("10min", "40min")))
    assert row["acceptance_working_s"] == 30 * 60.0
    assert row["acceptance_state"] == "met"


def test_unaccepted_ticket_is_open_then_at_risk_then_breached_on_the_acceptance_side():
    # acceptance target 1 h; at risk when less than a quarter (15 min) is left
    assert _evaluate(_ticket(), now="30min")["acceptance_state"] == "open"
    assert _evaluate(_ticket(), now="46min")["acceptance_state"] == "at_risk"
    assert _evaluate(_ticket(), now="61min")["acceptance_state"] == "breached"
    # a pause stops the acceptance clock too: 50 min elapsed with 20 paused leaves 30 min
    assert _evaluate(_ticket(), _pauses(("10min", "30min")), now="50min")["acceptance_state"] == "open"


def test_pause_starting_at_or_after_the_deadline_does_not_move_it():
    deadline = T0 + pd.Timedelta("8h")  # simple task, 24×7 calendar
    assert _evaluate(_ticket())["deadline"] == deadline
    assert _evaluate(_ticket(), _pauses(("8h", "10h")))["deadline"] == deadline
    assert _evaluate(_ticket(), _pauses(("9h", "10h")))["deadline"] == deadline
    assert _evaluate(_ticket(), _pauses(("7h59min", "8h59min")))["deadline"] == deadline + pd.Timedelta("1h")


def test_compliance_when_met_equals_breached_and_without_decided_tickets():
    assert compliance(["met", "breached"]) == 50.0
    assert compliance(["met", "met", "breached", "open", None]) == pytest.approx(200 / 3)
    assert compliance(["breached"]) == 0.0
    assert compliance(["met"]) == 100.0
    assert math.isnan(compliance(["open", "at_risk"]))
    assert math.isnan(compliance([]))


def test_elapsed_working_seconds_without_pauses():
    cal = WorkCalendar(timezone="Europe/Moscow", country=None)
    starts = pd.DatetimeIndex(["2024-06-03 09:00", "2024-06-07 17:00", "2024-06-03 12:00"], tz="Europe/Moscow")
    ends = pd.DatetimeIndex(["2024-06-04 10:00", "2024-06-10 10:00", "2024-06-03 11:00"], tz="Europe/Moscow")
    assert list(elapsed_working_seconds(starts, ends, cal)) == [10 * 3600.0, 2 * 3600.0, 0.0]


def test_policy_targets_reach_the_result():
    row = evaluate_tickets(_ticket(), None, {}, {"p": SlaPolicy(simple_hours=2.0)}, now=T0,
                           default_policy="p").iloc[0]
    assert row["resolution_target_s"] == 2 * 3600.0
    assert row["deadline"] == T0 + pd.Timedelta("2h")


# ------------------------------------------------------------------ survey
def test_distribution_of_ten_point_answers_has_every_value_zero_to_ten():
    df = pd.DataFrame({"surveyed_at": pd.to_datetime(["2024-05-10"] * 4, utc=True),
                       "q_recommend_partner": [0.0, 10.0, 10.0, 7.0]})
    got = distribution(df, "q_recommend_partner")
    assert list(got["answer"]) == list(range(11))
    counts = dict(zip(got["answer"], got["count"], strict=True))
    assert counts[0] == 1 and counts[10] == 2 and counts[7] == 1 and counts[5] == 0
    assert got["pct"].sum() == pytest.approx(100.0)
    assert got.loc[got["answer"] == 10, "pct"].item() == 50.0


def test_explicit_scale_overrides_inference():
    df = pd.DataFrame({"surveyed_at": pd.to_datetime(["2024-05-10"] * 3, utc=True),
                       "q_recommend_partner": [5.0, 4.0, 3.0]})
    assert list(distribution(df, "q_recommend_partner")["answer"]) == [1, 2, 3, 4, 5]
    assert list(distribution(df, "q_recommend_partner", scale="10")["answer"]) == list(range(11))
    assert csat([9.0, 10.0, 5.0], scale="10") == pytest.approx(200 / 3)
    assert csat([9.0, 10.0, 5.0]) == 100.0
    assert nps([5.0, 4.0, 3.0], scale="10") == -100.0  # all 0–6 on the 0–10 scale
    assert nps([5.0, 4.0, 3.0], scale="5") == 0.0  # top1: one promoter, one detractor
    table = score_table(df, scale="10", questions=["q_recommend_partner"])
    assert table["nps"].item() == -100.0


def test_missing_dimension_values_form_their_own_group():
    df = pd.DataFrame({"surveyed_at": pd.to_datetime(["2024-05-10"] * 4, utc=True),
                       "city": ["Омск", None, None, "Омск"], "q_design": [5.0, 1.0, 2.0, 4.0]})
    table = score_table(df, by=["city"], questions=["q_design"])
    assert len(table) == 2
    missing = table[table["city"].isna()]
    assert missing["n"].item() == 2 and missing["mean"].item() == 1.5
    shares = distribution(df, "q_design", by=["city"])
    assert shares["city"].isna().sum() == 5  # five answer values for the missing city
    assert shares[shares["city"].isna() & (shares["answer"] == 1)]["count"].item() == 1


def test_interval_is_clipped_to_minus_and_plus_one_hundred():
    low, high = adjusted_wald_interval(0, 5, 5)
    assert low == -100.0
    assert high == pytest.approx(100 * (-0.625 + 1.96 * np.sqrt((6.5 / 8 - 0.625**2) / 8)))
    low, high = adjusted_wald_interval(5, 0, 5)
    assert high == 100.0
    assert low == pytest.approx(100 * (0.625 - 1.96 * np.sqrt((6.5 / 8 - 0.625**2) / 8)))
