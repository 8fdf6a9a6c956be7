"""KKV enterprise competence rules of seed 001."""

from __future__ import annotations

import pandas as pd

from metrics.programs import (
    kkv_points_by_source,
    kkv_public_list,
    kkv_status,
    overdue_progress_reports,
)


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


def test_kkv_status_classifies_validity_and_renewal_deadline():
    partners = pd.DataFrame(
        {
            "partner_id": ["A", "B", "C", "D", "E", "F"],
            "kkv_level": ["basic", "Extended", "extended", "basic", "none", "basic"],
            "kkv_valid_until": pd.to_datetime(
                ["2025-06-30", "2025-01-20", "2025-01-10", "2024-12-31", None, None], utc=True
            ),
        }
    )
    status = kkv_status(partners, "2025-01-01").set_index("partner_id")
    assert status["status"].to_dict() == {
        "A": "valid",  # 180 days left
        "B": "expiring",  # 19 days left, request due 2025-01-06 still ahead
        "C": "expiring",  # 9 days left, request was due 2024-12-27
        "D": "expired",
        "E": "none",
        "F": "unknown",
    }
    assert status.loc["A", "renewal_request_due"] == ts("2025-06-16")
    assert status.loc["A", "days_left"] == 180
    assert status["renewal_overdue"].to_dict() == {
        "A": False,
        "B": False,
        "C": True,
        "D": False,
        "E": False,
        "F": False,
    }
    assert status.loc["B", "kkv_level"] == "extended"


def test_progress_report_is_overdue_after_two_months_since_last_report_or_submission():
    projects = pd.DataFrame(
        {
            "project_id": ["p1", "p2", "p3", "p4", "p5", "p5", "p6"],
            "version": [1, 1, 1, 1, 1, 2, 1],
            "partner_id": ["A", "A", "B", "B", "C", "C", "C"],
            "submitted_at": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01",
                    "2024-03-01",
                    "2024-05-01",
                    "2023-01-01",
                    "2024-05-20",
                    "2024-01-01",
                ],
                utc=True,
            ),
        }
    )
    reports = pd.DataFrame(
        {
            "project_id": ["p1", "p1", "p2", "p6"],
            "reported_at": pd.to_datetime(["2024-03-01", "2024-05-01", "2024-04-10", "2024-04-15"], utc=True),
        }
    )
    result = overdue_progress_reports(projects, reports, "2024-06-15").set_index("project_id")
    assert result["overdue"].to_dict() == {
        "p1": False,  # last report 05-01, due 07-01
        "p2": True,  # last report 04-10, due 06-10
        "p3": True,  # no report, submitted 03-01, due 05-01
        "p4": False,  # no report, submitted 05-01
        "p5": False,  # clock runs from the latest version (05-20)
        "p6": False,  # due exactly today: not yet overdue
    }
    assert result.loc["p2", "days_overdue"] == 5
    assert result.loc["p3", "days_overdue"] == 45
    assert result.loc["p3", "next_report_due"] == ts("2024-05-01")
    assert result.index[:2].tolist() == ["p3", "p2"]  # most overdue first


def test_enterprise_flag_restricts_watched_projects_when_present():
    projects = pd.DataFrame(
        {
            "project_id": ["p1", "p2"],
            "partner_id": ["A", "A"],
            "submitted_at": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
            "enterprise": [True, False],
        }
    )
    reports = pd.DataFrame({"project_id": [], "reported_at": pd.to_datetime([], utc=True)})
    assert overdue_progress_reports(projects, reports, "2024-06-15")["project_id"].tolist() == ["p1"]


def test_kkv_points_are_summed_per_source():
    points = pd.DataFrame(
        {
            "partner_id": ["A", "A", "A", "B"],
            "earned_at": pd.to_datetime(["2024-01-01"] * 4, utc=True),
            "source": ["sales", "projects", "Projects", "marketing"],
            "points": [10, 5, 3, 7],
        }
    )
    table = kkv_points_by_source(points)
    assert table.columns.tolist() == ["partner_id", "sales", "projects", "marketing", "total"]
    assert table.values.tolist() == [["A", 10, 8, 0, 18], ["B", 0, 0, 7, 7]]


PARTNERS = pd.DataFrame(
    {
        "partner_id": ["A", "B", "C", "D", "E"],
        "name": ["Alfa", "Beta", "Gamma", "Delta", "Epsilon"],
        "city": ["Almaty"] * 5,
        "kkv_level": ["extended", "extended", "basic", "extended", "extended"],
        "kkv_valid_until": pd.to_datetime(
            ["2025-06-01", "2025-06-01", "2025-06-01", "2024-12-01", "2025-06-01"], utc=True
        ),
    }
)
PROJECTS = pd.DataFrame(
    {
        "project_id": ["a1", "b1", "b2", "c1", "e1"],
        "partner_id": ["A", "B", "B", "C", "E"],
        "submitted_at": pd.to_datetime(["2024-01-01"] * 5, utc=True),
        "category": ["crm", "eshop", "crm", "crm", "crm"],
        "industry": ["finance", "retail", "finance", "retail", "retail"],
    }
)
POINTS = pd.DataFrame(
    {
        "partner_id": ["A", "B", "C", "D"],
        "earned_at": pd.to_datetime(["2024-01-01"] * 4, utc=True),
        "source": ["sales"] * 4,
        "points": [10, 30, 100, 50],
    }
)


def test_public_list_shows_valid_extended_partners_by_points_descending():
    listed = kkv_public_list(PARTNERS, PROJECTS, POINTS, today="2025-01-01")
    # C is basic, D expired; E has no points
    assert listed["partner_id"].tolist() == ["B", "A", "E"]
    assert listed["kkv_points"].tolist() == [30, 10, 0]
    assert listed["place"].tolist() == [1, 2, 3]
    assert listed.loc[0, "categories"] == "crm, eshop"


def test_public_list_category_filter_needs_one_project_in_the_category():
    listed = kkv_public_list(PARTNERS, PROJECTS, POINTS, category="CRM", today="2025-01-01")
    assert listed["partner_id"].tolist() == ["B", "A", "E"]
    eshop = kkv_public_list(PARTNERS, PROJECTS, POINTS, category="eshop", today="2025-01-01")
    assert eshop["partner_id"].tolist() == ["B"]


def test_public_list_category_and_industry_must_match_the_same_project():
    # B has a CRM project (finance) and a retail project (e-shop), but no CRM in retail
    listed = kkv_public_list(
        PARTNERS, PROJECTS, POINTS, category="crm", industry="retail", today="2025-01-01"
    )
    assert listed["partner_id"].tolist() == ["E"]


# ------------------------------------------------------------------ edges a mutation run showed unchecked (issue 19)
def test_kkv_status_at_the_exact_expiry_renewal_and_warning_instants():
    partners = pd.DataFrame({
        "partner_id": ["today", "due today", "in 30 days", "in 31 days", "no level"],
        "kkv_level": ["basic", "basic", "extended", "basic", None],
        "kkv_valid_until": pd.to_datetime(["2025-01-01", "2025-01-15", "2025-01-31", "2025-02-01", "2025-06-01"],
                                          utc=True),
    })
    status = kkv_status(partners, "2025-01-01").set_index("partner_id")
    # expiring on its last valid instant; the request deadline is passed 14 days before it
    assert status["status"].tolist() == ["expiring", "expiring", "expiring", "valid", "none"]
    assert status["days_left"].tolist() == [0, 14, 30, 31, 151]
    assert status["renewal_overdue"].tolist() == [True, False, False, False, False]
    assert status["kkv_level"].tolist() == ["basic", "basic", "extended", "basic", "none"]
    assert status.reset_index().columns.tolist() == ["partner_id", "kkv_level", "kkv_valid_until",
                                                     "renewal_request_due", "days_left", "status",
                                                     "renewal_overdue"]


def test_kkv_status_without_level_or_validity_columns():
    partners = pd.DataFrame({"partner_id": ["A", "B"], "kkv_level": ["basic", "extended"]}, index=[7, 9])
    assert kkv_status(partners, "2025-01-01")["status"].tolist() == ["unknown", "unknown"]
    no_level = pd.DataFrame({"partner_id": ["A", "B"]}, index=[7, 9])
    status = kkv_status(no_level, "2025-01-01")
    assert status["status"].tolist() == ["none", "none"]
    assert status["kkv_level"].tolist() == ["none", "none"]


def test_enterprise_flag_missing_counts_as_not_enterprise():
    projects = pd.DataFrame({
        "project_id": ["p1", "p2"], "partner_id": ["A", "A"],
        "submitted_at": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True),
        "enterprise": [True, None],
    })
    reports = pd.DataFrame({"project_id": [], "reported_at": pd.to_datetime([], utc=True)})
    assert overdue_progress_reports(projects, reports, "2024-06-15")["project_id"].tolist() == ["p1"]


def test_overdue_reports_ties_by_project_id_and_zero_days_when_not_due():
    projects = pd.DataFrame({
        "project_id": ["p9", "p2", "p5"], "partner_id": ["A", "B", "C"],
        "submitted_at": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-06-01"], utc=True),
    })
    reports = pd.DataFrame({"project_id": [], "reported_at": pd.to_datetime([], utc=True)})
    result = overdue_progress_reports(projects, reports, "2024-06-15")
    # p9 and p2 both due 05-01, 45 days overdue: by project id; p5 due 08-01, not overdue
    assert result["project_id"].tolist() == ["p2", "p9", "p5"]
    assert result["days_overdue"].tolist() == [45, 45, 0]
    assert result["days_overdue"].dtype == "int64"
    assert result.index.tolist() == [0, 1, 2]
    assert result.columns.tolist() == ["project_id", "partner_id", "last_report_at", "last_event_at",
                                       "next_report_due", "overdue", "days_overdue"]


def test_kkv_points_source_nobody_earned_is_zero_and_ties_go_by_partner_id():
    points = pd.DataFrame({"partner_id": ["B", "A", "C"], "source": ["sales", "projects", "sales"],
                           "points": [5, 5, 9]})
    table = kkv_points_by_source(points)
    assert table.values.tolist() == [["C", 9, 0, 0, 9], ["A", 0, 5, 0, 5], ["B", 5, 0, 0, 5]]
    assert table.index.tolist() == [0, 1, 2]


def test_public_list_lists_expiring_partners_and_partners_without_projects():
    partners = pd.DataFrame({
        "partner_id": ["X", "Y", "Z"], "name": ["Same", "Same", "Other"], "city": ["Omsk", "Tomsk", "Omsk"],
        "kkv_level": ["extended"] * 3,
        "kkv_valid_until": pd.to_datetime(["2025-01-10", "2025-06-01", "2025-06-01"], utc=True),
    })
    projects = pd.DataFrame({"project_id": ["x1"], "partner_id": ["X"], "category": ["crm"],
                             "industry": [None]})
    points = pd.DataFrame({"partner_id": ["X", "Y", "Z"], "source": ["sales"] * 3, "points": [5, 5, 5]})
    listed = kkv_public_list(partners, projects, points, today="2025-01-01")
    # X expires in 9 days (still listed); equal points → by name, Other before Same; then by id
    assert listed["partner_id"].tolist() == ["Z", "X", "Y"]
    assert listed["categories"].tolist() == ["", "crm", ""]  # X's project has no industry: its category counts
    assert listed.columns.tolist() == ["place", "partner_id", "name", "city", "kkv_points", "categories"]
    assert listed["city"].tolist() == ["Omsk", "Omsk", "Tomsk"]
    no_category = kkv_public_list(partners, projects.drop(columns=["category", "industry"]), points,
                                  today="2025-01-01")
    assert no_category["categories"].tolist() == ["", "", ""]
