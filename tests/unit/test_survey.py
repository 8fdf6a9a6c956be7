"""Survey metrics (SPEC §4): every expected value below is worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.survey import (
    MIN_ANSWERS,
    QUESTIONS,
    adjusted_wald_interval,
    csat,
    distribution,
    infer_scale,
    mean_score,
    nps,
    nps_counts,
    quarter_label,
    quarter_trend,
    score_table,
)

NAN = float("nan")


def test_questions_are_the_ten_survey_columns_with_both_languages():
    assert list(QUESTIONS) == [
        "q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed",
        "q_recommend_partner", "q_platform_usability", "q_platform_features", "q_recommend_platform",
    ]
    assert all(q.label_ru and q.label_en for q in QUESTIONS.values())


def test_mean_ignores_unanswered():
    assert mean_score([5, 4, NAN, 3]) == 4.0


def test_mean_of_nothing_answered_is_nan():
    assert math.isnan(mean_score([NAN, NAN]))


def test_csat_is_share_of_four_and_five_among_answered():
    # 3 of 4 answered are 4–5; the NaN is not in the denominator
    assert csat([5, 4, 4, 2, NAN]) == 75.0


def test_nps_top1_counts_only_five_as_promoter():
    # P = {5, 5}, passive = {4}, D = {3, 1}
    assert nps_counts([5, 5, 4, 3, 1, NAN], "top1") == (2, 2, 5)
    assert nps([5, 5, 4, 3, 1], "top1") == 0.0


def test_nps_top2_counts_four_as_promoter_and_three_as_passive():
    # P = {5, 5, 4}, passive = {3}, D = {1}: 100·(3−1)/5 = 40
    assert nps_counts([5, 5, 4, 3, 1], "top2") == (3, 1, 5)
    assert nps([5, 5, 4, 3, 1], "top2") == 40.0


def test_nps_on_ten_point_scale_uses_nine_ten_and_zero_to_six():
    # P = {10, 9}, passive = {8, 7}, D = {6, 0}
    assert nps_counts([10, 9, 8, 7, 6, 0], scale="10") == (2, 2, 6)


def test_scale_inferred_as_ten_when_a_zero_or_above_five_occurs():
    assert infer_scale([1, 5, 3]) == "5"
    assert infer_scale([0, 3]) == "10"
    assert infer_scale([7, NAN]) == "10"


def test_unknown_scheme_is_rejected():
    with pytest.raises(ValueError):
        nps([5, 4], "top3")


def test_adjusted_wald_matches_hand_computation():
    # P'=3.75 D'=1.75 n'=8: s'=0.25, var=0.6875−0.0625=0.625, margin=1.96·√(0.625/8)=0.5478
    low, high = adjusted_wald_interval(3, 1, 5)
    assert low == pytest.approx(-29.7837, abs=1e-3)
    assert high == pytest.approx(79.7837, abs=1e-3)


def test_adjusted_wald_is_clipped_to_plus_minus_hundred():
    # all 1000 promoters: s' = 1000.75 − 0.75 over 1003 ≈ 0.997, upper bound clipped
    low, high = adjusted_wald_interval(1000, 0, 1000)
    assert high == 100.0
    assert 99.0 < low < 100.0
    low, high = adjusted_wald_interval(0, 1000, 1000)
    assert low == -100.0


def test_adjusted_wald_is_vectorized():
    low, high = adjusted_wald_interval(np.array([3, 1]), np.array([1, 0]), np.array([5, 1]))
    assert low == pytest.approx([-29.7837, -48.5], abs=1e-3)
    assert high == pytest.approx([79.7837, 98.5], abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))
def test_adjusted_wald_interval_contains_its_centre_and_stays_in_range(p, d, passive):
    n = p + d + passive
    low, high = adjusted_wald_interval(p, d, n)
    centre = 100 * (p - d) / (n + 3)
    assert -100 <= low <= centre <= high <= 100


def _surveys() -> pd.DataFrame:
    return pd.DataFrame({
        "survey_id": range(8),
        "city": ["Омск"] * 5 + ["Томск"] * 3,
        "surveyed_at": pd.to_datetime(
            ["2024-03-31 23:59", "2024-04-01 00:00", "2024-04-15 00:00", "2024-05-01 00:00", "2024-06-30 00:00",
             "2024-01-10 00:00", "2024-02-10 00:00", "2024-07-01 00:00"], utc=True),
        "q_design": [5, 4, 3, 2, NAN, 5, 5, 1],
        "q_recommend_partner": [5, 5, 4, 1, 3, NAN, 4, 5],
    })


def test_score_table_groups_by_dimension_and_computes_every_score():
    table = score_table(_surveys(), ["city"]).set_index(["city", "question"])
    omsk = table.loc[("Омск", "q_recommend_partner")]
    # answers 5,5,4,1,3: P=2, D=2 (top1), 3 of 5 are 4–5
    assert (omsk["n"], omsk["mean"], omsk["csat"], omsk["nps"]) == (5, 3.6, 60.0, 0.0)
    low, high = adjusted_wald_interval(2, 2, 5)
    assert (omsk["nps_low"], omsk["nps_high"]) == pytest.approx((low, high))
    assert not omsk["too_few"]
    tomsk_design = table.loc[("Томск", "q_design")]
    assert (tomsk_design["n"], tomsk_design["csat"]) == (3, pytest.approx(200 / 3))
    assert math.isnan(tomsk_design["nps"])  # NPS only for recommend questions
    assert tomsk_design["too_few"]


def test_too_few_flag_switches_at_min_answers():
    df = pd.DataFrame({"g": ["a"] * MIN_ANSWERS + ["b"] * (MIN_ANSWERS - 1),
                       "q_design": [5.0] * (2 * MIN_ANSWERS - 1)})
    table = score_table(df, ["g"]).set_index("g")
    assert not table.loc["a", "too_few"]
    assert table.loc["b", "too_few"]


def test_score_table_uses_ten_point_scale_when_recommend_answers_exceed_five():
    df = pd.DataFrame({"q_recommend_platform": [10, 9, 7, 3]})
    row = score_table(df).iloc[0]
    # P={10,9}, D={3}: 100·(2−1)/4 = 25; top-box on 0–10 is 9–10: 2 of 4
    assert (row["nps"], row["csat"]) == (25.0, 50.0)


def test_score_table_honours_per_row_scale_column():
    df = pd.DataFrame({"q_recommend_partner": [5, 5, 4, 4], "recommend_scale": ["5", "5", "10", "10"]})
    row = score_table(df).iloc[0]
    # 5-point fives are promoters; 4 on 0–10 is a detractor: 100·(2−2)/4 = 0
    assert row["nps"] == 0.0


def test_score_table_top2_scheme():
    row = score_table(_surveys(), ["city"], scheme="top2").set_index(["city", "question"]).loc[
        ("Омск", "q_recommend_partner")]
    # 5,5,4 promoters, 1 detractor, 3 passive: 100·(3−1)/5 = 40
    assert row["nps"] == 40.0


def test_score_table_agrees_with_scalar_functions():
    df = _surveys()
    table = score_table(df).set_index("question")
    for q in ("q_design", "q_recommend_partner"):
        assert table.loc[q, "mean"] == pytest.approx(mean_score(df[q]))
        assert table.loc[q, "csat"] == pytest.approx(csat(df[q]))
    assert table.loc["q_recommend_partner", "nps"] == pytest.approx(nps(df["q_recommend_partner"]))


def test_quarter_label_uses_utc_calendar_quarters():
    ts = pd.Series(pd.to_datetime(["2024-03-31T23:59:59+00:00", "2024-04-01T02:00:00+03:00"], utc=True))
    assert quarter_label(ts).tolist() == ["2024Q1", "2024Q1"]


def test_quarter_trend_splits_by_surveyed_at_quarter():
    trend = quarter_trend(_surveys(), ["city"])
    omsk = trend[(trend["city"] == "Омск") & (trend["question"] == "q_design")]
    # Q1: 5 (31.03 23:59); Q2: 4, 3, 2 (30.06 answer is NaN)
    assert omsk["quarter"].tolist() == ["2024Q1", "2024Q2"]
    assert omsk["n"].tolist() == [1, 3]
    assert omsk["mean"].tolist() == [5.0, 3.0]


def test_distribution_lists_every_answer_with_percent():
    dist = distribution(_surveys(), "q_design", ["city"])
    tomsk = dist[dist["city"] == "Томск"].set_index("answer")
    assert tomsk["count"].tolist() == [1, 0, 0, 0, 2]
    assert tomsk["pct"].tolist() == pytest.approx([100 / 3, 0, 0, 0, 200 / 3])
    assert dist.groupby("city")["pct"].sum().tolist() == pytest.approx([100.0, 100.0])


def test_distribution_without_dimensions():
    dist = distribution(_surveys(), "q_design").set_index("answer")
    # answered: 5,4,3,2,5,5,1 → 7 answers
    assert dist["count"].tolist() == [1, 1, 1, 1, 3]
