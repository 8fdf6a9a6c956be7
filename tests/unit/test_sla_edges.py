"""SLA engine edge cases a mutation run of metrics/sla.py showed unchecked (issue 19, item 6).

Instants exactly at a deadline, the acceptance side of a ticket, pause records without a reason or a
start, naive (calendar-local) timestamps, ``clock_stopped``/``at_risk_from``, ``live_states`` on its own,
the policy's JSON form and the empty and per-client branches of ``evaluate_tickets``. The ``24x7``
calendar (UTC, every hour works) keeps the working time equal to the wall time, so every expected value
is plain arithmetic on the instants written in the test.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from metrics.calendar import WorkCalendar
from metrics.sla import SlaPolicy, elapsed_working_seconds, evaluate_tickets, live_states

H = 3600.0
T0 = pd.Timestamp("2024-06-03 09:00", tz="UTC")  # a Monday
RU = WorkCalendar.from_name("RU")


def at(offset: str | None) -> pd.Timestamp:
    return pd.NaT if offset is None else T0 + pd.Timedelta(offset)


def ticket(ticket_id: str = "T1", **values) -> dict:
    """A simple psm ticket created at T0 on the 24x7 calendar; offsets like "90min" for instants."""
    row = {"ticket_id": ticket_id, "created_at": T0, "type": "simple", "calendar": "24x7",
           "accepted_at": pd.NaT, "resolved_at": pd.NaT, "due_at": pd.NaT}
    for key, value in values.items():
        row[key] = at(value) if key.endswith("_at") and (value is None or isinstance(value, str)) else value
    return row


def pause_frame(*spans: tuple, reason: str | None = "waiting_client") -> pd.DataFrame:
    """Pauses (ticket_id, paused offset, resumed offset) with one reason."""
    return pd.DataFrame({"ticket_id": [s[0] for s in spans],
                         "paused_at": pd.to_datetime([at(s[1]) for s in spans], utc=True),
                         "resumed_at": pd.to_datetime([at(s[2]) for s in spans], utc=True),
                         "reason": [reason] * len(spans)})


def evaluate(rows: list[dict], pauses: pd.DataFrame | None = None, now: str = "10h", **kwargs) -> pd.DataFrame:
    return evaluate_tickets(pd.DataFrame(rows), pauses, kwargs.pop("calendars", {}),
                            kwargs.pop("policies", {}), at(now), **kwargs)


# ------------------------------------------------------------------ policy
def test_policy_to_dict_is_the_json_form_with_string_priority_keys():
    data = SlaPolicy().to_dict()
    assert data == {
        "acceptance_hours": 1.0, "simple_hours": 8.0, "complex_hours_per_subtask": 8.0, "bug_hours": 3.0,
        "incident_targets": {"1": [1.0, 4.0], "2": [4.0, 16.0], "3": [8.0, 40.0]},
        "at_risk_share": 0.25,
        "clock_stop_reasons": ["waiting_production", "waiting_client", "other"],
        "rework_extension_reasons": ["waiting_production"],
        "default_type": "simple",
    }
    assert json.loads(json.dumps(data)) == data


# ------------------------------------------------------------------ targets and rule texts
def test_ticket_of_an_unknown_type_has_no_resolution_target():
    result = evaluate([ticket("open", type="question"), ticket("done", type="question", resolved_at="2h")])
    assert result["acceptance_target_s"].tolist() == [1 * H, 1 * H]
    assert result["resolution_target_s"].isna().all() and result["deadline"].isna().all()
    assert result["rule"].tolist() == ["psm · question · без срока"] * 2
    assert result["sla_state"].iloc[0] == "open" and pd.isna(result["sla_state"].iloc[1])  # resolved: no state


def test_incident_without_a_service_takes_the_priority_table_and_classic_without_priority_the_type():
    result = evaluate([ticket("incident", kind="incident", priority=2),
                       ticket("classic", service="classic", type="bug"),
                       ticket("psm", service="psm", type="bug")])
    assert result["rule"].tolist() == ["classic · P2 · 4 ч / 16 ч", "classic · ошибка · 3 ч", "psm · ошибка · 3 ч"]
    assert result["resolution_target_s"].tolist() == [16 * H, 3 * H, 3 * H]


def test_nullable_integer_subtasks_and_priorities_as_the_demo_generator_writes_them():
    tickets = pd.DataFrame([ticket("three", type="complex"), ticket("unknown", type="complex"),
                            ticket("p2", service="classic", kind="incident"),
                            ticket("no priority", service="classic", kind="incident")])
    tickets["subtasks"] = pd.array([3, pd.NA, pd.NA, pd.NA], dtype="Int64")
    tickets["priority"] = pd.array([pd.NA, pd.NA, 2, pd.NA], dtype="Int64")
    result = evaluate_tickets(tickets, None, {}, {}, at("1h"))
    assert result["resolution_target_s"].tolist() == [24 * H, 8 * H, 16 * H, 8 * H]
    assert result["acceptance_target_s"].tolist() == [1 * H, 1 * H, 4 * H, 1 * H]
    assert result["rule"].tolist() == ["psm · сложная · 8 ч × 3", "psm · сложная · 8 ч × 1",
                                       "classic · P2 · 4 ч / 16 ч", "classic · простая · 8 ч"]


def test_unreadable_priority_or_subtasks_text_counts_as_missing():
    result = evaluate([ticket("text", service="classic", kind="incident", priority="high"),
                       ticket("digit", service="classic", kind="incident", priority="3"),
                       ticket("subtasks text", type="complex", subtasks="several"),
                       ticket("subtasks digit", type="complex", subtasks="2")])
    assert result["rule"].tolist() == ["classic · простая · 8 ч", "classic · P3 · 8 ч / 40 ч",
                                       "psm · сложная · 8 ч × 1", "psm · сложная · 8 ч × 2"]
    assert result["resolution_target_s"].tolist() == [8 * H, 40 * H, 8 * H, 16 * H]


def test_rule_hours_are_rounded_to_two_decimals():
    row = evaluate([ticket(type="bug")], policies={"default": SlaPolicy(bug_hours=1 / 3)}).iloc[0]
    assert row["rule"] == "psm · ошибка · 0,33 ч"
    assert row["resolution_target_s"] == pytest.approx(1200.0)


# ------------------------------------------------------------------ acceptance side
def test_acceptance_exactly_at_its_one_hour_deadline_is_met_and_a_minute_later_breached():
    result = evaluate([ticket("on time", accepted_at="1h"), ticket("late", accepted_at="61min")])
    assert result["acceptance_working_s"].tolist() == [1 * H, 61 * 60.0]
    assert result["acceptance_state"].tolist() == ["met", "breached"]


def test_resolving_without_an_acceptance_instant_counts_as_acceptance():
    result = evaluate([ticket("quick", resolved_at="30min"), ticket("slow", resolved_at="2h")])
    assert result["acceptance_state"].tolist() == ["met", "breached"]
    assert result["sla_state"].tolist() == ["met", "met"]  # both within the 8 h resolution target


def test_unaccepted_ticket_at_the_exact_quarter_and_deadline_instants():
    # target 1 h: at 45 min exactly 15 min (= 25 %, not less) are left → open; at 60 min 0 left but the
    # deadline is not yet passed → at_risk; breached only after it
    states = [evaluate([ticket()], now=now)["acceptance_state"].item() for now in ("45min", "46min", "1h", "61min")]
    assert states == ["open", "at_risk", "at_risk", "breached"]


def test_acceptance_after_now_is_not_known_yet_and_acceptance_exactly_at_now_is():
    later = evaluate([ticket(accepted_at="40min")], now="30min").iloc[0]
    assert math.isnan(later["acceptance_working_s"]) and later["acceptance_state"] == "open"
    exactly = evaluate([ticket(accepted_at="30min")], now="30min").iloc[0]
    assert exactly["acceptance_working_s"] == 30 * 60.0 and exactly["acceptance_state"] == "met"


def test_a_pause_after_acceptance_does_not_shorten_the_acceptance_time():
    # accepted at 30 min; the client pause 1 h – 3 h only moves the resolution deadline (8 h + 2 h)
    row = evaluate([ticket(accepted_at="30min")], pause_frame(("T1", "1h", "3h"))).iloc[0]
    assert row["acceptance_working_s"] == 30 * 60.0
    assert row["paused_working_s"] == 2 * H
    assert row["deadline"] == at("10h")


# ------------------------------------------------------------------ resolution side
def test_resolved_exactly_at_now_is_resolved():
    row = evaluate([ticket(resolved_at="5h")], now="5h").iloc[0]
    assert row["resolution_working_s"] == 5 * H
    assert row["sla_state"] == "met"


def test_at_risk_from_is_three_quarters_of_the_target_and_moves_with_pauses():
    plain, paused = evaluate([ticket("plain"), ticket("paused")], pause_frame(("paused", "1h", "3h")))["at_risk_from"]
    assert plain == at("6h")  # 0.75 × 8 h
    assert paused == at("8h")  # the 2 h pause starts before 6 h of clock time are used


def test_rework_at_risk_from_is_three_quarters_of_its_window_to_the_due_date():
    # due 40 h after creation, no production pause: window 40 h, at risk from 30 h; the simple ticket
    # evaluated with it keeps its own 6 h
    result = evaluate([ticket("rework", type="rework", due_at="40h"), ticket("simple")])
    assert result["resolution_target_s"].tolist() == [40 * H, 8 * H]
    assert result["deadline"].tolist() == [at("40h"), at("8h")]
    assert result["at_risk_from"].tolist() == [at("30h"), at("6h")]
    assert evaluate([ticket(type="rework", due_at="40h")], now="31h")["sla_state"].item() == "at_risk"


def test_ticket_without_created_at_has_no_paused_time():
    result = evaluate([ticket("missing", created_at=None), ticket("ok")], pause_frame(("ok", "1h", "2h")))
    assert result["paused_working_s"].dtype == np.float64
    assert math.isnan(result["paused_working_s"].iloc[0])
    assert result["paused_working_s"].iloc[1] == 1 * H


# ------------------------------------------------------------------ pause records
def test_pause_without_a_reason_column_or_with_a_missing_reason_stops_the_clock():
    with_reason = pause_frame(("T1", "1h", "3h"), reason=None)
    without_column = with_reason.drop(columns="reason")
    for pauses in (with_reason, without_column):
        row = evaluate([ticket()], pauses).iloc[0]
        assert (row["elapsed_working_s"], row["paused_working_s"]) == (8 * H, 2 * H)
        assert row["deadline"] == at("10h")
    # a reason outside clock_stop_reasons does not stop it
    row = evaluate([ticket()], pause_frame(("T1", "1h", "3h"), reason="internal")).iloc[0]
    assert (row["elapsed_working_s"], row["paused_working_s"]) == (10 * H, 0.0)


def test_pause_record_without_a_start_is_ignored():
    pauses = pause_frame(("T1", None, "2h"), ("T1", "4h", "5h"))
    row = evaluate([ticket()], pauses).iloc[0]
    assert (row["elapsed_working_s"], row["paused_working_s"]) == (9 * H, 1 * H)
    assert row["pause_count"] == 2  # records, not clock stops
    starts = [T0]
    ends = [at("10h")]
    rows = pd.DataFrame({"row": [0], "paused_at": [pd.NaT], "resumed_at": [at("2h")]})
    assert elapsed_working_seconds(starts, ends, WorkCalendar.from_name("24x7"), rows).tolist() == [10 * H]


def test_clock_stopped_only_for_open_tickets_in_a_pause_at_now():
    rows = [ticket("open paused"), ticket("open resumed"), ticket("open"), ticket("resolved", resolved_at="4h")]
    pauses = pause_frame(("open paused", "8h", None), ("open resumed", "1h", "2h"), ("resolved", "3h", None))
    result = evaluate(rows, pauses)
    assert result["clock_stopped"].tolist() == [True, False, False, False]
    assert result["paused_working_s"].tolist() == [2 * H, 1 * H, 0.0, 1 * H]


# ------------------------------------------------------------------ naive timestamps = calendar local time
def test_naive_timestamps_are_the_calendar_local_time():
    # Moscow Mon 13.05.2024 09:00–18:00 with a pause 10:00–12:00: 7 working hours
    local = pd.Timestamp
    pauses = pd.DataFrame({"row": [0], "paused_at": [local("2024-05-13 10:00")],
                           "resumed_at": [local("2024-05-13 12:00")]})
    assert elapsed_working_seconds([local("2024-05-13 09:00")], [local("2024-05-13 18:00")], RU,
                                   pauses).tolist() == [7 * H]


def test_naive_ticket_and_pause_instants_are_the_calendar_local_time():
    # simple: created Mon 09:00 Moscow, client pause 10–12 → 8 h run out Tue 10:00 Moscow;
    # rework due Fri 17.05 18:00, production pause Wed 12:00 → Thu 12:00 (6 h + 3 h) → Mon 20.05 18:00
    tickets = pd.DataFrame({
        "ticket_id": ["simple", "rework"], "type": ["simple", "rework"],
        "created_at": [pd.Timestamp("2024-05-13 09:00")] * 2,
        "due_at": [pd.NaT, pd.Timestamp("2024-05-17 18:00")],
    })
    pauses = pd.DataFrame({
        "ticket_id": ["simple", "rework"],
        "paused_at": [pd.Timestamp("2024-05-13 10:00"), pd.Timestamp("2024-05-15 12:00")],
        "resumed_at": [pd.Timestamp("2024-05-13 12:00"), pd.Timestamp("2024-05-16 12:00")],
        "reason": ["waiting_client", "waiting_production"],
    })
    result = evaluate_tickets(tickets, pauses, {"RU": RU}, {}, pd.Timestamp("2024-05-20 10:00", tz="Europe/Moscow"))
    moscow = result["deadline"].dt.tz_convert("Europe/Moscow").dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert moscow == ["2024-05-14 10:00", "2024-05-20 18:00"]
    # Mon 13 – Fri 17 (5 × 9 h) + Mon 20 09–10 = 46 h, less the 2 h client and 9 h production pauses
    assert result["elapsed_working_s"].tolist() == [44 * H, 37 * H]


# ------------------------------------------------------------------ evaluate_tickets branches
def test_tickets_without_optional_columns_take_the_defaults():
    tickets = pd.DataFrame({"ticket_id": ["a", "b", "c"], "created_at": [T0, at("1h"), at("2h")]})
    result = evaluate_tickets(tickets, None, {"RU": WorkCalendar.from_name("24x7")}, {}, at("3h"))
    assert result["resolution_target_s"].tolist() == [8 * H] * 3  # no type: simple
    assert result["deadline"].tolist() == [at("8h"), at("9h"), at("10h")]
    assert result["rule"].tolist() == ["psm · простая · 8 ч"] * 3


def test_default_policy_given_in_policies_is_used_for_tickets_without_a_policy_name():
    policies = {"default": SlaPolicy(simple_hours=2.0)}
    result = evaluate([ticket("named", sla_policy="default"), ticket("unnamed", sla_policy=None)],
                      policies=policies)
    assert result["resolution_target_s"].tolist() == [2 * H, 2 * H]


def test_unknown_policy_name_is_an_error_naming_it():
    with pytest.raises(KeyError, match="unknown SLA policy 'gold'"):
        evaluate([ticket(sla_policy="gold")])


def test_calendar_given_by_the_caller_wins_over_the_preset_of_that_name():
    # "RU" given as a 24x7 calendar: Saturday 01.06 02:00 UTC + 8 h = 10:00 UTC (the preset would say Monday)
    tickets = pd.DataFrame({"ticket_id": ["t"], "created_at": [pd.Timestamp("2024-06-01 02:00", tz="UTC")],
                            "calendar": ["RU"]})
    result = evaluate_tickets(tickets, None, {"RU": WorkCalendar.from_name("24x7")}, {},
                              pd.Timestamp("2024-06-01 03:00", tz="UTC"))
    assert result["deadline"].item() == pd.Timestamp("2024-06-01 10:00", tz="UTC")


def test_no_tickets_give_an_empty_result_with_every_column():
    empty = pd.DataFrame([ticket()]).iloc[:0]
    result = evaluate_tickets(empty, None, {}, {}, T0)
    assert result.empty
    assert list(result.columns) == [
        "acceptance_working_s", "resolution_working_s", "elapsed_working_s", "paused_working_s",
        "acceptance_target_s", "resolution_target_s", "deadline", "acceptance_state", "at_risk_from",
        "sla_state", "rule", "clock_stopped", "pause_count",
    ]


# ------------------------------------------------------------------ live_states
def test_live_states_at_the_exact_instants():
    # resolved exactly at now counts as resolved; now exactly at the deadline is not yet late;
    # now exactly at at_risk_from is not yet at risk
    deadline, risk = at("8h"), at("6h")
    assert live_states([at("5h")], [deadline], [risk], at("5h")).tolist() == ["met"]
    assert live_states([at("8h")], [deadline], [risk], at("9h")).tolist() == ["met"]
    assert live_states([pd.NaT], [deadline], [risk], at("8h")).tolist() == ["at_risk"]
    assert live_states([pd.NaT], [deadline], [risk], at("6h")).tolist() == ["open"]
    assert live_states([pd.NaT], [deadline], [risk], at("8h") + pd.Timedelta(1, "ns")).tolist() == ["breached"]


def test_live_states_of_lists_with_a_naive_now_in_utc():
    resolved = [at("5h"), at("9h"), pd.NaT, pd.NaT, pd.NaT, at("1h")]
    deadline = [at("8h"), at("8h"), at("8h"), at("12h"), pd.NaT, pd.NaT]
    risk = [at("6h"), at("6h"), at("6h"), at("9h"), pd.NaT, pd.NaT]
    now = (T0 + pd.Timedelta("10h")).tz_localize(None)  # naive = UTC
    assert live_states(resolved, deadline, risk, now).tolist() == ["met", "breached", "breached", "at_risk",
                                                                   "open", None]


def test_live_states_keep_the_stored_state_of_open_tickets_whose_clock_is_stopped():
    resolved = [pd.NaT, pd.NaT, pd.NaT, at("9h")]
    deadline = [at("8h")] * 4
    risk = [at("6h")] * 4
    now = at("10h")
    stopped = [True, False, None, True]
    stored = ["at_risk", "open", "open", "open"]
    # 1st: frozen at its stored state; 2nd and 3rd: clock running → breached; 4th resolved → its own state
    assert live_states(resolved, deadline, risk, now, stopped, stored).tolist() == [
        "at_risk", "breached", "breached", "breached"]
    live = ["breached", "breached", "breached", "breached"]
    assert live_states(resolved, deadline, risk, now).tolist() == live
    assert live_states(resolved, deadline, risk, now, clock_stopped=stopped).tolist() == live
    assert live_states(resolved, deadline, risk, now, stored_states=stored).tolist() == live
