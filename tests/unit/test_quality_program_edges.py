"""Quality Program edge cases a mutation run of metrics/quality_program.py showed unchecked (issue 19, item 6).

Monitor results that are missing or unknown, optional columns (`version`, `comment`, `transferred_from`,
`activated_at`, `project_id`), a missing version number, text timestamps, boundaries of the points year
and of the balance instant, a transfer without `transferred_from`, licence keys linked through the
project's key, the competence decision of the first month of a history, and the exact columns and
integer types of the frames the pages read. Every expected value is written out from the dates in the test.
"""
from __future__ import annotations

import pandas as pd

from metrics.programs import (
    competence_history,
    competence_on,
    monitor_status,
    near_threshold,
    points_balance,
    points_ledger,
    submitted_versions,
)
from tests.unit.test_quality_program import (
    NO_SUBMISSIONS,
    keys_frame,
    monitor_frame,
    projects_frame,
    submitted_frame,
    ts,
)

SUBMITTED_COLUMNS = ["project_id", "version", "partner_id", "submitted_at", "transferred_from", "license_key",
                     "tests"]


# --- monitor ------------------------------------------------------------------------------------


def test_a_missing_or_unknown_result_neither_submits_nor_counts_as_failed_or_manual():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None), ("p2", 1, "A", "2024-03-11", None)])
    tests = monitor_frame(
        [
            ("p1", 1, "speed", "passed", None),
            ("p1", 1, "backup", None, None),  # no result recorded
            ("p2", 1, "speed", "passed", None),
            ("p2", 1, "backup", "skipped", None),  # a result the monitor does not know
        ]
    )
    status = monitor_status(projects, tests).set_index("project_id")
    assert status["submitted"].tolist() == [False, False]
    assert status["reason"].tolist() == ["unknown_result", "unknown_result"]
    assert status["failed"].tolist() == [0, 0]
    assert status["manual_without_comment"].tolist() == [0, 0]
    assert submitted_versions(projects, tests).empty


def test_counts_are_integers_and_a_passed_test_without_comment_is_not_a_bare_manual_one():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    tests = monitor_frame([("p1", 1, "speed", "passed", None), ("p1", 1, "backup", "failed", None)])
    status = monitor_status(projects, tests)
    counts = status[["tests", "failed", "manual_without_comment"]]
    assert counts.iloc[0].tolist() == [2, 1, 0]
    assert (counts.dtypes == "int64").all()


def test_a_one_character_comment_is_a_comment():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    tests = monitor_frame([("p1", 1, "backup", "manual", "-")])
    assert monitor_status(projects, tests).loc[0, "reason"] == "submitted"


def test_monitor_tests_without_a_comment_column_reject_a_manual_test():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None), ("p2", 1, "A", "2024-03-11", None)])
    tests = monitor_frame(
        [("p1", 1, "speed", "passed", None), ("p2", 1, "speed", "passed", None), ("p2", 1, "backup", "manual", None)]
    ).drop(columns="comment")
    status = monitor_status(projects, tests).set_index("project_id")
    assert status["reason"].to_dict() == {"p1": "submitted", "p2": "manual_without_comment"}


def test_a_missing_version_number_is_version_1_in_projects_and_in_monitor_tests():
    # version read from a file: text, and empty where the partner left it out
    projects = projects_frame([("p1", None, "A", "2024-03-10", None), ("p2", 2, "A", "2024-03-11", None)])
    tests = monitor_frame([("p1", None, "speed", "passed", None), ("p2", "2", "speed", "passed", None)])
    submitted = submitted_versions(projects, tests)
    assert submitted[["project_id", "version"]].values.tolist() == [["p1", 1], ["p2", 2]]
    assert submitted["version"].dtype == "int64"


def test_projects_without_a_version_column_are_all_version_1_whatever_their_row_labels():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None), ("p2", 1, "A", "2024-03-11", None)])
    projects = projects.drop(columns="version").set_axis([5, 7])
    tests = monitor_frame([("p1", 1, "speed", "passed", None), ("p2", 1, "speed", "passed", None)])
    submitted = submitted_versions(projects, tests)
    assert submitted["version"].tolist() == [1, 1]


def test_submitted_versions_have_the_documented_columns_and_utc_submission_instants():
    # submitted_at as text (a CSV load) and without transferred_from / license_key columns
    projects = pd.DataFrame({"project_id": ["p1"], "version": [1], "partner_id": ["A"],
                             "submitted_at": ["2024-03-10T12:00:00+03:00"]}).set_axis([4])
    tests = monitor_frame([("p1", 1, "speed", "passed", None)])
    submitted = submitted_versions(projects, tests)
    assert submitted.columns.tolist() == SUBMITTED_COLUMNS
    assert submitted.index.tolist() == [0]
    assert submitted.loc[0, "submitted_at"] == ts("2024-03-10 09:00")
    assert submitted[["transferred_from", "license_key"]].isna().all(axis=None)


# --- points -------------------------------------------------------------------------------------


def test_ledger_reports_the_version_of_every_award():
    projects = projects_frame([("p1", 1, "A", "2024-01-15", None), ("p1", 2, "A", "2024-06-01", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    assert ledger.columns.tolist() == ["partner_id", "project_id", "version", "earned_at", "expires_at", "points",
                                       "reason", "end_reason"]
    assert ledger["version"].tolist() == [1, 2]


def test_resubmission_exactly_one_year_later_finds_the_award_already_expired():
    projects = projects_frame([("p1", 1, "A", "2024-03-10 12:00", None), ("p1", 2, "A", "2025-03-10 12:00", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    assert ledger["expires_at"].tolist() == [ts("2025-03-10 12:00"), ts("2026-03-10 12:00")]
    assert ledger["end_reason"].tolist() == ["expired", "expired"]


def test_another_partners_first_submission_is_a_transfer_even_without_transferred_from():
    projects = projects_frame([("p1", 1, "A", "2024-01-10", None), ("p1", 2, "B", "2024-05-01", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]]).set_index("partner_id")
    assert ledger["reason"].to_dict() == {"A": "first_submission", "B": "transfer"}


def test_points_are_live_from_the_instant_they_are_earned():
    projects = projects_frame([("p1", 1, "A", "2024-03-10 12:00", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    assert points_balance(ledger, "2024-03-10 12:00")["points"].tolist() == [1]
    assert points_balance(ledger, "2024-03-10 11:59")["points"].tolist() == [0]


# --- competence ---------------------------------------------------------------------------------


def test_keys_without_activated_at_never_count():
    keys = keys_frame([("k1", "A", "2023-05-01", "2023-05-02", None)]).drop(columns="activated_at")
    assert competence_on("2024-03-01", keys, NO_SUBMISSIONS).loc[0, "keys"] == 0


def test_keys_without_project_id_are_linked_through_the_projects_license_key():
    keys = keys_frame([("k1", "A", "2023-05-01", "2023-05-02", None), ("k2", "A", "2023-05-01", "2023-05-02", None)])
    keys = keys.drop(columns="project_id")
    submitted = submitted_frame([("p1", "A", "2023-09-01")]).assign(license_key=["k2"])
    row = competence_on("2024-03-01", keys, submitted).iloc[0]
    assert (row["keys"], row["covered"], row["share"], row["held"]) == (2, 1, 0.5, True)


def test_license_key_link_holds_for_submitted_versions_and_any_row_labels():
    # the monitor's own frame: transferred_from is empty on every row
    projects = projects_frame([("p1", 1, "A", "2023-09-01", None), ("p2", 1, "A", "2023-09-02", None)])
    projects["license_key"] = ["k2", None]
    tests = monitor_frame([("p1", 1, "speed", "passed", None), ("p2", 1, "speed", "passed", None)])
    submitted = submitted_versions(projects, tests)
    keys = keys_frame(
        [("k1", "A", "2023-05-01", "2023-05-02", None), ("k2", "A", "2023-05-01", "2023-05-02", None),
         ("k3", "A", "2023-05-01", "2023-05-02", "p2")]
    ).set_axis([10, 11, 12])
    row = competence_on("2024-03-01", keys, submitted).iloc[0]
    assert (row["keys"], row["covered"]) == (3, 2)


def test_share_of_a_single_covered_key_is_one():
    keys = keys_frame([("k1", "A", "2023-05-01", "2023-05-02", "p1")])
    submitted = submitted_frame([("p1", "A", "2023-06-01")])
    assert competence_on("2024-03-01", keys, submitted).loc[0, "share"] == 1.0


def test_history_lists_partners_in_id_order_with_a_plain_row_index():
    keys = keys_frame([("kb", "B", "2023-05-01", "2023-05-02", None), ("ka", "A", "2023-05-01", "2023-05-02", None)])
    history = competence_history(keys, NO_SUBMISSIONS, "2024-03-01", "2024-04-01")
    assert history["partner_id"].tolist() == ["A", "B", "A", "B"]
    assert history.index.tolist() == [0, 1, 2, 3]


def test_first_month_of_a_history_compares_with_the_month_before_it():
    # k1 bought 2022-12-15: in the window of 2023-03-01 ([2022-01-01, 2023-01-01)) and of 2023-04-01,
    # not in that of 2023-02-01 ([2021-12-01, 2022-12-01)); A submitted p1 before all three
    keys = keys_frame([("k1", "A", "2022-12-15", "2022-12-16", "p1")])
    submitted = submitted_frame([("p1", "A", "2022-12-20")])
    assert competence_history(keys, submitted, "2023-03-01", "2023-03-01")["status"].tolist() == ["assigned"]
    assert competence_history(keys, submitted, "2023-04-01", "2023-04-01")["status"].tolist() == ["kept"]


def test_history_of_an_empty_period_has_the_columns_and_no_rows():
    keys = keys_frame([("k1", "A", "2023-05-01", "2023-05-02", "p1")])
    history = competence_history(keys, NO_SUBMISSIONS, "2024-05-01", "2024-03-01")
    assert history.empty
    assert history.columns.tolist() == ["partner_id", "month", "keys", "covered", "share", "held", "window_start",
                                        "window_end", "status"]


def test_near_threshold_uses_a_ten_point_band_by_default_and_keeps_one_key_partners():
    month = ts("2024-03-01")
    history = pd.DataFrame(
        {"partner_id": ["near", "far", "single"], "month": [month] * 3, "keys": [10, 4, 1], "covered": [6, 3, 1]}
    )
    history["share"] = history["covered"] / history["keys"]
    default = near_threshold(history, "2024-03-01")
    assert default["partner_id"].tolist() == ["near"]
    assert default.columns.tolist() == [*history.columns, "margin"]
    wide = near_threshold(history, "2024-03-01", band=0.5)
    assert wide["partner_id"].tolist() == ["near", "far", "single"]
    assert wide["margin"].tolist() == [1, 1, 0]
    assert wide.index.tolist() == [0, 1, 2]

