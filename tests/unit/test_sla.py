"""SLA engine: pauses, targets, deadlines and states (SPEC §5, seed 003, seed 004)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.calendar import WorkCalendar
from metrics.sla import SlaPolicy, compliance, elapsed_working_seconds, evaluate_tickets

H = 3600.0
MSK = "Europe/Moscow"
RU = WorkCalendar.from_name("RU")
NAT = pd.NaT


def msk(stamp: str | None) -> pd.Timestamp:
    return NAT if stamp is None else pd.Timestamp(stamp, tz=MSK).tz_convert("UTC")


def tickets(*rows: dict) -> pd.DataFrame:
    """Tickets with SPEC §3 columns; unspecified values are missing."""
    columns = [
        "ticket_id",
        "client_id",
        "created_at",
        "kind",
        "type",
        "priority",
        "subtasks",
    ]
    columns += ["accepted_at", "due_at", "resolved_at", "calendar", "sla_policy"]
    frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows])
    for c in ("created_at", "accepted_at", "due_at", "resolved_at"):
        frame[c] = pd.to_datetime([msk(r.get(c)) for r in rows], utc=True)
    frame["client_id"] = frame["client_id"].fillna("c1")
    return frame


def pauses(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": [r[0] for r in rows],
            "paused_at": pd.to_datetime([msk(r[1]) for r in rows], utc=True),
            "resumed_at": pd.to_datetime([msk(r[2]) for r in rows], utc=True),
            "reason": [r[3] for r in rows],
        }
    )


def evaluate(
    frame: pd.DataFrame,
    pause_frame: pd.DataFrame | None = None,
    now: str = "2024-06-03 12:00",
):
    return evaluate_tickets(
        frame, pause_frame, {"RU": RU}, {"default": SlaPolicy()}, msk(now)
    )


# ------------------------------------------------------------------ elapsed_working_seconds
def row_pauses(*spans: tuple[int, str, str | None]) -> pd.DataFrame:
    """``elapsed_working_seconds`` pauses from (row, paused_at, resumed_at) in Moscow time."""
    return pd.DataFrame(
        {
            "row": [r for r, _, _ in spans],
            "paused_at": pd.to_datetime([msk(p) for _, p, _ in spans], utc=True),
            "resumed_at": pd.to_datetime([msk(q) for _, _, q in spans], utc=True),
        }
    )


def test_overlapping_pauses_are_merged_before_subtracting():
    # Mon 13.05 09:00-18:00 = 9 h; pauses 10-12 and 11-13 merge into 10-13 = 3 h
    pause = row_pauses(
        (0, "2024-05-13 10:00", "2024-05-13 12:00"),
        (0, "2024-05-13 11:00", "2024-05-13 13:00"),
    )
    result = elapsed_working_seconds(
        [msk("2024-05-13 09:00")], [msk("2024-05-13 18:00")], RU, pause
    )
    assert result.tolist() == [6 * H]


def test_pause_parts_outside_the_interval_are_ignored():
    # interval 12:00-16:00; pause 09:00-13:00 counts 12-13 only, pause 15:00-Tue counts 15-16 only
    pause = row_pauses(
        (0, "2024-05-13 09:00", "2024-05-13 13:00"),
        (0, "2024-05-13 15:00", "2024-05-14 12:00"),
    )
    result = elapsed_working_seconds(
        [msk("2024-05-13 12:00")], [msk("2024-05-13 16:00")], RU, pause
    )
    assert result.tolist() == [2 * H]


def test_pause_still_open_lasts_until_the_end():
    pause = row_pauses((1, "2024-05-13 14:00", None))
    starts = [msk("2024-05-13 09:00"), msk("2024-05-13 09:00")]
    ends = [msk("2024-05-14 18:00"), msk("2024-05-14 18:00")]
    # row 0 unpaused: 18 h; row 1 paused from Mon 14:00 to the end: only 09-14 = 5 h
    assert elapsed_working_seconds(starts, ends, RU, pause).tolist() == [18 * H, 5 * H]


def merged_reference(start, end, spans) -> float:
    """Python loop: clip, sort, merge pauses, subtract their working time."""
    clipped = sorted(
        (max(a, start), min(b if b is not NAT else end, end)) for a, b in spans
    )
    merged: list[list] = []
    for a, b in clipped:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    total = RU.working_seconds([start], [end])[0]
    return total - sum(RU.working_seconds([a], [b])[0] for a, b in merged)


BASE = pd.Timestamp("2024-04-20", tz="UTC")
moment = st.integers(0, 30 * 86_400).map(lambda s: BASE + pd.Timedelta(seconds=s))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            moment,
            moment,
            st.lists(st.tuples(moment, st.one_of(moment, st.just(NAT))), max_size=5),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_elapsed_with_random_pauses_equals_loop_reference(rows):
    starts = [r[0] for r in rows]
    ends = [r[1] for r in rows]
    pause = pd.DataFrame(
        [(i, a, b) for i, r in enumerate(rows) for a, b in r[2]],
        columns=["row", "paused_at", "resumed_at"],
    )
    pause["paused_at"] = pd.to_datetime(pause["paused_at"], utc=True)
    pause["resumed_at"] = pd.to_datetime(pause["resumed_at"], utc=True)
    result = elapsed_working_seconds(starts, ends, RU, pause)
    expected = [merged_reference(s, e, spans) if e > s else 0.0 for s, e, spans in rows]
    assert result.tolist() == expected


# ------------------------------------------------------------------ targets (seed 003, seed 004)
def test_simple_task_resolved_within_8_working_hours_is_met():
    # created Fri 26.04 10:00; 8 working hours end Fri 18:00; resolved Sat 27.04 (working) 09:00
    frame = tickets(
        {
            "ticket_id": "t",
            "type": "simple",
            "created_at": "2024-04-26 10:00",
            "accepted_at": "2024-04-26 10:20",
            "resolved_at": "2024-04-26 18:00",
        }
    )
    row = evaluate(frame).iloc[0]
    assert row["resolution_target_s"] == 8 * H
    assert row["deadline"] == msk("2024-04-26 18:00")
    assert row["resolution_working_s"] == 8 * H
    assert row["sla_state"] == "met"
    assert row["acceptance_working_s"] == 20 * 60
    assert row["acceptance_state"] == "met"


def test_simple_task_resolved_on_the_working_saturday_after_the_deadline_is_breached():
    frame = tickets(
        {
            "ticket_id": "t",
            "type": "simple",
            "created_at": "2024-04-26 10:00",
            "resolved_at": "2024-04-27 10:00",
        }
    )
    row = evaluate(frame).iloc[0]
    assert row["resolution_working_s"] == 9 * H  # Fri 10-18 + Sat 9-10
    assert row["sla_state"] == "breached"


def test_complex_task_target_is_8_hours_per_subtask_and_missing_subtasks_count_as_one():
    frame = tickets(
        {
            "ticket_id": "a",
            "type": "complex",
            "subtasks": 3,
            "created_at": "2024-05-13 09:00",
        },
        {
            "ticket_id": "b",
            "type": "complex",
            "subtasks": 0,
            "created_at": "2024-05-13 09:00",
        },
        {"ticket_id": "c", "type": "complex", "created_at": "2024-05-13 09:00"},
    )
    assert evaluate(frame)["resolution_target_s"].tolist() == [24 * H, 8 * H, 8 * H]


def test_bug_target_is_3_hours_and_incident_priority_targets_win_over_type():
    frame = tickets(
        {
            "ticket_id": "bug",
            "type": "bug",
            "kind": "consultation",
            "created_at": "2024-05-13 09:00",
        },
        {
            "ticket_id": "p1",
            "type": "bug",
            "kind": "incident",
            "priority": 1,
            "created_at": "2024-05-13 09:00",
        },
        {
            "ticket_id": "p2",
            "type": "simple",
            "kind": "incident",
            "priority": 2,
            "created_at": "2024-05-13 09:00",
        },
        {
            "ticket_id": "p3",
            "type": "simple",
            "kind": "incident",
            "priority": 3,
            "created_at": "2024-05-13 09:00",
        },
    )
    result = evaluate(frame)
    assert result["resolution_target_s"].tolist() == [3 * H, 4 * H, 16 * H, 40 * H]
    assert result["acceptance_target_s"].tolist() == [1 * H, 1 * H, 4 * H, 8 * H]


def test_rework_due_date_is_extended_by_working_time_waiting_for_production():
    # due Fri 17.05 18:00; БП pause Wed 15.05 12:00 → Thu 16.05 12:00 = 6 h + 3 h = 9 h of working time;
    # a waiting_client pause does not move a rework's agreed due date
    frame = tickets(
        {
            "ticket_id": "r",
            "type": "rework",
            "created_at": "2024-05-13 09:00",
            "accepted_at": "2024-05-13 09:30",
            "due_at": "2024-05-17 18:00",
        }
    )
    pause = pauses(
        ("r", "2024-05-15 12:00", "2024-05-16 12:00", "waiting_production"),
        ("r", "2024-05-16 15:00", "2024-05-16 16:00", "waiting_client"),
    )
    row = evaluate(frame, pause, now="2024-05-20 10:00").iloc[0]
    assert row["deadline"] == msk("2024-05-20 18:00")  # Mon: 9 h after Fri 18:00
    assert row["paused_working_s"] == 10 * H
    assert row["elapsed_working_s"] == (5 * 9 + 1 - 10) * H
    assert row["pause_count"] == 2
    assert (
        row["sla_state"] == "at_risk"
    )  # 8 h left of the 54 h window created → deadline (< 25 %)


def test_rework_without_due_date_has_no_target_until_accepted():
    frame = tickets(
        {"ticket_id": "r", "type": "rework", "created_at": "2024-05-13 09:00"}
    )
    row = evaluate(frame, now="2024-05-13 12:00").iloc[0]
    assert np.isnan(row["resolution_target_s"]) and row["deadline"] is NAT
    assert row["sla_state"] == "open"


# ------------------------------------------------------------------ pauses and states
def test_client_pause_stops_the_clock_and_moves_the_deadline():
    # simple task Mon 13.05 09:00; clock stopped 10:00-12:00, so 8 h run out on Tue at 10:00
    frame = tickets(
        {
            "ticket_id": "t",
            "type": "simple",
            "created_at": "2024-05-13 09:00",
            "resolved_at": "2024-05-14 09:30",
        }
    )
    pause = pauses(("t", "2024-05-13 10:00", "2024-05-13 12:00", "waiting_client"))
    row = evaluate(frame, pause).iloc[0]
    assert row["deadline"] == msk(
        "2024-05-14 10:00"
    )  # 1 h + (6 h to 18:00) + 1 h on Tue = 8 h
    assert row["resolution_working_s"] == 7.5 * H
    assert row["sla_state"] == "met"


def test_pause_still_open_keeps_the_ticket_open_with_the_clock_stopped():
    frame = tickets({"ticket_id": "t", "type": "bug", "created_at": "2024-05-13 09:00"})
    pause = pauses(("t", "2024-05-13 11:00", None, "waiting_client"))
    row = evaluate(frame, pause, now="2024-05-14 15:00").iloc[0]
    assert row["elapsed_working_s"] == 2 * H
    assert row["paused_working_s"] == 13 * H  # Mon 11-18 + Tue 9-15
    assert row["deadline"] == msk("2024-05-14 16:00")  # 1 h left after now
    assert row["sla_state"] == "open"  # 1 h of 3 h left = 33 %


def test_open_ticket_with_less_than_a_quarter_left_is_at_risk_and_past_deadline_breached():
    frame = tickets(
        {"ticket_id": "risk", "type": "simple", "created_at": "2024-05-13 09:00"},
        {"ticket_id": "late", "type": "simple", "created_at": "2024-05-08 09:00"},
    )
    result = evaluate(
        frame, now="2024-05-13 16:00"
    )  # risk: 7 h used, 1 h left (12.5 %)
    assert result["sla_state"].tolist() == ["at_risk", "breached"]
    assert result["acceptance_state"].tolist() == ["breached", "breached"]


def test_resolution_after_now_is_not_yet_known():
    frame = tickets(
        {
            "ticket_id": "t",
            "type": "simple",
            "created_at": "2024-05-13 09:00",
            "resolved_at": "2024-05-13 15:00",
        }
    )
    row = evaluate(frame, now="2024-05-13 10:00").iloc[0]
    assert np.isnan(row["resolution_working_s"]) and row["elapsed_working_s"] == 1 * H
    assert row["sla_state"] == "open"


def test_each_client_calendar_is_used_for_its_tickets():
    frame = tickets(
        {
            "ticket_id": "ru",
            "type": "simple",
            "created_at": "2024-05-13 07:00",
            "calendar": "RU",
        },
        {
            "ticket_id": "kz",
            "type": "simple",
            "created_at": "2024-05-13 07:00",
            "calendar": "KZ",
        },
    )
    frame["resolved_at"] = frame["created_at"] + pd.Timedelta(hours=2)
    result = evaluate_tickets(frame, None, {"RU": RU}, {}, msk("2024-06-01 00:00"))
    # 07:00-09:00 Moscow is before opening in Moscow but 09:00-11:00 in Almaty
    assert result["resolution_working_s"].tolist() == [0.0, 2 * H]


def test_policy_per_client_changes_the_target():
    frame = tickets(
        {
            "ticket_id": "a",
            "type": "bug",
            "created_at": "2024-05-13 09:00",
            "sla_policy": "strict",
        },
        {"ticket_id": "b", "type": "bug", "created_at": "2024-05-13 09:00"},
    )
    policies = {"default": SlaPolicy(), "strict": SlaPolicy(bug_hours=1.5)}
    result = evaluate_tickets(frame, None, {}, policies, msk("2024-05-13 09:30"))
    assert result["resolution_target_s"].tolist() == [1.5 * H, 3 * H]
    assert result.index.equals(frame.index)


def test_policy_round_trips_through_dict():
    policy = SlaPolicy(incident_targets={1: (0.5, 2.0)}, at_risk_share=0.1)
    assert SlaPolicy.from_dict(policy.to_dict()) == policy


def test_compliance_is_met_share_of_decided_tickets():
    assert (
        compliance(["met", "met", "breached", "open", "at_risk", None]) == 100 * 2 / 3
    )
    assert np.isnan(compliance(["open", "at_risk"]))


def test_naive_now_is_utc_and_dates_are_timezone_aware_utc():
    frame = tickets(
        {"ticket_id": "t", "type": "simple", "created_at": "2024-05-13 09:00"}
    )
    result = evaluate_tickets(
        frame, None, {}, {}, dt.datetime(2024, 5, 13, 7, 0)
    )  # 10:00 Moscow
    assert result["elapsed_working_s"].iloc[0] == 1 * H
    assert str(result["deadline"].dt.tz) == "UTC"
