"""Survey metric edge cases a mutation run of metrics/survey.py showed unchecked (issue 19, item 6).

Answers given as plain lists with ``None`` (no answer), the default scale and scheme, the 6 that only
exists on the 0–10 scale, nothing answered, quarters of timestamps in another zone, a ``quarter`` column
given by the caller, categorical dimensions, row order, and ``quarter_trend`` passing its options on.
Every expected value is counted by hand in the comment next to it.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from metrics.survey import (
    csat,
    distribution,
    infer_scale,
    mean_score,
    nps,
    nps_counts,
    promoter_detractor_masks,
    quarter_label,
    quarter_trend,
    score_table,
    top_box_mask,
)


def test_a_six_only_exists_on_the_ten_point_scale():
    assert infer_scale([1, 6, 3]) == "10"
    assert infer_scale([5.0, 5.0]) == "5"


def test_none_in_a_plain_list_is_no_answer():
    answers = [5, None, 4, 1]
    assert infer_scale(answers) == "5"
    assert mean_score(answers) == pytest.approx(10 / 3)
    assert csat(answers) == pytest.approx(200 / 3)  # 5 and 4 of three answered
    assert top_box_mask(answers, "5").tolist() == [True, False, True, False]
    promoters, detractors = promoter_detractor_masks(answers, "top1", "5")
    assert promoters.tolist() == [True, False, False, False]
    assert detractors.tolist() == [False, False, False, True]


def test_defaults_are_top1_and_the_inferred_scale():
    # 0–10 answers without a scale: P = {10, 9}, passive = {8, 7}, D = {6, 0}
    assert nps_counts([10, 9, 8, 7, 6, 0]) == (2, 2, 6)
    promoters, detractors = promoter_detractor_masks(np.array([5.0, 4.0, 3.0]))  # top1 on 1–5
    assert promoters.tolist() == [True, False, False]
    assert detractors.tolist() == [False, False, True]


def test_unknown_scheme_error_names_it():
    with pytest.raises(ValueError, match="unknown NPS scheme 'top3'"):
        promoter_detractor_masks(np.array([5.0]), "top3")


def test_nothing_answered_gives_nan_scores_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no «Mean of empty slice» from numpy
        for empty in ([], [float("nan"), None]):
            assert math.isnan(csat(empty))
            assert math.isnan(nps(empty))
            assert math.isnan(mean_score(empty))
            assert nps_counts(empty) == (0, 0, 0)


def test_quarter_of_timestamps_in_another_zone_is_the_utc_quarter():
    # 01.04 02:00 in Moscow is 31.03 23:00 UTC: still Q1
    moscow = pd.Series(pd.to_datetime(["2024-04-01 02:00", "2024-04-01 04:00"]).tz_localize("Europe/Moscow"))
    assert quarter_label(moscow).tolist() == ["2024Q1", "2024Q2"]


def test_a_quarter_column_given_by_the_caller_is_used_as_is():
    # no surveyed_at at all: the caller's quarter column is the dimension
    df = pd.DataFrame({"quarter": ["2024Q2", "2024Q2", "2024Q3"], "q_design": [5.0, 3.0, 4.0]})
    table = score_table(df, ["quarter"])
    assert table["quarter"].tolist() == ["2024Q2", "2024Q3"]
    assert table["n"].tolist() == [2, 1]
    assert table["csat"].tolist() == [50.0, 100.0]


def test_satisfaction_of_five_point_questions_ignores_the_recommend_scale():
    # recommend answers on 0–10 (a 7 occurs); q_design 4 and 5 stay satisfied (2 of 3 = 66.7 %)
    df = pd.DataFrame({"q_design": [5.0, 4.0, 2.0], "q_recommend_partner": [7.0, 10.0, 9.0]})
    table = score_table(df).set_index("question")
    assert table.loc["q_design", "csat"] == pytest.approx(200 / 3)
    assert table.loc["q_recommend_partner", "csat"] == pytest.approx(200 / 3)  # 9–10 of 0–10
    assert math.isnan(table.loc["q_design", "nps_low"]) and math.isnan(table.loc["q_design", "nps_high"])
    same = score_table(df, scale="10").set_index("question")
    assert same.loc["q_design", "csat"] == pytest.approx(200 / 3)


def test_categorical_dimension_lists_only_groups_with_answers_in_sorted_order():
    df = pd.DataFrame({"city": pd.Categorical(["Томск", "Омск", "Томск"], categories=["Томск", "Омск", "Тара"]),
                       "q_design": [5.0, 4.0, 1.0]})
    table = score_table(df, ["city"])
    assert table["city"].astype(str).tolist() == ["Томск", "Омск"]  # category order, no empty «Тара»
    assert table["n"].tolist() == [2, 1]
    plain = score_table(df.assign(city=df["city"].astype(str)), ["city"])
    assert plain["city"].tolist() == ["Омск", "Томск"]  # sorted, not in order of appearance


def test_distribution_rows_name_their_question():
    df = pd.DataFrame({"q_design": [5.0, 4.0]})
    dist = distribution(df, "q_design")
    assert dist["question"].tolist() == ["q_design"] * 5
    assert dist["count"].tolist() == [0, 0, 0, 1, 1]


def test_quarter_trend_passes_scheme_and_scale_on_and_numbers_its_rows():
    df = pd.DataFrame({"surveyed_at": pd.to_datetime(["2024-05-10", "2024-05-11", "2024-08-10"], utc=True),
                       "q_recommend_partner": [5.0, 4.0, 3.0]})
    # as 0–10 answers all three are detractors: −100 in each quarter
    ten = quarter_trend(df, scale="10")
    assert ten["nps"].tolist() == [-100.0, -100.0]
    # top2 on 1–5: Q2 has 5 and 4 promoters → 100; Q3 a 3 is passive → 0
    top2 = quarter_trend(df, scheme="top2")
    assert top2["nps"].tolist() == [100.0, 0.0]
    assert top2.index.tolist() == [0, 1]
    assert list(top2.columns) == ["quarter", "question", "n", "mean", "promoters", "detractors", "csat", "nps",
                                  "nps_low", "nps_high", "too_few"]
