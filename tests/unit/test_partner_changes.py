"""Issue 15 follow-up, «Моё качество»: KPI change against the previous period, competence at risk, the
partner's own value beside the comparison group — hand-computed on a few answer counts."""
from __future__ import annotations

import pandas as pd
import pytest

from reports.partner import (
    competence_at_risk,
    kpis_with_change,
    previous_quarters,
    with_own_values,
)


def _counts(quarter: str, question: str, scale: int, answers: dict[int, int]) -> pd.DataFrame:
    return pd.DataFrame({"quarter": quarter, "question": question, "scale": scale,
                         "answer": list(answers), "answers": list(answers.values())})


# 2026Q2: 10 project answers, 5 of them 4–5 → CSAT 50 %; recommend (0–10): 5×10, 5×5 → NPS (5 − 5)/10 = 0
# 2026Q3: 8 of 10 are 4–5 → CSAT 80 %; recommend 6×10, 1×8, 3×3 → NPS (6 − 3)/10 = +30
BEFORE = pd.concat([_counts("2026Q2", "q_business_goals", 5, {5: 3, 4: 2, 3: 5}),
                    _counts("2026Q2", "q_recommend_partner", 10, {10: 5, 5: 5})], ignore_index=True)
NOW = pd.concat([_counts("2026Q3", "q_business_goals", 5, {5: 8, 3: 2}),
                 _counts("2026Q3", "q_recommend_partner", 10, {10: 6, 8: 1, 3: 3}),
                 _counts("2026Q3", "q_recommend_platform", 10, {9: 4, 2: 1})], ignore_index=True)


def test_previous_period_is_the_quarter_before_or_the_twelve_months_before():
    assert previous_quarters("2026Q3") == ["2026Q2"]
    assert previous_quarters("2026Q1") == ["2025Q4"]
    assert previous_quarters("ttm:2026Q3") == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]


def test_kpi_change_in_points_against_the_previous_period():
    kpi = kpis_with_change(NOW, BEFORE)
    assert kpi["csat"]["csat"] == pytest.approx(80.0)
    assert kpi["csat"]["previous"] == pytest.approx(50.0)
    assert kpi["csat"]["change"] == pytest.approx(30.0)  # percentage points
    assert kpi["nps_partner"]["nps"] == pytest.approx(30.0)
    assert kpi["nps_partner"]["previous"] == pytest.approx(0.0)
    assert kpi["nps_partner"]["change"] == pytest.approx(30.0)
    assert kpi["nps_partner"]["previous_n"] == 10


def test_no_answers_in_the_previous_period_is_no_change_not_a_jump_from_zero():
    kpi = kpis_with_change(NOW, BEFORE)
    assert kpi["nps_platform"]["nps"] == pytest.approx(60.0)  # (4 − 1)/5
    assert kpi["nps_platform"]["previous"] is None and kpi["nps_platform"]["previous_n"] == 0
    assert kpi["nps_platform"]["change"] is None
    empty = kpis_with_change(NOW.iloc[0:0], BEFORE)
    assert empty["csat"]["change"] is None  # nothing now either


@pytest.mark.parametrize(("held", "margin", "share", "expected"), [
    (True, 0, 0.50, True),    # 21 of 42 keys: exactly 50 %, zero margin — held, but at risk
    (True, 1, 0.52, True),    # one project of margin
    (True, 2, 0.54, True),    # margin 2 but share under 55 %
    (True, 2, 0.55, False),   # margin 2 and exactly 55 %: calm
    (True, 5, 0.70, False),
    (False, -3, 0.40, False),  # not held: "not held", not "at risk"
    (False, None, None, False),
])
def test_competence_at_risk(held, margin, share, expected):
    assert competence_at_risk(held, margin, share) is expected


def test_own_value_stands_beside_the_groups_value_for_each_metric():
    items = [{"metric": "nps:q_recommend_partner", "question": "q_recommend_partner", "value": 36.0},
             {"metric": "csat:q_business_goals", "question": "q_business_goals", "value": 87.0},
             {"metric": "csat:q_speed", "question": "q_speed", "value": 70.0}]
    own = with_own_values(items, NOW)
    assert [(i["own"], i["own_n"], i["value"]) for i in own] == [(pytest.approx(30.0), 10, 36.0),
                                                                 (pytest.approx(80.0), 10, 87.0), (None, 0, 70.0)]
