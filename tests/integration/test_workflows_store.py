"""store.workflows on both backends: each write validated, done in one transaction with its audit row,
refused writes leave nothing behind (SPEC §12). Today = 2026-11-30 10:00 UTC.

Data: partners A (KKV extended to 2027-01-31, KZ), B (KKV basic, expired 2026-11-01), C (extended, expired
2026-11-01), D (no level); clients C1 (of A), C2 (of B); 1cfresh contracts K1 (A, churned), K2 (A, active),
K3 (B, churned).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select, update

from metrics.calendar import WorkCalendar
from metrics.workflows import WorkflowError
from store import workflows
from tests.integration.stored_rows import count_rows
from store.models import (
    AuditLog,
    ChurnReason,
    Client,
    KkvRenewal,
    MeetingAction,
    Partner,
    SaasContract,
    Top10Exclusion,
)

NOW = pd.Timestamp("2026-11-30 10:00", tz="UTC")
KZ = WorkCalendar(timezone="Asia/Almaty", country="KZ")
FINDINGS = {"incident_resolution:p2": "Время решения инцидентов, приоритет 2"}


@pytest.fixture()
def db(engine: Engine) -> Engine:
    with engine.begin() as conn:
        conn.execute(insert(Partner), [
            {"partner_id": "A", "name": "Альфа", "city": "Алматы", "country": "KZ", "kkv_level": "extended",
             "kkv_valid_until": dt.date(2027, 1, 31)},
            {"partner_id": "B", "name": "Бета", "city": "Астана", "country": "KZ", "kkv_level": "basic",
             "kkv_valid_until": dt.date(2026, 11, 1)},
            {"partner_id": "C", "name": "Вега", "city": "Алматы", "country": "KZ", "kkv_level": "extended",
             "kkv_valid_until": dt.date(2026, 11, 1)},
            {"partner_id": "D", "name": "Гамма", "city": "Омск", "country": "RU", "kkv_level": "none", "kkv_valid_until": None},
        ])
        conn.execute(insert(Client), [{"client_id": "C1", "name": "Ромашка", "partner_id": "A"},
                                      {"client_id": "C2", "name": "Лютик", "partner_id": "B"}])
        conn.execute(insert(SaasContract), [
            {"contract_id": "K1", "partner_id": "A", "started_at": NOW - pd.Timedelta(days=90),
             "ended_at": NOW - pd.Timedelta(days=10), "promo": "none"},
            {"contract_id": "K2", "partner_id": "A", "started_at": NOW - pd.Timedelta(days=90), "ended_at": None,
             "promo": "none"},
            {"contract_id": "K3", "partner_id": "B", "started_at": NOW - pd.Timedelta(days=90),
             "ended_at": NOW - pd.Timedelta(days=5), "promo": "none"},
        ])
    return engine


def _action(**overrides) -> dict:
    return {"finding": "incident_resolution:p2", "title": "Добавить специалиста на 2-ю линию", "owner": "Иванов",
            "due_date": "2026-12-14", "status": "planned", "comment": None, **overrides}


def _add(engine: Engine, **overrides) -> int:
    with engine.begin() as conn:
        return workflows.add_meeting_action(conn, "manager", "C1", _action(**overrides), FINDINGS, NOW)


def test_meeting_action_is_stored_with_its_finding_and_audited(db):
    action_id = _add(db)
    with db.connect() as conn:
        stored = workflows.meeting_action(conn, action_id)
        audit = conn.execute(select(AuditLog.login, AuditLog.action, AuditLog.detail)).all()
    assert stored["finding_label"] == FINDINGS["incident_resolution:p2"] and stored["due_date"] == dt.date(2026, 12, 14)
    assert stored["version"] == 1 and stored["created_by"] == "manager"
    assert [(a.login, a.action) for a in audit] == [("manager", "meeting_action_add")]
    assert f"action={action_id}" in audit[0].detail


@pytest.mark.parametrize(("overrides", "code"), [
    ({"title": "  "}, "title_required"), ({"owner": None}, "owner_required"),
    ({"due_date": "2026-11-29"}, "due_past"), ({"due_date": "31.12.2026"}, "due_invalid"),
    ({"due_date": "2030-01-01"}, "due_far"), ({"status": "finished"}, "status_invalid"),
    ({"status": "dropped"}, "comment_required"), ({"finding": "someone:else"}, "finding_unknown"),
    ({"title": "x" * 501}, "title_too_long"), ({"owner": ["Иванов"]}, "owner_invalid"),
])
def test_invalid_meeting_action_is_refused_and_nothing_is_written(db, overrides, code):
    with pytest.raises(WorkflowError) as error:
        _add(db, **overrides)
    assert error.value.code == code
    assert count_rows(db, MeetingAction) == 0 and count_rows(db, AuditLog) == 0


def test_stale_form_is_refused_after_someone_else_changed_the_action(db):
    action_id = _add(db)
    with db.begin() as conn:
        workflows.update_meeting_action(conn, "admin", action_id, 1, _action(status="in_progress"), NOW)
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.update_meeting_action(conn, "manager", action_id, 1, _action(status="done"), NOW)
    assert error.value.code == "stale"
    with db.connect() as conn:
        stored = workflows.meeting_action(conn, action_id)
    assert (stored["status"], stored["version"], stored["updated_by"]) == ("in_progress", 2, "admin")


def test_open_actions_and_the_last_meeting_are_in_the_section(db):
    first = _add(db)
    second = _add(db, title="Понизить приоритет доработок", due_date="2026-12-01")
    with db.begin() as conn:
        workflows.record_meeting_snapshot(conn, "manager", "C1", dt.date(2026, 11, 29), "fixed",
                                          [{"metric_id": "incident_resolution", "key": "p2", "label_ru": "Время"}],
                                          NOW)
        workflows.update_meeting_action(conn, "manager", first, 1, _action(status="done"), NOW)
    with db.connect() as conn:
        section = workflows.meeting_actions_section(conn, "C1")
    assert [a["id"] for a in section["open"]] == [second]
    last = section["last_meeting"]
    assert last["period_end"] == "2026-11-29"
    assert {a["id"]: (a["status"], a["status_now"]) for a in last["actions"]} == {
        first: ("planned", "done"), second: ("planned", "planned")}
    assert section["history"][0]["flag_count"] == 1 and section["history"][0]["action_count"] == 2
    assert last["actions"][0]["due_date"] == "2026-12-01"


def test_a_fixed_top10_refuses_further_exclusions_and_a_second_approval(db):
    with db.begin() as conn:
        workflows.exclude_from_top10(conn, "management", "2026Q3", "A", "regular_complaints", "3 жалобы", NOW)
        workflows.approve_top10(conn, "admin", "2026Q3", [{"partner_id": "B", "place": 1, "quota": 10}], NOW)
    for call in (lambda c: workflows.exclude_from_top10(c, "admin", "2026Q3", "B", "regulation_breach", None, NOW),
                 lambda c: workflows.lift_top10_exclusion(c, "admin", "2026Q3", "A", NOW),
                 lambda c: workflows.approve_top10(c, "admin", "2026Q3", [{"partner_id": "A"}], NOW)):
        with pytest.raises(WorkflowError) as error, db.begin() as conn:
            call(conn)
        assert error.value.code == "top10_fixed" and error.value.values["login"] == "admin"
    with db.connect() as conn:
        assert workflows.top10_approval(conn, "2026Q3")["ranking"] == [{"partner_id": "B", "place": 1, "quota": 10}]
        assert workflows.top10_exclusions(conn, "2026Q3")[["partner_id", "reason"]].values.tolist() == [
            ["A", "regular_complaints"]]
    assert count_rows(db, Top10Exclusion) == 1


@pytest.mark.parametrize(("quarter", "partner", "reason", "code"), [
    ("2026Q5", "A", "regular_complaints", "quarter_invalid"), ("2026Q3", "Z", "regular_complaints", "partner_unknown"),
    ("2026Q3", "A", "не нравится", "reason_invalid"), (["2026Q3"], "A", "regular_complaints", "quarter_invalid"),
])
def test_bad_exclusion_is_refused(db, quarter, partner, reason, code):
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.exclude_from_top10(conn, "admin", quarter, partner, reason, None, NOW)
    assert error.value.code == code and count_rows(db, Top10Exclusion) == 0


def test_kkv_renewal_request_is_due_in_seven_kazakh_working_days_and_approval_prolongs_a_year(db):
    with db.begin() as conn:
        renewal_id = workflows.request_kkv_renewal(conn, "partner-a", "A", KZ, NOW)
    with db.connect() as conn:
        stored = workflows.kkv_renewals(conn, "A").iloc[0]
    # Monday 30.11 → 01, 02, 03, 04, 07, 08, 09.12 (7 working days, the request day not counted)
    assert stored["review_due"].date() == dt.date(2026, 12, 9) and stored["status"] == "pending"
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.request_kkv_renewal(conn, "partner-a", "A", KZ, NOW)
    assert error.value.code == "kkv_pending"
    with db.begin() as conn:
        workflows.review_kkv_renewal(conn, "admin", renewal_id, True, None, NOW)
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.review_kkv_renewal(conn, "admin", renewal_id, False, "поздно", NOW)
    assert error.value.code == "stale"
    with db.connect() as conn:
        assert conn.scalar(select(Partner.kkv_valid_until).where(Partner.partner_id == "A")) == dt.date(2028, 1, 31)


def test_kkv_renewal_later_than_14_days_before_expiry_is_refused(db):
    late = pd.Timestamp("2027-01-18 10:00", tz="UTC")  # 13 days before 31.01.2027
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.request_kkv_renewal(conn, "partner-a", "A", KZ, late)
    assert error.value.code == "kkv_too_late" and error.value.values["date"] == dt.date(2027, 1, 17)
    assert count_rows(db, KkvRenewal) == 0 and count_rows(db, AuditLog) == 0


def test_rejection_needs_a_comment(db):
    with db.begin() as conn:
        renewal_id = workflows.request_kkv_renewal(conn, "partner-a", "A", KZ, NOW)
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.review_kkv_renewal(conn, "admin", renewal_id, False, " ", NOW)
    assert error.value.code == "comment_required"


def test_expiry_downgrades_extended_to_basic_and_annuls_basic_once(db):
    changes = workflows.apply_kkv_expiry(db, NOW)
    assert sorted(zip(changes["partner_id"], changes["new_level"])) == [("B", "none"), ("C", "basic")]
    assert workflows.apply_kkv_expiry(db, NOW).empty  # idempotent
    with db.connect() as conn:
        levels = dict(conn.execute(select(Partner.partner_id, Partner.kkv_level)).all())
        changed = workflows.kkv_level_changes(conn)
        audit = conn.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "kkv_expired"))
    assert levels == {"A": "extended", "B": "none", "C": "basic", "D": "none"}
    assert len(changed) == 2 and audit == 2


def test_partner_sets_a_churn_reason_only_on_its_own_churned_contract(db):
    with db.begin() as conn:
        workflows.set_churn_reason(conn, "partner-a", "A", "K1", "price", "дорого", NOW)
    for contract, code in (("K3", "contract_unknown"), ("K2", "contract_active"), ("K9", "contract_unknown")):
        with pytest.raises(WorkflowError) as error, db.begin() as conn:
            workflows.set_churn_reason(conn, "partner-a", "A", contract, "price", None, NOW)
        assert error.value.code == code
    with pytest.raises(WorkflowError) as error, db.begin() as conn:
        workflows.set_churn_reason(conn, "partner-a", "A", "K1", "other", "", NOW)
    assert error.value.code == "comment_required"
    with db.connect() as conn:
        mine = workflows.churned_contracts(conn, "A")
    assert mine[["contract_id", "reason", "comment"]].values.tolist() == [["K1", "price", "дорого"]]
    assert count_rows(db, ChurnReason) == 1


def test_expiry_catching_up_after_downtime_falls_through_to_none_in_one_run(db):
    later = pd.Timestamp("2028-01-15", tz="UTC")  # C's extended (01.11.2026) and its basic year are both over
    changes = workflows.apply_kkv_expiry(db, later)
    assert dict(zip(changes["partner_id"], changes["new_level"])) == {"A": "basic", "B": "none", "C": "none"}
    assert workflows.apply_kkv_expiry(db, later).empty
    with db.connect() as conn:
        until = dict(conn.execute(select(Partner.partner_id, Partner.kkv_valid_until)).all())
    assert until["A"] == dt.date(2028, 1, 31) and until["C"] is None


def test_partner_churn_reasons_are_the_reasons_of_churned_contracts(db):
    """`partner_churn_reasons` (the lead page) = the ``reason`` column of `churned_contracts` where one was given;
    a reason of a contract no longer ended (a later file) is not one."""
    with db.begin() as conn:
        workflows.set_churn_reason(conn, "partner-a", "A", "K1", "price", "дорого", NOW)
        workflows.set_churn_reason(conn, "partner-b", "B", "K3", "other", "закрылись", NOW)
        conn.execute(update(SaasContract).where(SaasContract.contract_id == "K3").values(ended_at=None))
    with db.connect() as conn:
        reasons = workflows.partner_churn_reasons(conn)
        churned = workflows.churned_contracts(conn).dropna(subset=["reason"]).set_index("contract_id")["reason"]
    assert reasons.to_dict() == churned.to_dict() == {"K1": "price"}
