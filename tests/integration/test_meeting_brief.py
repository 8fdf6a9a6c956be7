"""Meeting brief (SPEC §6, seed 004) on a small hand-made SQLite database.

Client C1 (10 users, 24×7 calendar in UTC so days are UTC days), manager "anna". Periods for
period_end 2024-05-28, 14 days: P0 = 15.05–28.05, P1 = 01.05–14.05, P2 = 17.04–30.04, P3 = 03.04–16.04.
In P1–P3 the team logs 2 h development + 8 h support (20 % development); in P0 8 h development on
a priority-1 ticket + 2 h support (80 %) — seed 004's example. Each period also has five more
line-2 incidents resolved like the first one (4 h before, 12 h now): the minimum volume a
slowdown needs before it may be flagged (SPEC §6 «Signal over noise»).
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import Engine, insert

from reports.meeting import UnknownClient, attention_ranking, meeting_brief, meeting_findings
from store.models import Client, Staff, Ticket, TicketSla, Worklog
from store.queries import manager_client_ids, meeting_inputs

UTC = dt.timezone.utc
PERIOD_END = "2024-05-28"
# first day of each period, P3 .. P0
PERIOD_DAYS = {3: dt.date(2024, 4, 3), 2: dt.date(2024, 4, 17), 1: dt.date(2024, 5, 1), 0: dt.date(2024, 5, 15)}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _ticket(ticket_id: str, client_id: str, created: dt.datetime, **values) -> dict:
    base = {c.name: None for c in Ticket.__table__.columns}
    return base | {"ticket_id": ticket_id, "client_id": client_id, "created_at": created,
                   "kind": "incident", "priority": 2, "line": 2} | values


def _sla(ticket_id: str, **values) -> dict:
    base = {c.name: None for c in TicketSla.__table__.columns}
    return base | {"ticket_id": ticket_id} | values


def insert_meeting_data(engine: Engine, manager: str = "anna") -> None:
    """C1 (served by `manager`) with the seed-004 shift, and C2 of another manager."""
    tickets, sla, worklog = [], [], []
    for period, first in PERIOD_DAYS.items():
        tid = f"T{period}"
        resolution_h = 4.0 if period else 12.0
        tickets.append(_ticket(tid, "C1", _at(first), resolved_at=_at(first, 16)))
        sla.append(_sla(tid, acceptance_working_s=1800.0, resolution_working_s=resolution_h * 3600,
                        resolution_target_s=16 * 3600.0, sla_state="met"))
        for extra in range(5):
            tickets.append(_ticket(f"{tid}x{extra}", "C1", _at(first, 11), resolved_at=_at(first, 17)))
            sla.append(_sla(f"{tid}x{extra}", resolution_working_s=resolution_h * 3600,
                            resolution_target_s=16 * 3600.0, sla_state="met"))
        dev_hours, support_hours = (8.0, 2.0) if period == 0 else (2.0, 8.0)
        worklog += [{"ticket_id": tid, "staff": "ivan", "hours": dev_hours, "work_date": first,
                     "work_type": "development"},
                    {"ticket_id": tid, "staff": "olga", "hours": support_hours, "work_date": first,
                     "work_type": "support"}]
    next(t for t in tickets if t["ticket_id"] == "T0")["priority"] = 1  # the P0 development is priority 1
    # P0: a breached ticket (deadline inside P0), an at-risk open one, and one met
    p0 = PERIOD_DAYS[0]
    tickets += [_ticket("B1", "C1", _at(p0 + dt.timedelta(days=1)), priority=1, resolved_at=_at(p0 + dt.timedelta(days=5))),
                _ticket("R1", "C1", _at(p0 + dt.timedelta(days=12)), priority=3)]
    sla += [_sla("B1", deadline=_at(p0 + dt.timedelta(days=2)), sla_state="breached",
                 resolution_working_s=96 * 3600.0, acceptance_working_s=600.0),
            _sla("R1", deadline=_at(p0 + dt.timedelta(days=14)), at_risk_from=_at(p0 + dt.timedelta(days=13)),
                 sla_state="open", acceptance_working_s=900.0)]  # at risk at NOW: states are read live
    worklog.append({"ticket_id": "B1", "staff": "olga", "hours": 3.0, "work_date": p0 - dt.timedelta(days=60),
                    "work_type": "support"})  # outside the window: still counts in the ticket's worked hours
    # an old breached ticket resolved long before the window, and another manager's client
    tickets += [_ticket("OLD", "C1", _at(dt.date(2023, 1, 9)), resolved_at=_at(dt.date(2023, 1, 20))),
                _ticket("X1", "C2", _at(p0))]
    sla += [_sla("OLD", sla_state="breached", deadline=_at(dt.date(2023, 1, 10))),
            _sla("X1", sla_state="breached", deadline=_at(p0))]
    worklog.append({"ticket_id": "X1", "staff": "ivan", "hours": 50.0, "work_date": p0, "work_type": "development"})
    with engine.begin() as conn:
        conn.execute(insert(Client), [
            {"client_id": "C1", "name": "ООО Ромашка", "users": 10, "service_manager": manager, "calendar": "24x7"},
            {"client_id": "C2", "name": "ООО Василёк", "users": 5, "service_manager": "boris", "calendar": "24x7"},
        ])
        conn.execute(insert(Staff), [{"staff": "ivan", "line": 3, "name": "Иван"},
                                     {"staff": "olga", "line": 2, "name": "Ольга"}])
        conn.execute(insert(Ticket), tickets)
        conn.execute(insert(TicketSla), sla)
        conn.execute(insert(Worklog), worklog)


NOW = "2024-05-28T12:00:00+00:00"  # the day of the meeting: R1 is past its at-risk instant, not its deadline


@pytest.fixture()
def db(engine, monkeypatch):
    """The conftest `engine` (SQLite, and PostgreSQL when reachable) with the meeting data, read at NOW."""
    monkeypatch.setenv("QUALITY_NOW", NOW)
    insert_meeting_data(engine)
    return engine


@pytest.fixture()
def brief(db):
    with db.connect() as conn:
        return meeting_brief(conn, "C1", PERIOD_END)


def _kpi(brief: dict, metric_id: str, key: str) -> dict:
    return next(k for k in brief["kpis"] if k["metric_id"] == metric_id and k["key"] == key)


def test_manager_client_ids_are_the_clients_with_that_login(db):
    with db.connect() as conn:
        assert manager_client_ids(conn, "anna") == ["C1"]
        assert manager_client_ids(conn, "nobody") == []


def test_meeting_inputs_keep_only_the_client_and_the_window(db):
    start, end = pd.Timestamp("2024-04-03", tz="UTC"), pd.Timestamp("2024-05-29", tz="UTC")
    with db.connect() as conn:
        inputs = meeting_inputs(conn, "C1", start, end)
    assert sorted(inputs.tickets["ticket_id"]) == ["B1", "R1"] + [f"T{p}{x}" for p in range(4)
                                                                 for x in ("", "x0", "x1", "x2", "x3", "x4")]
    assert inputs.tickets["created_at"].dt.tz is not None
    assert inputs.tickets.set_index("ticket_id").loc["B1", "sla_state"] == "breached"
    assert inputs.worklog["hours"].sum() == 4 * 10.0  # X1 (other client) and B1's April work excluded
    assert inputs.worklog.set_index(["ticket_id", "staff"]).loc[("T0", "ivan"), "priority"] == 1
    assert sorted(inputs.staff["staff"]) == ["ivan", "olga"]


def test_period_bounds_are_the_current_two_weeks_and_three_before(brief):
    assert brief["period"]["first_day"] == "2024-05-15"
    assert brief["period"]["last_day"] == "2024-05-28"
    assert [p["first_day"] for p in brief["periods"]] == ["2024-04-03", "2024-04-17", "2024-05-01", "2024-05-15"]
    assert brief["period"]["label"] == "15.05–28.05.2024"


def test_development_share_kpi_compares_current_with_previous_mean(brief):
    share = _kpi(brief, "development_share", "share")
    assert share["trend"] == [20.0, 20.0, 20.0, 80.0]
    assert share["current"] == 80.0
    assert share["previous_mean"] == 20.0
    assert share["delta_pp"] == 60.0 and share["delta_pct"] is None  # a share changes in points
    assert share["change_ru"] == "+60\u00a0п.п." and share["change_en"] == "+60 pp"
    assert share["status"] == "worse" and share["better"] == "lower"
    assert share["flagged"] is True


def test_seed_004_development_pressure_flag_proposes_resources_or_lower_priority(brief):
    rules = [f["rule"] for f in brief["flags"]]
    assert rules[0] == "development_pressure"
    flag = brief["flags"][0]
    assert "ресурсы" in flag["action_ru"] and "приоритет" in flag["action_ru"]
    assert flag["action_en"] == "Add resources or lower the priority of some development tasks."


def test_seed_004_is_one_finding_not_a_card_per_metric(brief):
    themes = [f["theme"] for f in brief["findings"]]
    assert themes[0] == "development_pressure"  # ranked first
    assert "development" not in themes and "incidents" not in themes  # merged into it
    finding = brief["findings"][0]
    assert finding["title_ru"] == "Разработка вытесняет поддержку"
    merged = [f for f in brief["flags"] if f["theme"] in ("development_pressure", "development", "incidents")]
    assert finding["n_flags"] == len(merged) >= 2
    assert finding["sentence_ru"].startswith("Доля часов разработки выросла с 20 до 80\u00a0% (+60\u00a0п.п.)")


def test_the_attention_ranking_reads_the_briefs_findings_alone(db, brief):
    """The manager's home ranks by `meeting_findings`: the brief's own findings, without its KPI table, tickets
    and hours; C1 (seed 004's shift) first, C2 (quiet) after it."""
    with db.connect() as conn:
        alone = meeting_findings(conn, "C1", PERIOD_END)
        assert alone == brief["findings"] and alone[0]["theme"] == "development_pressure"
        ranking = attention_ranking(conn, ["C2", "C1"], lambda states: {c: meeting_findings(conn, c) for c in states},
                                    PERIOD_END)
        with pytest.raises(UnknownClient):
            meeting_findings(conn, "NOPE", PERIOD_END)
    assert [r["client_id"] for r in ranking] == ["C1", "C2"]
    assert ranking[0]["findings"] == len(brief["findings"]) and ranking[0]["top_finding_ru"] == alone[0]["title_ru"]
    assert ranking[0]["score"] > ranking[1]["score"]


def test_quiet_metric_reads_no_data_not_a_fall(brief):
    p3_hours = _kpi(brief, "hours", "p3.sum")  # no priority-3 work now (R1 has no worklog) nor before
    assert p3_hours["status"] == "no_data" and p3_hours["delta_pct"] is None and p3_hours["change_ru"] == ""


def test_incident_reaction_kpi_is_median_in_working_hours(brief):
    reaction = _kpi(brief, "incident_reaction", "median")
    # P0 incidents T0, B1, R1 accepted after 1800, 600, 900 s -> median 900 s = 0.25 h
    assert reaction["current"] == 0.25
    assert reaction["trend"][:3] == [0.5, 0.5, 0.5]
    assert reaction["status"] == "better"


def test_breached_and_at_risk_tickets_with_worked_hours(brief):
    tickets = {t["ticket_id"]: t for t in brief["tickets"]}
    assert list(tickets) == ["B1", "R1"]  # breached first; OLD was resolved before the window
    assert tickets["B1"]["state"] == "breached"
    assert tickets["B1"]["worked_hours"] == 3.0
    assert tickets["B1"]["deadline"].startswith("2024-05-17T10:00")
    assert tickets["R1"]["state"] == "at_risk" and tickets["R1"]["worked_hours"] == 0.0


def test_hours_split_by_priority_and_period(brief):
    by_priority = {row["priority"]: row for row in brief["hours"]["by_priority"]}
    assert by_priority[1] == {"priority": 1, "development": 8.0, "support": 2.0, "total": 10.0}
    assert by_priority[2]["total"] == 0.0
    shares = [row["development_share"] for row in brief["hours"]["by_period"]]
    assert shares == [20.0, 20.0, 20.0, 80.0]
    assert brief["hours"]["by_period"][-1]["label"] == "15.05–28.05.2024"


def test_brief_is_json_serialisable_without_nan(brief):
    text = json.dumps(brief, allow_nan=False, ensure_ascii=False)
    assert "ООО Ромашка" in text


def test_default_period_end_is_the_day_the_stored_tickets_run_to(db):
    with db.connect() as conn:
        brief = meeting_brief(conn, "C1")
    assert brief["period"]["last_day"] == "2024-05-27"  # R1 created 27.05 is the latest ticket of any client


def test_default_period_end_is_the_same_for_a_client_with_older_tickets(db):
    with db.connect() as conn:
        brief = meeting_brief(conn, "C2")  # X1 created 15.05
    assert brief["period"]["last_day"] == "2024-05-27"


def test_unknown_client_raises(db):
    with db.connect() as conn, pytest.raises(UnknownClient):
        meeting_brief(conn, "NOPE", PERIOD_END)
