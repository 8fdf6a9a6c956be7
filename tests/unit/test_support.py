"""Meeting metrics (seed 004, SPEC §6) on small hand-made tickets and worklog."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from metrics.support import METRICS, high_priority_development_share, meeting_metrics, period_bounds

H = 3600.0
NAN = float("nan")
# period_end 31.05.2024 (Moscow): period 0 = 18.05–31.05, 1 = 04.05–17.05, 2 = 20.04–03.05, 3 = 06.04–19.04


def _tickets(rows: list[dict]) -> pd.DataFrame:
    base = {"client_id": "c1", "kind": "incident", "priority": 2, "line": 1,
            "acceptance_working_s": NAN, "resolution_working_s": NAN, "sla_state": "open",
            "requirements_working_s": NAN, "spec_working_s": NAN,
            "implementation_working_s": NAN, "deployment_working_s": NAN}
    df = pd.DataFrame([{**base, "ticket_id": i, **r} for i, r in enumerate(rows)])
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    return df


def _worklog(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["ticket_id", "staff", "hours", "work_date", "work_type"])
    df["work_date"] = pd.to_datetime(df["work_date"]).dt.date
    return df


STAFF = pd.DataFrame({"staff": ["ann", "bob", "cid", "dan"], "line": [1, 2, 2, 3]})
EMPTY_WORKLOG = _worklog([])


def _value(metrics: pd.DataFrame, metric_id: str, key: str, period: int = 0) -> float:
    row = metrics[(metrics["metric_id"] == metric_id) & (metrics["key"] == key) & (metrics["period"] == period)]
    assert len(row) == 1, (metric_id, key, period)
    return float(row["value"].iloc[0])


def test_period_bounds_are_consecutive_local_fortnights_ending_on_the_given_day():
    bounds = period_bounds("2024-05-31", length_days=14, n_previous=3, tz="Europe/Moscow")
    assert bounds["period"].tolist() == [0, 1, 2, 3]
    assert bounds.loc[0, "first_day"] == dt.date(2024, 5, 18)
    assert bounds.loc[0, "last_day"] == dt.date(2024, 5, 31)
    assert bounds.loc[3, "first_day"] == dt.date(2024, 4, 6)
    # Moscow midnight after 31.05 is 21:00 UTC on 31.05
    assert bounds.loc[0, "end"] == pd.Timestamp("2024-05-31 21:00", tz="UTC")
    assert (bounds["start"].iloc[:-1].to_numpy() == bounds["end"].iloc[1:].to_numpy()).all()


def test_ticket_goes_to_period_of_its_local_creation_day():
    # 17.05 22:30 UTC is 18.05 01:30 in Moscow: current period, not the previous one
    t = _tickets([{"created_at": "2024-05-17 22:30", "priority": 1}])
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "tickets_per_user", "p1.ratio", 0) == 0.1
    assert _value(m, "tickets_per_user", "p1.ratio", 1) == 0.0


def test_incident_resolution_median_and_p90_per_priority_in_hours():
    t = _tickets([{"created_at": "2024-05-20 10:00", "priority": 1, "resolution_working_s": s * H}
                  for s in (1, 2, 3, 4, 10)])
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "incident_resolution", "p1.median") == 3.0
    # linear interpolation: position 0.9·4 = 3.6 between 4 and 10 → 4 + 0.6·6 = 7.6
    assert _value(m, "incident_resolution", "p1.p90") == pytest.approx(7.6)
    assert math.isnan(_value(m, "incident_resolution", "p2.median"))


def test_unresolved_incident_is_left_out_of_resolution_time():
    t = _tickets([{"created_at": "2024-05-20 10:00", "priority": 1, "resolution_working_s": 2 * H},
                  {"created_at": "2024-05-21 10:00", "priority": 1}])
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "incident_resolution", "p1.median") == 2.0


def test_sla_compliance_counts_met_over_met_plus_breached():
    states = ["met", "met", "met", "breached", "open", "at_risk"]
    t = _tickets([{"created_at": "2024-05-20 10:00", "priority": 3, "sla_state": s} for s in states])
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "incident_sla_compliance", "p3.compliance") == 75.0


def test_reaction_times_split_incidents_from_enhancements():
    t = _tickets([
        {"created_at": "2024-05-20 10:00", "kind": "incident", "acceptance_working_s": 0.5 * H},
        {"created_at": "2024-05-20 10:00", "kind": "incident", "acceptance_working_s": 1.5 * H},
        {"created_at": "2024-05-20 10:00", "kind": "enhancement", "acceptance_working_s": 6 * H},
    ])
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "incident_reaction", "median") == 1.0
    assert _value(m, "enhancement_reaction", "median") == 6.0


def test_stage_durations_use_their_own_columns():
    t = _tickets([{"created_at": "2024-05-06 10:00", "kind": "enhancement",
                   "requirements_working_s": 8 * H, "spec_working_s": 16 * H,
                   "implementation_working_s": 40 * H, "deployment_working_s": 4 * H}])
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    got = [_value(m, mid, "median", 1) for mid in
           ("requirements_time", "spec_time", "implementation_time", "deployment_time")]
    assert got == [8.0, 16.0, 40.0, 4.0]


def test_tickets_per_staff_divides_by_headcount_of_the_ticket_line():
    # line 2 has two people (bob, cid): three P1 tickets → 1.5 per person
    t = _tickets([{"created_at": "2024-05-20 10:00", "priority": 1, "line": 2}] * 3)
    m = meeting_metrics(t, EMPTY_WORKLOG, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "tickets_per_staff", "line2.p1.ratio") == 1.5
    assert _value(m, "tickets_per_staff", "line1.p1.ratio") == 0.0


def test_tickets_per_staff_is_undefined_for_a_line_without_staff():
    t = _tickets([{"created_at": "2024-05-20 10:00", "line": 3}])
    staff = STAFF[STAFF["line"] != 3]
    m = meeting_metrics(t, EMPTY_WORKLOG, staff, users=10, period_end="2024-05-31")
    assert math.isnan(_value(m, "tickets_per_staff", "line3.p2.ratio"))


def test_hours_split_by_priority_and_by_work_type():
    t = _tickets([{"created_at": "2024-05-01 10:00", "priority": 1},
                  {"created_at": "2024-05-01 10:00", "priority": 3}])
    w = _worklog([(0, "bob", 6.0, "2024-05-20", "development"),
                  (1, "ann", 2.0, "2024-05-21", "support"),
                  (1, "ann", 2.0, "2024-05-10", "support")])
    m = meeting_metrics(t, w, STAFF, users=10, period_end="2024-05-31")
    assert _value(m, "hours", "sum") == 8.0
    assert (_value(m, "hours", "p1.sum"), _value(m, "hours", "p2.sum"), _value(m, "hours", "p3.sum")) == (6, 0, 2)
    assert _value(m, "development_hours", "sum") == 6.0
    assert _value(m, "support_hours", "sum") == 2.0
    assert _value(m, "development_share", "share") == 75.0
    assert _value(m, "high_priority_development_share", "share") == 100.0
    assert _value(m, "development_share", "share", 1) == 0.0


def test_every_key_is_reported_for_every_period_with_labels():
    m = meeting_metrics(_tickets([{"created_at": "2024-05-20 10:00"}]), EMPTY_WORKLOG, STAFF, users=10,
                        period_end="2024-05-31", n_previous=2)
    per_key = m.groupby(["metric_id", "key"])["period"].apply(sorted)
    assert all(p == [0, 1, 2] for p in per_key)
    assert set(m["metric_id"]) == set(METRICS)
    assert m["label_ru"].str.len().gt(0).all() and m["label_en"].str.len().gt(0).all()
    assert set(m["better"]) == {"lower", "higher"}
    row = m[(m["metric_id"] == "incident_resolution") & (m["key"] == "p1.median")].iloc[0]
    assert row["label_ru"] == "Время решения инцидентов P1 (медиана)"


def test_worklog_priority_is_joined_from_tickets_when_missing():
    t = _tickets([{"created_at": "2024-05-20 10:00", "priority": 2}])
    w = _worklog([(0, "bob", 3.0, "2024-05-20", "support"), (99, "bob", 5.0, "2024-05-20", "support")])
    m = meeting_metrics(t, w, STAFF, users=10, period_end="2024-05-31")
    # ticket 99 is not this client's: left out
    assert _value(m, "hours", "p2.sum") == 3.0
    assert _value(m, "hours", "sum") == 3.0


def test_high_priority_development_share_of_development_hours():
    w = pd.DataFrame({"hours": [3.0, 1.0, 4.0, 10.0], "priority": [1, 2, 3, 1],
                      "work_type": ["development", "development", "development", "support"]})
    assert high_priority_development_share(w) == 50.0
    assert np.isnan(high_priority_development_share(w[w["work_type"] == "support"]))
