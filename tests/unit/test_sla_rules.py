"""One target per ticket, by service, with the text of its rule (SPEC §5, seeds 003 and 004)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demo import generate
from metrics.calendar import WorkCalendar
from metrics.sla import SlaPolicy, evaluate_tickets

H = 3600.0
CREATED = pd.Timestamp("2026-06-16 09:00", tz="Europe/Moscow")  # a Tuesday


def evaluate(**columns) -> pd.Series:
    tickets = pd.DataFrame({"ticket_id": ["T"], "created_at": [CREATED], **{k: [v] for k, v in columns.items()}})
    result = evaluate_tickets(tickets, None, {"RU": WorkCalendar()}, {"default": SlaPolicy()},
                              CREATED + pd.Timedelta(minutes=5))
    return result.iloc[0]


def test_psm_bug_gets_three_hours_even_as_a_priority_1_incident():
    row = evaluate(service="psm", kind="incident", type="bug", priority=1)
    assert (row["acceptance_target_s"], row["resolution_target_s"]) == (1 * H, 3 * H)
    assert row["rule"] == "psm · ошибка · 3 ч"
    assert row["deadline"] == pd.Timestamp("2026-06-16 12:00", tz="Europe/Moscow")


def test_psm_simple_priority_3_incident_gets_eight_hours_not_forty():
    row = evaluate(service="psm", kind="incident", type="simple", priority=3)
    assert row["resolution_target_s"] == 8 * H and row["rule"] == "psm · простая · 8 ч"


def test_psm_complex_ticket_gets_eight_hours_per_subtask():
    row = evaluate(service="psm", kind="enhancement", type="complex", priority=2, subtasks=3)
    assert row["resolution_target_s"] == 24 * H and row["rule"] == "psm · сложная · 8 ч × 3"


def test_psm_rework_is_due_at_extended_by_production_pauses():
    row = evaluate(service="psm", kind="enhancement", type="rework", priority=2,
                   due_at=CREATED + pd.Timedelta(days=1))
    assert row["rule"] == "psm · доработка · срок + БП"
    assert row["deadline"] == CREATED + pd.Timedelta(days=1)


@pytest.mark.parametrize("priority, reaction, resolution", [(1, 1, 4), (2, 4, 16), (3, 8, 40)])
def test_classic_incident_takes_the_priority_table(priority, reaction, resolution):
    row = evaluate(service="classic", kind="incident", type="simple", priority=priority)
    assert (row["acceptance_target_s"], row["resolution_target_s"]) == (reaction * H, resolution * H)
    assert row["rule"] == f"classic · P{priority} · {reaction} ч / {resolution} ч"


def test_classic_bug_takes_the_priority_table_whatever_its_type():
    row = evaluate(service="classic", kind="incident", type="bug", priority=2)
    assert row["resolution_target_s"] == 16 * H and row["rule"] == "classic · P2 · 4 ч / 16 ч"


def test_fractional_targets_are_written_with_a_decimal_comma():
    tickets = pd.DataFrame({"ticket_id": ["T"], "created_at": [CREATED], "service": ["classic"],
                            "kind": ["incident"], "priority": [1]})
    policy = SlaPolicy(incident_targets={1: (0.5, 2.0), 2: (2.0, 8.0), 3: (4.0, 20.0)})
    result = evaluate_tickets(tickets, None, {"RU": WorkCalendar()}, {"default": policy}, CREATED)
    assert result["rule"].iloc[0] == "classic · P1 · 0,5 ч / 2 ч"


def test_demo_has_psm_bugs_psm_complex_tickets_and_classic_incidents_of_each_priority():
    tickets = generate("small", seed=42)["tickets"]
    psm, classic = tickets[tickets["service"] == "psm"], tickets[tickets["service"] == "classic"]
    assert (psm["type"] == "bug").sum() > 50 and (psm["type"] == "complex").sum() > 50
    incidents = classic[classic["kind"] == "incident"]
    assert set(np.unique(incidents["priority"])) == {1, 2, 3}
    assert incidents["priority"].value_counts().min() > 50
