"""Quality Program rules of seed 000: monitor submission, points, monthly competence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.programs import (
    competence_history,
    competence_on,
    monitor_status,
    near_threshold,
    points_balance,
    points_ledger,
    submitted_versions,
)


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


def projects_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (project_id, version, partner_id, submitted_at, transferred_from)."""
    frame = pd.DataFrame(
        rows, columns=["project_id", "version", "partner_id", "submitted_at", "transferred_from"]
    )
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    return frame


def monitor_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (project_id, version, test, result, comment)."""
    return pd.DataFrame(rows, columns=["project_id", "version", "test", "result", "comment"])


# --- monitor submission -------------------------------------------------------------------------


def test_version_with_all_tests_passed_is_submitted():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    tests = monitor_frame([("p1", 1, "speed", "passed", None), ("p1", 1, "security", "passed", None)])
    status = monitor_status(projects, tests)
    assert status.loc[0, "submitted"]
    assert status.loc[0, "tests"] == 2
    assert status.loc[0, "reason"] == "submitted"


def test_manual_monitor_test_with_comment_counts_as_passed():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    tests = monitor_frame(
        [("p1", 1, "speed", "passed", None), ("p1", 1, "backup", "manual", "backups by hoster")]
    )
    assert monitor_status(projects, tests).loc[0, "submitted"]


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_manual_monitor_test_without_comment_is_rejected(comment):
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    tests = monitor_frame([("p1", 1, "speed", "passed", None), ("p1", 1, "backup", "manual", comment)])
    status = monitor_status(projects, tests)
    assert not status.loc[0, "submitted"]
    assert status.loc[0, "reason"] == "manual_without_comment"
    assert submitted_versions(projects, tests).empty


def test_failed_test_rejects_the_version():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    tests = monitor_frame([("p1", 1, "speed", "failed", None), ("p1", 1, "backup", "passed", None)])
    status = monitor_status(projects, tests)
    assert not status.loc[0, "submitted"]
    assert status.loc[0, "reason"] == "failed_tests"


def test_version_without_any_test_is_not_submitted():
    projects = projects_frame([("p1", 1, "A", "2024-03-10", None)])
    status = monitor_status(projects, monitor_frame([("other", 1, "speed", "passed", None)]))
    assert status.loc[0, "tests"] == 0
    assert status.loc[0, "reason"] == "no_tests"


def test_tests_are_matched_to_their_own_version():
    projects = projects_frame([("p1", 1, "A", "2024-01-10", None), ("p1", 2, "A", "2024-06-10", None)])
    tests = monitor_frame([("p1", 1, "speed", "passed", None), ("p1", 2, "speed", "failed", None)])
    submitted = submitted_versions(projects, tests)
    assert submitted[["project_id", "version"]].values.tolist() == [["p1", 1]]
    assert submitted.loc[0, "submitted_at"] == ts("2024-01-10")


def test_missing_version_defaults_to_1():
    projects = projects_frame([("p1", 1, "A", "2024-01-10", None)]).drop(columns="version")
    tests = monitor_frame([("p1", 1, "speed", "PASSED ", None)])
    assert submitted_versions(projects, tests)["version"].tolist() == [1]


# --- points -------------------------------------------------------------------------------------


def test_points_are_valid_one_year_from_submission():
    projects = projects_frame([("p1", 1, "A", "2024-03-10 12:00", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    row = ledger.iloc[0]
    assert (row.partner_id, row.earned_at, row.expires_at) == (
        "A",
        ts("2024-03-10 12:00"),
        ts("2025-03-10 12:00"),
    )
    assert (row.points, row.reason, row.end_reason) == (1, "first_submission", "expired")
    assert points_balance(ledger, "2025-03-10 11:59")["points"].tolist() == [1]
    assert points_balance(ledger, "2025-03-10 12:00")["points"].tolist() == [0]


def test_new_version_restarts_the_year_and_ends_the_previous_award():
    projects = projects_frame([("p1", 1, "A", "2024-01-15", None), ("p1", 2, "A", "2024-06-01", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    assert ledger["expires_at"].tolist() == [ts("2024-06-01"), ts("2025-06-01")]
    assert ledger["reason"].tolist() == ["first_submission", "new_version"]
    assert ledger["end_reason"].tolist() == ["superseded", "expired"]
    # the project carries one live award, not two
    assert points_balance(ledger, "2024-07-01")["points"].tolist() == [1]
    assert points_balance(ledger, "2025-05-31")["points"].tolist() == [1]
    assert points_balance(ledger, "2025-06-01")["points"].tolist() == [0]


def test_transferred_project_earns_points_for_new_partner_and_first_partner_keeps_its_own():
    projects = projects_frame([("p1", 1, "A", "2024-01-10", None), ("p1", 2, "B", "2024-05-01", "A")])
    ledger = points_ledger(projects, projects[["project_id", "version"]]).set_index("partner_id")
    assert ledger.loc["A", "expires_at"] == ts("2025-01-10")  # not cut by B's submission
    assert ledger.loc["B", "reason"] == "transfer"
    assert ledger.loc["B", "expires_at"] == ts("2025-05-01")
    balance = points_balance(ledger.reset_index(), "2024-06-01").set_index("partner_id")["points"]
    assert balance.to_dict() == {"A": 1, "B": 1}
    later = points_balance(ledger.reset_index(), "2025-02-01").set_index("partner_id")["points"]
    assert later.to_dict() == {"A": 0, "B": 1}


def test_only_submitted_versions_earn_points_and_amount_is_configurable():
    projects = projects_frame([("p1", 1, "A", "2024-01-10", None), ("p2", 1, "A", "2024-02-10", None)])
    ledger = points_ledger(
        projects, pd.DataFrame({"project_id": ["p2"], "version": [1]}), points_per_version=5
    )
    assert ledger["project_id"].tolist() == ["p2"]
    assert points_balance(ledger, "2024-03-01")["points"].tolist() == [5]


def test_balance_reports_earliest_expiry_of_live_points():
    projects = projects_frame([("p1", 1, "A", "2024-01-10", None), ("p2", 1, "A", "2024-02-20", None)])
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    balance = points_balance(ledger, "2024-03-01").iloc[0]
    assert (balance.points, balance.next_expires_at) == (2, ts("2025-01-10"))


# --- competence ---------------------------------------------------------------------------------


def keys_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (key, partner_id, purchased_at, activated_at, project_id)."""
    frame = pd.DataFrame(rows, columns=["key", "partner_id", "purchased_at", "activated_at", "project_id"])
    for column in ("purchased_at", "activated_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def submitted_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (project_id, partner_id, submitted_at)."""
    frame = pd.DataFrame(rows, columns=["project_id", "partner_id", "submitted_at"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True, format="ISO8601")
    return frame


NO_SUBMISSIONS = submitted_frame([])


def test_window_includes_key_bought_exactly_14_months_before_and_excludes_exactly_2_months():
    # d = 2024-03-01: window [2023-01-01 00:00, 2024-01-01 00:00)
    keys = keys_frame(
        [
            ("k14", "A", "2023-01-01 00:00", "2023-01-05", None),  # exactly 14 months: in
            ("k2", "A", "2024-01-01 00:00", "2024-01-05", None),  # exactly 2 months: out
            ("before", "A", "2022-12-31 23:59", "2023-01-05", None),  # out
            ("last", "A", "2023-12-31 23:59", "2024-01-05", None),  # in
        ]
    )
    row = competence_on("2024-03-01", keys, NO_SUBMISSIONS).iloc[0]
    assert row["keys"] == 2
    assert (row.window_start, row.window_end) == (ts("2023-01-01"), ts("2024-01-01"))


def test_only_keys_activated_by_the_decision_day_count():
    keys = keys_frame(
        [
            ("never", "A", "2023-05-01", None, None),
            ("late", "A", "2023-05-01", "2024-03-01 00:00:01", None),
            ("on_time", "A", "2023-05-01", "2024-03-01 00:00", None),
        ]
    )
    assert competence_on("2024-03-01", keys, NO_SUBMISSIONS).loc[0, "keys"] == 1


def test_key_is_covered_only_by_its_own_partners_submission_before_the_decision_day():
    keys = keys_frame(
        [
            ("k1", "A", "2023-05-01", "2023-05-02", "p1"),  # A submitted p1 -> covered
            ("k2", "A", "2023-05-01", "2023-05-02", "p2"),  # submitted after d -> not yet
            ("k3", "A", "2023-05-01", "2023-05-02", "p3"),  # only B (after transfer) submitted -> not A's
            ("k4", "A", "2023-05-01", "2023-05-02", None),  # no project
        ]
    )
    submitted = submitted_frame(
        [("p1", "A", "2023-09-01"), ("p2", "A", "2024-03-01"), ("p3", "B", "2023-10-01")]
    )
    row = competence_on("2024-03-01", keys, submitted).iloc[0]
    assert (row["keys"], row.covered, row.share, row.held) == (4, 1, 0.25, False)


def test_key_may_be_linked_through_the_projects_license_key():
    keys = keys_frame([("k1", "A", "2023-05-01", "2023-05-02", None)])
    submitted = submitted_frame([("p1", "A", "2023-09-01")]).assign(license_key=["k1"])
    assert competence_on("2024-03-01", keys, submitted).loc[0, "covered"] == 1


@pytest.mark.parametrize(
    ("n_keys", "n_covered", "held"), [(2, 1, True), (3, 1, False), (3, 2, True), (1, 0, False)]
)
def test_competence_is_held_from_fifty_percent_covered(n_keys, n_covered, held):
    keys = keys_frame([(f"k{i}", "A", "2023-05-01", "2023-05-02", f"p{i}") for i in range(n_keys)])
    submitted = submitted_frame([(f"p{i}", "A", "2023-06-01") for i in range(n_covered)])
    assert competence_on("2024-03-01", keys, submitted).loc[0, "held"] == held


def test_partner_with_zero_keys_in_window_does_not_hold_the_competence():
    keys = keys_frame([("old", "Z", "2020-01-01", "2020-01-02", "p1")])
    submitted = submitted_frame([("p1", "Z", "2020-02-01")])
    row = competence_on("2024-03-01", keys, submitted).iloc[0]
    assert (row.partner_id, row["keys"], row.covered, row.held) == ("Z", 0, 0, False)
    assert np.isnan(row.share)


def test_history_records_assignment_keeping_and_revocation_with_the_numbers():
    keys = keys_frame(
        [("k1", "A", "2023-01-15", "2023-02-01", "p1"), ("k9", "B", "2019-01-01", "2019-01-02", None)]
    )
    submitted = submitted_frame([("p1", "A", "2023-03-01")])
    history = competence_history(keys, submitted, "2023-03-01", "2023-04-01")
    a = history[history["partner_id"] == "A"]
    # 2023-03-01: window [2022-01-01, 2023-01-01) misses k1
    # 2023-04-01: window [2022-02-01, 2023-02-01) has it
    assert a["status"].tolist() == ["none", "assigned"]
    assert a["keys"].tolist() == [0, 1] and a["covered"].tolist() == [0, 1]
    late = competence_history(keys, submitted, "2024-02-01", "2024-05-01")
    a_late = late[late["partner_id"] == "A"]
    # k1 leaves the window on 2024-04-01 (window starts 2023-02-01)
    assert a_late["status"].tolist() == ["kept", "kept", "revoked", "none"]
    assert late[late["partner_id"] == "B"]["status"].unique().tolist() == ["none"]
    assert late["month"].unique().tolist() == [
        ts("2024-02-01"),
        ts("2024-03-01"),
        ts("2024-04-01"),
        ts("2024-05-01"),
    ]


def test_history_starts_at_the_next_first_of_month():
    keys = keys_frame([("k1", "A", "2023-01-15", "2023-02-01", None)])
    history = competence_history(keys, NO_SUBMISSIONS, "2024-02-15", "2024-04-01")
    assert history["month"].tolist() == [ts("2024-03-01"), ts("2024-04-01")]


def test_near_threshold_lists_partners_within_the_band_with_their_margin():
    month = ts("2024-03-01")
    history = pd.DataFrame(
        {
            "partner_id": ["exact", "short", "safe", "empty", "other_month"],
            "month": [month, month, month, month, ts("2024-02-01")],
            "keys": [4, 5, 4, 0, 2],
            "covered": [2, 2, 3, 0, 1],
        }
    )
    history["share"] = history["covered"] / history["keys"].where(history["keys"] > 0)
    near = near_threshold(history, "2024-03-01", band=0.1)
    assert near["partner_id"].tolist() == ["exact", "short"]
    assert near["margin"].tolist() == [0, -1]  # 2 of 4 holds with no slack; 2 of 5 needs one more


def test_competence_accepts_second_resolution_and_naive_timestamps():
    keys = keys_frame([("k1", "A", "2023-05-01", "2023-05-02", "p1")])
    keys["purchased_at"] = keys["purchased_at"].dt.tz_localize(None).astype("datetime64[s]")
    keys["activated_at"] = keys["activated_at"].dt.as_unit("us")
    submitted = submitted_frame([("p1", "A", "2023-09-01")])
    row = competence_on("2024-03-01", keys, submitted).iloc[0]
    assert (row["keys"], row["covered"], row["held"]) == (1, 1, True)


# --- properties against a plain-Python reference ------------------------------------------------

BASE = ts("2022-01-01")
day_offsets = st.integers(min_value=0, max_value=900)
key_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        day_offsets,
        st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
        st.one_of(st.none(), st.sampled_from(["p0", "p1", "p2", "p3"])),
    ),
    min_size=1,
    max_size=25,
)
submission_rows = st.lists(
    st.tuples(st.sampled_from(["p0", "p1", "p2", "p3"]), st.sampled_from(["A", "B", "C"]), day_offsets),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(rows=key_rows, subs=submission_rows, month=st.integers(min_value=0, max_value=30))
def test_competence_matches_a_key_by_key_reference(rows, subs, month):
    d = BASE + pd.DateOffset(months=month)
    keys = pd.DataFrame(
        {
            "key": [f"k{i}" for i in range(len(rows))],
            "partner_id": [r[0] for r in rows],
            "purchased_at": [BASE + pd.Timedelta(days=r[1]) for r in rows],
            "activated_at": [pd.NaT if r[2] is None else BASE + pd.Timedelta(days=r[1] + r[2]) for r in rows],
            "project_id": [r[3] for r in rows],
        }
    )
    submitted = pd.DataFrame(
        {
            "project_id": [s[0] for s in subs],
            "partner_id": [s[1] for s in subs],
            "submitted_at": pd.to_datetime([BASE + pd.Timedelta(days=s[2]) for s in subs], utc=True),
        }
    )
    expected = {}
    for key_partner, bought, lag, project in rows:
        purchased = BASE + pd.Timedelta(days=bought)
        activated = None if lag is None else purchased + pd.Timedelta(days=lag)
        in_window = d - pd.DateOffset(months=14) <= purchased < d - pd.DateOffset(months=2)
        counted = in_window and activated is not None and activated <= d
        covered = counted and any(
            p == project and who == key_partner and BASE + pd.Timedelta(days=at) < d for p, who, at in subs
        )
        keys_n, covered_n = expected.get(key_partner, (0, 0))
        expected[key_partner] = (keys_n + counted, covered_n + covered)
    result = competence_on(d, keys, submitted).set_index("partner_id")
    for key_partner, (keys_n, covered_n) in expected.items():
        assert (result.loc[key_partner, "keys"], result.loc[key_partner, "covered"]) == (keys_n, covered_n)
        assert result.loc[key_partner, "held"] == (keys_n > 0 and 2 * covered_n >= keys_n)


@settings(max_examples=60, deadline=None)
@given(
    versions=st.lists(
        st.tuples(st.sampled_from(["p0", "p1"]), st.sampled_from(["A", "B"]), day_offsets),
        min_size=1,
        max_size=10,
        unique_by=lambda v: v[2],
    ),
    probe=day_offsets,
)
def test_a_partner_never_holds_two_live_awards_for_one_project(versions, probe):
    projects = projects_frame(
        [
            (project, i + 1, partner, BASE + pd.Timedelta(days=day), None)
            for i, (project, partner, day) in enumerate(versions)
        ]
    )
    ledger = points_ledger(projects, projects[["project_id", "version"]])
    at = BASE + pd.Timedelta(days=probe)
    live = ledger[(ledger["earned_at"] <= at) & (ledger["expires_at"] > at)]
    assert not live.duplicated(["partner_id", "project_id"]).any()
    assert (ledger["expires_at"] <= ledger["earned_at"] + pd.DateOffset(years=1)).all()
