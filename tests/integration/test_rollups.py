"""survey_rollup and competence_history: built in the database, equal to direct pandas computations."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select

from metrics.programs import competence_history, submitted_versions
from metrics.survey import QUESTIONS, score_table
from reports.partner import distribution_from_counts, scores_from_counts
from store.frames import read_frame
from store.models import CompetenceHistoryRow, SurveyRollup
from store.rollups import refresh_competence_history, refresh_rollups, refresh_survey_rollup
from tests.integration.partner_db import insert_frames

UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def projects(*rows: tuple) -> pd.DataFrame:
    """(project_id, version, partner_id, submitted_at, category, transferred_from)."""
    frame = pd.DataFrame(rows, columns=["project_id", "version", "partner_id", "submitted_at", "category",
                                        "transferred_from"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    return frame


def surveys(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame["surveyed_at"] = pd.to_datetime(frame["surveyed_at"], utc=True, format="ISO8601")
    for column in (*QUESTIONS, "version"):
        frame[column] = pd.array(frame[column] if column in frame else [None] * len(frame), dtype="Int64")
    return frame


def rollup(engine) -> pd.DataFrame:
    with engine.begin() as conn:
        refresh_survey_rollup(conn)
        frame = read_frame(conn, select(SurveyRollup))
    return frame.sort_values(["partner_id", "quarter", "question", "answer"]).reset_index(drop=True)


def cells(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[["partner_id", "quarter", "question", "scale", "answer", "answers"]].itertuples(index=False))


def test_each_answer_counts_once_in_its_partner_quarter_question_cell(engine):
    insert_frames(engine, {
        "projects": projects(("P1", 1, "A", "2024-01-10", "eshop", None), ("P2", 1, "B", "2024-01-10", None, None)),
        "surveys": surveys(
            {"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-02-01 10:00", "q_design": 5},
            {"survey_id": "s2", "project_id": "P1", "surveyed_at": "2024-02-02 10:00", "q_design": 5},
            {"survey_id": "s3", "project_id": "P1", "surveyed_at": "2024-02-03 10:00", "q_design": 3},
            {"survey_id": "s4", "project_id": "P2", "surveyed_at": "2024-05-03 10:00", "q_design": 3},
        ),
    })
    assert cells(rollup(engine)) == {("A", "2024Q1", "q_design", 5, 5, 2), ("A", "2024Q1", "q_design", 5, 3, 1),
                                     ("B", "2024Q2", "q_design", 5, 3, 1)}


def test_empty_answers_are_not_counted(engine):
    insert_frames(engine, {
        "projects": projects(("P1", 1, "A", "2024-01-10", "eshop", None)),
        "surveys": surveys({"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-02-01", "q_budget": 4}),
    })
    assert rollup(engine)["question"].tolist() == ["q_budget"]


def test_category_and_industry_are_kept_and_missing_ones_stored_empty(engine):
    frame = projects(("P1", 1, "A", "2024-01-10", "eshop", None), ("P2", 1, "A", "2024-01-10", None, None))
    frame["industry"] = ["retail", None]
    insert_frames(engine, {
        "projects": frame,
        "surveys": surveys({"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-02-01", "q_speed": 4},
                           {"survey_id": "s2", "project_id": "P2", "surveyed_at": "2024-02-01", "q_speed": 4}),
    })
    got = rollup(engine)
    assert set(zip(got["category"], got["industry"])) == {("eshop", "retail"), ("", "")}


def test_quarter_is_the_utc_calendar_quarter(engine):
    insert_frames(engine, {
        "projects": projects(("P1", 1, "A", "2023-01-10", None, None)),
        "surveys": surveys(
            # 31 March 23:30 UTC (1 April 02:30 in Moscow) is still Q1
            {"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-03-31 23:30", "q_design": 5},
            {"survey_id": "s2", "project_id": "P1", "surveyed_at": "2024-01-01 00:00", "q_design": 5},
            {"survey_id": "s3", "project_id": "P1", "surveyed_at": "2024-04-01 00:00", "q_design": 5},
        ),
    })
    assert cells(rollup(engine)) == {("A", "2024Q1", "q_design", 5, 5, 2), ("A", "2024Q2", "q_design", 5, 5, 1)}


def test_survey_without_version_belongs_to_the_version_submitted_by_then(engine):
    # P1 v1 by A, transferred to B who submitted v2 in May (seed 000: a transferred project is re-submitted)
    insert_frames(engine, {
        "projects": projects(("P1", 1, "A", "2024-01-10", None, None), ("P1", 2, "B", "2024-05-10", None, "A")),
        "surveys": surveys(
            {"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-03-01", "q_design": 4},
            {"survey_id": "s2", "project_id": "P1", "surveyed_at": "2024-06-01", "q_design": 2},
            {"survey_id": "s3", "project_id": "P1", "surveyed_at": "2024-06-01", "q_design": 5, "version": 1},
        ),
    })
    assert cells(rollup(engine)) == {("A", "2024Q1", "q_design", 5, 4, 1), ("B", "2024Q2", "q_design", 5, 2, 1),
                                     ("A", "2024Q2", "q_design", 5, 5, 1)}


def test_ten_point_recommend_answers_keep_their_scale_and_other_questions_stay_five_point(engine):
    frame = surveys({"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-02-01",
                     "q_recommend_partner": 9, "q_design": 4})
    frame["recommend_scale"] = 10
    insert_frames(engine, {"projects": projects(("P1", 1, "A", "2024-01-10", None, None)), "surveys": frame})
    assert cells(rollup(engine)) == {("A", "2024Q1", "q_recommend_partner", 10, 9, 1),
                                     ("A", "2024Q1", "q_design", 5, 4, 1)}


def test_refresh_replaces_the_rollup_instead_of_adding_to_it(engine):
    insert_frames(engine, {
        "projects": projects(("P1", 1, "A", "2024-01-10", None, None)),
        "surveys": surveys({"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-02-01", "q_design": 4}),
    })
    rollup(engine)
    assert rollup(engine)["answers"].tolist() == [1]


def test_scores_from_rollup_counts_equal_score_table_of_the_surveys(engine):
    rng = np.random.default_rng(7)
    n = 120
    frame = pd.DataFrame({"survey_id": [f"s{i}" for i in range(n)],
                          "project_id": rng.choice(["P1", "P2", "P3"], n),
                          "surveyed_at": pd.Timestamp("2024-01-01", tz=UTC)
                          + pd.to_timedelta(rng.integers(0, 400, n), unit="D")})
    for column in QUESTIONS:
        values = rng.integers(1, 6, n).astype(float)
        values[rng.random(n) < 0.1] = np.nan
        frame[column] = pd.array(values, dtype="Int64")
    insert_frames(engine, {"projects": projects(("P1", 1, "A", "2023-01-10", None, None),
                                                ("P2", 1, "A", "2023-01-10", None, None),
                                                ("P3", 1, "B", "2023-01-10", None, None)),
                           "surveys": frame})
    counts = rollup(engine)
    direct = score_table(frame.assign(partner_id=frame["project_id"].map({"P1": "A", "P2": "A", "P3": "B"}),
                                      **{c: frame[c].astype(float) for c in QUESTIONS}),
                         by=["partner_id", "quarter"], scale="5")
    from_counts = scores_from_counts(counts, by=["partner_id", "quarter"])
    columns = ["partner_id", "quarter", "question", "n", "mean", "csat", "promoters", "detractors", "nps",
               "nps_low", "nps_high", "too_few"]
    pd.testing.assert_frame_equal(from_counts[columns].reset_index(drop=True),
                                  direct[columns].reset_index(drop=True), check_dtype=False)


def test_distribution_from_counts_lists_every_answer_value_with_its_share():
    counts = pd.DataFrame({"question": ["q_design"] * 2, "scale": [5, 5], "answer": [5, 3], "answers": [3, 1]})
    got = distribution_from_counts(counts)
    assert got["answer"].tolist() == [1, 2, 3, 4, 5]
    assert got["count"].tolist() == [0, 0, 1, 0, 3]
    assert got["pct"].tolist() == [0.0, 0.0, 25.0, 0.0, 75.0]


def test_competence_history_table_holds_the_monthly_decisions_with_their_numbers(engine):
    keys = pd.DataFrame({
        "key": ["k1", "k2", "k3"], "partner_id": ["A", "A", "A"],
        "purchased_at": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-10"], utc=True),
        "activated_at": pd.to_datetime(["2024-01-06", "2024-01-21", "2024-02-11"], utc=True),
        "project_id": ["P1", "P2", None],
    })
    tests = pd.DataFrame({"project_id": ["P1", "P2"], "version": [1, 1], "test": ["t", "t"],
                          "result": ["passed", "failed"], "comment": [None, None]})
    insert_frames(engine, {"projects": projects(("P1", 1, "A", "2024-01-10", None, None),
                                                ("P2", 1, "A", "2024-01-25", None, None)),
                           "license_keys": keys, "monitor_tests": tests})
    with engine.begin() as conn:
        refresh_competence_history(conn, now=ts("2024-05-15"))
        stored = read_frame(conn, select(CompetenceHistoryRow).order_by(CompetenceHistoryRow.month))
    # history starts on the first 1st a key can count (5 Jan + 2 months → 1 Apr);
    # 1 Apr: keys bought in [1 Feb 2023, 1 Feb 2024) = k1, k2, one covered (50 % → held);
    # 1 May: [1 Mar 2023, 1 Mar 2024) = k1, k2, k3, one covered → revoked
    assert stored["month"].dt.strftime("%Y-%m-%d").tolist() == ["2024-04-01", "2024-05-01"]
    assert stored["keys"].tolist() == [2, 3]
    assert stored["covered"].tolist() == [1, 1]
    assert stored["status"].tolist() == ["assigned", "revoked"]
    assert stored["window_start"].tolist() == [pd.Timestamp("2023-02-01"), pd.Timestamp("2023-03-01")]


def test_refresh_rollups_refreshes_only_what_the_loaded_kinds_change(engine):
    insert_frames(engine, {
        "projects": projects(("P1", 1, "A", "2024-01-10", None, None)),
        "surveys": surveys({"survey_id": "s1", "project_id": "P1", "surveyed_at": "2024-02-01", "q_design": 4}),
    })
    with engine.begin() as conn:
        refresh_rollups(conn, ["deposits"])
        untouched = read_frame(conn, select(SurveyRollup))
        refresh_rollups(conn, ["surveys"])
        refreshed = read_frame(conn, select(SurveyRollup))
    assert (len(untouched), len(refreshed)) == (0, 1)


def test_stored_competence_history_equals_the_metric_and_counts_a_commented_manual_test(engine):
    keys = pd.DataFrame({"key": ["k1"], "partner_id": ["A"], "purchased_at": [ts("2024-01-05")],
                         "activated_at": [ts("2024-01-06")], "project_id": ["P1"]})
    tests = pd.DataFrame({"project_id": ["P1"], "version": [1], "test": ["t"], "result": ["manual"],
                          "comment": ["captcha blocks the automatic test"]})
    project_rows = projects(("P1", 1, "A", "2024-01-10", None, None))
    insert_frames(engine, {"projects": project_rows, "license_keys": keys, "monitor_tests": tests})
    with engine.begin() as conn:
        refresh_competence_history(conn, now=ts("2024-12-31"))
        stored = read_frame(conn, select(CompetenceHistoryRow).order_by(CompetenceHistoryRow.month))
    expected = competence_history(keys, submitted_versions(project_rows, tests), ts("2024-03-05"), ts("2024-12-31"))
    assert stored["status"].tolist() == expected["status"].tolist()
    assert stored["held"].tolist() == expected["held"].tolist()
    assert stored["status"].tolist()[:2] == ["assigned", "kept"]


def test_the_comparison_cells_summed_in_the_database_equal_those_of_the_answer_counts(engine):
    """`survey_question_rollup` holds per partner × quarter × question what `metrics.privacy.cells_from_counts`
    computes from the answer counts (both NPS schemes, 5- and 10-point recommend answers, empty answers, two
    categories of one partner's cell): a comparison reads the same cells from either."""
    from metrics.privacy import cells_from_counts
    from store.partner_queries import comparison_counts
    from store.models import Partner

    rng = np.random.default_rng(14)
    rows = []
    for i in range(120):
        ten = i % 3 == 0
        answers = {q: (None if rng.random() < 0.15 else int(rng.integers(1, 6))) for q in QUESTIONS}
        for q in ("q_recommend_partner", "q_recommend_platform"):
            if ten and answers[q] is not None:
                answers[q] = int(rng.integers(0, 11))
        rows.append({"survey_id": f"s{i}", "project_id": f"P{i % 4}", "recommend_scale": 10 if ten else 5,
                     "surveyed_at": f"2024-{1 + i % 9:02d}-{1 + i % 27:02d} 10:00", **answers})
    insert_frames(engine, {
        "partners": pd.DataFrame({"partner_id": ["A", "B"], "name": ["A", "B"], "city": ["Омск", "Томск"],
                                  "region": ["Сибирь", "Сибирь"], "country": ["RU", "RU"]}),
        "projects": projects(("P0", 1, "A", "2023-12-10", "eshop", None), ("P1", 1, "A", "2023-12-10", None, None),
                             ("P2", 1, "B", "2023-12-10", "corp", None), ("P3", 1, "B", "2023-12-10", "eshop", None)),
        "surveys": surveys(*rows),
    })
    with engine.begin() as conn:
        refresh_survey_rollup(conn)
        counts = read_frame(conn, select(SurveyRollup))
        quarters = sorted(counts["quarter"].unique())
        sums = comparison_counts(conn, quarters, list(QUESTIONS), countries=["RU"])
        assert conn.execute(select(Partner.partner_id)).scalars().all()  # the join to the partners holds both
    assert set(sums["partner_id"]) == {"A", "B"} and len(sums) > 40
    for question in QUESTIONS:
        for scheme in ("top1", "top2"):
            expected = cells_from_counts(counts, question, scheme)
            got = (cells_from_counts(sums, question, scheme).sort_values(["partner_id", "quarter"])
                   .reset_index(drop=True))
            assert len(expected) > 0
            pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)
